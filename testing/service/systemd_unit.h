// A systemd unit file as systemd reads the parts a lab test needs to start its ExecStart the
// same way: [Section] Key=Value lines, repeated keys in order, comments and blank lines
// skipped, specifiers %i/%I (instance) and %% expanded.
#ifndef REFLECTOR_TESTING_SERVICE_SYSTEMD_UNIT_H_
#define REFLECTOR_TESTING_SERVICE_SYSTEMD_UNIT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace reflector::testing::service {

class SystemdUnit {
 public:
  // Parses a template unit for instance `instance` ("eth0" for reflectord@eth0.service).
  static absl::StatusOr<SystemdUnit> Parse(absl::string_view text, absl::string_view instance);

  // Every value of [section] key, in file order; empty when it is not set.
  std::vector<std::string> Values(absl::string_view section, absl::string_view key) const;
  // The last value, as systemd takes a single-valued setting; NotFound when not set.
  absl::StatusOr<std::string> Value(absl::string_view section, absl::string_view key) const;
  // [Service] ExecStart= split into words (no quoting in our unit: a quote is an error).
  absl::StatusOr<std::vector<std::string>> ExecStart() const;
  // Space-separated capability names ("CAP_NET_ADMIN CAP_BPF") as setpriv takes them
  // ("+net_admin,+bpf").
  static std::string SetprivCaps(absl::string_view capabilities);
  // A systemd time span ("10s", "500ms", "2min", "3"): seconds without a unit.
  static absl::StatusOr<absl::Duration> TimeSpan(absl::string_view text);

 private:
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> values_;
};

}  // namespace reflector::testing::service

#endif  // REFLECTOR_TESTING_SERVICE_SYSTEMD_UNIT_H_
