// Classifies and reflects the shared frame table and prints each verdict: a look at the
// packet library at work without a network. bazel run //tools:frame_demo
#include <cstdio>

#include "reflector/packet/packet.h"
#include "reflector/packet/testing/frame_table.h"

int main() {
  using namespace reflector::packet;
  int reflected = 0;
  for (const testing::FrameCase& c : testing::FrameTable()) {
    std::vector<uint8_t> frame = c.frame;
    const Classification result = ClassifyAndReflect(absl::MakeSpan(frame), c.config);
    std::printf("%-34s %5zu bytes  %-10s %s\n", c.name.c_str(), c.frame.size(),
                std::string(VerdictName(result.verdict)).c_str(),
                result.reflect() ? std::string(SignatureText(result.signature())).c_str() : "");
    reflected += result.reflect();
  }
  std::printf("%d of %zu frames reflected\n", reflected, testing::FrameTable().size());
  return 0;
}
