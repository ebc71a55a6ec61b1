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

// BM25's saturation at the rule's fixed k1 = 1.2, b = 0.75, as
// tf / (tf + 0.3 + c2 * dl) with c2 = 0.9 / avgdl. The product goes through
// a volatile so that no compiler fuses it into a multiply-add: the writer and
// verify_postings, on any machine, must round alike.
double impact_saturation(std::uint32_t tf, std::uint32_t dl, double c2) {
  const double t = tf;
  volatile double dl_part = c2 * static_cast<double>(dl);  // no FMA across this
  return t / (t + 0.3 + dl_part);
}

}  // namespace

std::uint32_t block_impacts(const std::uint32_t* tfs, const std::uint32_t* dls, std::uint32_t m,
                            Impact* out) {
  assert(m >= 1 && m <= kBlockSize);
  Impact p[kBlockSize];
  std::uint64_t dl_sum = 0;
  std::uint32_t max_tf = 0, min_dl = kSkipSaturated;
  for (std::uint32_t i = 0; i < m; ++i) {
    p[i] = {std::min(tfs[i], kSkipSaturated), std::min(dls[i], kSkipSaturated)};
    dl_sum += p[i].dl;
    max_tf = std::max(max_tf, p[i].tf);
    min_dl = std::min(min_dl, p[i].dl);
  }
  // Often one posting has both the largest tf and the smallest dl: it alone
  // is the frontier. (A cursor computes this for every one-block term it
  // opens, so the common case skips the sort.)
  for (std::uint32_t i = 0; i < m; ++i) {
    if (p[i].tf == max_tf && p[i].dl == min_dl) {
      out[0] = {max_tf, min_dl};
      return 1;
    }
  }
  // The frontier, built in place in p[0..n) sorted by tf (and so by dl), one
  // posting at a time: O(m * n), and n is small. A posting is dominated if
  // the first pair with tf >= its tf has dl <= its dl. Otherwise it replaces
  // the pairs it dominates, p[from..to): those before that first pair with
  // dl >= its dl, and that pair itself if its tf is equal.
  std::uint32_t n = 0;
  for (std::uint32_t i = 0; i < m; ++i) {
    const Impact q = p[i];
    std::uint32_t to = 0;
    while (to < n && p[to].tf < q.tf) ++to;
    if (to < n && p[to].dl <= q.dl) continue;  // dominated (or equal)
    std::uint32_t from = to;
    while (from > 0 && p[from - 1].dl >= q.dl) --from;
    if (to < n && p[to].tf == q.tf) ++to;
    // p[to..n) move to from + 1. (n <= i, so growing by one overwrites only
    // postings already read.)
    if (from == to) {
      std::copy_backward(p + to, p + n, p + n + 1);
      ++n;
    } else if (to - from > 1) {
      std::copy(p + to, p + n, p + from + 1);
      n -= to - from - 1;
    }
    p[from] = q;
  }
  if (n > kMaxImpacts) {
    const double avgdl = dl_sum == 0 ? 1.0 : static_cast<double>(dl_sum) / m;
    const double c2 = 0.9 / avgdl;
    double s[kBlockSize];
    for (std::uint32_t i = 0; i < n; ++i) s[i] = impact_saturation(p[i].tf, p[i].dl, c2);
    while (n > kMaxImpacts) {
      std::uint32_t best = 0;
      double best_cost = 0;
      for (std::uint32_t i = 0; i + 1 < n; ++i) {
        const double cost =
            impact_saturation(p[i + 1].tf, p[i].dl, c2) - std::max(s[i], s[i + 1]);
        if (i == 0 || cost < best_cost) best = i, best_cost = cost;
      }
      p[best].tf = p[best + 1].tf;
      s[best] = impact_saturation(p[best].tf, p[best].dl, c2);
      std::copy(p + best + 2, p + n, p + best + 1);
      std::copy(s + best + 2, s + n, s + best + 1);
      --n;
    }
  }
  std::copy(p, p + n, out);
  return n;
}

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

    for (std::uint32_t i = 0; i < m; ++i) values[i] = f[i] - 1;
    const unsigned freqs_width = append_block(values, m, freqs_out);

    if (table_size != 0) {
      std::uint32_t dls[kBlockSize];
      for (std::uint32_t i = 0; i < m; ++i) dls[i] = doc_lengths[d[i]];
      Impact impacts[kMaxImpacts];  // zero-initialized: unused pairs stay 0
      block_impacts(f, dls, m, impacts);
      char* entry = &(*docs_out)[table_at + b * kSkipEntrySize];
      encode_u32(entry + kSkipLastDoc, d[m - 1]);
      entry[kSkipDocsWidth] = static_cast<char>(docs_width);
      entry[kSkipFreqsWidth] = static_cast<char>(freqs_width);
      for (std::uint32_t j = 0; j < kMaxImpacts; ++j) {
        char* pair = entry + kSkipImpacts + j * kImpactSize;
        encode_u16(pair + kImpactTf, impacts[j].tf);
        encode_u16(pair + kImpactDl, impacts[j].dl);
      }
    }
  }
}

}  // namespace tomes::postings
