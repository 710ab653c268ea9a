// Writes the fuzzers' seed corpora from the shared frame table and the config library, so seeds
// are built, never hand-written:
//   bazel run //fuzz:make_corpus -- "$PWD/fuzz/corpus"
// Each run replaces the `seed-*` files of every target and leaves the others (`crash-*`
// regression inputs) alone.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "fuzz/classify_input.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/frame_table.h"

namespace reflector::fuzz {
namespace {

namespace fs = std::filesystem;
using packet::Mode;

// Empties `dir` of earlier seeds (a renamed table case must not leave a stale one behind).
bool PrepareDir(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    std::fprintf(stderr, "make_corpus: %s: %s\n", dir.c_str(), error.message().c_str());
    return false;
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (entry.path().filename().string().rfind("seed-", 0) == 0) fs::remove(entry.path(), error);
  }
  return !error;
}

bool Write(const fs::path& path, absl::Span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) std::fprintf(stderr, "make_corpus: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

// Every frame of the shared table under its own config, and every accepted one in each mode.
int WriteClassifySeeds(const fs::path& dir) {
  int written = 0;
  for (const packet::testing::FrameCase& c : packet::testing::FrameTable()) {
    const std::string base = absl::StrCat("seed-", c.name);
    if (!Write(dir / base, EncodeClassifyInput(c.config, c.frame))) return -1;
    ++written;
    if (c.verdict != packet::Verdict::kReflect) continue;
    for (Mode mode : packet::kAllModes) {
      if (static_cast<uint8_t>(mode) == c.config.mode) continue;
      rf_config config = c.config;
      config.mode = static_cast<uint8_t>(mode);
      const std::string name = absl::StrCat(base, "-mode-", packet::ModeName(mode));
      if (!Write(dir / name, EncodeClassifyInput(config, c.frame))) return -1;
      ++written;
    }
  }
  // The SPEC §3 gap the fuzzer found (see ReplySourceIsInvalid in classify_fuzzer.cc): with the
  // dst MAC filter off, a reflected frame whose reply source is all-zero or the sender itself.
  rf_config filter_off = packet::testing::DefaultTestConfig();
  filter_off.flags &= ~RF_CFG_DST_MAC_FILTER;
  const struct {
    const char* name;
    packet::MacAddress dst;
  } gaps[] = {{"seed-gap-zero-dst-mac", {}},
              {"seed-gap-dst-equals-src", packet::testing::kTesterMac}};
  for (const auto& gap : gaps) {
    const std::vector<uint8_t> frame = packet::testing::FrameBuilder().DstMac(gap.dst).Build();
    if (!Write(dir / gap.name, EncodeClassifyInput(filter_off, frame))) return -1;
    ++written;
  }
  return written;
}

std::vector<std::string> ConfigSeeds() {
  using packet::testing::kTesterMac;
  std::vector<std::string> seeds;
  // Selector 'm': MAC addresses, valid in both cases, and near misses.
  const std::string mac = packet::FormatMac(kTesterMac);
  seeds.push_back("m" + mac);
  seeds.push_back("m" + absl::AsciiStrToUpper(mac));
  seeds.push_back("m" + mac.substr(0, 8));
  seeds.push_back("m" + mac + ":00");
  // 'o': OUI lists.
  const packet::Oui second = {0x00, 0x19, 0xb3};
  seeds.push_back("o" + packet::FormatOuiList({packet::kNetAllyOui}));
  seeds.push_back("o" + packet::FormatOuiList({packet::kNetAllyOui, second}));
  seeds.push_back("o" + packet::FormatOuiList({}));
  seeds.push_back("o");
  seeds.push_back("o " + packet::FormatOuiList({packet::kNetAllyOui}) + " , " +
                  packet::FormatOuiList({second}) + " ");
  seeds.push_back("o" + packet::FormatOuiList(std::vector<packet::Oui>(RF_MAX_OUIS + 1, second)));
  // 'p': ports and their edges.
  for (const char* port : {"0", "3842", "65535", "65536", " 80 ", "-1", "0x10"}) {
    seeds.push_back(absl::StrCat("p", port));
  }
  // 's': every signature name, the groups, and the formatted full set.
  for (int i = 0; i < packet::kSignatureCount; ++i) {
    seeds.push_back(absl::StrCat("s", packet::SignatureName(static_cast<packet::Signature>(i))));
  }
  seeds.push_back("sall");
  seeds.push_back("sITO, rfc2544");
  seeds.push_back("s" + packet::FormatSignatures(RF_SIGS_ALL));
  seeds.push_back("s");
  // 'd': modes.
  for (Mode mode : packet::kAllModes) seeds.push_back(absl::StrCat("d", packet::ModeName(mode)));
  seeds.push_back("dMAC");
  // 'v': raw bytes for the format-then-parse direction.
  seeds.push_back(std::string("v\x00\xc0\x17\x54\x05\x98\x00\x19\xb3", 10));
  seeds.push_back(std::string("v\xff\xff\xff\xff\xff\xff", 7));
  return seeds;
}

int WriteConfigSeeds(const fs::path& dir) {
  const std::vector<std::string> seeds = ConfigSeeds();
  for (size_t i = 0; i < seeds.size(); ++i) {
    const absl::string_view text = seeds[i];
    const std::string name = absl::StrCat("seed-", i < 10 ? "0" : "", i, "-", text.substr(0, 1));
    if (!Write(dir / name, absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()),
                                                     text.size()))) {
      return -1;
    }
  }
  return static_cast<int>(seeds.size());
}

}  // namespace
}  // namespace reflector::fuzz

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT   (e.g. \"$PWD/fuzz/corpus\")\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path classify = root / "classify_fuzzer";
  const fs::path config = root / "config_fuzzer";
  if (!reflector::fuzz::PrepareDir(classify) || !reflector::fuzz::PrepareDir(config)) return 1;
  const int frames = reflector::fuzz::WriteClassifySeeds(classify);
  const int texts = reflector::fuzz::WriteConfigSeeds(config);
  if (frames < 0 || texts < 0) return 1;
  std::printf("make_corpus: %d classify_fuzzer seeds, %d config_fuzzer seeds under %s\n", frames,
              texts, root.c_str());
  return 0;
}
