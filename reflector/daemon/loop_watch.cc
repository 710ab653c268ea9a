#include "reflector/daemon/loop_watch.h"

#include "absl/strings/str_cat.h"
#include "reflector/packet/config.h"

namespace reflector::daemon {

std::string FormatMacNumber(uint64_t mac) {
  packet::MacAddress bytes;
  for (int i = RF_ETH_ALEN - 1; i >= 0; --i, mac >>= 8) bytes[i] = mac & 0xff;
  return packet::FormatMac(bytes);
}

std::optional<std::string> LoopWatch::Check(const engine::Counters& counters) {
  const uint64_t loops =
      counters.rejected_by_reason[static_cast<size_t>(packet::Verdict::kLoop)];
  if (loops <= loops_seen_) {
    active_ = false;
    return std::nullopt;
  }
  const uint64_t new_loops = loops - loops_seen_;
  loops_seen_ = loops;
  if (active_ && counters.loop_peer == peer_) return std::nullopt;
  active_ = true;
  peer_ = counters.loop_peer;
  return absl::StrCat("loop: ", new_loops, " frame", new_loops == 1 ? "" : "s", " from ",
                      FormatMacNumber(peer_),
                      " came back already reflected (another reflector that takes our "
                      "frames?); dropping them, counted as `loop`");
}

}  // namespace reflector::daemon
