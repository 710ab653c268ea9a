#include "platform/pcap/pcapng_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/pcap/capture_file.h"

namespace reflector::platform::pcap {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir ? dir : "/tmp", "/", name);
}

// Runs `command`, returns its stdout.
std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

std::vector<uint8_t> Bytes(size_t n, uint8_t first) {
  std::vector<uint8_t> bytes(n);
  for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(first + i);
  return bytes;
}

TEST(SanitizeCommentTest, KeepsPrintableTextAndEscapesTheRest) {
  EXPECT_EQ(SanitizeComment("rejected: oui (src 00:1b:21)"), "rejected: oui (src 00:1b:21)");
  EXPECT_EQ(SanitizeComment(std::string("a\nb\0c\\d\xff", 8)), "a\\x0ab\\x00c\\\\d\\xff");
}

TEST(SanitizeCommentTest, BoundsTheLength) {
  const std::string comment = SanitizeComment(std::string(5000, '\x01'));
  EXPECT_LE(comment.size(), kMaxCommentBytes);
  EXPECT_THAT(comment, ::testing::EndsWith("..."));
}

TEST(PcapngWriterTest, BlocksAreWholeWordsWithMatchingLengths) {
  std::string out;
  AppendSectionHeader(out, "test");
  AppendInterfaceDescription(out, {"eth0", 128});
  const std::vector<uint8_t> frame = Bytes(61, 0);
  AppendEnhancedPacket(out, {0, absl::FromUnixSeconds(1), frame, 61, Direction::kInbound, "x"});
  size_t at = 0;
  int blocks = 0;
  while (at < out.size()) {
    ASSERT_LE(at + 12, out.size());
    uint32_t length, trailer;
    std::memcpy(&length, out.data() + at + 4, 4);
    ASSERT_EQ(length % 4, 0u);
    ASSERT_LE(at + length, out.size());
    std::memcpy(&trailer, out.data() + at + length - 4, 4);
    EXPECT_EQ(trailer, length);
    at += length;
    ++blocks;
  }
  EXPECT_EQ(blocks, 3);
}

TEST(PcapngFileTest, LibpcapAndTsharkReadItBack) {
  const std::string path = TempPath("capture.pcapng");
  absl::StatusOr<PcapngFile> file = PcapngFile::Create(path, {{"veth-r", 64}});
  ASSERT_TRUE(file.ok()) << file.status();
  const std::vector<uint8_t> first = Bytes(60, 1);
  const std::vector<uint8_t> second = Bytes(64, 7);  // cut from 100 bytes on the wire
  ASSERT_TRUE(*file->Write({0, absl::FromUnixSeconds(1000), first, 60, Direction::kInbound,
                            "rejected: oui (src 00:1b:21, allowed 00:c0:17)"}));
  ASSERT_TRUE(*file->Write({0, absl::FromUnixSeconds(1001), second, 100, Direction::kOutbound,
                            "reflected: rule ito, mode all\n\x01"}));
  file = absl::InternalError("closed");  // closes the file

  // libpcap reads the frames (it refuses cut ones: only the whole first frame here).
  absl::StatusOr<std::vector<CapturedFrame>> frames = ReadCaptureFile(path);
  EXPECT_FALSE(frames.ok());
  EXPECT_THAT(std::string(frames.status().message()), HasSubstr("frame 2"));

  const std::string fields = RunCommand(absl::StrCat(
      "tshark -r ", path,
      " -T fields -E separator='|' -e frame.len -e frame.cap_len -e frame.comment "
      "-e frame.interface_name -e frame.p2p_dir 2>/dev/null"));
  EXPECT_THAT(absl::StrSplit(fields, '\n', absl::SkipEmpty()),
              ElementsAre("60|60|rejected: oui (src 00:1b:21, allowed 00:c0:17)|veth-r|1",
                          "100|64|reflected: rule ito, mode all\\x0a\\x01|veth-r|0"));
}

TEST(PcapngFileTest, SizeBoundRefusesAPacketAndKeepsTheFileValid) {
  const std::string path = TempPath("bounded.pcapng");
  absl::StatusOr<PcapngFile> file = PcapngFile::Create(path, {{"eth0", 0}}, 300);
  ASSERT_TRUE(file.ok()) << file.status();
  const std::vector<uint8_t> frame = Bytes(100, 0);
  EXPECT_TRUE(*file->Write({0, absl::FromUnixSeconds(1), frame, 100, Direction::kInbound, ""}));
  EXPECT_FALSE(*file->Write({0, absl::FromUnixSeconds(2), frame, 100, Direction::kInbound, ""}));
  EXPECT_LE(file->bytes_written(), 300u);
  file = absl::InternalError("closed");
  absl::StatusOr<std::vector<CapturedFrame>> frames = ReadCaptureFile(path);
  ASSERT_TRUE(frames.ok()) << frames.status();
  EXPECT_EQ(frames->size(), 1u);
}

TEST(PcapngFileTest, UnwritablePathIsOneLine) {
  absl::StatusOr<PcapngFile> file = PcapngFile::Create("/nonexistent-dir/x.pcapng", {});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(),
            "cannot write capture /nonexistent-dir/x.pcapng: No such file or directory");
}

TEST(PcapngFileTest, FullDiskIsAnErrorNamingTheFile) {
  if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  absl::StatusOr<PcapngFile> file = PcapngFile::Create("/dev/full", {{"eth0", 0}});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), "cannot write capture /dev/full: No space left on device");
}

}  // namespace
}  // namespace reflector::platform::pcap
