#include "testing/lab/frame_compare.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace reflector::testing::lab {
namespace {

enum class Format { kHex, kMac, kIpv4, kIpv6, kDecimal };

struct Field {
  size_t offset;
  size_t size;
  std::string name;
  Format format = Format::kHex;
};

uint16_t Be16(absl::Span<const uint8_t> frame, size_t offset) {
  return static_cast<uint16_t>(frame[offset] << 8 | frame[offset + 1]);
}

// The header fields of `frame`, as far as its own headers describe it; bytes after the last
// field named here are reported as "byte N of <the last layer>".
std::vector<Field> Fields(absl::Span<const uint8_t> frame) {
  std::vector<Field> fields = {{0, 6, "destination MAC", Format::kMac},
                               {6, 6, "source MAC", Format::kMac}};
  size_t at = 12;
  for (int tag = 1; at + 4 <= frame.size(); ++tag) {
    const uint16_t type = Be16(frame, at);
    if (type != 0x8100 && type != 0x88a8) break;
    fields.push_back({at, 2, absl::StrCat("VLAN tag ", tag, " TPID")});
    fields.push_back({at + 2, 2, absl::StrCat("VLAN tag ", tag, " TCI")});
    at += 4;
  }
  if (at + 2 > frame.size()) return fields;
  const uint16_t ethertype = Be16(frame, at);
  fields.push_back({at, 2, "EtherType"});
  at += 2;
  const size_t l3 = at;
  uint8_t protocol = 0;
  size_t l4 = 0;
  if (ethertype == 0x0800 && l3 + 20 <= frame.size()) {
    const size_t ihl = (frame[l3] & 0x0f) * 4u;
    fields.insert(fields.end(), {{l3, 1, "IPv4 version/IHL"},
                                 {l3 + 1, 1, "IPv4 TOS"},
                                 {l3 + 2, 2, "IPv4 total length", Format::kDecimal},
                                 {l3 + 4, 2, "IPv4 ID"},
                                 {l3 + 6, 2, "IPv4 flags/fragment offset"},
                                 {l3 + 8, 1, "IPv4 TTL", Format::kDecimal},
                                 {l3 + 9, 1, "IPv4 protocol", Format::kDecimal},
                                 {l3 + 10, 2, "IPv4 header checksum"},
                                 {l3 + 12, 4, "IPv4 source address", Format::kIpv4},
                                 {l3 + 16, 4, "IPv4 destination address", Format::kIpv4}});
    if (ihl > 20) fields.push_back({l3 + 20, ihl - 20, "IPv4 options"});
    protocol = frame[l3 + 9];
    l4 = l3 + std::max<size_t>(ihl, 20);
  } else if (ethertype == 0x86dd && l3 + 40 <= frame.size()) {
    fields.insert(fields.end(), {{l3, 4, "IPv6 version/traffic class/flow label"},
                                 {l3 + 4, 2, "IPv6 payload length", Format::kDecimal},
                                 {l3 + 6, 1, "IPv6 next header", Format::kDecimal},
                                 {l3 + 7, 1, "IPv6 hop limit", Format::kDecimal},
                                 {l3 + 8, 16, "IPv6 source address", Format::kIpv6},
                                 {l3 + 24, 16, "IPv6 destination address", Format::kIpv6}});
    protocol = frame[l3 + 6];
    l4 = l3 + 40;
  }
  if (protocol == 17 && l4 + 8 <= frame.size()) {
    fields.insert(fields.end(), {{l4, 2, "UDP source port", Format::kDecimal},
                                 {l4 + 2, 2, "UDP destination port", Format::kDecimal},
                                 {l4 + 4, 2, "UDP length", Format::kDecimal},
                                 {l4 + 6, 2, "UDP checksum"}});
    const size_t end = std::min(frame.size(), l4 + std::max<size_t>(Be16(frame, l4 + 4), 8));
    for (size_t i = l4 + 8; i < end; ++i) {
      fields.push_back({i, 1, absl::StrCat("UDP payload byte ", i - l4 - 8)});
    }
    for (size_t i = end; i < frame.size(); ++i) {
      fields.push_back({i, 1, absl::StrCat("padding byte ", i - end)});
    }
  }
  return fields;
}

std::string FormatValue(absl::Span<const uint8_t> bytes, Format format) {
  switch (format) {
    case Format::kMac:
      return absl::StrJoin(bytes, ":", [](std::string* out, uint8_t b) {
        absl::StrAppendFormat(out, "%02x", b);
      });
    case Format::kIpv4:
      return absl::StrJoin(bytes, ".");
    case Format::kIpv6: {
      std::vector<std::string> groups;
      for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
        groups.push_back(absl::StrFormat("%x", bytes[i] << 8 | bytes[i + 1]));
      }
      return absl::StrJoin(groups, ":");
    }
    case Format::kDecimal: {
      uint64_t value = 0;
      for (uint8_t b : bytes) value = value << 8 | b;
      return absl::StrCat(value);
    }
    case Format::kHex:
      break;
  }
  return absl::StrCat("0x", absl::StrJoin(bytes, "", [](std::string* out, uint8_t b) {
                        absl::StrAppendFormat(out, "%02x", b);
                      }));
}

std::string Summarize(const Frame& frame) {
  return absl::StrCat(frame.size(), " bytes from ",
                      frame.size() >= 12 ? FormatValue(absl::MakeConstSpan(frame).subspan(6, 6),
                                                       Format::kMac)
                                         : "?");
}

}  // namespace

std::string DescribeFrameDifference(absl::Span<const uint8_t> expected,
                                    absl::Span<const uint8_t> got) {
  const size_t common = std::min(expected.size(), got.size());
  size_t first = 0;
  while (first < common && expected[first] == got[first]) ++first;
  if (first == common) {
    if (expected.size() == got.size()) return "";
    return absl::StrCat("length: expected ", expected.size(), " bytes, got ", got.size(),
                        " (equal up to there)");
  }
  for (const Field& field : Fields(expected)) {
    if (first < field.offset || first >= field.offset + field.size) continue;
    if (field.offset + field.size > common) break;
    return absl::StrCat(field.name, " (byte ", field.offset, "): expected ",
                        FormatValue(expected.subspan(field.offset, field.size), field.format),
                        ", got ", FormatValue(got.subspan(field.offset, field.size), field.format));
  }
  return absl::StrFormat("byte %d: expected 0x%02x, got 0x%02x", first, expected[first],
                         got[first]);
}

absl::Status CompareFrameSequences(const std::vector<Frame>& expected,
                                   const std::vector<Frame>& got) {
  const size_t common = std::min(expected.size(), got.size());
  for (size_t i = 0; i < common; ++i) {
    const std::string difference = DescribeFrameDifference(expected[i], got[i]);
    if (!difference.empty()) {
      return absl::NotFoundError(absl::StrCat("frame ", i, " of ", expected.size(), ": ",
                                              difference, " (got ", got.size(), " frames)"));
    }
  }
  if (got.size() < expected.size()) {
    return absl::NotFoundError(absl::StrCat("expected ", expected.size(), " frames, got ",
                                            got.size(), "; the first missing is frame ",
                                            common, " (", Summarize(expected[common]), ")"));
  }
  if (got.size() > expected.size()) {
    return absl::NotFoundError(absl::StrCat("expected ", expected.size(), " frames, got ",
                                            got.size(), "; the first extra is frame ", common,
                                            " (", Summarize(got[common]), ")"));
  }
  return absl::OkStatus();
}

absl::Status CompareFrameMultisets(const std::vector<Frame>& expected,
                                   const std::vector<Frame>& got) {
  std::map<Frame, int> balance;  // expected count minus received count
  for (const Frame& frame : expected) ++balance[frame];
  for (const Frame& frame : got) --balance[frame];
  std::vector<std::string> problems;
  for (size_t i = 0; i < expected.size(); ++i) {
    int& left = balance[expected[i]];
    if (left > 0) {
      problems.push_back(absl::StrCat("expected frame ", i, " (", Summarize(expected[i]),
                                      ") did not come back"));
      --left;
    }
  }
  for (size_t i = 0; i < got.size(); ++i) {
    int& left = balance[got[i]];
    if (left < 0) {
      problems.push_back(absl::StrCat("received frame ", i, " (", Summarize(got[i]),
                                      ") was not expected", left < -1 ? " or came back twice" : ""));
      ++left;
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::NotFoundError(absl::StrJoin(problems, "; "));
}

}  // namespace reflector::testing::lab
