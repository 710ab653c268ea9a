#include "reflector/packet/rate_limit.h"

#include <time.h>

#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace reflector::packet {
namespace {

constexpr double kUnitsPerNs = static_cast<double>(uint64_t{1} << RF_RATE_SHIFT);

absl::Status Bad(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrFormat(
      "invalid rate cap \"%s\": %s (expected e.g. \"100kfps\", \"500Mbit\" or "
      "\"100kfps,500Mbit\"; \"0\" or \"off\" for none)",
      text, why));
}

// "1.5" and a prefix letter, or just a number: the value times the prefix.
bool ParseScaled(absl::string_view number, double* value) {
  double scale = 1;
  if (!number.empty()) {
    switch (number.back()) {
      case 'k':
      case 'K':
        scale = 1e3;
        break;
      case 'M':
        scale = 1e6;
        break;
      case 'G':
        scale = 1e9;
        break;
      default:
        break;
    }
    if (scale != 1) number.remove_suffix(1);
  }
  double parsed = 0;
  if (!absl::SimpleAtod(number, &parsed) || !(parsed > 0) || !std::isfinite(parsed)) return false;
  *value = parsed * scale;
  return true;
}

// Strips `suffix` (any case) from `text`; whether it was there.
bool ConsumeUnit(absl::string_view* text, absl::string_view suffix) {
  if (text->size() < suffix.size() ||
      !absl::EqualsIgnoreCase(text->substr(text->size() - suffix.size()), suffix)) {
    return false;
  }
  text->remove_suffix(suffix.size());
  return true;
}

// "1.5 M" + unit: the largest prefix that leaves at most three decimals, written exactly (the
// text parses back to the same value).
std::string FormatScaled(uint64_t value, absl::string_view unit) {
  constexpr struct {
    uint64_t scale;
    const char* prefix;
  } kPrefixes[] = {{1'000'000'000, "G"}, {1'000'000, "M"}, {1'000, "k"}};
  for (const auto& p : kPrefixes) {
    if (value < p.scale || value % (p.scale / 1000) != 0) continue;
    std::string text = absl::StrCat(value / p.scale);
    uint64_t thousandths = value % p.scale / (p.scale / 1000);
    if (thousandths != 0) {
      std::string digits = absl::StrFormat("%03d", thousandths);
      while (digits.back() == '0') digits.pop_back();
      absl::StrAppend(&text, ".", digits);
    }
    return absl::StrCat(text, " ", p.prefix, unit);
  }
  return absl::StrCat(value, " ", unit);
}

uint64_t Units(double ns) { return static_cast<uint64_t>(std::llround(ns * kUnitsPerNs)); }

}  // namespace

absl::StatusOr<RateLimit> ParseRateLimit(absl::string_view text) {
  const absl::string_view whole = absl::StripAsciiWhitespace(text);
  RateLimit limit;
  if (whole.empty() || whole == "0" || whole == "off" || whole == "none") return limit;
  for (absl::string_view part : absl::StrSplit(whole, ',')) {
    part = absl::StripAsciiWhitespace(part);
    const bool frames = ConsumeUnit(&part, "fps");
    const bool bits = !frames && (ConsumeUnit(&part, "bit/s") || ConsumeUnit(&part, "bps") ||
                                  ConsumeUnit(&part, "bit"));
    if (!frames && !bits) return Bad(text, absl::StrCat("\"", part, "\" has no unit (fps or bit)"));
    double value = 0;
    if (!ParseScaled(absl::StripAsciiWhitespace(part), &value)) {
      return Bad(text, absl::StrCat("\"", part, "\" is not a positive number"));
    }
    uint64_t& field = frames ? limit.frames_per_second : limit.bits_per_second;
    if (field != 0) return Bad(text, frames ? "two frame rates" : "two bit rates");
    const double max = frames ? kMaxFramesPerSecond : kMaxBitsPerSecond;
    const double min = frames ? 1 : kMinBitsPerSecond;
    if (value < min || value > max) {
      return Bad(text, frames ? "frame rate must be 1 fps to 1 Gfps"
                              : "bit rate must be 1 kbit/s to 100 Gbit/s");
    }
    field = static_cast<uint64_t>(std::llround(value));
  }
  return limit;
}

std::string FormatRateLimit(const RateLimit& limit) {
  std::vector<std::string> parts;
  if (limit.frames_per_second) parts.push_back(FormatScaled(limit.frames_per_second, "fps"));
  if (limit.bits_per_second) parts.push_back(FormatScaled(limit.bits_per_second, "bit/s"));
  if (parts.empty()) return "none";
  return absl::StrJoin(parts, ", ");
}

rf_rate_cap ToWireCap(const RateLimit& limit) {
  rf_rate_cap cap = {};
  if (limit.frames_per_second) cap.frame_cost = Units(1e9 / limit.frames_per_second);
  if (limit.bits_per_second) cap.byte_cost = Units(8e9 / limit.bits_per_second);
  return cap;
}

uint64_t RateBurstUnits(absl::Duration burst) {
  if (burst <= absl::ZeroDuration()) return 0;
  return static_cast<uint64_t>(absl::ToInt64Nanoseconds(burst)) << RF_RATE_SHIFT;
}

uint64_t RateTimeNow() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  const uint64_t ns = static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u +
                      static_cast<uint64_t>(now.tv_nsec);
  return ns << RF_RATE_SHIFT;
}

bool HasRateCaps(const rf_guard& guard) {
  const auto set = [](const rf_rate_caps& caps) {
    return (caps.all.frame_cost | caps.all.byte_cost | caps.per_source.frame_cost |
            caps.per_source.byte_cost) != 0;
  };
  if (set(guard.global)) return true;
  for (const rf_rate_caps& caps : guard.rules) {
    if (set(caps)) return true;
  }
  return false;
}

}  // namespace reflector::packet
