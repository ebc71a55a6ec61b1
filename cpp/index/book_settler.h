// book_settler.h: settles a batch's parsed books in book order while the
// batch is still being parsed, so that their stored text need not wait in
// memory for the whole batch (and then twice more, queued and written).
//
// Settling book i, once every book before it is settled:
//   - duplicate detection: a kept book whose text fingerprint equals an
//     earlier book's (in this batch or an earlier one) is marked duplicate,
//     with the first one's index, and its pairs and text are freed;
//   - with a text file: the book's deflated text is appended to it and freed
//     (ParsedBook::text_blocks, the sizes, stay for the segment writer's
//     table). The file is the segment's text.bin in the making: the writer
//     appends the block table and the footer, and fsyncs it.
// Book order makes both deterministic: the first book with a text wins, and
// the file's bytes do not depend on which thread parsed what.
//
// Thread safety: book_parsed() may be called from any number of threads at
// once (one call per book); begin() and finish() from one thread, with no
// book_parsed() running.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "index/batch.h"
#include "segment/text_store.h"

namespace tomes::index {

// Judges a parsed book against a live index, in place of the settler's own
// duplicate detection (the writer session, index_writer.h). Called in book
// order, one book at a time, for each book that was parsed and kept.
class SettleHook {
 public:
  enum class Verdict {
    kKeep,       // index it
    kUnchanged,  // the live index holds this book id with this text already: leave it
    kDuplicate,  // another live book has this text: skip it, *duplicate_of names that book
  };
  // kept_index: the book's number among the books its batch keeps so far
  // (its local book number in the segment `segment_name` if kept).
  virtual Verdict settle(const ParsedBook& book, const std::string& segment_name, std::uint32_t kept_index,
                         std::string* duplicate_of) = 0;

 protected:
  ~SettleHook() = default;
};

class BookSettler {
 public:
  // Starts on batch, whose books are the corpus's books [first, first +
  // batch->books.size()). text_path empty: no text is kept; else the file is
  // created there. REQUIRES: the previous batch was finish()ed.
  Status begin(Batch* batch, std::size_t first, const std::string& text_path);

  // Hands duplicate detection to hook (null: the settler's own, within the
  // run). REQUIRES: called before the first begin(); hook outlives the run.
  void set_hook(SettleHook* hook) { hook_ = hook; }

  // Book `index` (of the corpus) is parsed (or skipped): settles it and the
  // books after it that are parsed, if no other thread is settling (that
  // one, or a later call, will).
  void book_parsed(std::size_t index);

  // Every book is parsed: settles the rest and closes the text file (not
  // fsynced: the segment writer does). Records the file's size and CRC in
  // the batch. An error writing the text file is returned here.
  Status finish();

 private:
  using Fingerprint = TextFingerprint;
  using FingerprintHash = TextFingerprintHash;

  // Settles books from next_ on while they are parsed. REQUIRES: mutex_ held.
  void settle_ready();
  void settle(std::size_t index, ParsedBook* book);

  // Marks book a duplicate (or unchanged) and frees what the writer skips.
  static void drop(ParsedBook* book);

  SettleHook* hook_ = nullptr;
  std::uint32_t kept_ = 0;  // books the current batch keeps so far
  Batch* batch_ = nullptr;
  std::size_t first_ = 0;
  std::unique_ptr<std::atomic<bool>[]> parsed_;
  std::mutex mutex_;
  std::size_t next_ = 0;  // the first unsettled book, as an index into batch_->books
  std::unique_ptr<segment::TextStoreAppender> text_;  // store_text only
  // Across batches: each text's fingerprint -> the first book with it.
  std::unordered_map<Fingerprint, std::size_t, FingerprintHash> first_with_text_;
};

}  // namespace tomes::index
