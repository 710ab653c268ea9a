#include "testing/lab/datapath_variant.h"

#include "gtest/gtest.h"

namespace reflector::testing::lab {
namespace {

TEST(DataPathVariantTest, NamesMapToADataPathAndItsFlags) {
  EXPECT_EQ(DataPathOf("afxdp+spin"), "afxdp");
  EXPECT_EQ(DataPathOf("afpacket+blocks"), "afpacket");
  EXPECT_EQ(DataPathOf("xdp"), "xdp");
  EXPECT_EQ(DataPathFlags("afxdp+kernel"),
            (std::vector<std::string>{"--datapath=afxdp", "--busy_poll=kernel"}));
  EXPECT_EQ(DataPathFlags("afpacket+blocks"),
            (std::vector<std::string>{"--datapath=afpacket", "--afpacket_rx=blocks"}));
  EXPECT_EQ(DataPathFlags("afpacket"), (std::vector<std::string>{"--datapath=afpacket"}));
  EXPECT_EQ(DataPathFlags("afxdp+rt"),
            (std::vector<std::string>{"--datapath=afxdp", "--worker_priority=1"}));
  EXPECT_EQ(FindDataPathVariant("afxdp"), nullptr);
  for (const DataPathVariant& variant : DataPathVariants()) {
    EXPECT_EQ(FindDataPathVariant(variant.name), &variant);
  }
  EXPECT_EQ(DataPathTestName("afpacket+spin"), "afpacket_spin");
  EXPECT_EQ(DataPathTestName("xdp"), "xdp");
}

TEST(DataPathVariantTest, DpdkRunsOnAVdevOverTheLabInterface) {
  EXPECT_EQ(DataPathFlags("dpdk", "rflab1r"),
            (std::vector<std::string>{"--datapath=dpdk",
                                      "--dpdk_eal_args=-l 0 --no-huge --no-pci --no-shconf "
                                      "--no-telemetry --vdev=net_af_packet0,iface=rflab1r"}));
  EXPECT_EQ(DataPathFlags("afpacket", "rflab1r"),
            (std::vector<std::string>{"--datapath=afpacket"}));
}

}  // namespace
}  // namespace reflector::testing::lab
