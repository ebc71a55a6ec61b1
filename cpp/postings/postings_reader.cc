#include "postings/postings_reader.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "postings/bitpacking.h"

namespace tomes::postings {

namespace {

std::string str(std::uint64_t v) { return std::to_string(v); }

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
    t.table_ = reinterpret_cast<const unsigned char*>(docs_region.data());
    std::uint64_t min_last = 0;  // the least last doc block i can have
    std::uint64_t min_docs_start = 0, min_freqs_start = 0;
    for (std::uint32_t i = 0; i < blocks; ++i) {
      auto bad = [&](const std::string& what) {
        return corrupt("skip entry " + str(i) + " of " + str(blocks) + ": " + what);
      };
      const std::uint32_t last = t.field(i, kSkipLastDoc);
      const std::uint32_t docs_start = t.field(i, kSkipDocsStart);
      const std::uint32_t freqs_start = t.field(i, kSkipFreqsStart);
      min_last += t.block_size(i) - 1;  // block i holds block_size(i) ids
      if (last < min_last || last >= num_docs) {
        return bad("expected a last doc in [" + str(min_last) + ", num_docs = " + str(num_docs) +
                   ") after the previous blocks, got " + str(last));
      }
      if (i == 0 ? docs_start != 0 : docs_start < min_docs_start) {
        return bad("expected a docs offset " + std::string(i == 0 ? "of 0" : ">= ") +
                   (i == 0 ? "" : str(min_docs_start)) + ", got " + str(docs_start));
      }
      if (i == 0 ? freqs_start != 0 : freqs_start < min_freqs_start) {
        return bad("expected a freqs offset " + std::string(i == 0 ? "of 0" : ">= ") +
                   (i == 0 ? "" : str(min_freqs_start)) + ", got " + str(freqs_start));
      }
      if (docs_start >= t.docs_.size() || freqs_start >= t.freqs_.size()) {
        return bad("expected offsets within the " + str(t.docs_.size()) + " docs and " +
                   str(t.freqs_.size()) + " freqs bytes of block data, got " + str(docs_start) +
                   " and " + str(freqs_start));
      }
      if (t.field(i, kSkipMaxTf) == 0) return bad("expected a max tf >= 1, got 0");
      min_last = std::uint64_t{last} + 1;
      min_docs_start = std::uint64_t{docs_start} + 1;
      min_freqs_start = std::uint64_t{freqs_start} + 1;
    }
  }
  *out = t;
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

void TermBlocks::block_range(std::uint32_t i, std::size_t start_field, std::size_t data_size,
                             std::size_t* begin, std::size_t* end) const {
  if (table_ == nullptr) {
    *begin = 0;
    *end = data_size;
    return;
  }
  *begin = field(i, start_field);
  *end = i + 1 < blocks_ ? field(i + 1, start_field) : data_size;
}

Status TermBlocks::decode(std::uint32_t i, std::uint32_t* docs, std::uint32_t* freqs,
                          std::uint32_t* max_tf) const {
  const std::uint32_t m = block_size(i);
  // Reads one block of raw values (gaps or f - 1) into out; *width is the
  // packed width, or 33 for a varint tail (no width to check).
  auto read = [&](std::string_view data, std::size_t start_field, const char* region,
                  std::uint32_t* out, unsigned* width) -> Status {
    std::size_t begin, end;
    block_range(i, start_field, data.size(), &begin, &end);
    const auto* p = reinterpret_cast<const std::uint8_t*>(data.data()) + begin;
    const std::size_t size = end - begin;  // open() made begin < end <= data.size()
    if (m == kBlockSize) {
      const unsigned w = p[0];
      if (w > kMaxWidth) {
        return corrupt(i, region, "expected a bit width in 0..32, got " + str(w));
      }
      if (size != full_block_size(w)) {
        return corrupt(i, region, "expected " + str(full_block_size(w)) +
                                      " bytes for 128 values of width " + str(w) + ", got " +
                                      str(size));
      }
      unpack_block(p + 1, w, out);
      *width = w;
      return Status::ok();
    }
    if (m > kMaxVarintTail) {
      const unsigned w = p[0];
      if (w > kMaxWidth) {
        return corrupt(i, region, "expected a bit width in 0..32, got " + str(w));
      }
      if (size != packed_tail_size(m, w)) {
        return corrupt(i, region, "expected " + str(packed_tail_size(m, w)) + " bytes for " +
                                      str(m) + " values of width " + str(w) + ", got " +
                                      str(size));
      }
      if (!tail_padding_clear(p + 1, m, w)) {
        char last[8];
        std::snprintf(last, sizeof last, "0x%02x", p[size - 1]);
        return corrupt(i, region, "expected the " + str(8 - m * w % 8) +
                                      " bits after the last value to be 0, got the last byte " +
                                      last);
      }
      unpack_tail(p + 1, m, w, out);
      *width = w;
      return Status::ok();
    }
    const std::uint8_t* q = p;
    const std::uint8_t* stop = p + size;
    for (std::uint32_t j = 0; j < m; ++j) {
      const VarintError e = get_varint32(&q, stop, &out[j]);
      if (e != VarintError::kOk) {
        return corrupt(i, region, "expected " + str(m) + " varints in " + str(size) +
                                      " bytes, got " + varint_error_name(e) + " at value " +
                                      str(j));
      }
    }
    if (q != stop) {
      return corrupt(i, region, "expected " + str(m) + " varints filling " + str(size) +
                                    " bytes, got " + str(stop - q) + " bytes left over");
    }
    *width = kMaxWidth + 1;
    return Status::ok();
  };
  auto check_width = [&](const char* region, unsigned w, std::uint32_t any) -> Status {
    if (w <= kMaxWidth && bit_width(any) != w) {
      return corrupt(i, region, "expected bit width " + str(bit_width(any)) +
                                    " for these values, got " + str(w));
    }
    return Status::ok();
  };

  unsigned w = 0;
  Status s = read(docs_, kSkipDocsStart, "docs", docs, &w);
  if (!s.is_ok()) return s;
  // Gaps to ids: id_j = base + j + (gap_0 + ... + gap_j), in 64 bits, so ids
  // increase by construction and a sum past 2^32 shows in the last id. One
  // add per value on the dependency chain.
  const std::uint64_t base = i == 0 ? 0 : std::uint64_t{table_last_doc(i - 1)} + 1;
  std::uint64_t sum = 0;
  std::uint32_t any = 0;
  for (std::uint32_t j = 0; j < m; ++j) {
    any |= docs[j];
    sum += docs[j];
    docs[j] = static_cast<std::uint32_t>(base + j + sum);
  }
  const std::uint64_t last = base + (m - 1) + sum;
  if (table_ != nullptr && last != table_last_doc(i)) {
    return corrupt(i, "docs", "expected last doc " + str(table_last_doc(i)) +
                                  " (skip table), got " + str(last));
  }
  if (last >= num_docs_) {
    return corrupt(i, "docs", "expected doc ids < num_docs = " + str(num_docs_) + ", got " +
                                  str(last));
  }
  if (!(s = check_width("docs", w, any)).is_ok()) return s;

  if (!(s = read(freqs_, kSkipFreqsStart, "freqs", freqs, &w)).is_ok()) return s;
  std::uint32_t top = 0, wrapped = 0;
  any = 0;
  for (std::uint32_t j = 0; j < m; ++j) {
    any |= freqs[j];
    const std::uint32_t f = freqs[j] + 1;
    wrapped |= f == 0;
    top = std::max(top, f);
    freqs[j] = f;
  }
  if (wrapped != 0) {
    return corrupt(i, "freqs", "expected frequencies < 2^32, got 2^32");
  }
  if (!(s = check_width("freqs", w, any)).is_ok()) return s;
  if (table_ != nullptr && top != field(i, kSkipMaxTf)) {
    return corrupt(i, "freqs", "expected max tf " + str(field(i, kSkipMaxTf)) +
                                   " (skip table), got " + str(top));
  }
  *max_tf = top;
  return Status::ok();
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
      std::uint32_t min_dl = 0xFFFFFFFFu;
      for (std::uint32_t j = 0; j < m; ++j) min_dl = std::min(min_dl, doc_lengths[dd[j]]);
      const std::uint32_t stored = term.table_bounds(i).min_dl;
      if (stored != min_dl) {
        return Status::corruption("postings: block " + str(i) + " of " +
                                  str(term.num_blocks()) + " (skip table): expected min dl " +
                                  str(min_dl) + " (doc lengths), got " + str(stored));
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
  doc_ = kTerminated;
  block_ = term_.num_blocks();
  pos_ = 0;
  block_n_ = 0;
  bounds_ = {kTerminated, 0, 0xFFFFFFFFu};
}

void PostingsCursor::advance_block(std::uint32_t i) {
  if (i >= term_.num_blocks()) return terminate();
  std::uint32_t max_tf = 0;
  Status s = term_.decode(i, docs_, freqs_, &max_tf);
  if (!s.is_ok()) {
    status_ = std::move(s);
    return terminate();
  }
  block_ = i;
  block_n_ = term_.block_size(i);
  pos_ = 0;
  doc_ = docs_[0];
  if (term_.has_skip_table()) {
    bounds_ = term_.table_bounds(i);
  } else {
    std::uint32_t min_dl = 0;
    if (doc_lengths_ != nullptr) {
      min_dl = 0xFFFFFFFFu;
      for (std::uint32_t j = 0; j < block_n_; ++j) min_dl = std::min(min_dl, doc_lengths_[docs_[j]]);
    }
    bounds_ = single_ = {docs_[block_n_ - 1], max_tf, min_dl};
  }
}

void PostingsCursor::next_geq(std::uint32_t target) {
  if (target <= doc_) return;  // never backwards; kTerminated is above every target
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
