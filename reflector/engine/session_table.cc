#include "reflector/engine/session_table.h"

#include <algorithm>

namespace reflector::engine {

SessionTable::SessionTable(size_t capacity) : capacity_(capacity) {
  table_.reserve(capacity);  // no allocation while counting
}

void SessionTable::TakeSlot(rf_session_cache_slot& cached, uint64_t fingerprint,
                            absl::Span<const uint8_t> frame, const rf_result& where) {
  rf_session_key key;
  if (rf_session_key_fill(frame.data(), frame.data() + frame.size(), where.l3_offset,
                          where.l4_offset, where.ip_version, where.vlan_tags, where.rule,
                          &key) != 0) {
    return;  // cannot happen: the fingerprint read the same bytes
  }
  rf_session_slot& slot = cached.slot;
  if (slot.counts.frames != 0) {
    auto it = table_.find(slot.key);
    if (it != table_.end()) {
      it->second.counts.frames += slot.counts.frames;
      it->second.counts.bytes += slot.counts.bytes;
    } else if (table_.size() < capacity_) {
      table_.emplace(slot.key, Entry{slot.counts, Age{}});
    } else {
      lost_frames_ += slot.counts.frames;
    }
  }
  slot.key = key;
  slot.counts.frames = 1;
  slot.counts.bytes = frame.size();
  cached.fingerprint = fingerprint;
  cache_age_[&cached - cache_.data()] = Age{};  // a new session in this slot
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
  for (size_t i = 0; i < cache_.size(); ++i) {
    rf_session_cache_slot& cached = cache_[i];
    if (cached.fingerprint == 0) continue;
    Age& age = cache_age_[i];
    auto entry = table_.find(cached.slot.key);
    if (!grew(age, cached.slot.counts.frames) && expired(age)) {
      // No frame since: none went to the table either, which only a displaced slot feeds.
      if (entry != table_.end()) table_.erase(entry);
      cached = {};
      age = {};
      continue;
    }
    // What the key moved to the table lives as long as its slot does.
    if (entry != table_.end()) {
      Age& moved = entry->second.age;
      grew(moved, entry->second.counts.frames);
      moved.changed_ns = std::max(moved.changed_ns, age.changed_ns);
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
  for (const rf_session_cache_slot& cached : cache_) {
    if (cached.slot.counts.frames != 0) copy.push_back(cached.slot);
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
