// A gtest fixture for lab tests parameterised by data path ("xdp", "afxdp", "afpacket", or a
// variant such as "afxdp+spin", see lab/datapath_variant.h): it needs root, builds a
// ReflectorLab (with LabOptions(), the lab's defaults unless a test overrides it), and skips
// only when reflectord says the data path is not built (see
// datapath_availability.h).
#ifndef REFLECTOR_TESTING_DAEMON_DATAPATH_LAB_TEST_H_
#define REFLECTOR_TESTING_DAEMON_DATAPATH_LAB_TEST_H_

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/lab/datapath_variant.h"
#include "testing/lab/reflector_lab.h"

namespace reflector::testing {

class DataPathLabTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  virtual lab::ReflectorLabOptions LabOptions() const { return {}; }

  // reflectord's flags for the parameter: --datapath, a variant's own, dpdk's EAL arguments.
  std::vector<std::string> DataPathFlags() const {
    return lab::DataPathFlags(GetParam(), lab_->reflector_if());
  }
  // The data path the parameter runs ("afxdp" for "afxdp+spin").
  std::string DataPath() const { return lab::DataPathOf(GetParam()); }

  std::unique_ptr<lab::ReflectorLab> lab_;
};

}  // namespace reflector::testing

#endif  // REFLECTOR_TESTING_DAEMON_DATAPATH_LAB_TEST_H_
