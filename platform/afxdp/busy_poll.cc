#include "platform/afxdp/busy_poll.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace reflector::platform::afxdp {
namespace {

absl::Status Set(int fd, int name, const char* name_text, int value, absl::string_view socket) {
  if (setsockopt(fd, SOL_SOCKET, name, &value, sizeof(value)) == 0) return absl::OkStatus();
  const int error = errno;
  const char* needs = error == EPERM || error == EACCES ? "needs CAP_NET_ADMIN; "
                      : error == ENOPROTOOPT || error == EINVAL ? "needs Linux 5.11+; "
                                                                : "";
  return absl::Status(absl::ErrnoToStatusCode(error),
                      absl::StrCat(socket, ": the kernel refused ", name_text, ": ",
                                   std::strerror(error), " (", needs,
                                   "--busy_poll=spin spins without it)"));
}

}  // namespace

absl::Status EnableKernelBusyPoll(int fd, absl::string_view socket,
                                  const BusyPollOptions& options) {
  absl::Status status = Set(fd, SO_PREFER_BUSY_POLL, "SO_PREFER_BUSY_POLL", 1, socket);
  if (status.ok()) {
    status = Set(fd, SO_BUSY_POLL, "SO_BUSY_POLL", static_cast<int>(options.usecs), socket);
  }
  if (status.ok()) {
    status = Set(fd, SO_BUSY_POLL_BUDGET, "SO_BUSY_POLL_BUDGET",
                 static_cast<int>(options.budget), socket);
  }
  return status;
}

uint32_t IncomingNapiId(int fd) {
  uint32_t id = 0;
  socklen_t length = sizeof(id);
  if (getsockopt(fd, SOL_SOCKET, SO_INCOMING_NAPI_ID, &id, &length) != 0) return 0;
  return id;
}

}  // namespace reflector::platform::afxdp
