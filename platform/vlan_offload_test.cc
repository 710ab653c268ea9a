// The record that lets a later reflectord undo what a killed one left. Turning the offload
// itself on and off needs a NIC or a veth: testing/daemon/reflectord_kill_test.cc does that.
#include "platform/vlan_offload.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace reflector::platform {
namespace {

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

TEST(RxVlanOffloadRecord, OnePerInterfaceAndNetworkNamespace) {
  const std::string a = RxVlanOffloadOff::RecordPath("eth0", "/run/reflectord");
  EXPECT_TRUE(absl::StartsWith(a, "/run/reflectord/eth0.netns-")) << a;
  EXPECT_TRUE(absl::EndsWith(a, ".rx-vlan-offload")) << a;
  EXPECT_NE(a, RxVlanOffloadOff::RecordPath("eth1", "/run/reflectord"));
}

TEST(RxVlanOffloadRecord, NothingToRestoreWithoutARecord) {
  absl::StatusOr<std::string> restored = RxVlanOffloadOff::RestoreLeftover("lo", TempDir());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(*restored, "");
  restored = RxVlanOffloadOff::RestoreLeftover("lo", "");
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(*restored, "");
}

TEST(RxVlanOffloadRecord, ARecordForAnInterfaceThatCannotBeRestoredIsAnError) {
  // No interface has this name, so the offload cannot be turned back on: the record stays and
  // the error names the interface.
  const std::string name = "rfnone" + std::to_string(getpid() % 100000);
  const std::string record = RxVlanOffloadOff::RecordPath(name, TempDir());
  std::ofstream(record) << "rx-vlan-offload was on\n";
  absl::StatusOr<std::string> restored = RxVlanOffloadOff::RestoreLeftover(name, TempDir());
  EXPECT_FALSE(restored.ok());
  EXPECT_TRUE(absl::StrContains(restored.status().message(), name)) << restored.status();
  EXPECT_EQ(access(record.c_str(), F_OK), 0);
  std::remove(record.c_str());
}

TEST(RxVlanOffloadOff, AnInterfaceWithoutTheOffloadIsLeftAlone) {
  // lo has no rx-vlan-offload: nothing changes and no record is written.
  absl::StatusOr<std::unique_ptr<RxVlanOffloadOff>> guard = RxVlanOffloadOff::Apply("lo", TempDir());
  ASSERT_TRUE(guard.ok()) << guard.status();
  EXPECT_FALSE((*guard)->changed());
  EXPECT_NE(access(RxVlanOffloadOff::RecordPath("lo", TempDir()).c_str(), F_OK), 0);
}

}  // namespace
}  // namespace reflector::platform
