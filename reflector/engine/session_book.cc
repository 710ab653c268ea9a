#include "reflector/engine/session_book.h"

#include <algorithm>

namespace reflector::engine {

void SessionBook::Update(absl::Span<const rf_session_slot> reading, absl::Time now,
                         absl::Duration idle) {
  SessionKeyMap<rf_session_counts> totals;
  for (const rf_session_slot& entry : reading) {
    rf_session_counts& total = totals[entry.key];
    total.frames += entry.counts.frames;
    total.bytes += entry.counts.bytes;
  }
  for (const auto& [key, total] : totals) {
    auto [it, inserted] = entries_.try_emplace(key);
    Entry& entry = it->second;
    if (!inserted && total.frames <= entry.frames) {
      // Unchanged (or a low reading, see Update). An expired session whose source started
      // again from zero (its key left a full table and came back) is a new one.
      if (entry.live || total.frames == entry.frames) continue;
      entry = Entry();
    }
    if (!entry.live) {  // a new session, from the counts its key has now
      entry.base_frames = entry.frames;
      entry.base_bytes = entry.bytes;
      entry.first_seen = now;
      entry.live = true;
    }
    entry.frames = total.frames;
    entry.bytes = total.bytes;
    entry.last_seen = now;
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& entry = it->second;
    if (entry.live && idle > absl::ZeroDuration() && now - entry.last_seen > idle) {
      entry.live = false;
    }
    // An expired key that no source holds any more has no counts to start from again.
    if (!entry.live && !totals.contains(it->first)) {
      entries_.erase(it++);
    } else {
      ++it;
    }
  }
}

std::vector<Session> SessionBook::Live() const {
  std::vector<Session> live;
  for (const auto& [key, entry] : entries_) {
    if (!entry.live) continue;
    live.push_back({key, entry.frames - entry.base_frames, entry.bytes - entry.base_bytes,
                    entry.first_seen, entry.last_seen});
  }
  std::sort(live.begin(), live.end(), [](const Session& a, const Session& b) {
    if (a.frames != b.frames) return a.frames > b.frames;
    return std::memcmp(&a.key, &b.key, sizeof(a.key)) < 0;
  });
  return live;
}

}  // namespace reflector::engine
