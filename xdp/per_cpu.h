// Reading entry 0 of a one-entry per-CPU array map: every CPU's copy, for the caller to add
// up. The counter record and the capture's state are both read this way.
#ifndef REFLECTOR_XDP_PER_CPU_H_
#define REFLECTOR_XDP_PER_CPU_H_

#include <bpf/libbpf.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "xdp/bpf_status.h"

namespace reflector::xdp {

template <typename T>
absl::StatusOr<std::vector<T>> ReadPerCpuEntry(const bpf_map* map, absl::string_view what) {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return BpfErrorToStatus(cpus, "count the possible CPUs");
  std::vector<T> per_cpu(static_cast<size_t>(cpus));
  const uint32_t key = 0;
  if (const int err = bpf_map__lookup_elem(map, &key, sizeof(key), per_cpu.data(),
                                           per_cpu.size() * sizeof(T), 0)) {
    return BpfErrorToStatus(err, absl::StrCat("read ", what));
  }
  return per_cpu;
}

}  // namespace reflector::xdp

#endif  // REFLECTOR_XDP_PER_CPU_H_
