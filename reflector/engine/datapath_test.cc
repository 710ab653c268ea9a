#include "reflector/engine/datapath.h"

#include "gtest/gtest.h"

namespace reflector::engine {
namespace {

class FakeDataPath : public DataPath {
 public:
  explicit FakeDataPath(DataPathKind kind) : kind_(kind) {}
  DataPathKind kind() const override { return kind_; }
  std::string Describe() const override { return "fake"; }
  std::string DescribeQueues() const override { return "1"; }
  absl::Status Start() override { return absl::OkStatus(); }
  void Stop() override {}
  absl::Status Reconfigure(const rf_config&) override { return absl::OkStatus(); }
  Counters ReadCounters() const override { return {}; }
  std::vector<rf_session_slot> ReadSessions() const override { return {}; }
  absl::Status Health() const override { return absl::OkStatus(); }

 private:
  DataPathKind kind_;
};

DataPathCandidate Failing(DataPathKind kind, const char* why) {
  return {kind, [why](const DataPathRequest&) -> absl::StatusOr<std::unique_ptr<DataPath>> {
            return absl::FailedPreconditionError(why);
          }};
}

DataPathCandidate Working(DataPathKind kind) {
  return {kind, [kind](const DataPathRequest&) -> absl::StatusOr<std::unique_ptr<DataPath>> {
            return std::make_unique<FakeDataPath>(kind);
          }};
}

DataPathRequest Request() {
  DataPathRequest request;
  request.device.name = "veth9";
  return request;
}

TEST(OpenDataPath, AutoFallsBackWithOneLinePerReason) {
  std::vector<std::string> fallbacks;
  auto path =
      OpenDataPath(DataPathKind::kAuto, Request(),
                   {Failing(DataPathKind::kXdp, "no XDP support"),
                    Failing(DataPathKind::kAfXdp, "no AF_XDP"), Working(DataPathKind::kAfPacket)},
                   &fallbacks);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ((*path)->kind(), DataPathKind::kAfPacket);
  EXPECT_EQ(fallbacks, (std::vector<std::string>{"xdp: no XDP support; trying afxdp",
                                                 "afxdp: no AF_XDP; trying afpacket"}));
}

TEST(OpenDataPath, AutoTakesTheFirstThatWorks) {
  std::vector<std::string> fallbacks;
  auto path =
      OpenDataPath(DataPathKind::kAuto, Request(),
                   {Working(DataPathKind::kXdp), Working(DataPathKind::kAfPacket)}, &fallbacks);
  ASSERT_TRUE(path.ok());
  EXPECT_EQ((*path)->kind(), DataPathKind::kXdp);
  EXPECT_TRUE(fallbacks.empty());
}

TEST(OpenDataPath, AForcedDataPathDoesNotFallBack) {
  std::vector<std::string> fallbacks;
  auto path = OpenDataPath(
      DataPathKind::kXdp, Request(),
      {Failing(DataPathKind::kXdp, "driver refuses"), Working(DataPathKind::kAfPacket)},
      &fallbacks);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().message(), "xdp data path on veth9: driver refuses");
}

TEST(OpenDataPath, NothingWorksListsEveryReason) {
  auto path = OpenDataPath(
      DataPathKind::kAuto, Request(),
      {Failing(DataPathKind::kXdp, "a"), Failing(DataPathKind::kAfPacket, "b")}, nullptr);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().message(), "no data path works on veth9: xdp: a; afpacket: b");
}

TEST(OpenDataPath, ADataPathThatIsNotBuiltIn) {
  auto path = OpenDataPath(DataPathKind::kAfXdp, Request(), {Working(DataPathKind::kXdp)}, nullptr);
  EXPECT_EQ(path.status().code(), absl::StatusCode::kUnimplemented);
}

// A data path that finds its own ports (dpdk) resolves --interface; the others take the kernel's.
DataPathCandidate Resolving(DataPathKind kind) {
  DataPathCandidate candidate = Working(kind);
  candidate.resolve = [](absl::string_view name,
                         const DataPathSettings&) -> absl::StatusOr<ResolvedDevice> {
    ResolvedDevice resolved;
    resolved.device.name = std::string(name);
    resolved.device.mac = {0x02, 0x70, 0x63, 0x61, 0x70, 0x00};
    resolved.runtime = std::make_shared<int>(7);
    return resolved;
  };
  return candidate;
}

TEST(ResolveDevice, TheWantedDataPathsResolverNamesAPortTheKernelDoesNotKnow) {
  absl::StatusOr<ResolvedDevice> resolved =
      ResolveDevice(DataPathKind::kDpdk, "0000:03:00.0", {},
                    {Working(DataPathKind::kAfPacket), Resolving(DataPathKind::kDpdk)});
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->device.name, "0000:03:00.0");
  EXPECT_FALSE(resolved->device.in_kernel());
  ASSERT_NE(resolved->runtime, nullptr);
  EXPECT_EQ(*std::static_pointer_cast<int>(resolved->runtime), 7);
}

TEST(ResolveDevice, OtherDataPathsAndAutoLookTheKernelInterfaceUp) {
  for (DataPathKind kind : {DataPathKind::kAuto, DataPathKind::kAfPacket}) {
    absl::StatusOr<ResolvedDevice> resolved =
        ResolveDevice(kind, "lo", {},
                      {Working(DataPathKind::kAfPacket), Resolving(DataPathKind::kDpdk)});
    ASSERT_TRUE(resolved.ok()) << resolved.status();
    EXPECT_TRUE(resolved->device.in_kernel());
    EXPECT_EQ(resolved->runtime, nullptr);
  }
  EXPECT_TRUE(absl::IsNotFound(
      ResolveDevice(DataPathKind::kAfPacket, "0000:03:00.0", {},
                    {Working(DataPathKind::kAfPacket), Resolving(DataPathKind::kDpdk)})
          .status()));
}

TEST(ResolveDevice, ADataPathNotBuiltInIsSaidSo) {
  const absl::Status status =
      ResolveDevice(DataPathKind::kDpdk, "0000:03:00.0", {}, {Working(DataPathKind::kAfPacket)})
          .status();
  EXPECT_TRUE(absl::IsUnimplemented(status));
  EXPECT_EQ(status.message(), "dpdk data path is not built into this reflectord");
}

}  // namespace
}  // namespace reflector::engine
