#include "postings/postings_writer.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "common/coding.h"
#include "postings/bitpacking.h"

namespace tomes::postings {

namespace {

// A varint tail's room: m values of at most kMaxVarintSize bytes each.
static_assert(kMaxVarintSize == kMaxVarint32Bytes, "postings varints are u32 LEB128");

// Appends values[0..m) as one block: packed in lanes when m is a full block,
// packed in sequence for a tail of more than kMaxVarintTail values, else
// varints. Returns the width byte written (0 for varints, which have none).
unsigned append_block(const std::uint32_t* values, std::uint32_t m, std::string* out) {
  const std::size_t at = out->size();
  if (m == kBlockSize) {
    const unsigned w = block_bit_width(values);
    out->resize(at + full_block_size(w));
    auto* bytes = reinterpret_cast<std::uint8_t*>(&(*out)[at]);
    bytes[0] = static_cast<std::uint8_t>(w);
    pack_block(values, w, bytes + 1);
    return w;
  } else if (m > kMaxVarintTail) {
    const unsigned w = values_bit_width(values, m);
    out->resize(at + packed_tail_size(m, w));
    auto* bytes = reinterpret_cast<std::uint8_t*>(&(*out)[at]);
    bytes[0] = static_cast<std::uint8_t>(w);
    pack_tail(values, m, w, bytes + 1);
    return w;
  } else {
    out->resize(at + std::size_t{m} * kMaxVarintSize);
    auto* bytes = reinterpret_cast<std::uint8_t*>(&(*out)[at]);
    std::size_t used = 0;
    for (std::uint32_t i = 0; i < m; ++i) used += encode_varint32(bytes + used, values[i]);
    out->resize(at + used);
    return 0;
  }
}

}  // namespace

void append_postings(const std::uint32_t* docs, const std::uint32_t* freqs, std::size_t n,
                     const std::uint32_t* doc_lengths, std::string* docs_out,
                     std::string* freqs_out) {
  assert(n >= 1 && n <= kMaxPostings);
  const std::size_t blocks = static_cast<std::size_t>(block_count(n));
  const std::size_t table_at = docs_out->size();
  const std::size_t table_size = static_cast<std::size_t>(skip_table_size(n));
  docs_out->resize(table_at + table_size);  // filled block by block

  std::uint32_t values[kBlockSize];
  std::uint32_t next_doc = 0;  // the smallest id the next doc may have
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * kBlockSize;
    const auto m = static_cast<std::uint32_t>(std::min<std::size_t>(kBlockSize, n - begin));
    const std::uint32_t* d = docs + begin;
    const std::uint32_t* f = freqs + begin;

    values[0] = d[0] - next_doc;
    for (std::uint32_t i = 1; i < m; ++i) values[i] = d[i] - d[i - 1] - 1;
    next_doc = d[m - 1] + 1;
    const unsigned docs_width = append_block(values, m, docs_out);

    std::uint32_t max_tf = 0;
    for (std::uint32_t i = 0; i < m; ++i) {
      values[i] = f[i] - 1;
      max_tf = std::max(max_tf, f[i]);
    }
    const unsigned freqs_width = append_block(values, m, freqs_out);

    if (table_size != 0) {
      std::uint32_t min_dl = 0xFFFFFFFFu;
      for (std::uint32_t i = 0; i < m; ++i) min_dl = std::min(min_dl, doc_lengths[d[i]]);
      char* entry = &(*docs_out)[table_at + b * kSkipEntrySize];
      encode_u32(entry + kSkipLastDoc, d[m - 1]);
      entry[kSkipDocsWidth] = static_cast<char>(docs_width);
      entry[kSkipFreqsWidth] = static_cast<char>(freqs_width);
      encode_u16(entry + kSkipMaxTf, std::min(max_tf, kSkipSaturated));
      encode_u16(entry + kSkipMinDl, std::min(min_dl, kSkipSaturated));
    }
  }
}

}  // namespace tomes::postings
