// Where libbpf's own messages go. By default libbpf prints to stderr, and a program the
// verifier refuses prints its whole log (hundreds of lines) before our one-line error. The
// daemon keeps them for --log_level=debug; below that, the Status a loader returns says what
// went wrong.
#ifndef REFLECTOR_XDP_LIBBPF_LOG_H_
#define REFLECTOR_XDP_LIBBPF_LOG_H_

#include <cstdio>

namespace reflector::xdp {

enum class LibbpfLog {
  kQuiet,  // nothing
  kDebug,  // everything libbpf says, verifier logs included
};

// Sends libbpf's messages to `out` prefixed with `prefix` (e.g. "reflectord: debug: "; libbpf adds "libbpf: ")
// when kDebug, and drops them when kQuiet. Process-wide; call from main before loading.
void RouteLibbpfLog(LibbpfLog level, std::FILE* out, const char* prefix);

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_LIBBPF_LOG_H_
