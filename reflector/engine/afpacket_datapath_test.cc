#include "reflector/engine/afpacket_datapath.h"

#include <string>

#include "gtest/gtest.h"

namespace reflector::engine {
namespace {

// Refused before any socket or program is touched, so no privileges are needed to check it.
TEST(AfPacketDataPathTest, KernelBusyPollingIsRefusedWithTheWayOut) {
  DataPathRequest request;
  request.device.name = "veth-none";
  request.settings.busy_poll = BusyPoll::kKernel;
  const auto path = OpenAfPacketDataPath(request);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(path.status().message()),
            "--busy_poll=kernel works with afxdp only (afpacket: use --busy_poll=spin)");
}

}  // namespace
}  // namespace reflector::engine
