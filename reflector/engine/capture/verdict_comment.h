// The packet comment a captured frame carries (issue 21): its verdict and, for a rejected
// frame, what in it the reason looked at against what the rules want, e.g.
//   rejected: oui (src 00:1b:21, allowed 00:c0:17)
//   rejected: port (dst port 5001, rules want 3842)
//   reflected: rule probeot, mode all, tos handshake
// Everything shown is read from the frame with bounds checks; what is missing or cut is left
// out. The text is plain ASCII (the pcapng writer escapes and bounds it again).
#ifndef REFLECTOR_ENGINE_CAPTURE_VERDICT_COMMENT_H_
#define REFLECTOR_ENGINE_CAPTURE_VERDICT_COMMENT_H_

#include <cstdint>
#include <string>

#include "absl/types/span.h"
#include "reflector/packet/config.h"

namespace reflector::engine::capture {

// `frame`: the bytes as received (maybe cut to the snap length). `config`: the rule table in
// force when the verdict was made (rule names, OUIs, ports, prefixes, the interface MAC).
std::string VerdictComment(uint32_t verdict, uint32_t rule, absl::Span<const uint8_t> frame,
                           const packet::CompiledConfig& config);

}  // namespace reflector::engine::capture

#endif  // REFLECTOR_ENGINE_CAPTURE_VERDICT_COMMENT_H_
