#include "postings/postings_reader.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include "common/coding.h"
#include "postings/bitpacking.h"

namespace tomes::postings {

namespace {

std::string str(std::uint64_t v) { return std::to_string(v); }

// decode's width for a varint tail, which has no width byte: above every
// packed width, so no width check applies to it.
constexpr unsigned kVarintWidth = kMaxWidth + 1;

// For decode's steps: stores the step's Corruption and returns false.
bool fail(Status* error, Status corruption) {
  *error = std::move(corruption);
  return false;
}

// Words for error messages, about a varint in a block's tail.
const char* varint_error_name(VarintError e) {
  switch (e) {
    case VarintError::kOk:
      return "ok";
    case VarintError::kTruncated:
      return "a varint cut short by the end of the block";
    case VarintError::kOverlong:
      return "an overlong varint (trailing 0x00 byte)";
    case VarintError::kTooLarge:
      return "a varint over 32 bits";
  }
  return "a bad varint";
}

}  // namespace

Status TermBlocks::corrupt(std::uint32_t i, const char* region, const std::string& what) const {
  return Status::corruption("postings: block " + str(i) + " of " + str(blocks_) + " (" + region +
                            "): " + what);
}

Status TermBlocks::open(std::string_view docs_region, std::string_view freqs_region,
                        std::uint32_t count, std::uint32_t num_docs, TermBlocks* out) {
  *out = TermBlocks();
  auto corrupt = [](const std::string& what) { return Status::corruption("postings: " + what); };
  if (count > num_docs) {
    return corrupt("expected at most num_docs = " + str(num_docs) + " postings, got a count of " +
                   str(count));
  }
  if (count == 0) {
    if (!docs_region.empty() || !freqs_region.empty()) {
      return corrupt("expected empty regions for 0 postings, got " + str(docs_region.size()) +
                     " + " + str(freqs_region.size()) + " bytes");
    }
    return Status::ok();
  }
  const auto blocks = static_cast<std::uint32_t>(block_count(count));
  const std::uint64_t table = skip_table_size(count);
  // Every block has at least one byte in each region.
  if (docs_region.size() < table + blocks) {
    return corrupt("expected at least " + str(table + blocks) + " docs bytes for " + str(count) +
                   " postings, got " + str(docs_region.size()));
  }
  if (freqs_region.size() < blocks) {
    return corrupt("expected at least " + str(blocks) + " freqs bytes for " + str(count) +
                   " postings, got " + str(freqs_region.size()));
  }
  TermBlocks t;
  t.docs_ = docs_region.substr(table);
  t.freqs_ = freqs_region;
  t.count_ = count;
  t.num_docs_ = num_docs;
  t.blocks_ = blocks;
  if (table != 0) {
    if (t.docs_.size() > 0xFFFFFFFFu || t.freqs_.size() > 0xFFFFFFFFu) {
      return corrupt("expected regions under 4 GiB, got " + str(docs_region.size()) + " + " +
                     str(freqs_region.size()) + " bytes");
    }
    t.table_ = reinterpret_cast<const unsigned char*>(docs_region.data());
    t.starts_.resize(std::size_t{blocks} * 2);
    std::uint64_t min_last = 0;  // the least last doc block i can have
    std::uint64_t docs_at = 0, freqs_at = 0;  // block i's starts (prefix sums)
    for (std::uint32_t i = 0; i < blocks; ++i) {
      auto bad = [&](const std::string& what) {
        return corrupt("skip entry " + str(i) + " of " + str(blocks) + ": " + what);
      };
      const std::uint32_t last = t.u32(i, kSkipLastDoc);
      const unsigned dw = t.entry(i)[kSkipDocsWidth], fw = t.entry(i)[kSkipFreqsWidth];
      const std::uint32_t m = t.block_size(i);
      min_last += m - 1;  // block i holds m ids
      if (last < min_last || last >= num_docs) {
        return bad("expected a last doc in [" + str(min_last) + ", num_docs = " + str(num_docs) +
                   ") after the previous blocks, got " + str(last));
      }
      if (m <= kMaxVarintTail ? dw != 0 || fw != 0 : dw > kMaxWidth || fw > kMaxWidth) {
        return bad(std::string(m <= kMaxVarintTail ? "expected widths 0 and 0 for a varint tail"
                                                   : "expected widths in 0..32") +
                   ", got " + str(dw) + " and " + str(fw));
      }
      // Impacts: 1..4 used pairs (tf >= 1), strictly increasing in tf and in
      // dl, then all-zero pairs. (The last used tf is checked against the
      // block when it is decoded, the rest by verify_postings.)
      for (std::uint32_t j = 0, used = 0; j < kMaxImpacts; ++j) {
        const std::uint32_t tf = t.impact_tf(i, j), dl = t.impact_dl(i, j);
        // Formatted only for a message: opening a term is on the query path.
        auto pair_text = [](std::uint32_t a, std::uint32_t b) {
          return "(" + str(a) + ", " + str(b) + ")";
        };
        const auto pair = [&] { return pair_text(tf, dl); };
        if (tf == 0) {
          if (j == 0) return bad("expected impact pair 0 to have a tf >= 1, got " + pair());
          if (dl != 0) {
            return bad("expected unused impact pair " + str(j) + " to be (0, 0), got " + pair());
          }
          continue;
        }
        if (used != j) {
          return bad("expected impact pair " + str(j) + " after an unused pair to be (0, 0), got " +
                     pair());
        }
        if (j > 0 && (tf <= t.impact_tf(i, j - 1) || dl <= t.impact_dl(i, j - 1))) {
          return bad("expected impact pair " + str(j) + " above pair " + str(j - 1) + " " +
                     pair_text(t.impact_tf(i, j - 1), t.impact_dl(i, j - 1)) +
                     " in both tf and dl, got " + pair());
        }
        used = j + 1;
      }
      // Each block must start inside the regions (so the sums, each step at
      // most 513, stay in 64 bits and, once checked, in u32).
      if (docs_at >= t.docs_.size() || freqs_at >= t.freqs_.size()) {
        return bad("expected the widths of the blocks before it to leave bytes for it, got its "
                   "start at " + str(docs_at) + " of " + str(t.docs_.size()) + " docs and " +
                   str(freqs_at) + " of " + str(t.freqs_.size()) + " freqs bytes of block data");
      }
      t.starts_[2 * std::size_t{i}] = static_cast<std::uint32_t>(docs_at);
      t.starts_[2 * std::size_t{i} + 1] = static_cast<std::uint32_t>(freqs_at);
      min_last = std::uint64_t{last} + 1;
      if (m == kBlockSize) {
        docs_at += full_block_size(dw);
        freqs_at += full_block_size(fw);
      } else if (m > kMaxVarintTail) {
        docs_at += packed_tail_size(m, dw);
        freqs_at += packed_tail_size(m, fw);
      } else {  // a varint tail takes the rest: m..5m bytes in each region
        const std::uint64_t docs_left = t.docs_.size() - docs_at;
        const std::uint64_t freqs_left = t.freqs_.size() - freqs_at;
        if (docs_left > m * kMaxVarintSize || freqs_left < m || freqs_left > m * kMaxVarintSize ||
            docs_left < m) {
          return bad("expected " + str(m) + ".." + str(m * kMaxVarintSize) +
                     " bytes in each region for a varint tail of " + str(m) + ", got " +
                     str(docs_left) + " docs and " + str(freqs_left) + " freqs bytes");
        }
        docs_at = t.docs_.size();
        freqs_at = t.freqs_.size();
      }
    }
    if (docs_at != t.docs_.size() || freqs_at != t.freqs_.size()) {
      return corrupt("expected " + str(docs_at) + " docs and " + str(freqs_at) +
                     " freqs bytes of block data (the skip table's widths), got " +
                     str(t.docs_.size()) + " and " + str(t.freqs_.size()));
    }
  }
  *out = std::move(t);
  return Status::ok();
}

std::uint32_t TermBlocks::find_block(std::uint32_t target, std::uint32_t from) const {
  // Gallop: blocks in [from, lo) end before target; hi is past the end or
  // ends at or after it.
  std::uint64_t lo = from, hi = from, step = 1;
  while (hi < blocks_ && table_last_doc(static_cast<std::uint32_t>(hi)) < target) {
    lo = hi + 1;
    hi = lo + step;
    step *= 2;
  }
  hi = std::min<std::uint64_t>(hi, blocks_);
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (table_last_doc(static_cast<std::uint32_t>(mid)) < target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return static_cast<std::uint32_t>(lo);
}

const char* TermBlocks::region_name(Region region) {
  return region == kDocsRegion ? "docs" : "freqs";
}

void TermBlocks::block_range(std::uint32_t i, Region region, std::size_t data_size,
                             std::size_t* begin, std::size_t* end) const {
  if (table_ == nullptr) {
    *begin = 0;
    *end = data_size;
    return;
  }
  const std::size_t at = 2 * std::size_t{i} + static_cast<std::size_t>(region);
  *begin = starts_[at];
  *end = i + 1 < blocks_ ? starts_[at + 2] : data_size;
}

// decode runs once per 128 postings, on the search stage's hot path, so its
// steps are inlined into it. GCC will not inline them on its own (their error
// paths are large), hence always_inline: as separate calls the cursor walked
// about 5% slower than the former single function, inlined it is faster
// (test_postings --bench). They return bool and fill a Status only on damage,
// so a block that decodes cleanly makes no Status per step.

Status TermBlocks::decode(std::uint32_t i, std::uint32_t* docs, std::uint32_t* freqs,
                          std::uint32_t* max_tf) const {
  // Docs first, so the first damage found is the one reported.
  if (Status s = decode_docs(i, docs); !s.is_ok()) return s;
  return decode_freqs(i, freqs, max_tf);
}

Status TermBlocks::decode_docs(std::uint32_t i, std::uint32_t* docs) const {
  const std::uint32_t m = block_size(i);
  Status error;
  unsigned w = 0;
  std::uint32_t any = 0;  // the OR of the raw values: their bit width
  const bool ok = read_block(i, kDocsRegion, m, docs, &w, &error) &&
                  gaps_to_docs(i, m, docs, &any, &error) &&
                  check_values_width(i, kDocsRegion, w, any, &error);
  return ok ? Status::ok() : error;
}

Status TermBlocks::decode_freqs(std::uint32_t i, std::uint32_t* freqs, std::uint32_t* max_tf) const {
  const std::uint32_t m = block_size(i);
  Status error;
  unsigned w = 0;
  std::uint32_t any = 0, top = 0;
  const bool ok = read_block(i, kFreqsRegion, m, freqs, &w, &error) &&
                  values_to_freqs(i, m, freqs, &any, &top, &error) &&
                  check_values_width(i, kFreqsRegion, w, any, &error) &&
                  check_max_tf(i, top, &error);
  if (!ok) return error;
  *max_tf = top;
  return Status::ok();
}

[[gnu::always_inline]] inline
bool TermBlocks::read_block(std::uint32_t i, Region region, std::uint32_t m, std::uint32_t* out,
                            unsigned* width, Status* error) const {
  const std::string_view data = region == kDocsRegion ? docs_ : freqs_;
  std::size_t begin, end;
  block_range(i, region, data.size(), &begin, &end);
  const auto* p = reinterpret_cast<const std::uint8_t*>(data.data()) + begin;
  const std::size_t size = end - begin;  // open() made begin < end <= data.size()
  if (m <= kMaxVarintTail) {
    *width = kVarintWidth;
    return read_varint_tail(i, region, m, p, size, out, error);
  }
  const unsigned w = p[0];
  *width = w;
  if (!check_width_byte(i, region, w, error)) return false;
  return m == kBlockSize ? read_packed_block(i, region, w, p, size, out, error)
                         : read_packed_tail(i, region, m, w, p, size, out, error);
}

[[gnu::always_inline]] inline
bool TermBlocks::check_width_byte(std::uint32_t i, Region region, unsigned w,
                                  Status* error) const {
  if (w > kMaxWidth) {
    return fail(error, corrupt(i, region_name(region),
                               "expected a bit width in 0..32, got " + str(w)));
  }
  if (table_ != nullptr) {
    // open() checked the table's width is 0..32.
    const unsigned table_w = entry(i)[region == kDocsRegion ? kSkipDocsWidth : kSkipFreqsWidth];
    if (w != table_w) {
      return fail(error, corrupt(i, region_name(region), "expected bit width " + str(table_w) +
                                                             " (skip table), got " + str(w)));
    }
  }
  return true;
}

[[gnu::always_inline]] inline
bool TermBlocks::read_packed_block(std::uint32_t i, Region region, unsigned w,
                                   const std::uint8_t* p, std::size_t size, std::uint32_t* out,
                                   Status* error) const {
  if (size != full_block_size(w)) {
    return fail(error, corrupt(i, region_name(region),
                               "expected " + str(full_block_size(w)) +
                                   " bytes for 128 values of width " + str(w) + ", got " +
                                   str(size)));
  }
  unpack_block(p + 1, w, out);
  return true;
}

[[gnu::always_inline]] inline
bool TermBlocks::read_packed_tail(std::uint32_t i, Region region, std::uint32_t m, unsigned w,
                                  const std::uint8_t* p, std::size_t size, std::uint32_t* out,
                                  Status* error) const {
  if (size != packed_tail_size(m, w)) {
    return fail(error, corrupt(i, region_name(region),
                               "expected " + str(packed_tail_size(m, w)) + " bytes for " +
                                   str(m) + " values of width " + str(w) + ", got " +
                                   str(size)));
  }
  if (!tail_padding_clear(p + 1, m, w)) {
    char last[8];
    std::snprintf(last, sizeof last, "0x%02x", p[size - 1]);
    return fail(error, corrupt(i, region_name(region),
                               "expected the " + str(8 - m * w % 8) +
                                   " bits after the last value to be 0, got the last byte " +
                                   last));
  }
  unpack_tail(p + 1, m, w, out);
  return true;
}

[[gnu::always_inline]] inline
bool TermBlocks::read_varint_tail(std::uint32_t i, Region region, std::uint32_t m,
                                  const std::uint8_t* p, std::size_t size, std::uint32_t* out,
                                  Status* error) const {
  const std::uint8_t* q = p;
  const std::uint8_t* stop = p + size;
  for (std::uint32_t j = 0; j < m; ++j) {
    const VarintError e = get_varint32(&q, stop, &out[j]);
    if (e != VarintError::kOk) {
      return fail(error, corrupt(i, region_name(region),
                                 "expected " + str(m) + " varints in " + str(size) +
                                     " bytes, got " + varint_error_name(e) + " at value " +
                                     str(j)));
    }
  }
  if (q != stop) {
    return fail(error, corrupt(i, region_name(region),
                               "expected " + str(m) + " varints filling " + str(size) +
                                   " bytes, got " + str(stop - q) + " bytes left over"));
  }
  return true;
}

[[gnu::always_inline]] inline
bool TermBlocks::gaps_to_docs(std::uint32_t i, std::uint32_t m, std::uint32_t* docs,
                              std::uint32_t* any, Status* error) const {
  // id_j = base + j + (gap_0 + ... + gap_j), in 64 bits, so ids increase by
  // construction and a sum past 2^32 shows in the last id. One add per value
  // on the dependency chain.
  const std::uint64_t base = i == 0 ? 0 : std::uint64_t{table_last_doc(i - 1)} + 1;
  std::uint64_t sum = 0;
  std::uint32_t bits = 0;
  for (std::uint32_t j = 0; j < m; ++j) {
    bits |= docs[j];
    sum += docs[j];
    docs[j] = static_cast<std::uint32_t>(base + j + sum);
  }
  *any = bits;
  const std::uint64_t last = base + (m - 1) + sum;
  if (table_ != nullptr && last != table_last_doc(i)) {
    return fail(error, corrupt(i, "docs", "expected last doc " + str(table_last_doc(i)) +
                                              " (skip table), got " + str(last)));
  }
  if (last >= num_docs_) {
    return fail(error, corrupt(i, "docs", "expected doc ids < num_docs = " + str(num_docs_) +
                                              ", got " + str(last)));
  }
  return true;
}

[[gnu::always_inline]] inline
bool TermBlocks::values_to_freqs(std::uint32_t i, std::uint32_t m, std::uint32_t* freqs,
                                 std::uint32_t* any, std::uint32_t* top, Status* error) const {
  std::uint32_t bits = 0, max = 0, wrapped = 0;
  for (std::uint32_t j = 0; j < m; ++j) {
    bits |= freqs[j];
    const std::uint32_t f = freqs[j] + 1;
    wrapped |= f == 0;
    max = std::max(max, f);
    freqs[j] = f;
  }
  *any = bits;
  *top = max;
  if (wrapped != 0) {
    return fail(error, corrupt(i, "freqs", "expected frequencies < 2^32, got 2^32"));
  }
  return true;
}

[[gnu::always_inline]] inline
bool TermBlocks::check_values_width(std::uint32_t i, Region region, unsigned w,
                                    std::uint32_t any, Status* error) const {
  if (w <= kMaxWidth && bit_width(any) != w) {
    return fail(error, corrupt(i, region_name(region), "expected bit width " +
                                                           str(bit_width(any)) +
                                                           " for these values, got " + str(w)));
  }
  return true;
}

[[gnu::always_inline]] inline
bool TermBlocks::check_max_tf(std::uint32_t i, std::uint32_t top, Status* error) const {
  if (table_ == nullptr) return true;
  // The last used impact pair holds min(max tf, 65535); 65535 stands for any
  // max >= 65535. open() made pair 0 used.
  std::uint32_t j = kMaxImpacts - 1;
  while (impact_tf(i, j) == 0) --j;
  const std::uint32_t stored = impact_tf(i, j);
  if (std::min(top, kSkipSaturated) != stored) {
    return fail(error, corrupt(i, "freqs", "expected max tf " + str(stored) +
                                               (stored == kSkipSaturated ? " or more" : "") +
                                               " (skip table), got " + str(top)));
  }
  return true;
}

namespace {

Status decode_all(std::string_view docs_region, std::string_view freqs_region,
                  std::uint32_t count, std::uint32_t num_docs, const std::uint32_t* doc_lengths,
                  std::vector<std::uint32_t>* docs, std::vector<std::uint32_t>* freqs) {
  TermBlocks term;
  Status s = TermBlocks::open(docs_region, freqs_region, count, num_docs, &term);
  if (!s.is_ok()) return s;
  // open() bounded count by the region sizes, so this allocation is too.
  docs->resize(count);
  freqs->resize(count);
  std::uint32_t d[kBlockSize], f[kBlockSize];
  for (std::uint32_t i = 0; i < term.num_blocks(); ++i) {
    std::uint32_t max_tf = 0;
    const std::uint32_t m = term.block_size(i);
    // Full blocks decode in place; the tail through a buffer of kBlockSize.
    const bool direct = m == kBlockSize;
    std::uint32_t* dd = direct ? docs->data() + std::size_t{i} * kBlockSize : d;
    std::uint32_t* ff = direct ? freqs->data() + std::size_t{i} * kBlockSize : f;
    if (!(s = term.decode(i, dd, ff, &max_tf)).is_ok()) return s;
    if (!direct) {
      std::copy(d, d + m, docs->data() + std::size_t{i} * kBlockSize);
      std::copy(f, f + m, freqs->data() + std::size_t{i} * kBlockSize);
    }
    if (doc_lengths != nullptr && term.has_skip_table()) {
      std::uint32_t dls[kBlockSize];
      for (std::uint32_t j = 0; j < m; ++j) dls[j] = doc_lengths[dd[j]];
      Impact want[kMaxImpacts];  // unused pairs stay (0, 0)
      block_impacts(ff, dls, m, want);
      bool same = true;
      std::string want_text, got_text;
      for (std::uint32_t j = 0; j < kMaxImpacts; ++j) {
        const std::uint32_t tf = term.impact_tf(i, j), dl = term.impact_dl(i, j);
        same = same && tf == want[j].tf && dl == want[j].dl;
        want_text += " (" + str(want[j].tf) + ", " + str(want[j].dl) + ")";
        got_text += " (" + str(tf) + ", " + str(dl) + ")";
      }
      if (!same) {
        return Status::corruption("postings: block " + str(i) + " of " +
                                  str(term.num_blocks()) + " (skip table): expected impacts" +
                                  want_text + " (frequencies and doc lengths), got" + got_text);
      }
    }
  }
  return Status::ok();
}

}  // namespace

Status decode_postings(std::string_view docs_region, std::string_view freqs_region,
                       std::uint32_t count, std::uint32_t num_docs,
                       std::vector<std::uint32_t>* docs, std::vector<std::uint32_t>* freqs) {
  return decode_all(docs_region, freqs_region, count, num_docs, nullptr, docs, freqs);
}

Status verify_postings(std::string_view docs_region, std::string_view freqs_region,
                       std::uint32_t count, std::uint32_t num_docs,
                       const std::uint32_t* doc_lengths) {
  std::vector<std::uint32_t> docs, freqs;
  return decode_all(docs_region, freqs_region, count, num_docs, doc_lengths, &docs, &freqs);
}

PostingsCursor::PostingsCursor(std::string_view docs_region, std::string_view freqs_region,
                               std::uint32_t count, std::uint32_t num_docs,
                               const std::uint32_t* doc_lengths)
    : doc_lengths_(doc_lengths) {
  status_ = TermBlocks::open(docs_region, freqs_region, count, num_docs, &term_);
  if (!status_.is_ok()) {
    term_ = TermBlocks();
    terminate();
    return;
  }
  advance_block(0);
}

void PostingsCursor::terminate() {
  doc_ = kNoDoc;
  block_ = term_.num_blocks();
  pos_ = 0;
  block_n_ = 0;
  bounds_ = BlockBounds();
}

void PostingsCursor::advance_block(std::uint32_t i) {
  // Damage found in a block's frequencies (load_freqs) ends the cursor here.
  if (i >= term_.num_blocks() || !status_.is_ok()) return terminate();
  Status s = term_.decode_docs(i, docs_);
  if (!s.is_ok()) {
    status_ = std::move(s);
    return terminate();
  }
  block_ = i;
  block_n_ = term_.block_size(i);
  pos_ = 0;
  doc_ = docs_[0];
  freqs_loaded_ = false;
  if (term_.has_skip_table()) {
    bounds_ = term_.table_bounds(i);
  } else {
    // One block, no table: its bounds come from the block itself.
    load_freqs();
    BlockBounds b;
    b.last_doc = docs_[block_n_ - 1];
    if (doc_lengths_ != nullptr) {
      std::uint32_t dls[kBlockSize];
      for (std::uint32_t j = 0; j < block_n_; ++j) dls[j] = doc_lengths_[docs_[j]];
      b.count = block_impacts(freqs_, dls, block_n_, b.impacts);
      Impact& top = b.impacts[b.count - 1];
      if (top.tf == kSkipSaturated) top.tf = 0xFFFFFFFFu;  // 65535 or more
    } else {
      b.count = 1;
      b.impacts[0] = {block_max_tf_, 0};
    }
    bounds_ = single_ = b;
  }
}

void PostingsCursor::load_freqs() const {
  freqs_loaded_ = true;
  Status s = term_.decode_freqs(block_, freqs_, &block_max_tf_);
  if (s.is_ok()) return;
  // Keep doc() and the block as they are (a caller may be reading both);
  // the next block ends the cursor, and status() says why.
  status_ = std::move(s);
  std::fill(freqs_, freqs_ + kBlockSize, 1u);
  block_max_tf_ = 1;
}

void PostingsCursor::next_geq(std::uint32_t target) {
  if (target <= doc_) return;  // never backwards; kNoDoc is above every target
  if (target > bounds_.last_doc) {
    // Only a term with a skip table has a block after the current one.
    if (!term_.has_skip_table()) return terminate();
    advance_block(term_.find_block(target, block_ + 1));
    if (doc_ >= target) return;  // also when terminated
  }
  // The target is in this block, at or after pos_.
  pos_ = static_cast<std::uint32_t>(std::lower_bound(docs_ + pos_, docs_ + block_n_, target) -
                                    docs_);
  doc_ = docs_[pos_];
}

}  // namespace tomes::postings
