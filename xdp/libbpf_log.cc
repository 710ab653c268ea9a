#include "xdp/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>

namespace reflector::xdp {
namespace {

std::FILE* g_out = stderr;
const char* g_prefix = "";

int Quiet(enum libbpf_print_level, const char*, va_list) { return 0; }

int Forward(enum libbpf_print_level, const char* format, va_list args) {
  std::fputs(g_prefix, g_out);
  return std::vfprintf(g_out, format, args);
}

}  // namespace

void RouteLibbpfLog(LibbpfLog level, std::FILE* out, const char* prefix) {
  g_out = out;
  g_prefix = prefix;
  libbpf_set_print(level == LibbpfLog::kDebug ? Forward : Quiet);
}

}  // namespace reflector::xdp
