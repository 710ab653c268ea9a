#include "reflector/daemon/http/api.h"

#include "gtest/gtest.h"
#include "reflector/daemon/report.h"

namespace reflector::daemon::http {
namespace {

using nlohmann::json;

DaemonOptions Defaults() {
  absl::StatusOr<DaemonOptions> options = ParseOptions({{"interface", "eth0"}});
  EXPECT_TRUE(options.ok()) << options.status();
  return *options;
}

TEST(ParseSettingsBodyTest, TakesScalarsAndListsAsTheConfigFileDoes) {
  ControlReply error;
  absl::StatusOr<Settings> settings = ParseSettingsBody(
      R"({"port": 5001, "vlan": false, "oui": ["00:c0:17", "00:19:b3"], "mode": "mac"})",
      &error);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(*settings, (Settings{{"port", "5001"},
                                 {"vlan", "false"},
                                 {"oui", "00:c0:17,00:19:b3"},
                                 {"mode", "mac"}}));
}

TEST(ParseSettingsBodyTest, RefusesWhatIsNotAnObjectOfSettings) {
  for (const char* body : {"", "{", "[1]", "{}", "42", "{\"port\": 1,}"}) {
    ControlReply error;
    EXPECT_FALSE(ParseSettingsBody(body, &error).ok()) << body;
    EXPECT_EQ(error.status, 400) << body;
  }
  ControlReply error;
  EXPECT_FALSE(ParseSettingsBody(R"({"port": {"x": 1}})", &error).ok());
  EXPECT_EQ(error.fields, std::vector<std::string>{"port"});
  EXPECT_EQ(error.message, "\"port\" must be a string, number, boolean or a list of them");
}

TEST(ValidateChangeTest, AppliesSettingsSighupApplies) {
  const DaemonOptions running = Defaults();
  DaemonOptions next;
  const ControlReply reply = ValidateChange(running, {{"port", "5001"}, {"mode", "mac"}}, &next);
  EXPECT_EQ(reply.status, 200) << reply.message;
  EXPECT_EQ(next.filter.port, 5001);
  EXPECT_EQ(next.filter.mode, packet::Mode::kMac);
  EXPECT_EQ(next.text.at("interface"), "eth0");  // the rest stays as it runs
}

TEST(ValidateChangeTest, NamesTheBadFieldAndChangesNothing) {
  const DaemonOptions running = Defaults();
  DaemonOptions next = running;
  ControlReply reply = ValidateChange(running, {{"port", "70000"}, {"mode", "mac"}}, &next);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.fields, std::vector<std::string>{"port"});
  EXPECT_NE(reply.message.find("--port"), std::string::npos) << reply.message;
  EXPECT_EQ(next.filter.mode, packet::Mode::kAll);

  reply = ValidateChange(running, {{"colour", "blue"}}, &next);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.message, "unknown setting \"colour\"");
}

TEST(ValidateChangeTest, ACombinationThatCannotCompileIsA400) {
  DaemonOptions next;
  // The loopback profile without a restriction is refused by Compile, not by one parser.
  const ControlReply reply = ValidateChange(Defaults(), {{"profile", "loopback"}}, &next);
  EXPECT_EQ(reply.status, 400) << reply.message;
  EXPECT_EQ(reply.fields, std::vector<std::string>{"profile"});
}

TEST(ValidateChangeTest, RestartOnlySettingsAre409NamingEachOne) {
  DaemonOptions next;
  const ControlReply reply = ValidateChange(
      Defaults(), {{"queues", "2"}, {"datapath", "xdp"}, {"port", "5001"}}, &next);
  EXPECT_EQ(reply.status, 409);
  EXPECT_EQ(reply.fields, (std::vector<std::string>{"datapath", "queues"}));
  EXPECT_EQ(reply.message, "only a restart can change datapath, queues; nothing was changed");
  // The same value as running is no change.
  EXPECT_EQ(ValidateChange(Defaults(), {{"interface", "eth0"}}, &next).status, 200);
}

TEST(ConfigDocumentTest, ListsEverySettingAndTheRestartOnlyOnes) {
  Running running;
  running.options = Defaults();
  const json document = ConfigDocument(running);
  EXPECT_EQ(document["settings"]["port"], "3842");
  EXPECT_EQ(document["settings"]["http"], "127.0.0.1:9842");
  EXPECT_EQ(document["settings"].size(), AllSettings().size());
  const std::vector<std::string> restart = document["restart_only"];
  EXPECT_NE(std::find(restart.begin(), restart.end(), "interface"), restart.end());
  EXPECT_EQ(std::find(restart.begin(), restart.end(), "port"), restart.end());
}

TEST(StatsDocumentTest, IsTheJsonStatsLine) {
  Snapshot snapshot;
  snapshot.previous_time = absl::FromUnixSeconds(100);
  snapshot.time = absl::FromUnixSeconds(102);
  snapshot.previous.rx_frames = 10;
  snapshot.counters.rx_frames = 30;
  snapshot.by_rule = {{"probeot", 7, 700}};
  EXPECT_EQ(StatsDocument(snapshot, false),
            StatsReporter::FormatLine(StatsFormat::kJson, snapshot.previous, snapshot.counters,
                                      absl::Seconds(2), snapshot.time, false, snapshot.by_rule));
  const json line = json::parse(StatsDocument(snapshot, false));
  EXPECT_EQ(line["rx_fps"], 10.0);
  EXPECT_EQ(line["reflected_by_rule"]["probeot"], 7);
}

TEST(StatusDocumentTest, NamesWhatTheBannerNames) {
  StartInfo start{"0.1.0", "eth0", "02:00:00:00:00:01", "xdp (native)", {"fell back: x"},
                  "1 queue", false, absl::FromUnixSeconds(1000)};
  Running running;
  running.options = Defaults();
  const json status = StatusDocument(start, running, absl::FromUnixSeconds(1010));
  EXPECT_EQ(status["interface"], "eth0");
  EXPECT_EQ(status["datapath"], "xdp (native)");
  EXPECT_EQ(status["fallbacks"][0], "fell back: x");
  EXPECT_EQ(status["uptime_s"], 10.0);
  EXPECT_EQ(status["mode"], "all");
}

TEST(DumpTest, InvalidUtf8IsReplacedNotFatal) {
  EXPECT_EQ(ErrorDocument("bad \xff value", {"k"}), "{\"error\":\"bad \xEF\xBF\xBD value\",\"fields\":[\"k\"]}");
}

}  // namespace
}  // namespace reflector::daemon::http
