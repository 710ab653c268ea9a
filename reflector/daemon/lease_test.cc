#include "reflector/daemon/lease.h"

#include "gtest/gtest.h"

namespace reflector::daemon {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'000'000);

TEST(Lease, NoLeaseNeverExpires) {
  const Lease lease(absl::ZeroDuration(), kStart);
  EXPECT_FALSE(lease.active());
  EXPECT_FALSE(lease.expired(kStart + absl::Hours(1000)));
  EXPECT_EQ(lease.left(kStart), std::nullopt);
  EXPECT_EQ(lease.deadline(), absl::InfiniteFuture());
}

TEST(Lease, ExpiresAtItsLengthAfterTheStart) {
  const Lease lease(absl::Seconds(10), kStart);
  EXPECT_FALSE(lease.expired(kStart + absl::Seconds(10) - absl::Nanoseconds(1)));
  EXPECT_TRUE(lease.expired(kStart + absl::Seconds(10)));
  EXPECT_EQ(lease.left(kStart + absl::Seconds(4)), absl::Seconds(6));
  EXPECT_EQ(lease.left(kStart + absl::Seconds(40)), absl::ZeroDuration());
  EXPECT_EQ(lease.deadline(), kStart + absl::Seconds(10));
}

TEST(Lease, ARenewalCountsFromItsOwnTime) {
  Lease lease(absl::Seconds(10), kStart);
  lease.Renew(kStart + absl::Seconds(30));  // after it expired
  EXPECT_FALSE(lease.expired(kStart + absl::Seconds(39)));
  EXPECT_TRUE(lease.expired(kStart + absl::Seconds(40)));
}

TEST(Lease, ANewLengthStartsFromNow) {
  Lease lease(absl::Seconds(10), kStart);
  lease.Reset(absl::Seconds(60), kStart + absl::Seconds(5));
  EXPECT_EQ(lease.deadline(), kStart + absl::Seconds(65));
  lease.Reset(absl::ZeroDuration(), kStart + absl::Seconds(70));
  EXPECT_FALSE(lease.expired(kStart + absl::Seconds(70)));
}

}  // namespace
}  // namespace reflector::daemon
