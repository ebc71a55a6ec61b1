#include "segment/term_table.h"

#include <algorithm>

#include "common/bit_fields.h"
#include "common/coding.h"
#include "segment/segment_format.h"

namespace tomes::segment {

namespace {

using namespace term_table;

void put_header(std::string* out, std::uint64_t doc_start, std::uint64_t freq_start, std::uint64_t packed_start,
                unsigned doc_width, unsigned freq_width, unsigned count_width) {
  put_u64(out, doc_start);
  put_u64(out, freq_start);
  put_u32(out, static_cast<std::uint32_t>(packed_start));
  out->push_back(static_cast<char>(doc_width));
  out->push_back(static_cast<char>(freq_width));
  out->push_back(static_cast<char>(count_width));
  out->push_back('\0');
}

}  // namespace

// --- Writer ---------------------------------------------------------------------------

void TermTableWriter::add(const TermEntry& e) {
  block_.push_back(e);
  ++num_terms_;
  docs_end_ = e.doc_offset + e.doc_len;
  freqs_end_ = e.freq_offset + e.freq_len;
  if (block_.size() == kTermsPerBlock) {
    flush_block(&headers_, &packed_);
    block_.clear();
  }
}

void TermTableWriter::flush_block(std::string* headers, std::string* packed) const {
  if (block_.empty()) return;
  const TermEntry& first = block_.front();
  std::uint64_t max_doc = 0, max_freq = 0, max_count = 0;
  for (const TermEntry& e : block_) {
    max_doc = std::max(max_doc, e.doc_offset - first.doc_offset);
    max_freq = std::max(max_freq, e.freq_offset - first.freq_offset);
    max_count = std::max<std::uint64_t>(max_count, e.doc_count - 1);
  }
  const unsigned dw = bit_width_of(max_doc), fw = bit_width_of(max_freq), cw = bit_width_of(max_count);
  put_header(headers, first.doc_offset, first.freq_offset, packed->size(), dw, fw, cw);
  const unsigned record = dw + fw + cw;
  const std::uint64_t at = packed->size();
  packed->resize(at + packed_bytes(block_.size(), record), '\0');
  for (std::size_t i = 0; i < block_.size(); ++i) {
    const std::uint64_t bit = at * 8 + i * record;
    put_bits(packed, bit, block_[i].doc_offset - first.doc_offset, dw);
    put_bits(packed, bit + dw, block_[i].freq_offset - first.freq_offset, fw);
    put_bits(packed, bit + dw + fw, block_[i].doc_count - 1, cw);
  }
}

Result<std::string> TermTableWriter::finish() const {
  std::string headers = headers_, packed = packed_;
  flush_block(&headers, &packed);
  if (packed.size() > 0xFFFFFFFFu) {
    return Status::invalid_argument("offsets.bin: " + std::to_string(num_terms_) +
                                    " terms need 4 GiB or more of packed entries (split the segment)");
  }
  put_header(&headers, docs_end_, freqs_end_, packed.size(), 0, 0, 0);
  return headers + packed;
}

// --- Reader ---------------------------------------------------------------------------

Status TermTable::corruption(const std::string& what) const { return Status::corruption(path_ + ": " + what); }

TermTable::Header TermTable::header(std::uint64_t block) const {
  const char* p = headers_.data() + block * kHeaderBytes;
  Header h;
  h.doc_start = get_u64(p + kDocStart);
  h.freq_start = get_u64(p + kFreqStart);
  h.packed_start = get_u32(p + kPackedStart);
  h.doc_width = static_cast<unsigned char>(p[kDocWidth]);
  h.freq_width = static_cast<unsigned char>(p[kFreqWidth]);
  h.count_width = static_cast<unsigned char>(p[kCountWidth]);
  return h;
}

Result<TermTable> TermTable::open(std::string_view body, std::uint64_t num_terms, std::uint64_t num_docs,
                                  std::uint64_t docs_bytes, std::uint64_t freqs_bytes, const std::string& path) {
  TermTable t;
  t.path_ = path;
  t.num_terms_ = num_terms;
  t.num_docs_ = num_docs;
  const std::uint64_t blocks = (num_terms + kTermsPerBlock - 1) / kTermsPerBlock;
  const std::uint64_t header_bytes = (blocks + 1) * kHeaderBytes;
  if (body.size() < header_bytes) {
    return t.corruption(std::to_string(body.size()) + " bytes, expected at least " + std::to_string(header_bytes) +
                        " for the headers of " + std::to_string(num_terms) + " terms");
  }
  t.headers_ = body.substr(0, header_bytes);
  t.packed_ = body.substr(header_bytes);
  if (Status s = t.check_headers(); !s.is_ok()) return s;
  const Header end = t.header(blocks);
  if (end.doc_start != docs_bytes || end.freq_start != freqs_bytes) {
    return t.corruption("the end header gives postings of " + std::to_string(end.doc_start) + " and " +
                        std::to_string(end.freq_start) + " bytes, the postings files hold " +
                        std::to_string(docs_bytes) + " and " + std::to_string(freqs_bytes));
  }
  return t;
}

Status TermTable::check_headers() const {
  const std::uint64_t blocks = headers_.size() / kHeaderBytes - 1;
  Header prev;
  for (std::uint64_t k = 0; k <= blocks; ++k) {
    const Header h = header(k);
    const std::string where = "block header " + std::to_string(k) + " of " + std::to_string(blocks + 1);
    if (headers_[k * kHeaderBytes + kZero] != 0) return corruption(where + ": expected byte 23 to be 0");
    const bool end = k == blocks;
    if (h.doc_width > (end ? 0 : kMaxStartWidth) || h.freq_width > (end ? 0 : kMaxStartWidth) ||
        h.count_width > (end ? 0 : kMaxCountWidth)) {
      return corruption(where + ": widths " + std::to_string(h.doc_width) + ", " + std::to_string(h.freq_width) +
                        ", " + std::to_string(h.count_width) + " out of range");
    }
    if (k == 0) {
      if (h.doc_start != 0 || h.freq_start != 0 || h.packed_start != 0) {
        return corruption(where + ": expected starts 0, 0, 0");
      }
    } else {
      // Every term of the block before has regions of at least one byte.
      const std::uint64_t m = std::min(kTermsPerBlock, num_terms_ - (k - 1) * kTermsPerBlock);
      const std::uint64_t want_packed =
          prev.packed_start + packed_bytes(m, prev.doc_width + prev.freq_width + prev.count_width);
      if (h.doc_start < prev.doc_start || h.doc_start - prev.doc_start < m || h.freq_start < prev.freq_start ||
          h.freq_start - prev.freq_start < m) {
        return corruption(where + ": starts " + std::to_string(h.doc_start) + ", " + std::to_string(h.freq_start) +
                          " leave less than a byte a term after " + std::to_string(prev.doc_start) + ", " +
                          std::to_string(prev.freq_start));
      }
      if (h.packed_start != want_packed) {
        return corruption(where + ": expected packed_start " + std::to_string(want_packed) + ", got " +
                          std::to_string(h.packed_start));
      }
    }
    prev = h;
  }
  if (prev.packed_start != packed_.size()) {
    return corruption("expected " + std::to_string(prev.packed_start) + " bytes of packed entries, got " +
                      std::to_string(packed_.size()));
  }
  return Status::ok();
}

Status TermTable::entry(std::uint64_t ordinal, TermEntry* out) const {
  if (ordinal >= num_terms_) {
    return corruption("term ordinal " + std::to_string(ordinal) + " out of range (" + std::to_string(num_terms_) +
                      " terms)");
  }
  const std::uint64_t k = ordinal / kTermsPerBlock, i = ordinal % kTermsPerBlock;
  const std::uint64_t m = std::min(kTermsPerBlock, num_terms_ - k * kTermsPerBlock);
  const Header h = header(k), next = header(k + 1);
  const unsigned record = h.doc_width + h.freq_width + h.count_width;
  const auto* p = reinterpret_cast<const unsigned char*>(packed_.data()) + h.packed_start;
  const std::uint64_t bit = i * record;
  const std::uint64_t doc_rel = get_bits(p, bit, h.doc_width);
  const std::uint64_t freq_rel = get_bits(p, bit + h.doc_width, h.freq_width);
  const std::uint64_t count = get_bits(p, bit + h.doc_width + h.freq_width, h.count_width) + 1;
  // Where the regions end, relative to the block's starts: at the next
  // term's starts, or the next block's for the block's last term.
  const std::uint64_t doc_span = next.doc_start - h.doc_start, freq_span = next.freq_start - h.freq_start;
  std::uint64_t doc_end = doc_span, freq_end = freq_span;
  if (i + 1 < m) {
    doc_end = get_bits(p, bit + record, h.doc_width);
    freq_end = get_bits(p, bit + record + h.doc_width, h.freq_width);
    if (doc_end > doc_span || freq_end > freq_span) {
      return corruption("term " + std::to_string(ordinal + 1) + ": its regions start past its block's end");
    }
  }
  const auto term = [ordinal] { return "term " + std::to_string(ordinal); };  // errors only: off the fast path
  if ((i == 0 && (doc_rel != 0 || freq_rel != 0)) || doc_rel >= doc_end || freq_rel >= freq_end) {
    return corruption(term() + ": expected non-empty regions starting at its block's start or after its "
                             "predecessor's, got docs [" + std::to_string(doc_rel) + ", " + std::to_string(doc_end) +
                      "), freqs [" + std::to_string(freq_rel) + ", " + std::to_string(freq_end) +
                      ") from the block's starts");
  }
  if (doc_end - doc_rel > 0xFFFFFFFFu || freq_end - freq_rel > 0xFFFFFFFFu) {
    return corruption(term() + ": a region of 4 GiB or more");
  }
  if (count > num_docs_) {
    return corruption(term() + " has doc_count " + std::to_string(count) + ", expected 1.." +
                      std::to_string(num_docs_));
  }
  out->doc_offset = h.doc_start + doc_rel;
  out->doc_len = static_cast<std::uint32_t>(doc_end - doc_rel);
  out->freq_offset = h.freq_start + freq_rel;
  out->freq_len = static_cast<std::uint32_t>(freq_end - freq_rel);
  out->doc_count = static_cast<std::uint32_t>(count);
  out->live_count = out->doc_count;
  return Status::ok();
}

Status TermTable::verify_block(std::uint64_t k) const {
  const std::uint64_t m = std::min(kTermsPerBlock, num_terms_ - k * kTermsPerBlock);
  const Header h = header(k);
  const unsigned record = h.doc_width + h.freq_width + h.count_width;
  const auto* p = reinterpret_cast<const unsigned char*>(packed_.data()) + h.packed_start;
  std::uint64_t max_doc = 0, max_freq = 0, max_count = 0;
  for (std::uint64_t i = 0; i < m; ++i) {
    max_doc = std::max(max_doc, get_bits(p, i * record, h.doc_width));
    max_freq = std::max(max_freq, get_bits(p, i * record + h.doc_width, h.freq_width));
    max_count = std::max(max_count, get_bits(p, i * record + h.doc_width + h.freq_width, h.count_width));
  }
  if (bit_width_of(max_doc) != h.doc_width || bit_width_of(max_freq) != h.freq_width ||
      bit_width_of(max_count) != h.count_width) {
    return corruption("block " + std::to_string(k) + ": expected widths " + std::to_string(bit_width_of(max_doc)) + ", " +
                      std::to_string(bit_width_of(max_freq)) + ", " + std::to_string(bit_width_of(max_count)) +
                      " (its largest values), got " + std::to_string(h.doc_width) + ", " +
                      std::to_string(h.freq_width) + ", " + std::to_string(h.count_width));
  }
  const std::uint64_t bits = m * record;
  if (bits % 8 != 0 && (p[bits / 8] >> (bits % 8)) != 0) {
    return corruption("block " + std::to_string(k) + ": bits set after its last entry");
  }
  return Status::ok();
}

Status TermTable::verify() const {
  const std::uint64_t blocks = (num_terms_ + kTermsPerBlock - 1) / kTermsPerBlock;
  for (std::uint64_t k = 0; k < blocks; ++k) {
    if (Status s = verify_block(k); !s.is_ok()) return s;
  }
  TermEntry e;
  for (std::uint64_t o = 0; o < num_terms_; ++o) {
    if (Status s = entry(o, &e); !s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace tomes::segment
