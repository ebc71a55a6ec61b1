// live_books.h: the books a writer session sees as live, by id and by text
// fingerprint, and what the session has done to them since its last commit.
// It is the SettleHook (book_settler.h) that judges each parsed book:
//
//   - the id is live with the same text and metadata: unchanged (kept as it is);
//   - another live book has the same text: a duplicate (SPEC 2, judged
//     against the live index). With `by_id_order` (sync), the book with the
//     smaller id wins, as index_corpus of the folder would keep it: a live
//     twin with a larger id is deleted instead;
//   - else kept: a live book of that id is deleted (replaced).
//
// Deletions are recorded per segment as local book numbers (`pending`), for
// deletions.h to write at commit.
//
// Thread safety: one thread at a time (the settler calls it under its lock).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "index/book_settler.h"
#include "segment/segment_reader.h"

namespace tomes::index {

class LiveBooks final : public SettleHook {
 public:
  struct Location {
    std::uint32_t slot = 0;  // the segment: its index in the session's working list
    std::uint32_t book = 0;  // local book number
  };

  // The live books of segments (the committed ones, in order: slot i is
  // segments[i]), deleted books excluded.
  void load(const std::vector<std::shared_ptr<segment::SegmentReader>>& segments);

  // Sync's rule for duplicates (above).
  void set_by_id_order(bool on) { by_id_order_ = on; }

  Verdict settle(const ParsedBook& book, const std::string& segment_name, std::uint32_t kept_index,
                 std::string* duplicate_of) override;

  // Deletes a live book: false if id is not live.
  bool remove(const std::string& id);
  // A live book found unchanged without being read (sync).
  void mark_unchanged(const std::string& id) { touch(id).unchanged = true; }
  bool is_live(const std::string& id) const { return ids_.count(id) != 0; }
  // The live book's record (size, mtime, hash, metadata). REQUIRES: is_live(id).
  const segment::BookRecord* record(const std::string& id) const;
  // Every live id (unordered).
  std::vector<std::string> ids() const;

  // Slots of segments written in this session, in the order they were
  // first kept into: their names.
  const std::vector<std::string>& new_segment_names() const { return new_names_; }
  // Per slot, the local books to delete at commit (unsorted).
  const std::map<std::uint32_t, std::vector<std::uint32_t>>& pending() const { return pending_; }

  // What the session did since the last commit, per id.
  struct Outcome {
    bool was_live = false;  // live at the last commit
    bool kept = false;      // a new version was kept this session
    bool unchanged = false;
  };
  const std::map<std::string, Outcome>& outcomes() const { return outcomes_; }
  // Books deleted by sync's rule: (deleted id, the smaller id kept with its text).
  const std::vector<std::pair<std::string, std::string>>& displaced() const { return displaced_; }

 private:
  using Fingerprint = TextFingerprint;
  using FingerprintHash = TextFingerprintHash;
  struct Book {
    Location at;
    segment::BookRecord record;  // metadata viewed in the segment's map, or in `owned`
    std::shared_ptr<std::string> owned;  // metadata of a book kept this session
  };

  Outcome& touch(const std::string& id);
  void forget(const std::string& id, const Book& book);

  std::unordered_map<std::string, Book> ids_;
  std::unordered_map<Fingerprint, std::string, FingerprintHash> by_text_;
  std::uint32_t committed_slots_ = 0;
  std::vector<std::string> new_names_;
  std::map<std::uint32_t, std::vector<std::uint32_t>> pending_;
  std::map<std::string, Outcome> outcomes_;
  std::vector<std::pair<std::string, std::string>> displaced_;
  bool by_id_order_ = false;
};

}  // namespace tomes::index
