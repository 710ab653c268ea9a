// The capture reader on good, truncated and corrupted files: every damaged file is a clear
// error (or, cut exactly between records, the frames before the cut), never a crash. The
// damaged files are made from a good one written here, not stored as blobs.
#include "platform/pcap/capture_file.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reflector/packet/testing/frame_builder.h"

namespace reflector::platform::pcap {
namespace {

using packet::testing::FrameBuilder;
using ::testing::HasSubstr;

constexpr size_t kFileHeader = 24;
constexpr size_t kRecordHeader = 16;

std::string TempPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

std::vector<CapturedFrame> SampleFrames() {
  return {{absl::FromUnixSeconds(1704067200), FrameBuilder().Build()},
          {absl::FromUnixSeconds(1704067200) + absl::Microseconds(250),
           FrameBuilder().Vlan(7).Custom("RFC2544").FrameSize(300).Build()}};
}

std::vector<uint8_t> SampleFileBytes() {
  const std::string path = TempPath("sample.pcap");
  EXPECT_TRUE(WriteCaptureFile(path, SampleFrames()).ok());
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void PutLe32(std::vector<uint8_t>& bytes, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

TEST(CaptureFileTest, RoundTripKeepsBytesAndTimestamps) {
  const std::string path = TempPath("round_trip.pcap");
  ASSERT_TRUE(WriteCaptureFile(path, SampleFrames()).ok());
  absl::StatusOr<std::vector<CapturedFrame>> read = ReadCaptureFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*read)[i].bytes, SampleFrames()[i].bytes);
    EXPECT_EQ((*read)[i].time, SampleFrames()[i].time);
  }
  absl::StatusOr<std::vector<CapturedFrame>> from_memory = ReadCaptureBytes(SampleFileBytes());
  ASSERT_TRUE(from_memory.ok()) << from_memory.status();
  EXPECT_EQ(from_memory->size(), 2u);
}

TEST(CaptureFileTest, EveryTruncationIsAnErrorOrAFramePrefix) {
  const std::vector<uint8_t> file = SampleFileBytes();
  const size_t first_record_end = kFileHeader + kRecordHeader + SampleFrames()[0].bytes.size();
  for (size_t length = 0; length < file.size(); ++length) {
    SCOPED_TRACE(length);
    absl::StatusOr<std::vector<CapturedFrame>> read = ReadCaptureBytes(
        absl::MakeConstSpan(file).first(length), "cut.pcap");
    if (length == kFileHeader || length == first_record_end) {
      // Cut exactly between records: a shorter but valid capture.
      ASSERT_TRUE(read.ok()) << read.status();
      EXPECT_EQ(read->size(), length == kFileHeader ? 0u : 1u);
    } else {
      ASSERT_FALSE(read.ok());
      EXPECT_THAT(std::string(read.status().message()), HasSubstr("cut.pcap"));
    }
  }
}

TEST(CaptureFileTest, TruncatedRecordNamesTheFrame) {
  std::vector<uint8_t> file = SampleFileBytes();
  file.resize(file.size() - 10);
  absl::StatusOr<std::vector<CapturedFrame>> read = ReadCaptureBytes(file, "short.pcap");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("short.pcap: frame 2: truncated"));
}

TEST(CaptureFileTest, CorruptHeadersAreClearErrors) {
  const std::vector<uint8_t> good = SampleFileBytes();

  std::vector<uint8_t> bad_magic = good;
  bad_magic[0] ^= 0xff;
  EXPECT_THAT(std::string(ReadCaptureBytes(bad_magic, "x").status().message()),
              HasSubstr("not a readable capture"));

  std::vector<uint8_t> wrong_link = good;
  PutLe32(wrong_link, 20, 113);  // Linux cooked capture: no Ethernet header to reflect
  EXPECT_THAT(std::string(ReadCaptureBytes(wrong_link, "x").status().message()),
              HasSubstr("only Ethernet"));

  std::vector<uint8_t> huge_record = good;
  PutLe32(huge_record, kFileHeader + 8, 0x7fffffff);  // caplen of frame 1
  PutLe32(huge_record, kFileHeader + 12, 0x7fffffff);
  EXPECT_FALSE(ReadCaptureBytes(huge_record, "x").ok());

  std::vector<uint8_t> snapped = good;
  PutLe32(snapped, kFileHeader + 12, 1500);  // on the wire it was longer than captured
  EXPECT_THAT(std::string(ReadCaptureBytes(snapped, "x").status().message()),
              HasSubstr("frame 1 was captured cut"));

  EXPECT_THAT(std::string(ReadCaptureBytes({}, "x").status().message()), HasSubstr("empty"));
}

TEST(CaptureFileTest, EveryFlippedByteIsHandled) {
  // Not a fuzzer, but every header byte damaged once must end in a value or an error.
  const std::vector<uint8_t> good = SampleFileBytes();
  for (size_t i = 0; i < kFileHeader + kRecordHeader; ++i) {
    std::vector<uint8_t> damaged = good;
    damaged[i] ^= 0xa5;
    (void)ReadCaptureBytes(damaged, "flipped.pcap");
  }
}

TEST(CaptureFileTest, MissingFileIsAnError) {
  EXPECT_THAT(std::string(ReadCaptureFile(TempPath("absent.pcap")).status().message()),
              HasSubstr("absent.pcap"));
}

TEST(CaptureFileTest, OutputThatIsTheInputIsRefusedByAnyPath) {
  const std::string in = TempPath("same_in.pcap");
  ASSERT_TRUE(WriteCaptureFile(in, SampleFrames()).ok());
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string dotted = dir + "/./same_in.pcap";
  const std::string symlink = TempPath("same_symlink.pcap");
  const std::string hardlink = TempPath("same_hardlink.pcap");
  std::remove(symlink.c_str());
  std::remove(hardlink.c_str());
  ASSERT_EQ(::symlink(in.c_str(), symlink.c_str()), 0);
  ASSERT_EQ(::link(in.c_str(), hardlink.c_str()), 0);
  for (const std::string& out : {in, dotted, symlink, hardlink}) {
    const absl::Status status = CheckOutputIsNotInput(in, out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << out;
    EXPECT_THAT(status.message(), HasSubstr("is the input capture")) << out;
  }
  // Another file, an output that does not exist yet, no output file at all.
  const std::string other = TempPath("same_other.pcap");
  ASSERT_TRUE(WriteCaptureFile(other, SampleFrames()).ok());
  EXPECT_TRUE(CheckOutputIsNotInput(in, other).ok());
  EXPECT_TRUE(CheckOutputIsNotInput(in, TempPath("same_new.pcap")).ok());
  EXPECT_TRUE(CheckOutputIsNotInput(in, "").ok());
}

}  // namespace
}  // namespace reflector::platform::pcap
