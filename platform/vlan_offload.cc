#include "platform/vlan_offload.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace reflector::platform {
namespace {

// The legacy flags ioctl is enough: ETH_FLAG_RXVLAN maps to the rx-vlan-offload feature
// (NETIF_F_HW_VLAN_CTAG_RX) without looking feature names up by string.
int FlagsIoctl(const std::string& interface, uint32_t cmd, uint32_t* flags) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  ethtool_value value = {};
  value.cmd = cmd;
  value.data = *flags;
  ifreq request = {};
  std::strncpy(request.ifr_name, interface.c_str(), IFNAMSIZ - 1);
  request.ifr_data = reinterpret_cast<char*>(&value);
  const int err = ioctl(fd, SIOCETHTOOL, &request) == 0 ? 0 : errno;
  close(fd);
  *flags = value.data;
  return err;
}

int TurnOn(const std::string& interface) {
  uint32_t flags = 0;
  if (const int err = FlagsIoctl(interface, ETHTOOL_GFLAGS, &flags); err != 0) return err;
  if (flags & ETH_FLAG_RXVLAN) return 0;
  flags |= ETH_FLAG_RXVLAN;
  return FlagsIoctl(interface, ETHTOOL_SFLAGS, &flags);
}

// Interface names repeat across network namespaces; the namespace's inode tells them apart.
std::string NetnsTag() {
  struct stat st = {};
  if (stat("/proc/thread-self/ns/net", &st) != 0) return "netns-unknown";
  return absl::StrCat("netns-", st.st_ino);
}

// Creates the state directory if it is missing; an existing one is used as it is.
bool EnsureDirectory(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return true;
  return false;
}

}  // namespace

std::string RxVlanOffloadOff::RecordPath(const std::string& interface,
                                         const std::string& state_dir) {
  return absl::StrCat(state_dir, "/", interface, ".", NetnsTag(), ".rx-vlan-offload");
}

absl::StatusOr<std::unique_ptr<RxVlanOffloadOff>> RxVlanOffloadOff::Apply(
    const std::string& interface, const std::string& state_dir) {
  uint32_t flags = 0;
  if (const int err = FlagsIoctl(interface, ETHTOOL_GFLAGS, &flags); err != 0) {
    if (err == EOPNOTSUPP) {
      return std::unique_ptr<RxVlanOffloadOff>(new RxVlanOffloadOff(interface, false, "", ""));
    }
    return absl::InternalError(
        absl::StrFormat("%s: cannot read the offload flags: %s", interface, std::strerror(err)));
  }
  if (!(flags & ETH_FLAG_RXVLAN)) {
    return std::unique_ptr<RxVlanOffloadOff>(new RxVlanOffloadOff(interface, false, "", ""));
  }
  // The record goes first: a kill right after the change must find it.
  std::string record;
  std::string record_note;
  if (!state_dir.empty()) {
    const std::string path = RecordPath(interface, state_dir);
    std::ofstream out;
    if (EnsureDirectory(state_dir)) out.open(path, std::ios::trunc);
    out << "rx-vlan-offload was on; reflectord restores it at exit or at its next start, "
        << "or by hand: ethtool -K " << interface << " rxvlan on\n";
    out.close();
    if (out.good()) {
      record = path;
    } else {
      record_note = absl::StrFormat(
          " (cannot record it in %s: if reflectord is killed, ethtool -K %s rxvlan on restores "
          "it)",
          state_dir, interface);
    }
  }
  uint32_t wanted = flags & ~ETH_FLAG_RXVLAN;
  if (const int err = FlagsIoctl(interface, ETHTOOL_SFLAGS, &wanted); err != 0) {
    if (!record.empty()) std::remove(record.c_str());
    return std::unique_ptr<RxVlanOffloadOff>(new RxVlanOffloadOff(
        interface, false, "",
        absl::StrFormat("rx-vlan-offload stays on (%s): the NIC may strip tags before XDP, and "
                        "tagged test frames would then leave untagged",
                        std::strerror(err))));
  }
  return std::unique_ptr<RxVlanOffloadOff>(new RxVlanOffloadOff(
      interface, true, record,
      absl::StrCat("rx-vlan-offload turned off while running, so XDP sees VLAN tags",
                   record_note)));
}

absl::StatusOr<std::string> RxVlanOffloadOff::RestoreLeftover(const std::string& interface,
                                                              const std::string& state_dir) {
  if (state_dir.empty()) return std::string();
  const std::string path = RecordPath(interface, state_dir);
  if (access(path.c_str(), F_OK) != 0) return std::string();
  if (const int err = TurnOn(interface); err != 0) {
    return absl::InternalError(absl::StrFormat(
        "%s: cannot turn rx-vlan-offload back on, which a reflectord that did not stop cleanly "
        "left off: %s (record %s)",
        interface, std::strerror(err), path));
  }
  if (std::remove(path.c_str()) != 0) {
    return absl::InternalError(absl::StrFormat("cannot remove %s: %s", path, std::strerror(errno)));
  }
  return absl::StrFormat(
      "%s: turned rx-vlan-offload back on, left off by a reflectord that did not stop cleanly",
      interface);
}

RxVlanOffloadOff::~RxVlanOffloadOff() {
  if (!changed_) return;
  const int err = TurnOn(interface_);
  // Keep the record only when the interface is still there with the offload off.
  if ((err == 0 || err == ENODEV) && !record_.empty()) std::remove(record_.c_str());
}

}  // namespace reflector::platform
