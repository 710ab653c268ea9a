// The command-line flags that make reflectord (and pcap-reflect) classify with a given
// FilterConfig, so that tests and fixtures stated as FilterConfigs can drive the real binaries.
#ifndef REFLECTOR_TESTING_GOLDEN_CLASSIFIER_FLAGS_H_
#define REFLECTOR_TESTING_GOLDEN_CLASSIFIER_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "reflector/packet/config.h"

namespace reflector::testing::golden {

// --port, --oui, --dst_mac_filter, --signatures, --vlan, --ipv6, then --profile,
// --tos_handshake, --loopback_ports and --loopback_addresses when they differ from their
// defaults, and, when `with_mode`, --mode. The interface MAC is not a flag of the daemon: it
// comes from the interface. Custom rules have no flags (they are [[rule]] tables of the config
// file): a config with any is an error.
absl::StatusOr<std::vector<std::string>> ClassifierFlags(const packet::FilterConfig& filter,
                                                         bool with_mode = true);

}  // namespace reflector::testing::golden

#endif  // REFLECTOR_TESTING_GOLDEN_CLASSIFIER_FLAGS_H_
