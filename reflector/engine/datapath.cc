#include "reflector/engine/datapath.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "platform/vlan_offload.h"

namespace reflector::engine {

absl::string_view DataPathName(DataPathKind kind) {
  switch (kind) {
    case DataPathKind::kAuto:
      return "auto";
    case DataPathKind::kXdp:
      return "xdp";
    case DataPathKind::kAfXdp:
      return "afxdp";
    case DataPathKind::kAfPacket:
      return "afpacket";
    case DataPathKind::kDpdk:
      return "dpdk";
  }
  return "unknown";
}

absl::string_view BusyPollName(BusyPoll mode) {
  switch (mode) {
    case BusyPoll::kOff:
      return "off";
    case BusyPoll::kSpin:
      return "spin";
    case BusyPoll::kKernel:
      return "kernel";
  }
  return "unknown";
}

absl::string_view StampRxTimestampName(StampRxTimestamp source) {
  switch (source) {
    case StampRxTimestamp::kSoftware:
      return "software";
    case StampRxTimestamp::kAuto:
      return "auto";
    case StampRxTimestamp::kHardware:
      return "hardware";
  }
  return "unknown";
}

absl::StatusOr<ResolvedDevice> ResolveDevice(DataPathKind wanted, absl::string_view interface,
                                             const DataPathSettings& settings,
                                             const std::vector<DataPathCandidate>& candidates) {
  if (wanted != DataPathKind::kAuto) {
    const auto candidate =
        std::find_if(candidates.begin(), candidates.end(),
                     [wanted](const DataPathCandidate& c) { return c.kind == wanted; });
    if (candidate == candidates.end()) {
      return absl::UnimplementedError(
          absl::StrCat(DataPathName(wanted), " data path is not built into this reflectord"));
    }
    if (candidate->resolve) return candidate->resolve(interface, settings);
  }
  absl::StatusOr<base::NetDevice> device = base::LookupNetDevice(interface);
  if (!device.ok()) return device.status();
  return ResolvedDevice{*std::move(device), nullptr};
}

absl::StatusOr<std::vector<std::string>> RestoreLeftovers(const DataPathRequest& request) {
  std::vector<std::string> restored;
  // Only the kernel's interfaces carry what a killed data path leaves behind.
  if (!request.device.in_kernel()) return restored;
  absl::StatusOr<std::string> offload =
      platform::RxVlanOffloadOff::RestoreLeftover(request.device.name, request.state_dir);
  if (!offload.ok()) return offload.status();
  if (!offload->empty()) restored.push_back(*offload);
  return restored;
}

absl::StatusOr<std::unique_ptr<DataPath>> OpenDataPath(
    DataPathKind wanted, const DataPathRequest& request,
    const std::vector<DataPathCandidate>& candidates, std::vector<std::string>* fallbacks) {
  std::vector<std::string> reasons;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const DataPathCandidate& candidate = candidates[i];
    if (wanted != DataPathKind::kAuto && wanted != candidate.kind) continue;
    // Only the XDP program can read the NIC's receive timestamp (issue 14).
    absl::StatusOr<std::unique_ptr<DataPath>> opened =
        request.settings.stamp_rx_timestamp == StampRxTimestamp::kHardware &&
                candidate.kind != DataPathKind::kXdp
            ? absl::FailedPreconditionError(
                  "--stamp_rx_timestamp=hardware needs the xdp data path")
            : candidate.open(request);
    if (opened.ok()) return opened;
    if (wanted != DataPathKind::kAuto) {
      return absl::Status(opened.status().code(),
                          absl::StrCat(DataPathName(candidate.kind), " data path on ",
                                       request.device.name, ": ", opened.status().message()));
    }
    reasons.push_back(absl::StrCat(DataPathName(candidate.kind), ": ", opened.status().message()));
    if (fallbacks != nullptr) {
      fallbacks->push_back(absl::StrCat(
          reasons.back(), i + 1 < candidates.size()
                              ? absl::StrCat("; trying ", DataPathName(candidates[i + 1].kind))
                              : ""));
    }
  }
  if (reasons.empty()) {
    return absl::UnimplementedError(
        absl::StrCat(DataPathName(wanted), " data path is not built into this reflectord"));
  }
  return absl::FailedPreconditionError(absl::StrCat("no data path works on ", request.device.name,
                                                    ": ", absl::StrJoin(reasons, "; ")));
}

}  // namespace reflector::engine
