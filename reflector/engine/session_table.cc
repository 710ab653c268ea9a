#include "reflector/engine/session_table.h"

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
      it->second.frames += slot.counts.frames;
      it->second.bytes += slot.counts.bytes;
    } else if (table_.size() < capacity_) {
      table_.emplace(slot.key, slot.counts);
    } else {
      lost_frames_ += slot.counts.frames;
    }
  }
  slot.key = key;
  slot.counts.frames = 1;
  slot.counts.bytes = frame.size();
  cached.fingerprint = fingerprint;
}

void SessionTable::Publish() {
  std::vector<rf_session_slot> copy;
  copy.reserve(cache_.size() + table_.size());
  for (const rf_session_cache_slot& cached : cache_) {
    if (cached.slot.counts.frames != 0) copy.push_back(cached.slot);
  }
  for (const auto& [key, counts] : table_) copy.push_back({key, counts});
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
