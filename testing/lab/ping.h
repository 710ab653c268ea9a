// An ICMP echo, for lab tests that check ordinary traffic still gets through (this machine
// has no ping binary).
#ifndef REFLECTOR_TESTING_LAB_PING_H_
#define REFLECTOR_TESTING_LAB_PING_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace reflector::testing::lab {

// Sends ICMP echo requests to the IPv4 address `destination` from the calling thread's
// network namespace, one per 100 ms, until a reply arrives (OK) or `timeout` passes.
absl::Status PingIpv4(absl::string_view destination, absl::Duration timeout);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_PING_H_
