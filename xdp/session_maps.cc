#include "xdp/session_maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdint>

#include "xdp/bpf_status.h"

namespace reflector::xdp {

absl::StatusOr<std::vector<rf_session_slot>> ReadSessionMaps(const bpf_map* cache,
                                                             const bpf_map* table) {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return BpfErrorToStatus(cpus, "count the possible CPUs");
  std::vector<rf_session_slot> out;
  std::vector<rf_session_cache_set> per_cpu(static_cast<size_t>(cpus));
  for (uint32_t index = 0; index < RF_SESSION_CACHE_SETS; ++index) {
    if (const int err = bpf_map__lookup_elem(cache, &index, sizeof(index), per_cpu.data(),
                                             per_cpu.size() * sizeof(rf_session_cache_set), 0)) {
      return BpfErrorToStatus(err, "read the session cache");
    }
    for (const rf_session_cache_set& set : per_cpu) {
      for (int way = 0; way < RF_SESSION_CACHE_WAYS; ++way) {
        if (set.counts[way].frames != 0) out.push_back({set.key[way], set.counts[way]});
      }
    }
  }
  // The table, in one batch as big as the table: the kernel copies it bucket by bucket, so a
  // key the program adds or evicts meanwhile is read once or not at all, never twice.
  const int fd = bpf_map__fd(table);
  std::vector<rf_session_key> keys(RF_SESSION_TABLE_ENTRIES);
  std::vector<rf_session_counts> values(RF_SESSION_TABLE_ENTRIES);
  uint64_t batch_out = 0;
  uint32_t count = RF_SESSION_TABLE_ENTRIES;
  const int err = bpf_map_lookup_batch(fd, nullptr, &batch_out, keys.data(), values.data(),
                                       &count, nullptr);
  if (err != 0 && errno != ENOENT) return BpfErrorToStatus(-errno, "read the session table");
  for (uint32_t i = 0; i < count && i < RF_SESSION_TABLE_ENTRIES; ++i) {
    if (values[i].frames != 0) out.push_back({keys[i], values[i]});
  }
  return out;
}

}  // namespace reflector::xdp
