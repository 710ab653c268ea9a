// reflectord's HTTP API in the lab (issue 15), once per data path: /api/v1/stats carries the
// numbers of the JSON stats line, /metrics passes promtool on a live scrape and agrees with
// them, PUT /api/v1/config applies what SIGHUP applies (and refuses bad, restart-only and
// unauthorised changes without changing anything), and /api/v1/events streams stats.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "reflector/packet/testing/frame_builder.h"
#include "reflector/packet/testing/stamp_frames.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/command.h"
#include "testing/lab/reflector_lab.h"
#include "testing/lab/runfiles.h"

namespace reflector::testing {
namespace {

using nlohmann::json;
using packet::testing::FrameBuilder;

constexpr absl::Duration kTimeout = absl::Seconds(5);
constexpr char kToken[] = "lab-token-0123456789abcdef";

std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir ? dir : "/tmp", "/", name, "-", getpid());
}

// Where a test keeps what it wants to show (curl-like transcripts): the undeclared outputs.
std::string OutputPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  return absl::StrCat(dir ? dir : (std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp"),
                      "/", name);
}

// The counters of a stats object: everything but the time and the rates over its interval.
json Counts(json line) {
  for (const char* key : {"time", "interval_s", "rx_fps", "rx_mbps", "reflected_fps",
                          "reflected_mbps"}) {
    line.erase(key);
  }
  return line;
}

json LastStdoutLine(const lab::LabProcess& daemon) {
  const std::string out = daemon.Stdout();
  const size_t end = out.rfind('\n');
  const size_t start = out.rfind('\n', end - 1);
  return json::parse(out.substr(start == std::string::npos ? 0 : start + 1, end - start - 1),
                     nullptr, false);
}

class ReflectordHttpTest : public DataPathLabTest {
 protected:
  lab::ReflectorLabOptions LabOptions() const override {
    lab::ReflectorLabOptions options;
    options.ipv6 = false;  // no router or MLD traffic: the counters stand still between reads
    return options;
  }

  // Sends `n` ITO frames to `port` and returns how many came back.
  size_t Exchange(int n, uint16_t port) {
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(lab_->Send(FrameBuilder().Ports(40000 + i, port).Build()).ok());
    }
    absl::StatusOr<lab::Capture> capture = lab_->Collect(n, kTimeout);
    EXPECT_TRUE(capture.ok()) << capture.status();
    return capture.ok() ? capture->returned.size() : 0;
  }
};

TEST_P(ReflectordHttpTest, StatsMetricsConfigAndEvents) {
  const std::string token_file = TempPath("token");
  std::ofstream(token_file) << kToken << "\n";
  std::vector<std::string> flags = DataPathFlags();
  flags.push_back("--stats_interval=0");  // lines only on SIGUSR1: the test decides when
  flags.push_back("--http_token_file=" + token_file);
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(flags);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_TRUE(daemon->WaitForStderr("http: serving http://127.0.0.1:9842/", kTimeout).ok())
      << daemon->Describe();
  ASSERT_EQ(Exchange(5, 3842), 5u);
  ASSERT_TRUE(lab_->Send(FrameBuilder().Ports(40000, 5001).Build()).ok());  // rejected: port
  ASSERT_TRUE(lab_->ReceiveUntilQuiet(absl::Milliseconds(300)).ok());

  absl::StatusOr<lab::NetnsEntry> inside = lab_->Enter(lab::End::kReflector);
  ASSERT_TRUE(inside.ok()) << inside.status();
  httplib::Client client("127.0.0.1", 9842);
  client.set_read_timeout(5);
  std::ofstream transcript(OutputPath(absl::StrCat("http-", GetParam(), ".txt")));

  // The stats line and /api/v1/stats, read while nothing arrives: the same numbers.
  const std::string before = daemon->Stdout();
  ASSERT_TRUE(daemon->Signal(SIGUSR1).ok());
  ASSERT_TRUE(daemon->WaitForStdoutLines(std::count(before.begin(), before.end(), '\n'), kTimeout)
                  .ok());
  const json line = LastStdoutLine(*daemon);
  httplib::Result stats = client.Get("/api/v1/stats");
  ASSERT_TRUE(stats) << httplib::to_string(stats.error());
  ASSERT_EQ(stats->status, 200) << stats->body;
  transcript << "GET /api/v1/stats\n" << stats->body << "\n\n";
  const json api = json::parse(stats->body, nullptr, false);
  ASSERT_TRUE(line.is_object()) << daemon->Stdout();
  EXPECT_EQ(Counts(api), Counts(line)) << "api: " << stats->body << "\nline: " << line.dump();
  EXPECT_EQ(api["reflected_frames"], 5);
  EXPECT_EQ(api["rejected"]["port"], 1);

  // /metrics: promtool accepts a live scrape, and it counts what the stats line counts.
  httplib::Result metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  transcript << "GET /metrics\n" << metrics->body << "\n";
  const std::string scrape = TempPath("scrape.txt");
  std::ofstream(scrape) << metrics->body;
  absl::StatusOr<std::string> promtool =
      lab::RunCommandOutput({"sh", "-c", "promtool check metrics < " + scrape});
  EXPECT_TRUE(promtool.ok()) << promtool.status();
  EXPECT_TRUE(absl::StrContains(metrics->body, absl::StrCat("\nreflector_reflected_frames_total ",
                                                            line["reflected_frames"].dump(), "\n")))
      << metrics->body;
  EXPECT_TRUE(absl::StrContains(metrics->body, absl::StrCat("\nreflector_rx_frames_total ",
                                                            line["rx_frames"].dump(), "\n")))
      << metrics->body;
  EXPECT_TRUE(absl::StrContains(metrics->body,
                                "\nreflector_rejected_frames_total{reason=\"port\"} 1\n"));
  // The dwell histogram where a worker sends (issue 15): each of the 5 frames reflected once.
  if (DataPath() != "xdp") {
    EXPECT_TRUE(absl::StrContains(metrics->body, "\n# TYPE reflector_dwell_seconds histogram\n"))
        << metrics->body;
    EXPECT_TRUE(absl::StrContains(metrics->body, "\nreflector_dwell_seconds_count 5\n"))
        << metrics->body;
    EXPECT_TRUE(
        absl::StrContains(metrics->body, "\nreflector_dwell_seconds_bucket{le=\"+Inf\"} 5\n"))
        << metrics->body;
  } else {
    EXPECT_FALSE(absl::StrContains(metrics->body, "reflector_dwell_seconds")) << metrics->body;
  }

  httplib::Result status = client.Get("/api/v1/status");
  ASSERT_TRUE(status);
  transcript << "GET /api/v1/status\n" << status->body << "\n\n";
  const json status_json = json::parse(status->body, nullptr, false);
  EXPECT_EQ(status_json["interface"], lab_->reflector_if());
  EXPECT_TRUE(absl::StartsWith(status_json["datapath"].get<std::string>(), DataPath()))
      << status->body;

  // PUT: no token, a wrong one, a bad value, a restart-only setting: nothing changes.
  const std::string port_5001 = R"({"port": 5001, "mode": "mac"})";
  const httplib::Headers auth = {{"Authorization", absl::StrCat("Bearer ", kToken)}};
  httplib::Result refused = client.Put("/api/v1/config", port_5001, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401) << refused->body;
  refused = client.Put("/api/v1/config", {{"Authorization", "Bearer wrong"}}, port_5001,
                       "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  httplib::Result bad = client.Put("/api/v1/config", auth, R"({"port": "many"})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["fields"], json::array({"port"})) << bad->body;
  transcript << "PUT /api/v1/config {\"port\": \"many\"}\n" << bad->status << " " << bad->body << "\n\n";
  httplib::Result restart =
      client.Put("/api/v1/config", auth, R"({"queues": 2, "port": 5001})", "application/json");
  ASSERT_TRUE(restart);
  EXPECT_EQ(restart->status, 409);
  EXPECT_EQ(json::parse(restart->body)["fields"], json::array({"queues"})) << restart->body;
  transcript << "PUT /api/v1/config {\"queues\": 2, \"port\": 5001}\n" << restart->status << " "
             << restart->body << "\n\n";
  EXPECT_EQ(Exchange(1, 3842), 1u);  // still the old port

  // A good change: applied as SIGHUP applies it, with the same log line.
  httplib::Result applied = client.Put("/api/v1/config", auth, port_5001, "application/json");
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied->status, 200) << applied->body;
  transcript << "PUT /api/v1/config " << port_5001 << "\n" << applied->body << "\n\n";
  EXPECT_TRUE(daemon->WaitForStderr("reloaded: mode mac, port 5001", kTimeout).ok())
      << daemon->Describe();
  EXPECT_EQ(Exchange(1, 5001), 1u);
  httplib::Result config = client.Get("/api/v1/config");
  ASSERT_TRUE(config);
  transcript << "GET /api/v1/config\n" << config->body << "\n\n";
  EXPECT_EQ(json::parse(config->body)["settings"]["port"], "5001");

  // Without a --config file there is nothing to reload.
  httplib::Result reload = client.Post("/api/v1/reload", auth, "", "application/json");
  ASSERT_TRUE(reload);
  EXPECT_EQ(reload->status, 409) << reload->body;

  // Events: stats objects, one per interval, carrying the same counters.
  std::string events;
  client.Get("/api/v1/events?interval=0.2", [&](const char* data, size_t length) {
    events.append(data, length);
    return !absl::StrContains(events, "\n\n");
  });
  transcript << "GET /api/v1/events?interval=0.2 (first event)\n" << events;
  ASSERT_TRUE(absl::StartsWith(events, "event: stats\ndata: ")) << events;
  const json event = json::parse(events.substr(events.find('{'), events.find("\n\n") - events.find('{')),
                                 nullptr, false);
  EXPECT_EQ(event["reflected_frames"], 7) << events;

  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  absl::StatusOr<int> code = daemon->Wait(kTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << daemon->Describe();
}

// A STAMP run (issue 15): every answer is in reflector_stamp_dwell_seconds, from the XDP
// program (xdp) or the workers (afxdp), and in /api/v1/stats' stamp_dwell, and the sum is the
// T3 - T2 the answers carry (PTP timestamps, seconds and nanoseconds: exact). promtool accepts
// the scrape.
TEST_P(ReflectordHttpTest, StampDwellInMetricsAndStats) {
  std::vector<std::string> flags = DataPathFlags();
  flags.push_back("--profile=ito,stamp");
  flags.push_back("--stats_interval=0");
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(flags);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_TRUE(daemon->WaitForStderr("http: serving", kTimeout).ok()) << daemon->Describe();
  constexpr int kPackets = 5;
  for (int i = 0; i < kPackets; ++i) {
    const std::vector<uint8_t> sender =
        FrameBuilder()
            .Ports(40000 + i, RF_STAMP_PORT)
            .Payload(packet::testing::StampSenderPayload(i, 0, RF_STAMP_Z | 1, 0))
            .Build();
    ASSERT_TRUE(lab_->Send(sender).ok());
  }
  absl::StatusOr<lab::Capture> capture = lab_->Collect(kPackets, kTimeout);
  ASSERT_TRUE(capture.ok()) << capture.status();
  ASSERT_EQ(capture->returned.size(), static_cast<size_t>(kPackets)) << daemon->Describe();
  constexpr size_t kUdp = RF_ETH_HLEN + RF_IPV4_MIN_HLEN;  // untagged IPv4
  uint64_t carried_ns = 0;
  for (const lab::Frame& answer : capture->returned) {
    ASSERT_GE(answer.size(), kUdp + RF_UDP_HLEN + RF_STAMP_LEN);
    carried_ns += packet::testing::StampPtpDwellNs(answer, kUdp);
  }

  absl::StatusOr<lab::NetnsEntry> inside = lab_->Enter(lab::End::kReflector);
  ASSERT_TRUE(inside.ok()) << inside.status();
  httplib::Client client("127.0.0.1", 9842);
  client.set_read_timeout(5);
  httplib::Result metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  std::ofstream(OutputPath(absl::StrCat("stamp-metrics-", GetParam(), ".txt"))) << metrics->body;
  const std::string scrape = TempPath("stamp-scrape.txt");
  std::ofstream(scrape) << metrics->body;
  absl::StatusOr<std::string> promtool =
      lab::RunCommandOutput({"sh", "-c", "promtool check metrics < " + scrape});
  EXPECT_TRUE(promtool.ok()) << promtool.status();
  EXPECT_TRUE(absl::StrContains(metrics->body, "\n# TYPE reflector_stamp_dwell_seconds histogram\n"))
      << metrics->body;
  EXPECT_TRUE(absl::StrContains(metrics->body,
                                absl::StrCat("\nreflector_stamp_dwell_seconds_count ", kPackets, "\n")))
      << metrics->body;
  EXPECT_TRUE(absl::StrContains(
      metrics->body,
      absl::StrCat("\nreflector_stamp_dwell_seconds_bucket{le=\"+Inf\"} ", kPackets, "\n")))
      << metrics->body;
  EXPECT_TRUE(absl::StrContains(metrics->body,
                                absl::StrFormat("\nreflector_stamp_dwell_seconds_sum %.9f\n",
                                                carried_ns / 1e9)))
      << metrics->body;

  httplib::Result stats = client.Get("/api/v1/stats");
  ASSERT_TRUE(stats);
  ASSERT_EQ(stats->status, 200) << stats->body;
  const json api = json::parse(stats->body, nullptr, false);
  EXPECT_EQ(api["stamp_dwell"]["count"], kPackets) << stats->body;
  EXPECT_EQ(api["stamp_dwell"]["sum_ns"], carried_ns) << stats->body;

  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  ASSERT_TRUE(daemon->Wait(kTimeout).ok());
}

// reflectorctl in the reflector's namespace, run to its exit.
absl::StatusOr<lab::LabProcess> Reflectorctl(lab::ReflectorLab& lab,
                                             const std::vector<std::string>& args) {
  absl::StatusOr<std::string> binary = lab::RunfilePath("reflector/reflectorctl");
  if (!binary.ok()) return binary.status();
  std::vector<std::string> argv = {*binary};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<lab::LabProcess> ctl = lab.Spawn(lab::End::kReflector, argv);
  if (!ctl.ok()) return ctl.status();
  absl::StatusOr<int> code = ctl->Wait(kTimeout);
  if (!code.ok()) return code.status();
  return ctl;
}

TEST_P(ReflectordHttpTest, ReflectorctlStatusStatsConfigAndAStoppedDaemon) {
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(DataPathFlags());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_TRUE(daemon->WaitForStderr("http: serving", kTimeout).ok()) << daemon->Describe();
  ASSERT_EQ(Exchange(3, 3842), 3u);

  absl::StatusOr<lab::LabProcess> status = Reflectorctl(*lab_, {"status"});
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->Poll(), 0) << status->Describe();
  EXPECT_TRUE(absl::StrContains(status->Stdout(), absl::StrCat("on ", lab_->reflector_if())))
      << status->Stdout();
  EXPECT_TRUE(absl::StrContains(status->Stdout(), "  data path  " + DataPath())) << status->Stdout();

  absl::StatusOr<lab::LabProcess> stats = Reflectorctl(*lab_, {"-j", "stats"});
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->Poll(), 0) << stats->Describe();
  EXPECT_EQ(json::parse(stats->Stdout(), nullptr, false)["reflected_frames"], 3) << stats->Stdout();
  absl::StatusOr<lab::LabProcess> text = Reflectorctl(*lab_, {"stats"});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_TRUE(absl::StrContains(text->Stdout(), "totals: rx 3, reflected 3, rejected 0"))
      << text->Stdout();
  // sessions: one per source port Exchange used, as the daemon read them (twice a second).
  std::string table;
  for (int i = 0; i < 20 && !absl::StartsWith(table, "sessions: 3 "); ++i) {
    absl::StatusOr<lab::LabProcess> sessions = Reflectorctl(*lab_, {"sessions"});
    ASSERT_TRUE(sessions.ok()) << sessions.status();
    EXPECT_EQ(sessions->Poll(), 0) << sessions->Describe();
    table = sessions->Stdout();
    if (!absl::StartsWith(table, "sessions: 3 ")) absl::SleepFor(absl::Milliseconds(100));
  }
  for (int port : {40000, 40001, 40002}) {
    EXPECT_TRUE(absl::StrContains(
        table, absl::StrCat("198.18.0.1:", port, "      198.18.0.2:3842       probeot           1 ")))
        << table;
  }

  absl::StatusOr<lab::LabProcess> set = Reflectorctl(*lab_, {"config", "set", "port=5001"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->Poll(), 0) << set->Describe();
  EXPECT_TRUE(absl::StartsWith(set->Stdout(), "reloaded: mode all, port 5001")) << set->Stdout();
  EXPECT_EQ(Exchange(1, 5001), 1u);
  absl::StatusOr<lab::LabProcess> restart = Reflectorctl(*lab_, {"config", "set", "queues=4"});
  ASSERT_TRUE(restart.ok()) << restart.status();
  EXPECT_EQ(restart->Poll(), 1) << restart->Describe();
  EXPECT_EQ(restart->Stderr(),
            "reflectorctl: reflectord at 127.0.0.1:9842: only a restart can change queues; "
            "nothing was changed (HTTP 409)\n");
  absl::StatusOr<lab::LabProcess> get = Reflectorctl(*lab_, {"config", "get"});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_TRUE(absl::StrContains(get->Stdout(), "\nport                 = 5001\n")) << get->Stdout();

  // --watch: one line per interval, until stopped.
  absl::StatusOr<std::string> binary = lab::RunfilePath("reflector/reflectorctl");
  ASSERT_TRUE(binary.ok()) << binary.status();
  absl::StatusOr<lab::LabProcess> watch = lab_->Spawn(
      lab::End::kReflector, {*binary, "-j", "stats", "--watch", "--interval=0.2"});
  ASSERT_TRUE(watch.ok()) << watch.status();
  ASSERT_TRUE(watch->WaitForStdoutLines(1, kTimeout).ok()) << watch->Describe();
  for (const absl::string_view line : absl::StrSplit(watch->Stdout(), '\n', absl::SkipEmpty())) {
    EXPECT_EQ(json::parse(line, nullptr, false)["reflected_frames"], 4) << line;
  }

  // top in a terminal (tmux): the screen shows the totals and redraws in place.
  // /tmp: a unix socket path must be short, and TEST_TMPDIR's is not.
  const std::string socket = absl::StrCat("/tmp/rf-tmux-", getpid());
  // The tmux server outlives its client: stop it however the test ends.
  struct KillServer {
    std::string socket;
    ~KillServer() {
      lab::RunCommand({"tmux", "-S", socket, "kill-server"}).IgnoreError();
      unlink(socket.c_str());
    }
  } kill_server{socket};
  absl::StatusOr<lab::LabProcess> tmux = lab_->Spawn(
      lab::End::kReflector,
      {"/usr/bin/tmux", "-S", socket, "new-session", "-d", "-x", "100", "-y", "30",
       absl::StrCat(*binary, " top --interval=0.2")});
  ASSERT_TRUE(tmux.ok()) << tmux.status();
  ASSERT_TRUE(tmux->Wait(kTimeout).ok()) << tmux->Describe();
  std::string screen;
  for (int i = 0; i < 50 && !absl::StrContains(screen, "reflected by rule"); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    absl::StatusOr<std::string> captured =
        lab::RunCommandOutput({"tmux", "-S", socket, "capture-pane", "-p"});
    if (captured.ok()) screen = *captured;
  }
  EXPECT_TRUE(absl::StrContains(screen, absl::StrCat("reflectord 0.1.0 on ", lab_->reflector_if())))
      << screen;
  EXPECT_TRUE(absl::StrContains(
      screen, "reflected                     0         0.00                4\n"))
      << screen;
  EXPECT_TRUE(absl::StrContains(screen, "  probeot                       4\n")) << screen;
  // The sessions: the three test frames' source ports (the one to port 5001 too).
  EXPECT_TRUE(absl::StrContains(screen, "sessions: 4 (a session ends after 60 s without a frame)"))
      << screen;
  EXPECT_TRUE(absl::StrContains(screen, "198.18.0.1:40001      198.18.0.2:3842       probeot "))
      << screen;
  // Redrawn in place: one header on the screen however many updates came.
  absl::SleepFor(absl::Milliseconds(500));
  absl::StatusOr<std::string> later = lab::RunCommandOutput({"tmux", "-S", socket, "capture-pane", "-p"});
  ASSERT_TRUE(later.ok()) << later.status();
  const std::string header = absl::StrCat("on ", lab_->reflector_if());
  EXPECT_EQ(later->find(header), later->rfind(header)) << *later;

  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  ASSERT_TRUE(daemon->Wait(kTimeout).ok());
  absl::StatusOr<lab::LabProcess> gone = Reflectorctl(*lab_, {"status"});
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(gone->Poll(), 1) << gone->Describe();
  EXPECT_EQ(gone->Stderr(),
            "reflectorctl: cannot reach reflectord at 127.0.0.1:9842: connection refused or "
            "timed out (is it running? --server=ADDR:PORT)\n");
}

// The text of the element with `id` in a dumped DOM ("" when there is none).
std::string ElementText(const std::string& dom, const std::string& id) {
  const std::string open = absl::StrCat("id=\"", id, "\">");
  const size_t start = dom.find(open);
  if (start == std::string::npos) return "";
  const size_t from = start + open.size();
  return dom.substr(from, dom.find('<', from) - from);
}

// The dashboard in headless Chromium while test frames arrive: it shows live non-zero rates,
// the totals and the data path. The screenshot is left in the test's outputs.
TEST_P(ReflectordHttpTest, DashboardShowsLiveRatesInChromium) {
  std::vector<std::string> flags = DataPathFlags();
  flags.push_back("--stats_interval=0.5");
  absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(flags);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  ASSERT_TRUE(daemon->WaitForStderr("http: serving", kTimeout).ok()) << daemon->Describe();

  std::atomic<bool> sending = true;
  std::thread load([&] {
    for (int i = 0; sending; ++i) {
      if (!lab_->Send(FrameBuilder().Ports(40000 + i % 1000, 3842).Build()).ok()) break;
      absl::SleepFor(absl::Microseconds(500));
    }
  });
  // Two stats lines under load, so the rates of the last interval are the load's.
  const bool loaded = daemon->WaitForStdoutLines(2, kTimeout).ok();

  const std::string profile = TempPath("chromium-profile");
  const std::vector<std::string> chromium = {
      "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=3000",
      "--window-size=1000,900"};
  std::vector<std::string> dump = chromium;
  dump.insert(dump.end(), {"--dump-dom", "http://127.0.0.1:9842/"});
  absl::StatusOr<lab::LabProcess> browser = lab_->Spawn(lab::End::kReflector, dump);
  ASSERT_TRUE(browser.ok()) << browser.status();
  absl::StatusOr<int> code = browser->Wait(absl::Seconds(60));
  std::vector<std::string> shot = chromium;
  shot.insert(shot.end(), {"--screenshot=" + OutputPath(absl::StrCat("dashboard-", GetParam(), ".png")),
                           "http://127.0.0.1:9842/"});
  absl::StatusOr<lab::LabProcess> screenshot = lab_->Spawn(lab::End::kReflector, shot);
  if (screenshot.ok()) screenshot->Wait(absl::Seconds(60)).IgnoreError();
  sending = false;
  load.join();
  ASSERT_TRUE(loaded) << daemon->Describe();
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_EQ(*code, 0) << browser->Describe();

  const std::string dom = browser->Stdout();
  EXPECT_EQ(ElementText(dom, "state"), "live") << dom;
  EXPECT_EQ(ElementText(dom, "interface"), lab_->reflector_if()) << dom;
  EXPECT_EQ(ElementText(dom, "datapath"), DataPath()) << dom;
  for (const char* id : {"rx-fps", "reflected-fps", "rx-total", "reflected-total"}) {
    const std::string value = ElementText(dom, id);
    EXPECT_FALSE(value.empty() || value == "0") << id << " shows \"" << value << "\"\n" << dom;
  }
  // The sessions table: the load's source ports, from the tester's address.
  EXPECT_FALSE(absl::StartsWith(ElementText(dom, "session-count"), "0")) << dom;
  EXPECT_TRUE(absl::StrContains(dom, "<td>198.18.0.1:40")) << dom;
  std::ofstream(OutputPath(absl::StrCat("dashboard-", GetParam(), ".html"))) << dom;
}

TEST_P(ReflectordHttpTest, NonLoopbackAddressNeedsATokenOrReadOnly) {
  absl::StatusOr<lab::LabProcess> daemon = lab_->RunReflectordToExit(
      {"--interface=" + lab_->reflector_if(), "--http=0.0.0.0:9842"}, kTimeout);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_EQ(daemon->Poll(), 2) << daemon->Describe();
  EXPECT_EQ(daemon->Stderr(),
            "reflectord: --http=0.0.0.0:9842 is not a loopback address: give --http_token_file "
            "(PUT and POST then need its token) or --http_read_only\n");
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordHttpTest, ::testing::Values("xdp", "afxdp"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
