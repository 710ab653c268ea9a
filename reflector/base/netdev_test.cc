#include "reflector/base/netdev.h"

#include "gtest/gtest.h"

namespace reflector::base {
namespace {

// The loopback device exists in every network namespace, including Bazel's sandbox.
TEST(LookupNetDevice, FindsLoopback) {
  auto lo = LookupNetDevice("lo");
  ASSERT_TRUE(lo.ok()) << lo.status();
  EXPECT_GT(lo->ifindex, 0);
  EXPECT_EQ(lo->mac, (std::array<uint8_t, 6>{}));
  EXPECT_GE(lo->rx_queues, 1);
  EXPECT_GE(lo->mtu, 1500);
}

TEST(LookupNetDevice, UnknownNameListsTheInterfacesThatExist) {
  auto missing = LookupNetDevice("rfnosuch0");
  ASSERT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("rfnosuch0: no such interface; interfaces: "),
            std::string::npos);
  EXPECT_NE(missing.status().message().find("lo"), std::string::npos);
}

TEST(LookupNetDevice, RejectsNamesTheKernelCannotHold) {
  EXPECT_EQ(LookupNetDevice("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LookupNetDevice("a-name-much-too-long-for-linux").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace reflector::base
