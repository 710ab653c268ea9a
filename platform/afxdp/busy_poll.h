// Kernel busy polling for one AF_XDP socket (--busy_poll=kernel): SO_PREFER_BUSY_POLL,
// SO_BUSY_POLL and SO_BUSY_POLL_BUDGET. With them, each recvfrom/sendto of a spinning worker
// runs the device's NAPI poll in the worker's own context instead of waiting for the softirq,
// and prefer-busy-poll keeps the softirq from taking the NAPI back while the worker polls.
// Busy polling only happens once the socket knows the NAPI it is fed from (a NAPI id recorded
// on the first received frame); a device without NAPI ids gets the spinning alone.
#ifndef REFLECTOR_PLATFORM_AFXDP_BUSY_POLL_H_
#define REFLECTOR_PLATFORM_AFXDP_BUSY_POLL_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace reflector::platform::afxdp {

struct BusyPollOptions {
  uint32_t usecs = 20;   // SO_BUSY_POLL: how long a blocking call may busy-poll
  uint32_t budget = 64;  // SO_BUSY_POLL_BUDGET: frames per NAPI poll (one engine batch)
};

// Sets the three options on `fd`. The error names the option the kernel refused and what to
// do, e.g. "afxdp eth0 queue 0 (copy mode): the kernel refused SO_PREFER_BUSY_POLL: Protocol
// not available (needs Linux 5.11+; --busy_poll=spin spins without it)". `socket` names the
// socket in that message.
absl::Status EnableKernelBusyPoll(int fd, absl::string_view socket,
                                  const BusyPollOptions& options = {});

// The NAPI id the kernel recorded for the socket (SO_INCOMING_NAPI_ID), 0 when none is known
// yet or the device has none: without one, busy polling has nothing to poll.
uint32_t IncomingNapiId(int fd);

}  // namespace reflector::platform::afxdp

#endif  // REFLECTOR_PLATFORM_AFXDP_BUSY_POLL_H_
