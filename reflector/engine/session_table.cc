#include "reflector/engine/session_table.h"

#include <algorithm>

namespace reflector::engine {

SessionTable::SessionTable(size_t capacity) : capacity_(capacity) {
  table_.reserve(capacity);  // no allocation while counting
}

void SessionTable::TakeWay(rf_session_cache_set& set, uint64_t fingerprint,
                           absl::Span<const uint8_t> frame, const rf_result& where) {
  rf_session_key key;
  if (rf_session_key_fill(frame.data(), frame.data() + frame.size(), where.l3_offset,
                          where.l4_offset, where.ip_version, where.vlan_tags, where.rule,
                          &key) != 0) {
    return;  // cannot happen: the fingerprint read the same bytes
  }
  const uint32_t way = rf_session_victim_way(&set);
  rf_session_counts& counts = set.counts[way];
  if (counts.frames != 0) {
    auto it = table_.find(set.key[way]);
    if (it != table_.end()) {
      it->second.counts.frames += counts.frames;
      it->second.counts.bytes += counts.bytes;
    } else if (table_.size() < capacity_) {
      table_.emplace(set.key[way], Entry{counts, Age{}});
    } else {
      lost_frames_ += counts.frames;
    }
  }
  set.key[way] = key;
  counts.frames = 1;
  counts.bytes = frame.size();
  set.fingerprint[way] = fingerprint;
  cache_age_[&set - cache_.data()][way] = Age{};  // a new session in this way
}

void SessionTable::Expire(uint64_t now_ns) {
  const uint64_t idle_ns = idle_ns_.load(std::memory_order_relaxed);
  const auto grew = [now_ns](Age& age, uint64_t frames) {
    if (frames == age.seen_frames) return false;
    age = {frames, now_ns};
    return true;
  };
  const auto expired = [&](const Age& age) {
    return idle_ns != 0 && now_ns - age.changed_ns > idle_ns;
  };
  for (size_t index = 0; index < cache_.size(); ++index) {
    rf_session_cache_set& set = cache_[index];
    for (int way = 0; way < RF_SESSION_CACHE_WAYS; ++way) {
      if (set.fingerprint[way] == 0) continue;
      Age& age = cache_age_[index][way];
      auto entry = table_.find(set.key[way]);
      if (!grew(age, set.counts[way].frames) && expired(age)) {
        // No frame since: none went to the table either, which only a displaced way feeds.
        if (entry != table_.end()) table_.erase(entry);
        set.fingerprint[way] = 0;
        set.counts[way] = {};
        set.key[way] = {};
        age = {};
        continue;
      }
      // What the key moved to the table lives as long as its way does.
      if (entry != table_.end()) {
        Age& moved = entry->second.age;
        grew(moved, entry->second.counts.frames);
        moved.changed_ns = std::max(moved.changed_ns, age.changed_ns);
      }
    }
  }
  for (auto it = table_.begin(); it != table_.end();) {
    Age& age = it->second.age;
    if (!grew(age, it->second.counts.frames) && expired(age)) {
      table_.erase(it++);
    } else {
      ++it;
    }
  }
}

void SessionTable::Publish(uint64_t now_ns) {
  Expire(now_ns);
  Publish();
}

void SessionTable::Publish() {
  std::vector<rf_session_slot> copy;
  copy.reserve(cache_.size() + table_.size());
  for (const rf_session_cache_set& set : cache_) {
    for (int way = 0; way < RF_SESSION_CACHE_WAYS; ++way) {
      if (set.counts[way].frames != 0) copy.push_back({set.key[way], set.counts[way]});
    }
  }
  for (const auto& [key, entry] : table_) copy.push_back({key, entry.counts});
  absl::MutexLock lock(&mu_);
  published_ = std::move(copy);
  published_lost_ = lost_frames_;
}

std::vector<rf_session_slot> SessionTable::Read() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

uint64_t SessionTable::lost_frames() const {
  absl::MutexLock lock(&mu_);
  return published_lost_;
}

}  // namespace reflector::engine
