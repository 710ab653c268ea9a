// A worker's per-tester session counts (issue 15), in the XDP program's shape
// (xdp/session_count.h): a 2-way set-associative cache of RF_SESSION_CACHE_SETS sets, and a
// table behind it that a session displaced from its way moves its counts to. The worker counts
// with no lock or allocation per frame and publishes a copy now and then; the daemon reads the
// copies and adds them up per key (session_book.h). A session whose counts did not grow for
// the idle time (set_idle) is dropped when the worker publishes, so that the cache and the
// table keep room for new testers: the frames cost nothing more, the check runs four times a
// second over at most RF_SESSION_CACHE_SLOTS + capacity entries.
#ifndef REFLECTOR_ENGINE_SESSION_TABLE_H_
#define REFLECTOR_ENGINE_SESSION_TABLE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "reflector/packet/session.h"

namespace reflector::engine {

struct SessionKeyHash {
  size_t operator()(const rf_session_key& key) const {
    return absl::Hash<absl::string_view>()(
        absl::string_view(reinterpret_cast<const char*>(&key), sizeof(key)));
  }
};
struct SessionKeyEq {
  bool operator()(const rf_session_key& a, const rf_session_key& b) const {
    return rf_session_key_equal(&a, &b);
  }
};
template <typename V>
using SessionKeyMap = absl::flat_hash_map<rf_session_key, V, SessionKeyHash, SessionKeyEq>;

class SessionTable {
 public:
  // `capacity`: entries of the table behind the cache. A displaced session that finds it full
  // loses the counts it had in its way (`lost_frames`), as the kernel's LRU table would.
  explicit SessionTable(size_t capacity = RF_SESSION_TABLE_ENTRIES);

  // Worker thread: counts a reflected frame (as received) classified as `where`. Inline in
  // the worker's loop: a call would cost the frame more than the count does.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Count(absl::Span<const uint8_t> frame, const rf_result& where) {
    uint32_t index;
    const uint64_t fingerprint = rf_session_fingerprint_set(
        frame.data(), frame.data() + frame.size(), where.l3_offset, where.l4_offset,
        where.ip_version, where.vlan_tags, where.rule, &index);
    if (fingerprint == 0) return;
    rf_session_cache_set& set = cache_[index];
    const int way = rf_session_way_of(&set, fingerprint);
    if (way < 0) {
      TakeWay(set, fingerprint, frame, where);
      return;
    }
    ++set.counts[way].frames;
    set.counts[way].bytes += frame.size();
  }
  // Worker thread: publishes the counts for Read() when `now_ns` (any monotonic clock) is
  // `period_ns` or more past the last publication, or at once with Publish().
  void PublishIfDue(uint64_t now_ns, uint64_t period_ns) {
    if (now_ns - published_ns_ < period_ns) return;
    published_ns_ = now_ns;
    Publish(now_ns);
  }
  // Worker thread: drops the sessions idle for longer than the idle time at `now_ns`, then
  // publishes. A session's idle time counts from the first publication that saw it grow.
  void Publish(uint64_t now_ns);
  // Worker thread: publishes without dropping anything (the last counts, at exit).
  void Publish();

  // Any thread: how long a session may stay idle before the worker drops it; 0 (the
  // default): never. Read at the next publication.
  void set_idle_ns(uint64_t idle_ns) { idle_ns_.store(idle_ns, std::memory_order_relaxed); }

  // Any thread: the last publication, one entry per cache way or table entry in use (a key
  // may appear in both: add them up).
  std::vector<rf_session_slot> Read() const;
  uint64_t lost_frames() const;

 private:
  // A frame whose session holds neither way of `set`: takes the way rf_session_victim_way
  // picks, moving its counts to the table.
  ABSL_ATTRIBUTE_NOINLINE void TakeWay(rf_session_cache_set& set, uint64_t fingerprint,
                                       absl::Span<const uint8_t> frame, const rf_result& where);

  // When a way's or an entry's counts last grew, as the publications saw them.
  struct Age {
    uint64_t seen_frames = 0;  // 0 for a way just taken: counts never equal it
    uint64_t changed_ns = 0;
  };
  struct Entry {
    rf_session_counts counts;
    Age age;
  };
  void Expire(uint64_t now_ns);

  const size_t capacity_;
  std::array<rf_session_cache_set, RF_SESSION_CACHE_SETS> cache_ = {};
  std::array<std::array<Age, RF_SESSION_CACHE_WAYS>, RF_SESSION_CACHE_SETS> cache_age_ = {};
  SessionKeyMap<Entry> table_;
  std::atomic<uint64_t> idle_ns_{0};
  uint64_t lost_frames_ = 0;
  uint64_t published_ns_ = 0;
  mutable absl::Mutex mu_;
  std::vector<rf_session_slot> published_ ABSL_GUARDED_BY(mu_);
  uint64_t published_lost_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace reflector::engine

#endif  // REFLECTOR_ENGINE_SESSION_TABLE_H_
