#include "testing/lab/reflections.h"

#include "reflector/packet/testing/frame_builder.h"

namespace reflector::testing::lab {

absl::StatusOr<size_t> CountReflections(ReflectorLab& lab, uint16_t id) {
  const packet::testing::FrameBuilder frame = packet::testing::FrameBuilder().IpId(id);
  if (absl::Status sent = lab.Send(frame.Build()); !sent.ok()) return sent;
  absl::StatusOr<Capture> capture = lab.Collect(1, absl::Seconds(3));
  if (!capture.ok()) return capture.status();
  const Frame reflected = frame.Reflected(packet::Mode::kAll, /*tos_handshake=*/true).Build();
  size_t count = 0;
  for (const Frame& back : capture->returned) count += back == reflected;
  return count;
}

}  // namespace reflector::testing::lab
