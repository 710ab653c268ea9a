#include "xdp/ingress_qdisc.h"

#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "reflector/base/unique_fd.h"

namespace reflector::xdp {

absl::StatusOr<bool> HasIngressQdisc(int ifindex) {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "open rtnetlink");
  struct {
    nlmsghdr header;
    tcmsg message;
  } request = {};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_GETQDISC;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.message.tcm_family = AF_UNSPEC;
  request.message.tcm_ifindex = ifindex;
  if (send(fd.get(), &request, sizeof(request), 0) < 0) {
    return absl::ErrnoToStatus(errno, "ask rtnetlink for the qdiscs");
  }
  // The dump may list every interface's qdiscs; read it to the end either way.
  bool found = false;
  alignas(nlmsghdr) char buffer[16384];
  for (;;) {
    const ssize_t n = recv(fd.get(), buffer, sizeof(buffer), 0);
    if (n < 0) return absl::ErrnoToStatus(errno, "read the qdiscs");
    // Unsigned, as NLMSG_OK compares it with nlmsg_len.
    uint32_t length = static_cast<uint32_t>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(h, length);
         h = NLMSG_NEXT(h, length)) {
      if (h->nlmsg_type == NLMSG_DONE) return found;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const int error = -static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error;
        return absl::ErrnoToStatus(error, "read the qdiscs");
      }
      if (h->nlmsg_type != RTM_NEWQDISC) continue;
      const auto* qdisc = static_cast<const tcmsg*>(NLMSG_DATA(h));
      found |= qdisc->tcm_ifindex == ifindex && qdisc->tcm_parent == TC_H_INGRESS;
    }
  }
}

}  // namespace reflector::xdp
