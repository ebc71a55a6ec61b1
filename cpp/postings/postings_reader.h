// postings_reader.h: reads one term's postings (postings_format.h) in place
// from its docs and freqs regions (memory-mapped files, copying nothing but
// the block being decoded).
//
// Three ways in:
//   - decode_postings: the whole term into vectors, everything validated
//     (tests, `verify`, merging segments).
//   - PostingsCursor: the search stage's iterator, block by block: doc(),
//     freq(), next(), next_geq() through the skip table, and each block's
//     bounds (last doc, impacts) for block-max WAND / MaxScore.
//   - TermBlocks: the block-level view both are built on (dump tools).
//
// Nothing here trusts the bytes: opening a term checks the region sizes and
// the whole skip table, and sums the table's widths into every block's start
// in both regions, which must account for every byte (O(blocks), once; any
// block is then reached in O(1)); decoding a block checks its byte bounds,
// its width (against the skip table's too), its varints or a packed tail's
// unused bits, that its doc ids increase and stay < num_docs and agree with
// the skip table, and that its frequencies are >= 1 and agree with the
// impacts' max tf.
// Any damage is a Corruption status saying what was expected and what
// was found; no input makes these read out of bounds, loop, or crash. The
// caller adds the file and term to the message.
//
// Thread safety: TermBlocks is immutable once opened, any number of threads
// may decode from it. A PostingsCursor belongs to one thread at a time.
// REQUIRES: the regions outlive every TermBlocks and cursor over them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/coding.h"
#include "common/status.h"
#include "postings/postings_format.h"
#include "postings/postings_writer.h"

namespace tomes::postings {

// Decodes a whole term, validating everything: Corruption (the message says
// what was expected and what was found) if the bytes do not hold exactly
// `count` postings with doc ids strictly increasing and < num_docs, freqs >= 1,
// in canonical form, every byte consumed. On error *docs and *freqs are
// unspecified.
Status decode_postings(std::string_view docs_region, std::string_view freqs_region,
                       std::uint32_t count, std::uint32_t num_docs,
                       std::vector<std::uint32_t>* docs, std::vector<std::uint32_t>* freqs);

// decode_postings, and also that every skip entry's impacts are exactly
// block_impacts() of its block's frequencies and doc_lengths[d] (what the
// bytes alone cannot check).
// REQUIRES: doc_lengths has num_docs entries.
Status verify_postings(std::string_view docs_region, std::string_view freqs_region,
                       std::uint32_t count, std::uint32_t num_docs,
                       const std::uint32_t* doc_lengths);

// One block's bounds, for block-max scoring: every posting in the block has
// doc <= last_doc and is dominated by one of impacts[0..count) (tf <= its tf
// and dl >= its dl), so the largest BM25 score over the pairs bounds the
// block's scores for any k1 and b (search/bm25.h bound()).
//
// From the skip table (postings_format.h, "IMPACTS"): 1 to 4 pairs, tf and dl
// strictly increasing. A stored tf of 65535 ("65535 or more") is 0xFFFFFFFF
// here, which callers must treat as +infinity (it is: no tf exceeds it, so
// any score bound computed from it stays an upper bound). A dl is min(dl,
// 65535): exact below 65535, otherwise a valid lower bound. Without a table
// (a term of one block) the cursor computes the same summary from the block
// and the doc lengths, or, without doc lengths, the one pair (max tf, 0).
// count is 0 only past the last block (nothing left to score).
struct BlockBounds {
  std::uint32_t last_doc = kNoDoc;
  std::uint32_t count = 0;
  Impact impacts[kMaxImpacts] = {};

  // The block's largest tf (0xFFFFFFFF: +infinity) and smallest dl.
  std::uint32_t max_tf() const { return count == 0 ? 0 : impacts[count - 1].tf; }
  std::uint32_t min_dl() const { return count == 0 ? 0xFFFFFFFFu : impacts[0].dl; }
};

// A term's regions, sizes and skip table checked; decodes any block alone.
class TermBlocks {
 public:
  // An empty term (count 0).
  TermBlocks() = default;

  // Checks the sizes and the skip table (O(blocks)) and opens the term.
  static Status open(std::string_view docs_region, std::string_view freqs_region,
                     std::uint32_t count, std::uint32_t num_docs, TermBlocks* out);

  std::uint32_t count() const { return count_; }
  std::uint32_t num_docs() const { return num_docs_; }
  std::uint32_t num_blocks() const { return blocks_; }
  bool has_skip_table() const { return table_ != nullptr; }
  // Postings in block i (kBlockSize but for a tail). REQUIRES: i < num_blocks().
  std::uint32_t block_size(std::uint32_t i) const {
    return i + 1 < blocks_ || count_ % kBlockSize == 0 ? kBlockSize : count_ % kBlockSize;
  }
  // Skip-table fields of block i (a stored tf of 65535 as 0xFFFFFFFF: see
  // BlockBounds). REQUIRES: has_skip_table(), i < num_blocks().
  std::uint32_t table_last_doc(std::uint32_t i) const { return u32(i, kSkipLastDoc); }
  BlockBounds table_bounds(std::uint32_t i) const {
    BlockBounds b;
    b.last_doc = u32(i, kSkipLastDoc);
    // open() checked the used pairs come first, then all-zero ones.
    for (std::uint32_t j = 0; j < kMaxImpacts; ++j) {
      const std::uint32_t tf = impact_tf(i, j);
      if (tf == 0) break;
      b.impacts[j] = {tf == kSkipSaturated ? 0xFFFFFFFFu : tf, impact_dl(i, j)};
      b.count = j + 1;
    }
    return b;
  }
  // The stored (u16) tf and dl of impact pair j of block i.
  std::uint32_t impact_tf(std::uint32_t i, std::uint32_t j) const {
    return u16(i, kSkipImpacts + j * kImpactSize + kImpactTf);
  }
  std::uint32_t impact_dl(std::uint32_t i, std::uint32_t j) const {
    return u16(i, kSkipImpacts + j * kImpactSize + kImpactDl);
  }

  // The first block at or after `from` whose last doc is >= target, or
  // num_blocks() if none; galloping, O(log distance), each step O(1).
  // REQUIRES: has_skip_table(); from <= num_blocks().
  std::uint32_t find_block(std::uint32_t target, std::uint32_t from) const;

  // Decodes block i into docs[0..block_size(i)) and freqs[0..block_size(i)),
  // checking everything the bytes can tell; *max_tf gets the block's largest
  // frequency. REQUIRES: i < num_blocks(); docs and freqs have room for
  // kBlockSize values.
  Status decode(std::uint32_t i, std::uint32_t* docs, std::uint32_t* freqs,
                std::uint32_t* max_tf) const;
  // decode's two halves, each checking what concerns its region: a cursor
  // decodes a block's frequencies only once it is asked for one.
  Status decode_docs(std::uint32_t i, std::uint32_t* docs) const;
  Status decode_freqs(std::uint32_t i, std::uint32_t* freqs, std::uint32_t* max_tf) const;

 private:
  const unsigned char* entry(std::uint32_t i) const {
    return table_ + std::size_t{i} * kSkipEntrySize;
  }
  std::uint32_t u32(std::uint32_t i, std::size_t at) const { return get_u32(entry(i) + at); }
  std::uint32_t u16(std::uint32_t i, std::size_t at) const { return get_u16(entry(i) + at); }
  // The two regions; the values index starts_ (docs first).
  enum Region { kDocsRegion = 0, kFreqsRegion = 1 };
  static const char* region_name(Region region);

  // Byte range [*begin, *end) of block i in a region's block data.
  void block_range(std::uint32_t i, Region region, std::size_t data_size, std::size_t* begin,
                   std::size_t* end) const;
  Status corrupt(std::uint32_t i, const char* region, const std::string& what) const;

  // decode's steps. Each returns true, or false with the Corruption for
  // what it checks in *error. m is block_size(i); out, docs and freqs have
  // room for m values.
  //
  // Reads block i's raw values (doc gaps or tf - 1) of one region into
  // out[0..m); *width: the packed width, or kMaxWidth + 1 for a varint tail
  // (which has no width byte, so no width check applies).
  bool read_block(std::uint32_t i, Region region, std::uint32_t m, std::uint32_t* out,
                  unsigned* width, Status* error) const;
  // A packed block's width byte: at most 32, and the skip table's.
  bool check_width_byte(std::uint32_t i, Region region, unsigned w, Status* error) const;
  // The bytes p[0..size) of a packed full block / packed tail / varint tail
  // (p[0] is the width byte of the packed ones, already checked): their size
  // (a tail's padding bits or varints too), unpacked into out.
  bool read_packed_block(std::uint32_t i, Region region, unsigned w, const std::uint8_t* p,
                         std::size_t size, std::uint32_t* out, Status* error) const;
  bool read_packed_tail(std::uint32_t i, Region region, std::uint32_t m, unsigned w,
                        const std::uint8_t* p, std::size_t size, std::uint32_t* out,
                        Status* error) const;
  bool read_varint_tail(std::uint32_t i, Region region, std::uint32_t m, const std::uint8_t* p,
                        std::size_t size, std::uint32_t* out, Status* error) const;
  // Gaps to doc ids in place, checking the last id against the skip table and
  // num_docs; *any: the OR of the gaps.
  bool gaps_to_docs(std::uint32_t i, std::uint32_t m, std::uint32_t* docs, std::uint32_t* any,
                    Status* error) const;
  // tf - 1 to tf in place, refusing a tf of 2^32; *any: the OR of the values
  // read, *top: the largest tf.
  bool values_to_freqs(std::uint32_t i, std::uint32_t m, std::uint32_t* freqs,
                       std::uint32_t* any, std::uint32_t* top, Status* error) const;
  // A packed block's width is the smallest that holds its values (any: their
  // OR): canonical form. Nothing to check for a varint tail.
  bool check_values_width(std::uint32_t i, Region region, unsigned w, std::uint32_t any,
                          Status* error) const;
  // The block's largest tf against the tf of the skip entry's last used
  // impact pair, if there is a table.
  bool check_max_tf(std::uint32_t i, std::uint32_t top, Status* error) const;

  std::string_view docs_;   // block data (after the skip table)
  std::string_view freqs_;
  const unsigned char* table_ = nullptr;
  // With a table: starts_[2*i] and starts_[2*i + 1] are block i's offsets in
  // the docs and freqs block data (prefix sums of the table's widths).
  std::vector<std::uint32_t> starts_;
  std::uint32_t count_ = 0;
  std::uint32_t num_docs_ = 0;
  std::uint32_t blocks_ = 0;
};

// Iterates one term's postings in doc order, one decoded block at a time.
//
// Contract (the search stage's, as in PISA's posting cursors):
//   - After construction the cursor is on the first posting, or terminated
//     (doc() == kNoDoc, postings_format.h) if the term is empty or damaged.
//   - next() moves to the following posting; next_geq(t) to the first posting
//     with doc >= t, using the skip table; neither ever moves backwards
//     (next_geq(t) with t <= doc() does nothing). Past the last posting,
//     doc() == kNoDoc, which compares greater than every doc id.
//   - freq() and the block_* accessors describe the current posting's block.
//   - Damage found in any block terminates the cursor and makes status()
//     Corruption; status() is sticky. (Damage in a block's frequencies, which
//     are decoded lazily, is found by freq() and ends the cursor at the end
//     of that block.) A cursor that terminates normally keeps status() ok.
class PostingsCursor {
 public:
  // A terminated cursor over no postings.
  PostingsCursor() = default;

  // Opens a term and moves to its first posting. doc_lengths, if given (one
  // entry per doc, num_docs of them), gives a term of one block (no skip
  // table) its impacts as the writer computes them (block_impacts());
  // without it that block's bounds are the one pair (max tf, 0), valid but
  // weaker.
  PostingsCursor(std::string_view docs_region, std::string_view freqs_region,
                 std::uint32_t count, std::uint32_t num_docs,
                 const std::uint32_t* doc_lengths = nullptr);

  const Status& status() const { return status_; }
  // Postings in the term.
  std::uint32_t size() const { return term_.count(); }

  std::uint32_t doc() const { return doc_; }
  // REQUIRES: doc() != kNoDoc. The block's frequencies are decoded on the
  // first call in it: a block whose docs are only skipped over (next_geq
  // past a candidate) never decodes them. Damage found there sets status()
  // and gives frequencies of 1 until the block ends, which ends the cursor.
  std::uint32_t freq() const {
    if (!freqs_loaded_) load_freqs();
    return freqs_[pos_];
  }

  void next() {
    if (++pos_ < block_n_) {
      doc_ = docs_[pos_];
    } else {
      advance_block(block_ + 1);
    }
  }
  void next_geq(std::uint32_t target);

  // Blocks. The current block is num_blocks() once terminated, and its
  // bounds are then {kNoDoc, no impacts}: nothing left to score.
  std::uint32_t num_blocks() const { return term_.num_blocks(); }
  std::uint32_t block_index() const { return block_; }
  std::uint32_t block_last_doc() const { return bounds_.last_doc; }
  const BlockBounds& block_bounds() const { return bounds_; }
  // 0xFFFFFFFF (+infinity) for a block whose max tf is 65535 or more, when
  // the term has a skip table: see BlockBounds.
  std::uint32_t block_max_tf() const { return bounds_.max_tf(); }
  std::uint32_t block_min_dl() const { return bounds_.min_dl(); }
  // Bounds of any block, decoded or not (for shallow moves of block-max
  // WAND). REQUIRES: status().is_ok(), i < num_blocks().
  BlockBounds bounds(std::uint32_t i) const {
    return term_.has_skip_table() ? term_.table_bounds(i) : single_;
  }
  // The first block at or after `from` whose last doc is >= target, or
  // num_blocks(). REQUIRES: status().is_ok(), from <= num_blocks().
  std::uint32_t find_block(std::uint32_t target, std::uint32_t from) const {
    if (term_.has_skip_table()) return term_.find_block(target, from);
    return from == 0 && target <= single_.last_doc ? 0 : num_blocks();
  }

 private:
  // Decodes block i (or terminates when i == num_blocks()) and stands on its
  // first posting.
  void advance_block(std::uint32_t i);
  void terminate();
  // Decodes the current block's frequencies (and its max tf).
  void load_freqs() const;

  TermBlocks term_;
  const std::uint32_t* doc_lengths_ = nullptr;
  std::uint32_t doc_ = kNoDoc;
  std::uint32_t pos_ = 0;
  std::uint32_t block_n_ = 0;
  std::uint32_t block_ = 0;
  BlockBounds bounds_;
  BlockBounds single_;  // the bounds of a term without a skip table
  // Frequencies are decoded lazily (freq()); these change in const calls.
  mutable Status status_;
  mutable bool freqs_loaded_ = false;
  mutable std::uint32_t block_max_tf_ = 0;
  // Left uninitialized: a block is decoded into them before any is read,
  // and zeroing 1 KB per cursor showed in the profile of short queries
  // (a query opens a cursor per term per segment).
  alignas(64) std::uint32_t docs_[kBlockSize];
  alignas(64) mutable std::uint32_t freqs_[kBlockSize];
};

}  // namespace tomes::postings
