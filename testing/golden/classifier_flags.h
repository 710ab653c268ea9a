// The command-line flags that make reflectord (and pcap-reflect) classify with a given
// rf_config, so that tests and fixtures stated as rf_configs can drive the real binaries.
#ifndef REFLECTOR_TESTING_GOLDEN_CLASSIFIER_FLAGS_H_
#define REFLECTOR_TESTING_GOLDEN_CLASSIFIER_FLAGS_H_

#include <string>
#include <vector>

#include "reflector/packet/wire.h"

namespace reflector::testing::golden {

// --port, --oui, --dst_mac_filter, --signatures, --vlan, --ipv6 and, when `with_mode`,
// --mode. The interface MAC is not a flag of the daemon: it comes from the interface.
std::vector<std::string> ClassifierFlags(const rf_config& config, bool with_mode = true);

}  // namespace reflector::testing::golden

#endif  // REFLECTOR_TESTING_GOLDEN_CLASSIFIER_FLAGS_H_
