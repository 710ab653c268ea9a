// Per-tester sessions in the lab (issue 15), once per data path: two testers' streams
// (different source addresses and ports) show up in GET /api/v1/sessions as two sessions with
// exactly the frames and bytes each sent, expire after --session_idle without frames, and a
// tester that comes back starts a new session, which the summary at exit names. With
// --sessions=false the frames are still reflected and the API says that nothing is counted.
#include <signal.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "reflector/packet/testing/frame_builder.h"
#include "testing/daemon/datapath_lab_test.h"
#include "testing/lab/reflector_lab.h"

namespace reflector::testing {
namespace {

using nlohmann::json;
using packet::testing::FrameBuilder;

constexpr absl::Duration kTimeout = absl::Seconds(5);

std::string OutputPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  return absl::StrCat(dir ? dir : "/tmp", "/", name);
}

struct Tester {
  packet::testing::Ipv4Address ip;
  uint16_t port;
  int frames;
  // The i-th frame: frames differ (IP ID), as a tester's do, or the loop guard drops repeats.
  std::vector<uint8_t> Frame(int i = 0) const {
    return FrameBuilder()
        .Ipv4(ip, packet::testing::kReflectorIpv4)
        .IpId(static_cast<uint16_t>(i))
        .Ports(port, 3842)
        .Build();
  }
};

class ReflectordSessionsTest : public DataPathLabTest {
 protected:
  lab::ReflectorLabOptions LabOptions() const override {
    lab::ReflectorLabOptions options;
    options.ipv6 = false;  // no router or MLD traffic
    return options;
  }

  // reflectord on this data path with no periodic stats line and `flag`, once its HTTP API
  // serves.
  absl::StatusOr<lab::LabProcess> StartServing(const std::string& flag) {
    std::vector<std::string> flags = DataPathFlags();
    flags.push_back("--stats_interval=0");
    flags.push_back(flag);
    absl::StatusOr<lab::LabProcess> daemon = lab_->StartReflectord(flags);
    if (!daemon.ok()) return daemon.status();
    if (absl::Status serving = daemon->WaitForStderr("http: serving", kTimeout); !serving.ok()) {
      return absl::Status(serving.code(),
                          absl::StrCat(serving.message(), ": ", daemon->Describe()));
    }
    return daemon;
  }

  void SendAll(const std::vector<Tester>& testers) {
    size_t total = 0;
    for (const Tester& tester : testers) {
      for (int i = 0; i < tester.frames; ++i) ASSERT_TRUE(lab_->Send(tester.Frame(i)).ok());
      total += tester.frames;
    }
    absl::StatusOr<lab::Capture> capture = lab_->Collect(total, kTimeout);
    ASSERT_TRUE(capture.ok()) << capture.status();
    ASSERT_EQ(capture->returned.size(), total);
  }

  // GET /api/v1/sessions until `done` holds for its document (the daemon reads the data path
  // twice a second, workers publish four times a second), or the deadline; the last document.
  json SessionsUntil(httplib::Client& client, const std::function<bool(const json&)>& done,
                     absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    json doc;
    while (true) {
      httplib::Result result = client.Get("/api/v1/sessions");
      EXPECT_TRUE(result) << httplib::to_string(result.error());
      if (!result) return doc;
      EXPECT_EQ(result->status, 200) << result->body;
      doc = json::parse(result->body, nullptr, false);
      if (done(doc) || absl::Now() > deadline) return doc;
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
};

// The session of `tester` in `doc`, or null.
json Find(const json& doc, const Tester& tester) {
  const std::string ip = absl::StrCat(tester.ip[0], ".", tester.ip[1], ".", tester.ip[2], ".",
                                      tester.ip[3]);
  for (const json& session : doc["sessions"]) {
    if (session["src_ip"] == ip && session["src_port"] == tester.port) return session;
  }
  return nullptr;
}

TEST_P(ReflectordSessionsTest, TwoTestersCountedApartThenExpired) {
  absl::StatusOr<lab::LabProcess> daemon = StartServing("--session_idle=3s");
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  const std::vector<Tester> testers = {{{198, 18, 0, 1}, 40001, 7},
                                       {{198, 18, 0, 11}, 40002, 5}};
  SendAll(testers);

  absl::StatusOr<lab::NetnsEntry> inside = lab_->Enter(lab::End::kReflector);
  ASSERT_TRUE(inside.ok()) << inside.status();
  httplib::Client client("127.0.0.1", 9842);
  client.set_read_timeout(5);
  const auto counted = [&](const json& doc) {
    for (const Tester& tester : testers) {
      const json session = Find(doc, tester);
      if (session.is_null() || session["frames"] != tester.frames) return false;
    }
    return true;
  };
  const json doc = SessionsUntil(client, counted, kTimeout);
  std::ofstream(OutputPath(absl::StrCat("sessions-", GetParam(), ".json"))) << doc.dump(2);
  ASSERT_TRUE(counted(doc)) << doc.dump(2);
  EXPECT_EQ(doc["idle_s"], 3);
  EXPECT_EQ(doc["sessions"].size(), 2u) << doc.dump(2);
  for (const Tester& tester : testers) {
    const json session = Find(doc, tester);
    EXPECT_EQ(session["bytes"], tester.frames * tester.Frame().size()) << session.dump();
    EXPECT_EQ(session["src_mac"], packet::FormatMac(packet::testing::kTesterMac));
    EXPECT_EQ(session["dst_ip"], "198.18.0.2");
    EXPECT_EQ(session["dst_port"], 3842);
    EXPECT_EQ(session["vlan"], 0);
    EXPECT_EQ(session["rule"], "probeot");  // the ito profile's rule for FrameBuilder's frames
  }

  // Nothing more from either: both expire after the idle time.
  const json expired =
      SessionsUntil(client, [](const json& d) { return d["sessions"].empty(); }, 2 * kTimeout);
  EXPECT_TRUE(expired["sessions"].empty()) << expired.dump(2);

  // The first tester comes back: a new session, counted from zero.
  const Tester again = {testers[0].ip, testers[0].port, 3};
  SendAll({again});
  const json back = SessionsUntil(
      client, [&](const json& d) { return !Find(d, again).is_null() && Find(d, again)["frames"] == 3; },
      kTimeout);
  ASSERT_FALSE(Find(back, again).is_null()) << back.dump(2);
  EXPECT_EQ(Find(back, again)["frames"], 3);
  EXPECT_EQ(back["sessions"].size(), 1u) << back.dump(2);

  // The summary at exit names it (on stderr, as the lab's daemon prints JSON lines).
  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  absl::StatusOr<int> code = daemon->Wait(kTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << daemon->Describe();
  EXPECT_TRUE(absl::StrContains(
      daemon->Stderr(),
      absl::StrCat("sessions: 1\n  ", packet::FormatMac(packet::testing::kTesterMac),
                   " 198.18.0.1:40001 -> 198.18.0.2:3842 rule probeot: 3 frames, ")))
      << daemon->Stderr();
}

TEST_P(ReflectordSessionsTest, OffReflectsAndSaysSessionsAreNotCounted) {
  absl::StatusOr<lab::LabProcess> daemon = StartServing("--sessions=false");
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  SendAll({{{198, 18, 0, 1}, 40001, 7}});

  absl::StatusOr<lab::NetnsEntry> inside = lab_->Enter(lab::End::kReflector);
  ASSERT_TRUE(inside.ok()) << inside.status();
  httplib::Client client("127.0.0.1", 9842);
  client.set_read_timeout(5);
  // Past two of the daemon's readings (twice a second) and a worker's publication: a counted
  // session would be listed by then.
  absl::SleepFor(absl::Milliseconds(1200));
  const json doc = SessionsUntil(client, [](const json&) { return true; }, kTimeout);
  EXPECT_EQ(doc["counted"], false) << doc.dump(2);
  EXPECT_TRUE(doc["sessions"].empty()) << doc.dump(2);

  ASSERT_TRUE(daemon->Signal(SIGTERM).ok());
  absl::StatusOr<int> code = daemon->Wait(kTimeout);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << daemon->Describe();
  EXPECT_FALSE(absl::StrContains(daemon->Stderr(), "sessions: ")) << daemon->Stderr();
}

INSTANTIATE_TEST_SUITE_P(DataPaths, ReflectordSessionsTest,
                         ::testing::Values("xdp", "afxdp", "afpacket"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace reflector::testing
