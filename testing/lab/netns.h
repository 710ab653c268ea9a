// Network namespaces for lab tests: created with unique names, always deleted.
//
//   REFLECTOR_ASSIGN_OR_RETURN(NetNamespace ns, NetNamespace::Create(UniqueLabName("rflab")));
//   {
//     REFLECTOR_ASSIGN_OR_RETURN(NetnsEntry inside, NetnsEntry::Enter(ns.name()));
//     // sockets, if_nametoindex, XDP attach: all in `ns` for this thread
//   }  // back in the original namespace
//
// Deleting a namespace deletes the interfaces in it, and with a veth, its peer too.
#ifndef REFLECTOR_TESTING_LAB_NETNS_H_
#define REFLECTOR_TESTING_LAB_NETNS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "reflector/base/unique_fd.h"

namespace reflector::testing::lab {

// `prefix` + pid + a per-process sequence number in letters: "rflab" → "rflab4242a", then
// "rflab4242b". With a 5-letter prefix it leaves room for a one-letter suffix in an interface
// name (IFNAMSIZ) up to 7-digit pids and 676 labs per process.
std::string UniqueLabName(absl::string_view prefix);

class NetNamespace {
 public:
  // `ip netns add name`; fails if it exists (a unique name never does).
  static absl::StatusOr<NetNamespace> Create(std::string name);

  NetNamespace(NetNamespace&& other) noexcept;
  NetNamespace& operator=(NetNamespace&&) = delete;
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;
  ~NetNamespace();  // `ip netns delete name`, whatever happened before

  const std::string& name() const { return name_; }
  // Runs argv inside the namespace (`ip netns exec name argv...`).
  absl::Status Run(const std::vector<std::string>& argv) const;

 private:
  explicit NetNamespace(std::string name) : name_(std::move(name)) {}
  std::string name_;       // empty once moved from
  int cleanup_slot_ = -1;  // in signal_cleanup's table, so a signal still deletes it
};

// Moves the calling thread into a namespace until destroyed, then back to where it was.
class NetnsEntry {
 public:
  static absl::StatusOr<NetnsEntry> Enter(absl::string_view name);

  NetnsEntry(NetnsEntry&&) = default;
  NetnsEntry& operator=(NetnsEntry&&) = delete;
  ~NetnsEntry();

 private:
  explicit NetnsEntry(UniqueFd original) : original_(std::move(original)) {}
  UniqueFd original_;
};

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_NETNS_H_
