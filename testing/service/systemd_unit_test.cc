#include "testing/service/systemd_unit.h"

#include "gtest/gtest.h"

namespace reflector::testing::service {
namespace {

TEST(SystemdUnit, ReadsSectionsRepeatedKeysAndInstanceSpecifiers) {
  absl::StatusOr<SystemdUnit> unit = SystemdUnit::Parse(
      "# comment\n[Unit]\nDescription=on %I\n\n[Service]\n; also a comment\n"
      "ExecStart=/usr/sbin/x --interface=%I --config=/etc/x/%i.toml --pct=5%%\n"
      "SystemCallFilter=@system-service\nSystemCallFilter=bpf\n",
      "eth0");
  ASSERT_TRUE(unit.ok()) << unit.status();
  EXPECT_EQ(unit->Value("Unit", "Description").value_or(""), "on eth0");
  EXPECT_EQ(unit->Values("Service", "SystemCallFilter"),
            (std::vector<std::string>{"@system-service", "bpf"}));
  EXPECT_EQ(unit->Value("Service", "SystemCallFilter").value_or(""), "bpf");
  EXPECT_FALSE(unit->Value("Service", "User").ok());
  absl::StatusOr<std::vector<std::string>> exec = unit->ExecStart();
  ASSERT_TRUE(exec.ok()) << exec.status();
  EXPECT_EQ(*exec, (std::vector<std::string>{"/usr/sbin/x", "--interface=eth0",
                                             "--config=/etc/x/eth0.toml", "--pct=5%"}));
}

TEST(SystemdUnit, RefusesWhatItCannotRunFaithfully) {
  EXPECT_FALSE(SystemdUnit::Parse("[Service]\nExecStart=/x %n\n", "eth0").ok());
  EXPECT_FALSE(SystemdUnit::Parse("ExecStart=/x\n", "eth0").ok());
  absl::StatusOr<SystemdUnit> prefixed = SystemdUnit::Parse("[Service]\nExecStart=-/x\n", "e");
  ASSERT_TRUE(prefixed.ok());
  EXPECT_FALSE(prefixed->ExecStart().ok());
  absl::StatusOr<SystemdUnit> quoted = SystemdUnit::Parse("[Service]\nExecStart=/x \"a b\"\n", "e");
  ASSERT_TRUE(quoted.ok());
  EXPECT_FALSE(quoted->ExecStart().ok());
}

TEST(SystemdUnit, CapabilitiesAndTimeSpansInSetprivAndAbseilTerms) {
  EXPECT_EQ(SystemdUnit::SetprivCaps("CAP_NET_ADMIN CAP_BPF"), "+net_admin,+bpf");
  EXPECT_EQ(SystemdUnit::TimeSpan("10s").value_or(absl::ZeroDuration()), absl::Seconds(10));
  EXPECT_EQ(SystemdUnit::TimeSpan("500ms").value_or(absl::ZeroDuration()),
            absl::Milliseconds(500));
  EXPECT_EQ(SystemdUnit::TimeSpan("3").value_or(absl::ZeroDuration()), absl::Seconds(3));
  EXPECT_EQ(SystemdUnit::TimeSpan("2min").value_or(absl::ZeroDuration()), absl::Minutes(2));
  EXPECT_FALSE(SystemdUnit::TimeSpan("soon").ok());
}

}  // namespace
}  // namespace reflector::testing::service
