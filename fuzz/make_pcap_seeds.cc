#include "fuzz/make_pcap_seeds.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"
#include "platform/pcap/capture_file.h"

namespace reflector::fuzz {
namespace {

using reflector::platform::pcap::CapturedFrame;
using Bytes = std::vector<uint8_t>;

// Classic pcap layout (libpcap's pcap-savefile(5)): a 24-byte file header, then per frame a
// 16-byte record header (seconds, fraction, captured length, original length) and the bytes.
constexpr size_t kFileHeader = 24;
constexpr size_t kRecordHeader = 16;
constexpr size_t kLinkTypeOffset = 20;
constexpr uint32_t kLinkTypeRaw = 101;  // LINKTYPE_RAW: IP without Ethernet

// Frames small enough that a seed stays a few kilobytes (libFuzzer's -max_len follows the
// largest seed, and a jumbo frame adds nothing a 60-byte one does not reach).
constexpr size_t kMaxSeedFrame = 1600;
constexpr int64_t kFirstSecond = 1'700'000'000;

uint32_t Get32(const Bytes& bytes, size_t at) {
  return bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | uint32_t{bytes[at + 3]} << 24;
}

// Little-endian, as the writer on x86-64 and the pcapng encoder below produce.
void Put32(Bytes& bytes, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}
void Append32(Bytes& bytes, uint32_t value) {
  bytes.resize(bytes.size() + 4);
  Put32(bytes, bytes.size() - 4, value);
}
void Append16(Bytes& bytes, uint16_t value) {
  bytes.push_back(static_cast<uint8_t>(value));
  bytes.push_back(static_cast<uint8_t>(value >> 8));
}

std::vector<CapturedFrame> TableFrames() {
  std::vector<CapturedFrame> frames;
  for (const packet::testing::FrameCase& c : packet::testing::FrameTable()) {
    if (c.frame.size() > kMaxSeedFrame) continue;
    // One millisecond apart, with a sub-microsecond part only nanosecond files keep.
    const absl::Time time = absl::FromUnixSeconds(kFirstSecond) +
                            absl::Milliseconds(static_cast<int64_t>(frames.size())) +
                            absl::Nanoseconds(123);
    frames.push_back({time, c.frame});
  }
  return frames;
}

absl::StatusOr<Bytes> WrittenByTool(const std::string& scratch,
                                    const std::vector<CapturedFrame>& frames) {
  if (absl::Status written = reflector::platform::pcap::WriteCaptureFile(scratch, frames);
      !written.ok()) {
    return written;
  }
  std::ifstream in(scratch, std::ios::binary);
  Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < kFileHeader) return absl::InternalError("the writer wrote no pcap header");
  return bytes;
}

// The same file in big-endian byte order, as written on a big-endian machine.
Bytes SwapByteOrder(Bytes bytes) {
  const auto swap = [&bytes](size_t at, size_t width) {
    std::reverse(bytes.begin() + at, bytes.begin() + at + width);
  };
  swap(0, 4), swap(4, 2), swap(6, 2);
  for (size_t at = 8; at < kFileHeader; at += 4) swap(at, 4);
  for (size_t at = kFileHeader; at + kRecordHeader <= bytes.size();) {
    const uint32_t captured = Get32(bytes, at + 8);
    for (size_t field = 0; field < kRecordHeader; field += 4) swap(at + field, 4);
    at += kRecordHeader + captured;
  }
  return bytes;
}

// pcapng (draft-ietf-opsawg-pcapng): one block = type, total length, body padded to 4 bytes,
// total length again.
void AppendBlock(Bytes& file, uint32_t type, const Bytes& body) {
  const uint32_t length = static_cast<uint32_t>(12 + (body.size() + 3) / 4 * 4);
  Append32(file, type);
  Append32(file, length);
  file.insert(file.end(), body.begin(), body.end());
  file.resize(file.size() + (4 - body.size() % 4) % 4, 0);
  Append32(file, length);
}

struct PcapngShape {
  uint32_t link_type = 1;  // LINKTYPE_ETHERNET
  bool nanoseconds = false;
  bool simple_blocks = false;  // Simple Packet Blocks: no timestamp, no interface id
  uint32_t interface_id = 0;   // of every Enhanced Packet Block
};

Bytes Pcapng(const std::vector<CapturedFrame>& frames, const PcapngShape& shape) {
  Bytes file;
  Bytes section;
  Append32(section, 0x1a2b3c4d);  // byte-order magic
  Append16(section, 1), Append16(section, 0);
  Append32(section, 0xffffffff), Append32(section, 0xffffffff);  // section length unknown
  AppendBlock(file, 0x0a0d0d0a, section);

  Bytes interface;
  Append16(interface, static_cast<uint16_t>(shape.link_type));
  Append16(interface, 0);
  Append32(interface, 0);  // snap length: none
  if (shape.nanoseconds) {
    Append16(interface, 9), Append16(interface, 1);  // if_tsresol = 10^-9
    interface.insert(interface.end(), {9, 0, 0, 0});
    Append32(interface, 0);  // opt_endofopt
  }
  AppendBlock(file, 1, interface);

  for (const CapturedFrame& frame : frames) {
    const uint32_t length = static_cast<uint32_t>(frame.bytes.size());
    Bytes block;
    if (shape.simple_blocks) {
      Append32(block, length);
    } else {
      const int64_t since_epoch = shape.nanoseconds ? absl::ToUnixNanos(frame.time)
                                                    : absl::ToUnixMicros(frame.time);
      Append32(block, shape.interface_id);
      Append32(block, static_cast<uint32_t>(static_cast<uint64_t>(since_epoch) >> 32));
      Append32(block, static_cast<uint32_t>(since_epoch));
      Append32(block, length), Append32(block, length);
    }
    block.insert(block.end(), frame.bytes.begin(), frame.bytes.end());
    AppendBlock(file, shape.simple_blocks ? 3 : 6, block);
  }
  return file;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, Bytes>>> PcapSeeds(const std::string& scratch) {
  const std::vector<CapturedFrame> table = TableFrames();
  const std::vector<CapturedFrame> one(table.begin(), table.begin() + 1);
  absl::StatusOr<Bytes> all = WrittenByTool(scratch, table);
  if (!all.ok()) return all.status();
  absl::StatusOr<Bytes> single = WrittenByTool(scratch, one);
  if (!single.ok()) return single.status();
  absl::StatusOr<Bytes> empty = WrittenByTool(scratch, {});
  if (!empty.ok()) return empty.status();
  const size_t first_frame = kFileHeader + kRecordHeader;
  const size_t first_length = one[0].bytes.size();

  std::vector<std::pair<std::string, Bytes>> seeds = {
      {"seed-pcap-frame-table", *all},
      {"seed-pcap-one-frame", *single},
      {"seed-pcap-no-frames", *empty},
      {"seed-pcap-big-endian", SwapByteOrder(*all)},
      {"seed-pcapng-frame-table", Pcapng(table, {})},
      {"seed-pcapng-nanosecond", Pcapng(table, {.nanoseconds = true})},
      {"seed-pcapng-simple-packet-blocks", Pcapng(one, {.simple_blocks = true})},
      {"seed-pcapng-unknown-interface", Pcapng(one, {.interface_id = 1})},
      {"seed-pcapng-link-type-raw", Pcapng(one, {.link_type = kLinkTypeRaw})},
  };
  const auto variant = [&seeds, &single](const char* name, auto edit) {
    Bytes bytes = *single;
    edit(bytes);
    seeds.emplace_back(name, std::move(bytes));
  };
  // The nanosecond magic: the same fractions then mean nanoseconds.
  variant("seed-pcap-nanosecond", [](Bytes& b) { Put32(b, 0, 0xa1b23c4d); });
  variant("seed-pcap-bad-magic", [](Bytes& b) { Put32(b, 0, 0xa1b2c3d5); });
  variant("seed-pcap-link-type-raw", [](Bytes& b) { Put32(b, kLinkTypeOffset, kLinkTypeRaw); });
  variant("seed-pcap-truncated-file-header", [](Bytes& b) { b.resize(kFileHeader - 4); });
  variant("seed-pcap-truncated-record-header",
          [](Bytes& b) { b.resize(kFileHeader + kRecordHeader / 2); });
  variant("seed-pcap-truncated-frame",
          [first_frame](Bytes& b) { b.resize(first_frame + 10); });
  // Captured shorter than it was on the wire: the reader must refuse to reflect it.
  variant("seed-pcap-cut-frame", [first_length](Bytes& b) {
    Put32(b, kFileHeader + 12, static_cast<uint32_t>(first_length + 100));
  });
  // A captured length no snap length allows, and the empty frame.
  variant("seed-pcap-huge-captured-length",
          [](Bytes& b) { Put32(b, kFileHeader + 8, 0x7fffffff); });
  variant("seed-pcap-zero-length-frame", [first_frame](Bytes& b) {
    b.resize(first_frame);
    Put32(b, kFileHeader + 8, 0), Put32(b, kFileHeader + 12, 0);
  });
  Bytes cut_block = Pcapng(one, {});
  cut_block.resize(cut_block.size() - 20);
  seeds.emplace_back("seed-pcapng-truncated-block", std::move(cut_block));
  return seeds;
}

}  // namespace reflector::fuzz
