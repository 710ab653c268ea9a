#include "platform/afxdp/afxdp_options.h"

#include "gtest/gtest.h"

namespace reflector::platform::afxdp {
namespace {

AfXdpOptions Good() {
  AfXdpOptions options;
  options.interface = "eth1";
  options.xsk_map_fd = 3;
  return options;
}

TEST(AfXdpOptionsTest, DefaultsAreValid) { EXPECT_TRUE(ValidateOptions(Good()).ok()); }

TEST(AfXdpOptionsTest, RejectsEachBadFieldByName) {
  struct Case {
    void (*edit)(AfXdpOptions&);
    const char* names;
  };
  const Case cases[] = {
      {[](AfXdpOptions& o) { o.interface = ""; }, "interface"},
      {[](AfXdpOptions& o) { o.interface = "a-name-far-too-long"; }, "interface"},
      {[](AfXdpOptions& o) { o.xsk_map_fd = -1; }, "XSKMAP"},
      {[](AfXdpOptions& o) { o.frame_size = 3000; }, "frame_size"},
      {[](AfXdpOptions& o) { o.frame_count = 1000; }, "frame_count"},
      {[](AfXdpOptions& o) { o.frame_count = 64; }, "frame_count"},
      {[](AfXdpOptions& o) { o.ring_size = 100; }, "ring_size"},
      {[](AfXdpOptions& o) { o.ring_size = 2 * o.frame_count; }, "ring_size"},
  };
  for (const Case& c : cases) {
    AfXdpOptions options = Good();
    c.edit(options);
    const absl::Status status = ValidateOptions(options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.names;
    EXPECT_NE(status.message().find(c.names), absl::string_view::npos) << status;
  }
}

TEST(AfXdpOptionsTest, NamesTheModes) {
  EXPECT_EQ(ZeroCopyModeName(ZeroCopyMode::kAuto), "auto");
  EXPECT_EQ(ZeroCopyModeName(ZeroCopyMode::kOn), "on");
  EXPECT_EQ(ZeroCopyModeName(ZeroCopyMode::kOff), "off");
}

}  // namespace
}  // namespace reflector::platform::afxdp
