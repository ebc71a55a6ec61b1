#include "index/live_books.h"

#include <algorithm>

namespace tomes::index {

void LiveBooks::load(const std::vector<std::shared_ptr<segment::SegmentReader>>& segments) {
  ids_.clear();
  by_text_.clear();
  new_names_.clear();
  pending_.clear();
  outcomes_.clear();
  duplicates_.clear();
  kept_at_.clear();
  settled_ = 0;
  committed_slots_ = static_cast<std::uint32_t>(segments.size());
  for (std::uint32_t slot = 0; slot < segments.size(); ++slot) {
    const segment::SegmentReader& seg = *segments[slot];
    for (std::uint32_t b = 0; b < seg.num_books(); ++b) {
      if (seg.book_deleted(b)) continue;
      Book book{{slot, b}, seg.book_record(b), nullptr};
      by_text_[{book.record.hash[0], book.record.hash[1]}] = std::string(seg.book_name(b));
      ids_.emplace(std::string(seg.book_name(b)), std::move(book));
    }
  }
}

LiveBooks::Outcome& LiveBooks::touch(const std::string& id) {
  auto [it, inserted] = outcomes_.try_emplace(id);
  if (inserted) it->second.was_live = is_live(id);
  return it->second;
}

void LiveBooks::forget(const std::string& id, const Book& book) {
  pending_[book.at.slot].push_back(book.at.book);
  const auto text = by_text_.find({book.record.hash[0], book.record.hash[1]});
  if (text != by_text_.end() && text->second == id) by_text_.erase(text);
}

bool LiveBooks::remove(const std::string& id) {
  const auto it = ids_.find(id);
  if (it == ids_.end()) return false;
  Outcome& outcome = touch(id);
  outcome.kept = outcome.unchanged = false;
  forget(id, it->second);
  ids_.erase(it);
  return true;
}

const segment::BookRecord* LiveBooks::record(const std::string& id) const {
  const auto it = ids_.find(id);
  return it == ids_.end() ? nullptr : &it->second.record;
}

std::vector<std::string> LiveBooks::ids() const {
  std::vector<std::string> out;
  out.reserve(ids_.size());
  for (const auto& [id, book] : ids_) out.push_back(id);
  return out;
}

SettleHook::Verdict LiveBooks::settle(const ParsedBook& parsed, const std::string& segment_name,
                                      std::uint32_t kept_index, std::string* duplicate_of) {
  const std::string& id = parsed.relative_path;
  const Fingerprint key{parsed.text_hash[0], parsed.text_hash[1]};
  ++settled_;
  Outcome& outcome = touch(id);
  const auto same = ids_.find(id);
  if (same != ids_.end() && same->second.record.hash[0] == key.a && same->second.record.hash[1] == key.b &&
      same->second.record.metadata == parsed.metadata) {
    if (!outcome.kept) outcome.unchanged = true;
    return Verdict::kUnchanged;
  }
  // The live book holding this text, if it is another id than this one.
  const auto twin = by_text_.find(key);
  if (twin != by_text_.end() && twin->second != id) {
    if (!by_id_order_ || twin->second < id) {
      *duplicate_of = twin->second;
      duplicates_.push_back({id, twin->second, settled_});
      // Under sync the folder no longer holds this id's older text: as
      // index_corpus of the folder, the id goes. A writer leaves it.
      if (by_id_order_ && same != ids_.end()) remove(id);
      return Verdict::kDuplicate;
    }
    const std::string displaced = twin->second;
    duplicates_.push_back({displaced, id, settled_});
    remove(displaced);
  }
  if (same != ids_.end()) remove(id);
  // Slots of new segments are numbered after the committed ones, in the
  // order their first book is kept (a batch that keeps nothing is never
  // written, and its name is used again by the next batch).
  if (new_names_.empty() || new_names_.back() != segment_name) new_names_.push_back(segment_name);
  const auto slot = static_cast<std::uint32_t>(committed_slots_ + new_names_.size() - 1);
  Book book;
  book.at = {slot, kept_index};
  book.owned = std::make_shared<std::string>(parsed.metadata);
  book.record = segment::BookRecord{parsed.file_size, parsed.mtime_ns, {key.a, key.b}, *book.owned};
  by_text_[key] = id;
  ids_[id] = std::move(book);
  kept_at_[id] = settled_;
  Outcome& now = touch(id);
  now.kept = true;
  now.unchanged = false;
  return Verdict::kKeep;
}

std::vector<std::pair<std::string, std::string>> LiveBooks::duplicates() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Duplicate& d : duplicates_) {
    const auto kept = kept_at_.find(d.id);
    if (kept != kept_at_.end() && kept->second > d.at && is_live(d.id)) continue;
    out.emplace_back(d.id, d.twin);
  }
  return out;
}

}  // namespace tomes::index
