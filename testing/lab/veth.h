// A veth pair between two lab namespaces, with fixed MACs and addresses, up and quiet: IPv6
// autoconfiguration is off so the stack sends nothing on its own (the tests count frames).
// The lab (reflector_lab.h) composes it; tests use the lab.
#ifndef REFLECTOR_TESTING_LAB_VETH_H_
#define REFLECTOR_TESTING_LAB_VETH_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "testing/lab/netns.h"

namespace reflector::testing::lab {

struct VethEnd {
  const NetNamespace* ns = nullptr;
  std::string name;
  std::string mac;                     // "02:00:5e:10:00:02"
  std::vector<std::string> addresses;  // "198.18.0.2/24", "2001:2::2/64" (benchmark ranges)
  int mtu = 1500;
  int queues = 1;  // rx and tx queues (numrxqueues/numtxqueues)
};

// Creates the pair, one end in each namespace, sets MAC, MTU and addresses, and brings both
// up. The pair lives as long as the namespaces: deleting either one deletes it.
absl::Status CreateVethPair(const VethEnd& a, const VethEnd& b);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_VETH_H_
