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

}  // namespace
}  // namespace reflector::engine
