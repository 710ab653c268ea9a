// Writes the fuzzers' seed corpora from the shared frame table and the config library, so seeds
// are built, never hand-written:
//   bazel run //fuzz:make_corpus -- "$PWD/fuzz/corpus"
// Each run replaces the `seed-*` files of every target and leaves the others (`crash-*`
// regression inputs) alone.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "fuzz/capture_input.h"
#include "fuzz/classify_input.h"
#include "fuzz/make_pcap_seeds.h"
#include "platform/bpf_device/bpf_buffer_builder.h"
#include "reflector/base/cli.h"
#include "reflector/packet/config.h"
#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/cfm_frames.h"
#include "reflector/packet/testing/stamp_frames.h"
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

// Every frame of the shared table under its own config, and every accepted one in each other
// mode (every rule set to it).
int WriteClassifySeeds(const fs::path& dir) {
  int written = 0;
  for (const packet::testing::FrameCase& c : packet::testing::FrameTable()) {
    const std::string base = absl::StrCat("seed-", c.name);
    if (!Write(dir / base, EncodeClassifyInput(c.filter, c.frame))) return -1;
    ++written;
    if (c.verdict != packet::Verdict::kReflect) continue;
    for (Mode mode : packet::kAllModes) {
      if (static_cast<uint8_t>(mode) == c.config.rules[c.rule].mode) continue;
      packet::FilterConfig config = c.filter;
      config.mode = mode;
      for (packet::Rule& rule : config.rules) rule.mode = mode;
      const std::string name = absl::StrCat(base, "-mode-", packet::ModeName(mode));
      if (!Write(dir / name, EncodeClassifyInput(config, c.frame))) return -1;
      ++written;
    }
  }
  // The SPEC §3 gap the fuzzer found (see ReplySourceIsInvalid in classify_fuzzer.cc): with the
  // dst MAC filter off, a reflected frame whose reply source is all-zero or the sender itself.
  packet::FilterConfig filter_off = packet::testing::DefaultTestFilter();
  filter_off.dst_mac_filter = false;
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

// reflectord config files (reflector/daemon/config_file.h): every setting, each TOML shape a
// value may take (string, integer, float, boolean, array, comma list), and the errors: TOML
// syntax, unknown keys, tables, nested arrays, values ParseOptions refuses.
std::vector<std::string> ConfigFileSeeds() {
  const std::string ouis =
      absl::StrCat("\"", packet::FormatOuiList({packet::kNetAllyOui}), "\", \"00:19:b3\"");
  const std::string all_settings = absl::StrCat(
      "# reflectord.toml\n"
      "interface = \"eth0\"\n"
      "datapath = \"xdp\"\n"
      "mode = \"", packet::ModeName(Mode::kMacIp), "\"\n"
      "port = ", RF_DEFAULT_PORT, "\n"
      "oui = [", ouis, "]\n"
      "dst_mac_filter = true\n"
      "signatures = [\"ito\", \"rfc2544\"]\n"
      "vlan = true\n"
      "ipv6 = false\n"
      "monitor = false\n"
      "queues = 4\n"
      "cpus = \"0,2-3\"\n"
      "zero_copy = \"auto\"\n"
      "xdp_mode = \"native\"\n"
      "stats_interval = \"500ms\"\n"
      "stats_format = \"json\"\n"
      "log_level = \"debug\"\n");
  std::vector<std::string> files = {
      all_settings,
      absl::StrCat("port = ", RF_DEFAULT_PORT, "\n"),
      "",
      "# only a comment\n\n   \t\n",
      absl::StrCat("oui = \"", packet::FormatOuiList({packet::kNetAllyOui}),
                   ", any\"\nsignatures = \"", packet::FormatSignatures(RF_SIGS_ALL),
                   "\"\nstats_interval = 2.5\nqueues = 0\ncpus = [0, 1]\n"),
      "interface = 'eth0' # literal string\nmonitor = \"yes\"\nport = 0x0f02\n",
      // Wrong: not TOML.
      "interface = \"eth0\n",
      "port =\n",
      "port = 1\nport = 2\n",
      "interface = \"\"\"eth\n0\"\"\"\nlog_level = \"\\u00e9\"\n",
      "interface = \"\xff\xfe\"\n",
      // Wrong: TOML, but not a reflectord config.
      "colour = \"blue\"\n",
      "[reflector]\nport = 3842\n",
      "stats.format = \"json\"\n",
      "oui = [[\"00:c0:17\"]]\n",
      "oui = { first = \"00:c0:17\" }\n",
      "stats_interval = 1979-05-27T07:32:00Z\n",
      // Wrong: settings ParseOptions refuses.
      "port = 70000\n",
      "port = -1\n",
      "signatures = []\n",
      "queues = 1.5\n",
      "cpus = \"3-1\"\n",
      "stats_interval = inf\n",
      "datapath = \"dpdk\"\n",
  };
  return files;
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
  // 'f': whole config files, valid ones first, then one per way a file can be wrong.
  for (const std::string& file : ConfigFileSeeds()) seeds.push_back("f" + file);
  // 'r': rate caps, as written and as formatted, and near misses (issue 17).
  for (const char* cap : {"100kfps", "1.5Mfps,500Mbit", "500 Mbit/s", "0", "off", "1234.567 kfps",
                          "100kpps", "2fps,3fps", "1e12fps", "-1Mbit"}) {
    seeds.push_back(absl::StrCat("r", cap));
  }
  // 'f' again: the rate settings and a rule's caps.
  seeds.push_back(
      "frate_limit = \"1Mfps\"\nsource_rate_limit = \"10kfps,100Mbit\"\nrate_burst = \"5ms\"\n"
      "[[rule]]\nname = \"capped\"\ndst_port = 5001\nrate_limit = \"1kfps\"\n"
      "source_rate_limit = \"100fps\"\n");
  seeds.push_back("frate_limit = 100000\n[[rule]]\nname = \"x\"\ndst_port = 1\nrate_limit = \"fast\"\n");
  seeds.push_back("frate_burst = \"1h\"\n");
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

int WritePcapSeeds(const fs::path& dir) {
  // The writer needs a path; one outside the corpus, so a failed run leaves no stray file.
  const fs::path scratch =
      fs::temp_directory_path() / absl::StrCat("make_corpus-", getpid(), ".pcap");
  const auto seeds = PcapSeeds(scratch.string());
  std::error_code ignored;
  fs::remove(scratch, ignored);
  if (!seeds.ok()) {
    std::fprintf(stderr, "make_corpus: %s\n", std::string(seeds.status().message()).c_str());
    return -1;
  }
  for (const auto& [name, bytes] : *seeds) {
    if (!Write(dir / name, bytes)) return -1;
  }
  return static_cast<int>(seeds->size());
}

// pcapng_writer_fuzzer: each frame of the table with its verdict; then hostile comment text and
// out-of-range verdicts and rules.
int WriteCaptureSeeds(const fs::path& dir) {
  int written = 0;
  for (const packet::testing::FrameCase& c : packet::testing::FrameTable()) {
    const std::vector<uint8_t> seed = EncodeCaptureInput(
        static_cast<uint8_t>(c.verdict), static_cast<uint8_t>(c.rule), "", c.frame);
    if (!Write(dir / absl::StrCat("seed-", c.name), seed)) return -1;
    ++written;
  }
  const std::vector<uint8_t> frame = packet::testing::FrameBuilder().Ports(1000, 5001).Build();
  const struct {
    const char* name;
    uint8_t verdict;
    uint8_t rule;
    std::string comment;
  } hostile[] = {
      {"seed-comment-control-bytes", RF_PORT, 0, std::string("\0\n\r\x1b[2J\xff\\", 9)},
      {"seed-comment-long", RF_PORT, 0, std::string(255, '\x80')},
      {"seed-verdict-unknown", 200, 0, ""},
      {"seed-rule-unknown", RF_REFLECT, 255, ""},
  };
  for (const auto& h : hostile) {
    if (!Write(dir / h.name, EncodeCaptureInput(h.verdict, h.rule, h.comment, frame))) return -1;
    ++written;
  }
  return written;
}

// stamp_fuzzer: each case of the stamp table under each of the fuzzer's configs' first byte.
int WriteStampSeeds(const fs::path& dir) {
  int written = 0;
  for (const packet::testing::StampCase& c : packet::testing::StampTable()) {
    for (uint8_t selector : {0, 4}) {
      std::vector<uint8_t> seed = {selector};
      const std::vector<uint8_t> frame = c.frame();
      seed.insert(seed.end(), frame.begin(), frame.end());
      if (!Write(dir / absl::StrCat("seed-", c.name, "-", selector), seed)) return -1;
      ++written;
    }
  }
  return written;
}

// cfm_fuzzer: each case of the CFM table under the fuzzer's config for its settings (byte 0:
// bit 0 multicast LBM; bits 1-2: VLAN any, 0, 100, or tags off).
int WriteCfmSeeds(const fs::path& dir) {
  int written = 0;
  for (const packet::testing::CfmCase& c : packet::testing::CfmTable()) {
    const uint8_t vlan = !c.vlan.has_value() ? 0 : (*c.vlan == 0 ? 2 : (*c.vlan == 100 ? 4 : 0));
    std::vector<uint8_t> seed = {static_cast<uint8_t>(vlan | (c.multicast_lbm ? 1 : 0))};
    seed.insert(seed.end(), c.frame.begin(), c.frame.end());
    if (!Write(dir / absl::StrCat("seed-", c.name), seed)) return -1;
    ++written;
  }
  return written;
}

}  // namespace
}  // namespace reflector::fuzz

namespace reflector::fuzz {
namespace {

// bpf_records_fuzzer: the layout byte, then BPF device buffers built from the frame table:
// every frame in one buffer, and the cases the walk must survive (a record straddling the
// end, a header cut short, zero and truncated captures, a last record without padding).
int WriteBpfSeeds(const fs::path& dir) {
  namespace bpf = platform::bpf_device;
  int written = 0;
  const struct {
    const char* name;
    uint8_t selector;
    const bpf::BpfLayout* layout;
  } layouts[] = {{"darwin", 0, &bpf::kDarwinLayout}, {"freebsd64", 1, &bpf::kFreeBsd64Layout}};
  for (const auto& layout : layouts) {
    const auto write = [&](const std::string& name, const std::vector<uint8_t>& buffer) {
      std::vector<uint8_t> input = {layout.selector};
      input.insert(input.end(), buffer.begin(), buffer.end());
      if (!Write(dir / absl::StrCat("seed-", layout.name, "-", name), input)) return false;
      ++written;
      return true;
    };
    bpf::BpfBufferBuilder table(*layout.layout);
    for (const packet::testing::FrameCase& c : packet::testing::FrameTable()) {
      if (!c.frame.empty() && c.frame.size() <= 1518) table.Add(c.frame);
    }
    const std::vector<uint8_t> frame = packet::testing::FrameBuilder().Build();
    const std::vector<uint8_t> cut(frame.begin(), frame.begin() + 34);
    std::vector<uint8_t> straddling = bpf::BpfBufferBuilder(*layout.layout).Add(frame).Add(frame).Build(false);
    // Its last record cut short by 5 bytes (erase: g++ 12's ASan build warns that a resize to
    // size() - 5 could be huge, -Werror=stringop-overflow).
    straddling.erase(straddling.end() - 5, straddling.end());
    std::vector<uint8_t> short_header = bpf::BpfBufferBuilder(*layout.layout).Add(frame).Build();
    short_header.resize(short_header.size() + layout.layout->min_hdrlen - 1, 0);
    if (!write("frame-table", table.Build()) ||
        !write("unpadded-end", bpf::BpfBufferBuilder(*layout.layout).Add(frame).Add(cut).Build(false)) ||
        !write("straddling-record", straddling) || !write("short-header", short_header) ||
        !write("zero-and-truncated",
               bpf::BpfBufferBuilder(*layout.layout).AddRecord({}, 60).AddRecord(cut, frame.size()).Add(frame).Build())) {
      return -1;
    }
  }
  return written;
}

}  // namespace
}  // namespace reflector::fuzz

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  constexpr reflector::base::ProgramInfo kProgram = {
      "make_corpus",
      "writes the fuzzers' seed corpora under CORPUS_ROOT.\n"
      "  bazel run //fuzz:make_corpus -- \"$PWD/fuzz/corpus\"",
      __FILE__, ""};
  std::vector<std::string> positional;
  if (const std::optional<int> done =
          reflector::base::ParseCommandLine(kProgram, argc, argv, &positional)) {
    return *done;
  }
  if (positional.size() != 1) {
    std::fprintf(stderr, "make_corpus: give one CORPUS_ROOT (e.g. \"$PWD/fuzz/corpus\")\n");
    return reflector::base::kExitUsage;
  }
  const fs::path root = positional[0];
  const fs::path classify = root / "classify_fuzzer";
  const fs::path config = root / "config_fuzzer";
  const fs::path pcap = root / "pcap_fuzzer";
  const fs::path pcapng = root / "pcapng_writer_fuzzer";
  const fs::path bpf = root / "bpf_records_fuzzer";
  const fs::path stamp = root / "stamp_fuzzer";
  const fs::path cfm = root / "cfm_fuzzer";
  if (!reflector::fuzz::PrepareDir(classify) || !reflector::fuzz::PrepareDir(config) ||
      !reflector::fuzz::PrepareDir(pcap) || !reflector::fuzz::PrepareDir(pcapng) ||
      !reflector::fuzz::PrepareDir(bpf) || !reflector::fuzz::PrepareDir(stamp) ||
      !reflector::fuzz::PrepareDir(cfm)) {
    return 1;
  }
  const int frames = reflector::fuzz::WriteClassifySeeds(classify);
  const int texts = reflector::fuzz::WriteConfigSeeds(config);
  const int captures = reflector::fuzz::WritePcapSeeds(pcap);
  const int writer = reflector::fuzz::WriteCaptureSeeds(pcapng);
  const int buffers = reflector::fuzz::WriteBpfSeeds(bpf);
  const int stamps = reflector::fuzz::WriteStampSeeds(stamp);
  const int cfms = reflector::fuzz::WriteCfmSeeds(cfm);
  if (frames < 0 || texts < 0 || captures < 0 || writer < 0 || buffers < 0 || stamps < 0 ||
      cfms < 0) {
    return 1;
  }
  std::printf(
      "make_corpus: %d classify_fuzzer (and xdp_differential_fuzzer) seeds, %d config_fuzzer "
      "seeds, %d pcap_fuzzer seeds, %d pcapng_writer_fuzzer seeds, %d bpf_records_fuzzer "
      "seeds, %d stamp_fuzzer seeds, %d cfm_fuzzer seeds under %s\n",
      frames, texts, captures, writer, buffers, stamps, cfms, root.c_str());
  return 0;
}
