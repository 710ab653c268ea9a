#include "tools/bench/queues.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace reflector::bench {
namespace {

QueueRow Row(const std::string& datapath, int queues, std::vector<double> worker_fps) {
  QueueRow row;
  row.frame_size = 64;
  row.datapath = datapath;
  row.queues = queues;
  row.tester_cpus = {0, 1};
  row.worker_cpus = queues == 1 ? std::vector<int>{1} : std::vector<int>{0, 1};
  row.offered_fps = 2e6;
  for (double fps : worker_fps) row.reflected_fps += fps;
  row.worker_fps = std::move(worker_fps);
  return row;
}

TEST(FormatQueueRowsTest, EachWorkerAndTheRatioToOneQueue) {
  QueueRunSettings settings;
  settings.duration = absl::Seconds(2);
  QueueRow failed = Row("afpacket", 2, {});
  failed.error = "2 workers need 2 CPUs";
  const std::string text = FormatQueueRows(
      {Row("afxdp", 1, {200000}), Row("afxdp", 2, {150000, 160000}), failed}, settings,
      /*markdown=*/true);
  EXPECT_NE(text.find("| 64 | afxdp | 1 | 0,1 | 1 | 2.000 | 0.200 | 0.200 | 1.00 | - |"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("| 64 | afxdp | 2 | 0,1 | 0,1 | 2.000 | 0.310 | 0.150 + 0.160 | 1.55 | - |"),
            std::string::npos)
      << text;
  // No one-queue afpacket row to compare with, and the reason it was not measured.
  EXPECT_NE(text.find("| 64 | afpacket | 2 | 0,1 | 0,1 | - | - | - | - | 2 workers need 2 CPUs |"),
            std::string::npos)
      << text;
}

TEST(CpusForTest, TheTesterKeepsOffTheWorkersCpusWhileThereIsOneFree) {
  const QueueCpus one = CpusFor(1, 2);
  EXPECT_EQ(one.workers, std::vector<int>{1});
  EXPECT_EQ(one.tester, std::vector<int>{0});
  const QueueCpus two = CpusFor(2, 2);
  EXPECT_EQ(two.workers, (std::vector<int>{0, 1}));
  EXPECT_EQ(two.tester, (std::vector<int>{0, 1}));
  // More CPUs than the rows use: still two at most, the worker on the last one.
  const QueueCpus wide = CpusFor(1, 8);
  EXPECT_EQ(wide.workers, std::vector<int>{7});
  EXPECT_EQ(wide.tester, (std::vector<int>{0, 1}));
  const QueueCpus single = CpusFor(1, 1);
  EXPECT_EQ(single.workers, std::vector<int>{0});
  EXPECT_EQ(single.tester, std::vector<int>{0});
}

TEST(RunQueueRowsTest, NoneMeasuresNothingAndBadCountsAreRefused) {
  const absl::StatusOr<QueueReport> none =
      RunQueueRows("none", {"afxdp"}, {64}, absl::Seconds(1), "/tmp");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->text.empty());
  EXPECT_TRUE(none->complete);
  // Only afxdp and afpacket have workers: nothing to measure for xdp alone.
  const absl::StatusOr<QueueReport> xdp =
      RunQueueRows("1,2", {"xdp"}, {64}, absl::Seconds(1), "/tmp");
  ASSERT_TRUE(xdp.ok());
  EXPECT_TRUE(xdp->text.empty());
  EXPECT_FALSE(RunQueueRows("0", {"afxdp"}, {64}, absl::Seconds(1), "/tmp").ok());
  EXPECT_FALSE(RunQueueRows("two", {"afxdp"}, {64}, absl::Seconds(1), "/tmp").ok());
}

}  // namespace
}  // namespace reflector::bench
