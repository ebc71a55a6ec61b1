// The postings codec against brute-force models: decode_postings and the
// cursor against the std::vector it was encoded from, next_geq against
// std::lower_bound, block bounds against a brute-force max/min, encoded sizes
// against a byte count written from the format's description, and every cut
// and many random byte flips of encoded terms refused or decoded to valid,
// canonical data (never a crash: run under ASan/UBSan too).
//
//   test_postings            the ctest suite
//   test_postings --bench    encode/decode speed in millions of postings/s
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "common/coding.h"
#include "postings/bitpacking.h"
#include "postings/postings_format.h"
#include "postings/postings_reader.h"
#include "postings/postings_writer.h"
#include "search/bm25.h"

using namespace tomes;
using namespace tomes::postings;

namespace {

constexpr std::uint32_t kMaxU32 = 0xFFFFFFFFu;

struct Term {
  std::vector<std::uint32_t> docs;
  std::vector<std::uint32_t> freqs;
  std::uint32_t num_docs = 0;
};

// Doc lengths for doc ids up to num_docs, which may be near 2^32: a vector
// when small, else a sparse anonymous mapping (untouched pages read as 0).
// Only the term's docs get a random length; the rest stay 0.
class DocLengths {
 public:
  DocLengths(const Term& t, std::mt19937_64& rng) {
    std::uniform_int_distribution<std::uint32_t> len(1, 5000);
    if (t.num_docs <= (1u << 16)) {
      small_.assign(std::max<std::uint32_t>(t.num_docs, 1), 0);
      ptr_ = small_.data();
    } else {
      map_size_ = std::size_t{t.num_docs} * 4;
      void* p = mmap(nullptr, map_size_, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED) {
        map_size_ = 0;
        return;
      }
      ptr_ = static_cast<std::uint32_t*>(p);
    }
    for (std::uint32_t d : t.docs) ptr_[d] = len(rng);
  }
  ~DocLengths() {
    if (map_size_ != 0) munmap(ptr_, map_size_);
  }
  DocLengths(const DocLengths&) = delete;
  DocLengths& operator=(const DocLengths&) = delete;
  const std::uint32_t* get() const { return ptr_; }
  bool ok() const { return ptr_ != nullptr; }

 private:
  std::vector<std::uint32_t> small_;
  std::uint32_t* ptr_ = nullptr;
  std::size_t map_size_ = 0;
};

struct Encoded {
  std::string docs;
  std::string freqs;
};

Encoded encode(const Term& t, const std::uint32_t* dl) {
  Encoded e;
  append_postings(t.docs.data(), t.freqs.data(), t.docs.size(), dl, &e.docs, &e.freqs);
  return e;
}

// --- Independent models of the format ----------------------------------------

std::size_t model_varint_size(std::uint32_t v) {
  std::size_t n = 1;
  while (v >= 128) {
    v >>= 7;
    ++n;
  }
  return n;
}

unsigned model_width(std::uint32_t max) {
  unsigned w = 0;
  while (w < 32 && (std::uint64_t{1} << w) <= max) ++w;
  return w;
}

// The region sizes the format description gives for these postings.
void model_sizes(const Term& t, std::size_t* docs_size, std::size_t* freqs_size) {
  const std::size_t n = t.docs.size();
  const std::size_t blocks = (n + 127) / 128;
  *docs_size = blocks > 1 ? 22 * blocks : 0;  // 22-byte skip entries
  *freqs_size = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * 128, end = std::min(n, begin + 128);
    std::uint32_t max_gap = 0, max_f = 0;
    std::size_t gap_bytes = 0, f_bytes = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint32_t gap = i == 0 ? t.docs[0] : t.docs[i] - t.docs[i - 1] - 1;
      max_gap = std::max(max_gap, gap);
      max_f = std::max(max_f, t.freqs[i] - 1);
      gap_bytes += model_varint_size(gap);
      f_bytes += model_varint_size(t.freqs[i] - 1);
    }
    const std::size_t k = end - begin;
    if (k == 128) {
      *docs_size += 1 + 16 * model_width(max_gap);
      *freqs_size += 1 + 16 * model_width(max_f);
    } else if (k >= 3) {  // a packed tail: width byte, k * w bits rounded up to bytes
      *docs_size += 1 + (k * model_width(max_gap) + 7) / 8;
      *freqs_size += 1 + (k * model_width(max_f) + 7) / 8;
    } else {  // 1 or 2 varints
      *docs_size += gap_bytes;
      *freqs_size += f_bytes;
    }
  }
}

// --- Term generators ----------------------------------------------------------

// n doc ids uniformly spread in [0, num_docs).
Term uniform_term(std::mt19937_64& rng, std::uint32_t n, std::uint32_t num_docs) {
  Term t;
  t.num_docs = num_docs;
  std::uniform_int_distribution<std::uint32_t> pick(0, num_docs - n);
  t.docs.resize(n);
  for (auto& d : t.docs) d = pick(rng);
  std::sort(t.docs.begin(), t.docs.end());
  for (std::uint32_t i = 0; i < n; ++i) t.docs[i] += i;
  return t;
}

// Gaps drawn from a mix: runs of neighbours, small gaps, and rare huge jumps.
Term bursty_term(std::mt19937_64& rng, std::uint32_t n) {
  Term t;
  std::uint64_t doc = rng() % 1000;
  std::uniform_int_distribution<int> kind(0, 99);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (i > 0) {
      const int k = kind(rng);
      std::uint64_t gap = k < 50 ? 0 : k < 90 ? rng() % 64 : k < 99 ? rng() % 100000 : rng() % (1u << 26);
      doc += gap + 1;
    }
    if (doc >= kMaxU32 - 1) break;
    t.docs.push_back(static_cast<std::uint32_t>(doc));
  }
  t.num_docs = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(kMaxU32, std::uint64_t{t.docs.back()} + 1 + rng() % 100));
  return t;
}

void add_freqs(std::mt19937_64& rng, Term* t) {
  const int mode = static_cast<int>(rng() % 4);
  std::geometric_distribution<std::uint32_t> geo(0.4);
  t->freqs.resize(t->docs.size());
  for (auto& f : t->freqs) {
    switch (mode) {
      case 0:
        f = 1;
        break;
      case 1:
        f = 1 + geo(rng);
        break;
      case 2:
        f = rng() % 100 == 0 ? 1 + static_cast<std::uint32_t>(rng() % kMaxU32) : 1 + geo(rng);
        break;
      default:
        f = 1 + static_cast<std::uint32_t>(rng() % kMaxU32);
        break;
    }
  }
}

Term random_term(std::mt19937_64& rng, std::uint32_t n) {
  Term t;
  switch (rng() % 3) {
    case 0:
      t = uniform_term(rng, n, n + static_cast<std::uint32_t>(rng() % (std::uint64_t{n} * 3 + 1)));
      break;
    case 1:
      t = uniform_term(rng, n, n + static_cast<std::uint32_t>(rng() % 4000000));
      break;
    default:
      t = bursty_term(rng, n);
      break;
  }
  add_freqs(rng, &t);
  return t;
}

// --- Checks --------------------------------------------------------------------

// Decodes with decode_postings and walks a cursor with next(); both must give
// back exactly t; sizes must match the model.
void check_round_trip(const Term& t, const std::uint32_t* dl, const Encoded& e) {
  std::size_t docs_size = 0, freqs_size = 0;
  model_sizes(t, &docs_size, &freqs_size);
  CHECK_EQ(e.docs.size(), docs_size);
  CHECK_EQ(e.freqs.size(), freqs_size);
  const auto n = static_cast<std::uint32_t>(t.docs.size());

  std::vector<std::uint32_t> docs, freqs;
  Status s = decode_postings(e.docs, e.freqs, n, t.num_docs, &docs, &freqs);
  CHECK(s.is_ok());
  if (!s.is_ok()) std::fprintf(stderr, "    %s\n", s.message().c_str());
  CHECK(docs == t.docs);
  CHECK(freqs == t.freqs);
  Status v = verify_postings(e.docs, e.freqs, n, t.num_docs, dl);
  CHECK(v.is_ok());

  // Every byte is needed: one byte fewer or more in either region fails.
  std::string longer = e.docs + '\0';
  CHECK(!decode_postings(longer, e.freqs, n, t.num_docs, &docs, &freqs).is_ok());
  longer = e.freqs + '\0';
  CHECK(!decode_postings(e.docs, longer, n, t.num_docs, &docs, &freqs).is_ok());
  CHECK(!decode_postings(std::string_view(e.docs).substr(0, e.docs.size() - 1), e.freqs, n,
                         t.num_docs, &docs, &freqs)
             .is_ok());
  CHECK(!decode_postings(e.docs, std::string_view(e.freqs).substr(0, e.freqs.size() - 1), n,
                         t.num_docs, &docs, &freqs)
             .is_ok());

  // The cursor, one posting at a time, with its block bounds.
  PostingsCursor c(e.docs, e.freqs, n, t.num_docs, dl);
  CHECK(c.status().is_ok());
  CHECK_EQ(c.size(), n);
  CHECK_EQ(c.num_blocks(), static_cast<std::uint32_t>((n + 127) / 128));
  bool same = true, bounds_ok = true;
  for (std::uint32_t i = 0; i < n; ++i) {
    same = same && c.doc() == t.docs[i] && c.freq() == t.freqs[i];
    const std::uint32_t b = i / 128;
    same = same && c.block_index() == b;
    if (i % 128 == 0) {
      const std::uint32_t end = std::min(n, (b + 1) * 128);
      std::uint32_t max_tf = 0, min_dl = kMaxU32;
      std::vector<std::uint32_t> dls;
      for (std::uint32_t j = b * 128; j < end; ++j) {
        max_tf = std::max(max_tf, t.freqs[j]);
        min_dl = std::min(min_dl, dl[t.docs[j]]);
        dls.push_back(dl[t.docs[j]]);
      }
      // Both saturate at 65535 (with a table, and for the one block of a
      // term without one, whose cursor was given the doc lengths): a max tf
      // of 65535 or more is "unbounded" (2^32 - 1), a min dl is capped
      // (still a lower bound).
      max_tf = max_tf < 65535 ? max_tf : kMaxU32;
      min_dl = std::min<std::uint32_t>(min_dl, 65535);
      Impact want[kMaxImpacts];
      const std::uint32_t count = block_impacts(&t.freqs[b * 128], dls.data(), end - b * 128, want);
      if (want[count - 1].tf == 65535) want[count - 1].tf = kMaxU32;
      const BlockBounds bb = c.bounds(b);
      bool same_impacts = bb.count == count && c.block_bounds().count == count;
      for (std::uint32_t j = 0; j < count && same_impacts; ++j) {
        same_impacts = bb.impacts[j].tf == want[j].tf && bb.impacts[j].dl == want[j].dl &&
                       c.block_bounds().impacts[j].tf == want[j].tf &&
                       c.block_bounds().impacts[j].dl == want[j].dl;
      }
      bounds_ok = bounds_ok && same_impacts && c.block_last_doc() == t.docs[end - 1] &&
                  c.block_max_tf() == max_tf && c.block_min_dl() == min_dl &&
                  bb.last_doc == t.docs[end - 1] && bb.max_tf() == max_tf &&
                  bb.min_dl() == min_dl;
    }
    c.next();
  }
  CHECK(same);
  CHECK(bounds_ok);
  CHECK_EQ(c.doc(), kNoDoc);
  CHECK_EQ(c.block_index(), c.num_blocks());
  CHECK_EQ(c.block_max_tf(), 0u);
  c.next_geq(5);
  CHECK_EQ(c.doc(), kNoDoc);
  CHECK(c.status().is_ok());
}

// next_geq at increasing random targets (and some that go backwards, which
// must not move the cursor), mixed with next(), against std::lower_bound.
void check_next_geq(const Term& t, const Encoded& e, std::mt19937_64& rng) {
  const auto n = static_cast<std::uint32_t>(t.docs.size());
  PostingsCursor c(e.docs, e.freqs, n, t.num_docs);
  std::size_t at = 0;  // the model's position
  bool same = true;
  std::uint64_t span = std::uint64_t{t.num_docs} + 2;
  std::uint32_t steps = 0;
  while (at < n && steps++ < 4 * n + 20) {
    const int kind = static_cast<int>(rng() % 10);
    if (kind == 0) {
      c.next();
      ++at;
    } else {
      std::uint64_t target;
      if (kind < 4) {
        target = t.docs[at] + rng() % 300;  // short hops
      } else if (kind < 6) {
        target = rng() % span;  // anywhere, backwards included
      } else if (kind < 8) {
        target = t.docs[std::min<std::size_t>(n - 1, at + rng() % 600)];  // exact hits
      } else {
        target = t.docs[at] + rng() % (span / 8 + 1);  // long jumps
      }
      target = std::min<std::uint64_t>(target, kMaxU32);
      const auto tg = static_cast<std::uint32_t>(target);
      c.next_geq(tg);
      if (t.docs[at] < tg) {
        at = static_cast<std::size_t>(std::lower_bound(t.docs.begin(), t.docs.end(), tg) -
                                      t.docs.begin());
      }
    }
    const std::uint32_t expect = at < n ? t.docs[at] : kNoDoc;
    same = same && c.doc() == expect;
    if (at < n) {
      same = same && c.freq() == t.freqs[at] && c.block_index() == at / 128 &&
             c.block_last_doc() == t.docs[std::min<std::size_t>(n, (at / 128 + 1) * 128) - 1];
    }
    if (!same) break;
  }
  CHECK(same);
  CHECK(c.status().is_ok());
  // find_block against a linear scan of the last docs.
  bool found_ok = true;
  for (int k = 0; k < 50; ++k) {
    const auto target = static_cast<std::uint32_t>(rng() % span);
    const std::uint32_t from = static_cast<std::uint32_t>(rng() % (c.num_blocks() + 1));
    std::uint32_t expect = from;
    while (expect < c.num_blocks() &&
           t.docs[std::min<std::size_t>(n, (expect + 1) * std::size_t{128}) - 1] < target) {
      ++expect;
    }
    PostingsCursor fresh(e.docs, e.freqs, n, t.num_docs);
    found_ok = found_ok && fresh.find_block(target, from) == expect;
  }
  CHECK(found_ok);
}

// A term with random doc lengths: encodes, decodes back, and seeks right.
void check_encodes_and_seeks(const Term& t, std::mt19937_64& rng) {
  DocLengths dl(t, rng);
  CHECK(dl.ok());
  if (!dl.ok()) return;
  const Encoded e = encode(t, dl.get());
  check_round_trip(t, dl.get(), e);
  check_next_geq(t, e, rng);
}

// Is (docs, freqs) a valid decoding of count postings below num_docs?
bool valid(const std::vector<std::uint32_t>& docs, const std::vector<std::uint32_t>& freqs,
           std::uint32_t count, std::uint32_t num_docs) {
  if (docs.size() != count || freqs.size() != count) return false;
  for (std::size_t i = 0; i < count; ++i) {
    if (docs[i] >= num_docs || freqs[i] == 0) return false;
    if (i > 0 && docs[i] <= docs[i - 1]) return false;
  }
  return true;
}

// The bytes with every skip entry's impacts zeroed (what the reader cannot
// check without the doc lengths, but for the last tf).
std::string without_impacts(std::string docs, std::uint32_t count) {
  const std::uint64_t blocks = block_count(count);
  if (blocks > 1 && docs.size() >= blocks * kSkipEntrySize) {
    for (std::uint64_t b = 0; b < blocks; ++b) {
      std::memset(&docs[b * kSkipEntrySize + kSkipImpacts], 0, kMaxImpacts * kImpactSize);
    }
  }
  return docs;
}

// Damaged bytes: decode_postings refuses them as Corruption or gives valid,
// canonical postings (re-encoding gives the same bytes); a cursor walked with
// next() agrees with it; a cursor driven by next_geq stays in order and in
// range. Returns whether decode_postings accepted.
bool check_damaged(std::string_view docs_region, std::string_view freqs_region,
                   std::uint32_t count, std::uint32_t num_docs, std::mt19937_64& rng,
                   bool* all_good) {
  std::vector<std::uint32_t> docs, freqs;
  const Status s = decode_postings(docs_region, freqs_region, count, num_docs, &docs, &freqs);
  bool good = true;
  if (s.is_ok()) {
    good = valid(docs, freqs, count, num_docs);
    if (good && count > 0) {
      const Term t{docs, freqs, num_docs};
      // The impacts are masked out below, so any lengths will do.
      DocLengths lengths(t, rng);
      const Encoded again = encode(t, lengths.get());
      good = without_impacts(again.docs, count) ==
                 without_impacts(std::string(docs_region), count) &&
             again.freqs == freqs_region;
    }
  } else {
    good = s.code() == Status::Code::kCorruption && !s.message().empty();
  }

  PostingsCursor c(docs_region, freqs_region, count, num_docs);
  std::vector<std::uint32_t> walked, walked_f;
  while (c.doc() != kNoDoc) {
    walked.push_back(c.doc());
    walked_f.push_back(c.freq());
    c.next();
  }
  if (s.is_ok()) {
    good = good && c.status().is_ok() && walked == docs && walked_f == freqs;
  } else {
    good = good && !c.status().is_ok() &&
           c.status().code() == Status::Code::kCorruption;
  }

  PostingsCursor g(docs_region, freqs_region, count, num_docs);
  std::uint32_t prev = 0;
  bool first = true;
  while (g.doc() != kNoDoc) {
    const std::uint32_t d = g.doc();
    good = good && d < num_docs && (first || d > prev) && g.freq() >= 1;
    first = false;
    prev = d;
    g.next_geq(d + 1 + static_cast<std::uint32_t>(rng() % 1000));
  }
  *all_good = *all_good && good;
  return s.is_ok();
}

}  // namespace

// --- Cases -------------------------------------------------------------------------

TEST_CASE("varints: sizes, values, and refused encodings") {
  const std::uint32_t values[] = {0, 1, 127, 128, 16383, 16384, 2097151, 2097152,
                                  268435455, 268435456, kMaxU32 - 1, kMaxU32};
  for (std::uint32_t v : values) {
    std::uint8_t buf[kMaxVarintSize];
    const std::size_t n = encode_varint32(buf, v);
    CHECK_EQ(n, model_varint_size(v));
    CHECK_EQ(varint32_size(v), n);
    const std::uint8_t* p = buf;
    std::uint32_t got = 0;
    CHECK(get_varint32(&p, buf + n, &got) == VarintError::kOk);
    CHECK_EQ(got, v);
    CHECK(p == buf + n);
    for (std::size_t cut = 0; cut < n; ++cut) {
      p = buf;
      CHECK(get_varint32(&p, buf + cut, &got) == VarintError::kTruncated);
    }
  }
  const std::uint8_t overlong[] = {0x80, 0x00};
  const std::uint8_t too_large[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x10};
  const std::uint8_t six[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x8F, 0x01};
  const std::uint8_t* p = overlong;
  std::uint32_t got = 0;
  CHECK(get_varint32(&p, overlong + 2, &got) == VarintError::kOverlong);
  p = too_large;
  CHECK(get_varint32(&p, too_large + 5, &got) == VarintError::kTooLarge);
  p = six;
  CHECK(get_varint32(&p, six + 6, &got) == VarintError::kTooLarge);
}

TEST_CASE("bit packing: every width round-trips, sizes 16 * w, lanes interleaved") {
  std::mt19937_64 rng(7);
  for (unsigned w = 0; w <= 32; ++w) {
    std::uint32_t in[kBlockSize], out[kBlockSize];
    const std::uint64_t limit = std::uint64_t{1} << w;
    for (auto& v : in) v = static_cast<std::uint32_t>(rng() % limit);
    if (w > 0) in[rng() % kBlockSize] = static_cast<std::uint32_t>(limit - 1);  // the top value
    CHECK_EQ(block_bit_width(in), w);
    std::vector<std::uint8_t> bytes(16 * w + 1, 0xAB);
    pack_block(in, w, bytes.data());
    CHECK_EQ(bytes[16 * w], 0xAB);  // nothing written past 16 * w
    unpack_block(bytes.data(), w, out);
    CHECK(std::equal(in, in + kBlockSize, out));
    // The model of the layout: value i is lane i % 4's value i / 4.
    bool layout = true;
    for (std::uint32_t i = 0; i < kBlockSize && w > 0; ++i) {
      const std::uint32_t lane = i % 4, j = i / 4;
      std::uint64_t v = 0;
      for (unsigned bit = 0; bit < w; ++bit) {
        const unsigned p = j * w + bit;
        const std::size_t byte = 4 * (4 * (p / 32) + lane) + (p % 32) / 8;
        v |= std::uint64_t{(bytes[byte] >> (p % 8)) & 1u} << bit;
      }
      layout = layout && v == in[i];
    }
    CHECK(layout);
  }
}

TEST_CASE("tail packing: every k and width round-trips, ceil(k*w/8) bytes, sequential bits") {
  std::mt19937_64 rng(8);
  bool sizes_ok = true, bounded = true, round_trip = true, layout = true, padding = true;
  for (std::uint32_t k = 0; k < kBlockSize; ++k) {
    for (unsigned w = 0; w <= 32; ++w) {
      std::vector<std::uint32_t> in(k), out(k + 1, 0xDEADBEEFu);
      const std::uint64_t limit = std::uint64_t{1} << w;
      for (auto& v : in) v = static_cast<std::uint32_t>(rng() % limit);
      if (w > 0 && k > 0) in[rng() % k] = static_cast<std::uint32_t>(limit - 1);  // the top value
      if (k > 0) sizes_ok = sizes_ok && values_bit_width(in.data(), k) == w;
      const std::size_t size = (std::size_t{k} * w + 7) / 8;
      if (k > kMaxVarintTail) sizes_ok = sizes_ok && packed_tail_size(k, w) == 1 + size;
      // Guard bytes on both sides: nothing written outside [0, size).
      std::vector<std::uint8_t> bytes(size + 2, 0xAB);
      pack_tail(in.data(), k, w, bytes.data() + 1);
      bounded = bounded && bytes[0] == 0xAB && bytes[size + 1] == 0xAB;
      unpack_tail(bytes.data() + 1, k, w, out.data());
      round_trip = round_trip && std::equal(in.begin(), in.end(), out.begin()) &&
                   out[k] == 0xDEADBEEFu;
      padding = padding && tail_padding_clear(bytes.data() + 1, k, w);
      // The model of the layout: bit p of the stream is bit p % 8 of byte p / 8.
      for (std::uint32_t i = 0; i < k && layout; ++i) {
        std::uint64_t v = 0;
        for (unsigned bit = 0; bit < w; ++bit) {
          const std::size_t p = std::size_t{i} * w + bit;
          v |= std::uint64_t{(bytes[1 + p / 8] >> (p % 8)) & 1u} << bit;
        }
        layout = v == in[i];
      }
      // Any bit set past the last value is seen; the unpacked values ignore it.
      if ((std::size_t{k} * w) % 8 != 0) {
        bytes[size] |= 0x80;
        padding = padding && !tail_padding_clear(bytes.data() + 1, k, w);
        unpack_tail(bytes.data() + 1, k, w, out.data());
        round_trip = round_trip && std::equal(in.begin(), in.end(), out.begin());
      }
    }
  }
  CHECK(sizes_ok);
  CHECK(bounded);
  CHECK(round_trip);
  CHECK(layout);
  CHECK(padding);
  // A hand-checked stream: 3, 1, 2 at width 2 is 0b10'01'11 = 0x27.
  const std::uint32_t three[] = {3, 1, 2};
  std::uint8_t byte = 0;
  pack_tail(three, 3, 2, &byte);
  CHECK_EQ(byte, 0x27);
}

TEST_CASE("worked example of docs/FORMAT.md section 5: exact bytes") {
  // 131 postings: docs 0, 2, ..., 254 (freq 1), then 300 (freq 3), 1000 (200),
  // 1100 (1).
  Term t;
  t.num_docs = 1200;
  for (std::uint32_t i = 0; i < 128; ++i) {
    t.docs.push_back(2 * i);
    t.freqs.push_back(1);
  }
  t.docs.insert(t.docs.end(), {300, 1000, 1100});
  t.freqs.insert(t.freqs.end(), {3, 200, 1});
  std::vector<std::uint32_t> dl(1200, 100);
  dl[10] = 7;
  dl[1000] = 250;  // holds the term 200 times, so its length is at least 200
  dl[1100] = 42;   // the second block's min_dl
  dl[300] = 50;
  const Encoded e = encode(t, dl.data());
  std::string docs_hex, freqs_hex;
  char buf[4];
  for (unsigned char ch : e.docs) {
    std::snprintf(buf, sizeof buf, "%02x", ch);
    docs_hex += buf;
  }
  for (unsigned char ch : e.freqs) {
    std::snprintf(buf, sizeof buf, "%02x", ch);
    freqs_hex += buf;
  }
  CHECK_EQ(docs_hex,
           // skip entry 0: last 254, widths 1 (docs) and 0 (freqs), impacts
           // (1, 7) (every tf is 1, doc 10 is the shortest), 3 unused pairs
           std::string("fe000000" "01" "00" "01000700" "00000000" "00000000" "00000000") +
               // skip entry 1: last 1100, widths 10 and 8, impacts (1, 42) (doc
               // 1100), (3, 50) (doc 300), (200, 250) (doc 1000), 1 unused pair
               "4c040000" "0a" "08" "01002a00" "03003200" "c800fa00" "00000000" +
               // block 0: width 1; lane 0's word holds gap 0 then 31 gaps of 1
               "01" "feffffff" "ffffffff" "ffffffff" "ffffffff" +
               // tail: width 10; gaps 45, 699, 99 in 30 bits:
               // 45 | 699 << 10 | 99 << 20 = 0x063aec2d
               "0a" "2dec3a06");
  // block 0: width 0; tail: width 8, values 2, 199, 0
  CHECK_EQ(freqs_hex, std::string("00") + "08" "02c700");
  check_round_trip(t, dl.data(), e);

  // A term of one block has no skip table: docs 5, 6, 1000 with freqs 1, 1, 2,
  // a tail of 3: gaps 5, 0, 993 at width 10 (5 | 993 << 20 = 0x3e100005),
  // freqs - 1 = 0, 0, 1 at width 1 (0b100).
  Term small{{5, 6, 1000}, {1, 1, 2}, 1200};
  const Encoded s = encode(small, dl.data());
  CHECK(s.docs == std::string("\x0a\x05\x00\x10\x3e", 5));
  CHECK(s.freqs == std::string("\x01\x04", 2));
  check_round_trip(small, dl.data(), s);

  // A tail of 2 is varints: docs 5, 1000 (gaps 5, 994), freqs 1, 2.
  Term two{{5, 1000}, {1, 2}, 1200};
  const Encoded s2 = encode(two, dl.data());
  CHECK(s2.docs == std::string("\x05\xe2\x07", 3));
  CHECK(s2.freqs == std::string("\x00\x01", 2));
  check_round_trip(two, dl.data(), s2);
}

TEST_CASE("round trips at sizes around the block size") {
  std::mt19937_64 rng(20240601);
  const std::uint32_t sizes[] = {1, 2, 127, 128, 129, 255, 256, 257, 1000, 100000};
  for (std::uint32_t n : sizes) {
    for (int rep = 0; rep < 3; ++rep) {
      check_encodes_and_seeks(random_term(rng, n), rng);
    }
  }
}

TEST_CASE("appending: terms back to back decode apart, earlier bytes untouched") {
  std::mt19937_64 rng(11);
  std::string docs_out = "prefix", freqs_out = "xy";
  std::vector<Term> terms;
  std::vector<std::size_t> docs_at, freqs_at;
  std::vector<std::uint32_t> dl(5000000, 3);
  for (std::uint32_t n : {1u, 300u, 128u, 77u, 1000u}) {
    Term t = uniform_term(rng, n, 5000000);
    add_freqs(rng, &t);
    docs_at.push_back(docs_out.size());
    freqs_at.push_back(freqs_out.size());
    append_postings(t.docs.data(), t.freqs.data(), n, dl.data(), &docs_out, &freqs_out);
    terms.push_back(std::move(t));
  }
  docs_at.push_back(docs_out.size());
  freqs_at.push_back(freqs_out.size());
  CHECK_EQ(docs_out.substr(0, 6), std::string("prefix"));
  CHECK_EQ(freqs_out.substr(0, 2), std::string("xy"));
  for (std::size_t k = 0; k < terms.size(); ++k) {
    std::vector<std::uint32_t> docs, freqs;
    const std::string_view d =
        std::string_view(docs_out).substr(docs_at[k], docs_at[k + 1] - docs_at[k]);
    const std::string_view f =
        std::string_view(freqs_out).substr(freqs_at[k], freqs_at[k + 1] - freqs_at[k]);
    CHECK(decode_postings(d, f, static_cast<std::uint32_t>(terms[k].docs.size()), 5000000, &docs,
                          &freqs)
              .is_ok());
    CHECK(docs == terms[k].docs);
    CHECK(freqs == terms[k].freqs);
  }
}

TEST_CASE("extreme values: ids near 2^32 - 1, huge gaps and freqs, width 0 and 32") {
  std::mt19937_64 rng(3);
  std::vector<Term> cases;
  const std::uint32_t top = kMaxU32 - 1;  // the largest doc id there can be
  cases.push_back({{top}, {kMaxU32}, kMaxU32});                 // one posting, all maximal
  cases.push_back({{0, top}, {1, kMaxU32}, kMaxU32});           // a gap of 2^32 - 2
  cases.push_back({{0}, {1}, 1});                               // the smallest term
  {
    Term t;  // 300 postings ending at the top id, freqs all 2^32 - 1
    for (std::uint32_t i = 0; i < 300; ++i) {
      t.docs.push_back(top - 299 + i);
      t.freqs.push_back(kMaxU32);
    }
    t.num_docs = kMaxU32;
    cases.push_back(t);
  }
  {
    Term t;  // a full block with one gap of nearly 2^32 (width 32) then a tail
    for (std::uint32_t i = 0; i < 127; ++i) t.docs.push_back(i);
    t.docs.push_back(top - 1);
    t.docs.push_back(top);
    t.freqs.assign(129, 1);
    t.freqs[5] = kMaxU32;
    t.num_docs = kMaxU32;
    cases.push_back(t);
  }
  {
    Term t;  // 256 neighbours, freq 1: every block is a single width-0 byte
    for (std::uint32_t i = 0; i < 256; ++i) t.docs.push_back(i);
    t.freqs.assign(256, 1);
    t.num_docs = 256;
    cases.push_back(t);
  }
  {
    Term t;  // all-equal gaps and freqs (width 3 and width 4) across 1000 postings
    for (std::uint32_t i = 0; i < 1000; ++i) t.docs.push_back(i * 8 + 7);
    t.freqs.assign(1000, 9);
    t.num_docs = 8000;
    cases.push_back(t);
  }
  for (const Term& t : cases) check_encodes_and_seeks(t, rng);
  // Exact sizes of the constant terms.
  const Encoded zero = encode(cases[5], std::vector<std::uint32_t>(256, 1).data());
  CHECK_EQ(zero.docs.size(), 2 * kSkipEntrySize + 2);
  CHECK_EQ(zero.freqs.size(), 2u);
  std::vector<std::uint32_t> dl8(8000, 1);
  const Encoded eq = encode(cases[6], dl8.data());
  // 7 full blocks of gap 7 (width 3) and a packed tail of 104 gaps (width 3,
  // 39 bytes); freqs - 1 = 8 (width 4; a tail of 52 bytes).
  CHECK_EQ(eq.docs.size(), 8 * kSkipEntrySize + 7 * (1 + 16 * 3) + 1 + 39);
  CHECK_EQ(eq.freqs.size(), 7 * (1 + 16 * 4) + 1 + 52u);
  // The cursor at the top of the id space: next_geq(top) lands, past it ends.
  const Term& high = cases[3];
  DocLengths dlh(high, rng);
  const Encoded eh = encode(high, dlh.get());
  PostingsCursor c(eh.docs, eh.freqs, 300, kMaxU32);
  c.next_geq(top);
  CHECK_EQ(c.doc(), top);
  CHECK_EQ(c.freq(), kMaxU32);
  c.next_geq(kMaxU32);
  CHECK_EQ(c.doc(), kNoDoc);
  CHECK(c.status().is_ok());
}

TEST_CASE("seeded random terms against the vector model") {
  std::mt19937_64 rng(0x5eed);
  for (int iter = 0; iter < 120; ++iter) {
    const int size_kind = static_cast<int>(rng() % 4);
    const std::uint32_t n = size_kind == 0   ? 1 + static_cast<std::uint32_t>(rng() % 130)
                            : size_kind == 1 ? 1 + static_cast<std::uint32_t>(rng() % 700)
                            : size_kind == 2 ? 128 * (1 + static_cast<std::uint32_t>(rng() % 8))
                                             : 1 + static_cast<std::uint32_t>(rng() % 20000);
    check_encodes_and_seeks(random_term(rng, n), rng);
  }
}

// block_impacts against brute force: the frontier of the saturated pairs
// (O(m^2)), dominance of every posting, exactness when the frontier has at
// most 4 pairs, and the BM25 bound over the pairs above every posting's
// score at random k1 in [0, 3], b in [0, 1].
TEST_CASE("impacts: the writer's summary against a brute-force frontier and BM25") {
  std::mt19937_64 rng(2026);
  std::uint32_t exact_cases = 0, merged_cases = 0;
  bool ok = true;
  for (int round = 0; round < 3000 && ok; ++round) {
    const std::uint32_t m = 1 + rng() % 128;
    std::vector<std::uint32_t> tfs(m), dls(m);
    const int shape = static_cast<int>(rng() % 5);
    for (std::uint32_t i = 0; i < m; ++i) {
      switch (shape) {
        case 0:  // small tfs, lengths correlated with them
          tfs[i] = 1 + rng() % 4;
          dls[i] = tfs[i] * (5 + rng() % 50);
          break;
        case 1:  // wide, some saturated
          tfs[i] = rng() % 8 == 0 ? 60000 + rng() % 20000 : 1 + rng() % 300;
          dls[i] = rng() % 8 == 0 ? 60000 + rng() % 20000 : rng() % 3000;
          break;
        case 2:  // few distinct values (many ties)
          tfs[i] = 1 + rng() % 3;
          dls[i] = 10 * (rng() % 3);
          break;
        case 3:  // a staircase: longer docs hold the term more, most pairs on the frontier
          tfs[i] = 1 + static_cast<std::uint32_t>(rng() % 64);
          dls[i] = tfs[i] * 20 + static_cast<std::uint32_t>(rng() % 20);
          break;
        default:  // anything
          tfs[i] = 1 + static_cast<std::uint32_t>(rng() % 0xFFFFFFFEull);
          dls[i] = static_cast<std::uint32_t>(rng());
      }
    }
    Impact out[kMaxImpacts];
    const std::uint32_t c = block_impacts(tfs.data(), dls.data(), m, out);
    ok = c >= 1 && c <= kMaxImpacts;
    if (!ok) break;
    // Sorted strictly in both, tf >= 1, within u16.
    for (std::uint32_t j = 0; j < c; ++j) {
      ok = ok && out[j].tf >= 1 && out[j].tf <= 65535 && out[j].dl <= 65535;
      if (j > 0) ok = ok && out[j].tf > out[j - 1].tf && out[j].dl > out[j - 1].dl;
    }
    // The brute-force frontier of the saturated pairs.
    std::vector<Impact> sat(m), frontier;
    std::uint32_t max_tf = 0, min_dl = kMaxU32;
    for (std::uint32_t i = 0; i < m; ++i) {
      sat[i] = {std::min(tfs[i], 65535u), std::min(dls[i], 65535u)};
      max_tf = std::max(max_tf, sat[i].tf);
      min_dl = std::min(min_dl, sat[i].dl);
    }
    for (std::uint32_t i = 0; i < m; ++i) {
      bool dominated = false;
      for (std::uint32_t k = 0; k < m && !dominated; ++k) {
        dominated = sat[k].tf >= sat[i].tf && sat[k].dl <= sat[i].dl &&
                    (sat[k].tf > sat[i].tf || sat[k].dl < sat[i].dl);
      }
      const bool seen = std::any_of(frontier.begin(), frontier.end(), [&](const Impact& f) {
        return f.tf == sat[i].tf && f.dl == sat[i].dl;
      });
      if (!dominated && !seen) frontier.push_back(sat[i]);
    }
    std::sort(frontier.begin(), frontier.end(),
              [](const Impact& a, const Impact& b) { return a.tf < b.tf; });
    ok = ok && out[c - 1].tf == max_tf && out[0].dl == min_dl;
    if (frontier.size() <= kMaxImpacts) {
      ++exact_cases;
      ok = ok && c == frontier.size();
      for (std::uint32_t j = 0; j < c && ok; ++j) {
        ok = out[j].tf == frontier[j].tf && out[j].dl == frontier[j].dl;
      }
    } else {
      ++merged_cases;
      ok = ok && c == kMaxImpacts;
      // Merging keeps frontier coordinates: each pair's tf and dl are some
      // frontier pair's.
      for (std::uint32_t j = 0; j < c && ok; ++j) {
        ok = std::any_of(frontier.begin(), frontier.end(), [&](const Impact& f) { return f.tf == out[j].tf; }) &&
             std::any_of(frontier.begin(), frontier.end(), [&](const Impact& f) { return f.dl == out[j].dl; });
      }
    }
    // Every posting dominated by a pair, and the bound above its score.
    postings::BlockBounds bb;
    bb.count = c;
    for (std::uint32_t j = 0; j < c; ++j) {
      bb.impacts[j] = {out[j].tf == 65535 ? kMaxU32 : out[j].tf, out[j].dl};
    }
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int trial = 0; trial < 4 && ok; ++trial) {
      const double k1 = 3.0 * unit(rng), b = trial == 0 ? 1.0 : trial == 1 ? 0.0 : unit(rng);
      const double avgdl = 1.0 + 500.0 * unit(rng);
      const search::Bm25 w(1000.0, 1.0 + rng() % 1000, avgdl, k1, b);
      const double bound = w.bound(bb);
      for (std::uint32_t i = 0; i < m && ok; ++i) {
        ok = w.score(tfs[i], dls[i]) <= bound;
        if (trial == 0) {
          ok = ok && std::any_of(bb.impacts, bb.impacts + c, [&](const Impact& p) {
                 return tfs[i] <= p.tf && dls[i] >= p.dl;
               });
        }
      }
    }
    if (!ok) std::fprintf(stderr, "    failed at round %d (m = %u, shape %d)\n", round, m, shape);
  }
  CHECK(ok);
  std::fprintf(stderr, "    %u exact, %u merged\n", exact_cases, merged_cases);
  // Both paths were taken many times.
  CHECK(exact_cases > 500);
  CHECK(merged_cases > 500);

  // A hand-checked merge: the frontier (1, 10) (2, 20) (3, 30) (4, 40) (100,
  // 1000) at the block's mean dl 220 (c2 = 0.9 / 220). Merging (1, 10) with
  // (2, 20) into (2, 10) costs s(2, 10) - s(2, 20) = 0.0147; (2, 20)+(3, 30):
  // 0.0106; (3, 30)+(4, 40): 0.0083; (4, 40)+(100, 1000): 0.0374. The
  // cheapest is (3, 30)+(4, 40) -> (4, 30).
  const std::uint32_t tf5[] = {1, 2, 3, 4, 100}, dl5[] = {10, 20, 30, 40, 1000};
  Impact five[kMaxImpacts];
  CHECK_EQ(block_impacts(tf5, dl5, 5, five), 4u);
  const std::uint32_t want_tf[] = {1, 2, 4, 100}, want_dl[] = {10, 20, 30, 1000};
  for (std::uint32_t j = 0; j < 4; ++j) {
    CHECK_EQ(five[j].tf, want_tf[j]);
    CHECK_EQ(five[j].dl, want_dl[j]);
  }
}

TEST_CASE("wrong count or num_docs is Corruption") {
  std::mt19937_64 rng(5);
  for (std::uint32_t n : {1u, 5u, 128u, 129u, 700u}) {
    Term t = uniform_term(rng, n, n * 4);
    add_freqs(rng, &t);
    std::vector<std::uint32_t> dl(n * 4, 1);
    const Encoded e = encode(t, dl.data());
    std::vector<std::uint32_t> docs, freqs;
    for (std::uint32_t count : {0u, n - 1, n + 1, n + 128, kMaxU32}) {
      if (count == n) continue;
      const Status s = decode_postings(e.docs, e.freqs, count, kMaxU32, &docs, &freqs);
      CHECK(s.code() == Status::Code::kCorruption);
      PostingsCursor c(e.docs, e.freqs, count, kMaxU32);
      while (c.doc() != kNoDoc) c.next();
      CHECK(c.status().code() == Status::Code::kCorruption);
    }
    const Status s = decode_postings(e.docs, e.freqs, n, t.docs.back(), &docs, &freqs);
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(s.message().find("num_docs") != std::string::npos);
  }
  // Empty terms: empty regions are fine, anything else is not.
  std::vector<std::uint32_t> docs{1}, freqs{1};
  CHECK(decode_postings("", "", 0, 10, &docs, &freqs).is_ok());
  CHECK(docs.empty() && freqs.empty());
  CHECK(decode_postings("x", "", 0, 10, &docs, &freqs).code() == Status::Code::kCorruption);
  PostingsCursor empty("", "", 0, 10);
  CHECK(empty.status().is_ok());
  CHECK_EQ(empty.doc(), kNoDoc);
  PostingsCursor none;
  CHECK_EQ(none.doc(), kNoDoc);
  none.next_geq(3);
  CHECK_EQ(none.doc(), kNoDoc);
}

TEST_CASE("messages say what was expected and what was found") {
  Term t;
  for (std::uint32_t i = 0; i < 200; ++i) {
    t.docs.push_back(3 * i);
    t.freqs.push_back(1 + i % 5);
  }
  t.num_docs = 600;
  std::vector<std::uint32_t> dl(600, 9);
  const Encoded e = encode(t, dl.data());
  std::vector<std::uint32_t> docs, freqs;
  auto message = [&](const std::string& d, const std::string& f) {
    const Status s = decode_postings(d, f, 200, 600, &docs, &freqs);
    return s.is_ok() ? std::string("ok") : s.message();
  };
  auto has = [](const std::string& m, const char* part) {
    const bool found = m.find(part) != std::string::npos;
    if (!found) std::fprintf(stderr, "    message: %s\n", m.c_str());
    return found;
  };
  std::string d = e.docs;
  d[2 * kSkipEntrySize] = 40;  // block 0's width byte
  CHECK(has(message(d, e.freqs), "expected a bit width in 0..32, got 40"));
  d = e.docs;
  d[2 * kSkipEntrySize] = 3;  // a width other than the table's
  CHECK(has(message(d, e.freqs), "block 0 of 2 (docs): expected bit width 2 (skip table), got 3"));
  d = e.docs;
  d[kSkipDocsWidth] = 3;  // the table's width of block 0, which moves block 1
  CHECK(has(message(d, e.freqs), "expected 68 docs and 77 freqs bytes of block data (the skip "
                                 "table's widths), got 52 and 77"));
  d = e.docs;
  d[kSkipEntrySize + kSkipFreqsWidth] = 33;
  CHECK(has(message(d, e.freqs), "skip entry 1 of 2: expected widths in 0..32, got 2 and 33"));
  d = e.docs;
  d[0] = static_cast<char>(d[0] + 3);  // block 0's last doc, 381 -> 384
  CHECK(has(message(d, e.freqs), "expected last doc 384 (skip table), got 381"));
  // Every doc has length 9, so each block's impacts are the one pair (5, 9)
  // (its max tf): pair j of block b is at b * 22 + 6 + 4 * j, tf then dl.
  auto pair_at = [](std::uint32_t b, std::uint32_t j) {
    return b * kSkipEntrySize + kSkipImpacts + j * kImpactSize;
  };
  auto set_pair = [&](std::string* dd, std::uint32_t b, std::uint32_t j, std::uint32_t tf,
                      std::uint32_t dl_value) {
    encode_u16(&(*dd)[pair_at(b, j) + kImpactTf], tf);
    encode_u16(&(*dd)[pair_at(b, j) + kImpactDl], dl_value);
  };
  CHECK_EQ(static_cast<int>(e.docs[pair_at(1, 0)]), 5);
  CHECK_EQ(static_cast<int>(e.docs[pair_at(1, 0) + kImpactDl]), 9);
  d = e.docs;
  set_pair(&d, 1, 0, 9, 9);  // block 1's max tf
  CHECK(has(message(d, e.freqs), "block 1 of 2 (freqs): expected max tf 9 (skip table), got 5"));
  set_pair(&d, 1, 0, 65535, 9);  // 65535: "65535 or more"
  CHECK(has(message(d, e.freqs), "expected max tf 65535 or more (skip table), got 5"));
  d = e.docs;
  set_pair(&d, 0, 0, 0, 9);  // block 0 without a used pair
  CHECK(has(message(d, e.freqs),
            "skip entry 0 of 2: expected impact pair 0 to have a tf >= 1, got (0, 9)"));
  d = e.docs;
  set_pair(&d, 0, 1, 0, 5);  // a trailing pair that is not all-zero
  CHECK(has(message(d, e.freqs),
            "skip entry 0 of 2: expected unused impact pair 1 to be (0, 0), got (0, 5)"));
  d = e.docs;
  set_pair(&d, 0, 2, 7, 20);  // a used pair after an unused one
  CHECK(has(message(d, e.freqs),
            "skip entry 0 of 2: expected impact pair 2 after an unused pair to be (0, 0), got "
            "(7, 20)"));
  d = e.docs;
  set_pair(&d, 1, 1, 3, 12);  // pairs out of order in tf
  CHECK(has(message(d, e.freqs),
            "skip entry 1 of 2: expected impact pair 1 above pair 0 (5, 9) in both tf and dl, "
            "got (3, 12)"));
  set_pair(&d, 1, 1, 6, 9);  // ... and in dl (equal is not above)
  CHECK(has(message(d, e.freqs), "expected impact pair 1 above pair 0 (5, 9) in both tf and dl, "
                                 "got (6, 9)"));
  set_pair(&d, 1, 1, 6, 12);  // in order, but the last tf is not the block's max tf
  CHECK(has(message(d, e.freqs), "block 1 of 2 (freqs): expected max tf 6 (skip table), got 5"));
  {  // the same damage through a cursor: Corruption, terminated, no crash
    PostingsCursor dc(d, e.freqs, 200, 600);
    while (dc.doc() != kNoDoc) {
      (void)dc.freq();
      dc.next();
    }
    CHECK(dc.status().code() == Status::Code::kCorruption);
  }
  CHECK(has(message(e.docs.substr(0, 15), e.freqs),
            "expected at least 46 docs bytes for 200 postings, got 15"));
  // The tail: 72 gaps of 2 (width 2, 18 bytes) and 72 freqs - 1 in 0..4.
  CHECK(has(message(e.docs + "\x01", e.freqs),
            "expected 52 docs and 77 freqs bytes of block data (the skip table's widths), got "
            "53 and 77"));
  d = e.docs;
  d[d.size() - 19] = 3;  // the tail's width byte, with the bytes of width 2
  CHECK(has(message(d, e.freqs), "block 1 of 2 (docs): expected bit width 2 (skip table), got 3"));
  d[kSkipEntrySize + kSkipDocsWidth] = 3;  // and the table's: the size is then wrong
  CHECK(has(message(d, e.freqs), "expected 61 docs and 77 freqs bytes"));
  d = e.docs;
  d[d.size() - 19] = 33;
  CHECK(has(message(d, e.freqs), "block 1 of 2 (docs): expected a bit width in 0..32, got 33"));

  // Small tails. Docs 0, 2, 3: gaps 0, 1, 0 at width 1 (0b010), freqs 1, 1, 1.
  auto small = [&](const std::string& dd, const std::string& ff, std::uint32_t count) {
    const Status s = decode_postings(dd, ff, count, 10, &docs, &freqs);
    return s.is_ok() ? std::string("ok") : s.message();
  };
  CHECK_EQ(small(std::string("\x01\x02", 2), std::string("\x00", 1), 3), std::string("ok"));
  CHECK(has(small(std::string("\x01\x82", 2), std::string("\x00", 1), 3),
            "expected the 5 bits after the last value to be 0, got the last byte 0x82"));
  CHECK(has(small(std::string("\x02\x04", 2), std::string("\x00", 1), 3),
            "expected bit width 1 for these values, got 2"));
  CHECK(has(small(std::string("\x01\x02", 2), std::string("\x00\x00", 2), 3),
            "(freqs): expected 1 bytes for 3 values of width 0, got 2"));
  // Docs 5, 9 (gaps 5, 3), freqs 1, 1: a tail of 2 is varints.
  CHECK_EQ(small(std::string("\x05\x03", 2), std::string("\x00\x00", 2), 2), std::string("ok"));
  CHECK(has(small(std::string("\x05\x03\x01", 3), std::string("\x00\x00", 2), 2),
            "bytes left over"));
  CHECK(has(small(std::string("\x05\x03", 2), std::string("\x00\x80", 2), 2), "cut short"));
  // verify_postings checks the impacts against the doc lengths.
  CHECK(verify_postings(e.docs, e.freqs, 200, 600, dl.data()).is_ok());
  dl[0] = 1;  // doc 0 has tf 1
  const Status v = verify_postings(e.docs, e.freqs, 200, 600, dl.data());
  CHECK(has(v.message(), "block 0 of 2 (skip table): expected impacts (1, 1) (5, 9) (0, 0) (0, 0) "
                         "(frequencies and doc lengths), got (5, 9) (0, 0) (0, 0) (0, 0)"));
}

TEST_CASE("skip table saturation: tf >= 65535 and dl >= 65535 in a block") {
  // 3 full blocks and a tail of 44. Block 0: max tf 65534 (exact), min dl
  // 65534 (exact). Block 1: max tf 65535, min dl 65535 (both stored as
  // 65535). Block 2: max tf 2^32 - 1, min dl 100000. Tail: max tf 70000, min
  // dl 0.
  Term t;
  t.num_docs = 1000;
  for (std::uint32_t i = 0; i < 428; ++i) {
    t.docs.push_back(2 * i);
    t.freqs.push_back(1 + i % 7);
  }
  t.freqs[5] = 65534;
  t.freqs[128 + 9] = 65535;
  t.freqs[256 + 100] = kMaxU32;
  t.freqs[384 + 43] = 70000;
  std::vector<std::uint32_t> dl(1000, 0);
  for (std::uint32_t i = 0; i < 428; ++i) {
    const std::uint32_t b = i / 128;
    dl[t.docs[i]] = b == 0 ? 65534 + i % 3 : b == 1 ? 65535 + i % 2 : b == 2 ? 100000 + i : i % 5;
  }
  const Encoded e = encode(t, dl.data());
  check_round_trip(t, dl.data(), e);
  auto u16_at = [&](std::size_t at) {
    return std::uint32_t{static_cast<unsigned char>(e.docs[at])} |
           std::uint32_t{static_cast<unsigned char>(e.docs[at + 1])} << 8;
  };
  // The stored tf of the last used pair of block b, and its index.
  auto last_pair = [&](std::uint32_t b) {
    std::uint32_t j = kMaxImpacts - 1;
    while (u16_at(b * kSkipEntrySize + kSkipImpacts + j * kImpactSize) == 0) --j;
    return j;
  };
  const std::uint32_t stored_tf[] = {65534, 65535, 65535, 65535};
  const std::uint32_t stored_dl[] = {65534, 65535, 65535, 0};
  const std::uint32_t bound_tf[] = {65534, kMaxU32, kMaxU32, kMaxU32};
  // Block 0: (7, 65534) (tf 1 + i % 7 at dl 65534) and (65534, 65535); blocks 1
  // and 2: the one pair (65535, 65535).
  CHECK_EQ(last_pair(0), 1u);
  CHECK_EQ(u16_at(kSkipImpacts + kImpactTf), 7u);
  CHECK_EQ(last_pair(1), 0u);
  CHECK_EQ(last_pair(2), 0u);
  PostingsCursor c(e.docs, e.freqs, 428, 1000);
  for (std::uint32_t b = 0; b < 4; ++b) {
    const std::size_t last_at = b * kSkipEntrySize + kSkipImpacts + last_pair(b) * kImpactSize;
    CHECK_EQ(u16_at(last_at + kImpactTf), stored_tf[b]);
    CHECK_EQ(u16_at(b * kSkipEntrySize + kSkipImpacts + kImpactDl), stored_dl[b]);
    const BlockBounds bb = c.bounds(b);
    CHECK_EQ(bb.max_tf(), bound_tf[b]);
    CHECK_EQ(bb.min_dl(), stored_dl[b]);
    CHECK_EQ(c.block_index(), b);
    CHECK_EQ(c.block_max_tf(), bound_tf[b]);
    CHECK_EQ(c.block_min_dl(), stored_dl[b]);
    c.next_geq(t.docs[std::min<std::uint32_t>(427, (b + 1) * 128)]);
  }
  CHECK(verify_postings(e.docs, e.freqs, 428, 1000, dl.data()).is_ok());
  // A saturated dl stays 65535 whatever the lengths above it.
  dl[t.docs[300]] = 65535;
  CHECK(verify_postings(e.docs, e.freqs, 428, 1000, dl.data()).is_ok());
  dl[t.docs[300]] = 65534;
  CHECK(verify_postings(e.docs, e.freqs, 428, 1000, dl.data()).code() ==
        Status::Code::kCorruption);

  std::vector<std::uint32_t> docs, freqs;
  auto with_max_tf = [&](std::uint32_t b, std::uint32_t v) {
    std::string d = e.docs;
    encode_u16(&d[b * kSkipEntrySize + kSkipImpacts + last_pair(b) * kImpactSize + kImpactTf], v);
    const Status s = decode_postings(d, e.freqs, 428, 1000, &docs, &freqs);
    return s.is_ok() ? std::string("ok") : s.message();
  };
  // Exact below 65535, 65535 exactly when the max is 65535 or more.
  CHECK_EQ(with_max_tf(0, 65535), std::string("postings: block 0 of 4 (freqs): expected max tf "
                                               "65535 or more (skip table), got 65534"));
  CHECK_EQ(with_max_tf(1, 65534), std::string("postings: block 1 of 4 (freqs): expected max tf "
                                               "65534 (skip table), got 65535"));
  CHECK(with_max_tf(2, 65534) != "ok");
  CHECK(with_max_tf(3, 7) != "ok");
  CHECK_EQ(with_max_tf(3, 65535), std::string("ok"));

  // Every bit of the table flipped: refused, or (impacts only, which the
  // bytes cannot check but for the last tf) decoded to the same canonical
  // postings.
  std::mt19937_64 rng(17);
  bool all_good = true, only_impacts = true;
  for (std::size_t bit = 0; bit < 8 * 4 * kSkipEntrySize; ++bit) {
    std::string d = e.docs;
    d[bit / 8] = static_cast<char>(d[bit / 8] ^ (1 << (bit % 8)));
    if (check_damaged(d, e.freqs, 428, 1000, rng, &all_good)) {
      const std::size_t field = bit / 8 % kSkipEntrySize;
      only_impacts = only_impacts && field >= kSkipImpacts;
    }
  }
  CHECK(all_good);
  CHECK(only_impacts);
}

TEST_CASE("every cut of an encoded term is refused") {
  std::mt19937_64 rng(99);
  for (std::uint32_t n : {1u, 2u, 3u, 4u, 127u, 128u, 129u, 130u, 131u, 300u, 1000u}) {
    Term t = random_term(rng, n);
    DocLengths dl(t, rng);
    const Encoded e = encode(t, dl.get());
    bool all_good = true;
    std::uint32_t accepted = 0;
    for (std::size_t cut = 0; cut < e.docs.size(); ++cut) {
      accepted += check_damaged(std::string_view(e.docs).substr(0, cut), e.freqs, n, t.num_docs,
                                rng, &all_good);
    }
    for (std::size_t cut = 0; cut < e.freqs.size(); ++cut) {
      accepted += check_damaged(e.docs, std::string_view(e.freqs).substr(0, cut), n, t.num_docs,
                                rng, &all_good);
    }
    CHECK(all_good);
    CHECK_EQ(accepted, 0u);
  }
}

namespace {

// A term whose tail (its last k postings, after `full` full blocks) has doc
// gaps of exactly width wd and freqs - 1 of exactly width wf.
Term tail_term(std::mt19937_64& rng, std::uint32_t full, std::uint32_t k, unsigned wd,
               unsigned wf) {
  // The largest value of width w that stays in range: a gap or f - 1 of
  // width 32 is at most 2^32 - 3 or 2^32 - 2.
  auto top = [](unsigned w, std::uint32_t cap) {
    return static_cast<std::uint32_t>(std::min<std::uint64_t>((std::uint64_t{1} << w) - 1, cap));
  };
  auto pick = [&](unsigned w, std::uint32_t cap) -> std::uint32_t {
    if (w == 0) return 0;
    const std::uint32_t lo = std::uint32_t{1} << (w - 1), hi = top(w, cap);
    return lo + static_cast<std::uint32_t>(rng() % (std::uint64_t{hi} - lo + 1));
  };
  Term t;
  const std::uint32_t n = full * kBlockSize + k;
  std::vector<std::uint32_t> gaps(n), fm1(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    gaps[i] = static_cast<std::uint32_t>(rng() % 4);
    fm1[i] = static_cast<std::uint32_t>(rng() % 3);
  }
  const std::uint32_t begin = n - k;
  // The tail's values stay below 2^w (the random ones are < 4 already); one
  // of them (one gap only, so the ids fit in 32 bits) has width exactly w.
  for (std::uint32_t i = begin; i < n; ++i) {
    if (wd < 2) gaps[i] = wd == 0 ? 0 : gaps[i] & 1;
    if (wf < 2) fm1[i] = wf == 0 ? 0 : fm1[i] & 1;
  }
  gaps[begin + rng() % k] = pick(wd, kMaxU32 - 3 - 4 * n);
  const std::uint32_t at = begin + static_cast<std::uint32_t>(rng() % k);
  fm1[at] = pick(wf, kMaxU32 - 1);
  std::uint64_t doc = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    doc = i == 0 ? gaps[0] : doc + gaps[i] + 1;
    t.docs.push_back(static_cast<std::uint32_t>(doc));
    t.freqs.push_back(fm1[i] + 1);
  }
  t.num_docs = static_cast<std::uint32_t>(std::min<std::uint64_t>(kMaxU32, doc + 1 + rng() % 3));
  return t;
}

}  // namespace

TEST_CASE("tails of every size 1..127, widths 0..32: exact sizes, canonical, damage refused") {
  std::mt19937_64 rng(0x7a11);
  bool all_good = true, sizes_ok = true, wider_refused = true, padding_refused = true;
  std::uint32_t accepted_cuts = 0, flips_accepted = 0, flips_refused = 0;
  for (std::uint32_t k = 1; k < kBlockSize; ++k) {
    for (unsigned w : {0u, 1u, 2u, 7u, 8u, 9u, 13u, 31u, 32u}) {
      // One-block terms (no table), and terms with a full block before the tail.
      const std::uint32_t full = (k + w) % 3 == 0 ? 1 : 0;
      const unsigned wf = k % 2 == 0 ? w : 32 - w;  // the freqs at another width
      const Term t = tail_term(rng, full, k, w, wf);
      const auto n = static_cast<std::uint32_t>(t.docs.size());
      DocLengths dl(t, rng);
      CHECK(dl.ok());
      if (!dl.ok()) continue;
      const Encoded e = encode(t, dl.get());
      check_round_trip(t, dl.get(), e);
      if (k <= kMaxVarintTail) continue;  // varints: covered by the other damage tests

      // The tail is the last packed_tail_size bytes of each region.
      const std::size_t docs_tail = packed_tail_size(k, w), freqs_tail = packed_tail_size(k, wf);
      const std::size_t docs_at = e.docs.size() - docs_tail, freqs_at = e.freqs.size() - freqs_tail;
      sizes_ok = sizes_ok && static_cast<unsigned>(e.docs[docs_at]) == w &&
                 static_cast<unsigned>(e.freqs[freqs_at]) == wf;

      // Every cut inside the tail, and one byte more, is refused.
      for (std::size_t cut = docs_at; cut <= e.docs.size(); ++cut) {
        const std::string d = cut < e.docs.size() ? e.docs.substr(0, cut) : e.docs + '\0';
        accepted_cuts += check_damaged(d, e.freqs, n, t.num_docs, rng, &all_good);
      }
      for (std::size_t cut = freqs_at; cut <= e.freqs.size(); ++cut) {
        const std::string f = cut < e.freqs.size() ? e.freqs.substr(0, cut) : e.freqs + '\0';
        accepted_cuts += check_damaged(e.docs, f, n, t.num_docs, rng, &all_good);
      }

      // The same values at one more bit of width: the right size, refused.
      std::vector<std::uint32_t> gaps(k);
      for (std::uint32_t i = 0; i < k; ++i) {
        const std::uint32_t j = n - k + i;
        gaps[i] = j == 0 ? t.docs[0] : t.docs[j] - t.docs[j - 1] - 1;
      }
      if (w < 32) {
        std::string d = e.docs.substr(0, docs_at);
        d.resize(docs_at + packed_tail_size(k, w + 1));
        d[docs_at] = static_cast<char>(w + 1);
        if (full > 0) d[kSkipEntrySize + kSkipDocsWidth] = static_cast<char>(w + 1);  // the table too
        pack_tail(gaps.data(), k, w + 1, reinterpret_cast<std::uint8_t*>(&d[docs_at + 1]));
        std::vector<std::uint32_t> docs, freqs;
        const Status s = decode_postings(d, e.freqs, n, t.num_docs, &docs, &freqs);
        wider_refused = wider_refused && s.code() == Status::Code::kCorruption &&
                        s.message().find("expected bit width") != std::string::npos;
      }
      // Each unused bit of the final byte set: refused.
      for (std::size_t bit = (std::size_t{k} * w) % 8; bit % 8 != 0; ++bit) {
        std::string d = e.docs;
        d.back() = static_cast<char>(d.back() | (1 << bit));
        std::vector<std::uint32_t> docs, freqs;
        const Status s = decode_postings(d, e.freqs, n, t.num_docs, &docs, &freqs);
        padding_refused = padding_refused && s.code() == Status::Code::kCorruption &&
                          s.message().find("bits after the last value") != std::string::npos;
      }

      // Bit flips in the tail: the width byte and the last two bytes in full,
      // 16 random bits elsewhere, in both regions.
      for (int region = 0; region < 2; ++region) {
        const std::string& bytes = region == 0 ? e.docs : e.freqs;
        const std::size_t at = region == 0 ? docs_at : freqs_at;
        std::vector<std::size_t> bits;
        for (unsigned b = 0; b < 8; ++b) bits.push_back(8 * at + b);
        for (std::size_t p = std::max(at + 1, bytes.size() - std::min<std::size_t>(bytes.size(), 2));
             p < bytes.size(); ++p) {
          for (unsigned b = 0; b < 8; ++b) bits.push_back(8 * p + b);
        }
        for (int r = 0; r < 16; ++r) bits.push_back(8 * at + rng() % (8 * (bytes.size() - at)));
        for (std::size_t bit : bits) {
          std::string d = e.docs, f = e.freqs;
          std::string& target = region == 0 ? d : f;
          target[bit / 8] = static_cast<char>(target[bit / 8] ^ (1 << (bit % 8)));
          (check_damaged(d, f, n, t.num_docs, rng, &all_good) ? flips_accepted : flips_refused)++;
        }
      }
    }
  }
  CHECK(all_good);
  CHECK(sizes_ok);
  CHECK(wider_refused);
  CHECK(padding_refused);
  CHECK_EQ(accepted_cuts, 0u);
  CHECK(flips_refused > 0);
  std::fprintf(stderr, "    tail flips: %u accepted as valid, %u refused\n", flips_accepted,
               flips_refused);
}

TEST_CASE("random byte flips decode to valid canonical postings or Corruption") {
  std::mt19937_64 rng(0xf11b);
  std::uint32_t accepted = 0, refused = 0;
  bool all_good = true;
  for (int iter = 0; iter < 60; ++iter) {
    const std::uint32_t n = iter % 3 == 0 ? 1 + static_cast<std::uint32_t>(rng() % 128)
                                          : 1 + static_cast<std::uint32_t>(rng() % 1500);
    Term t = random_term(rng, n);
    DocLengths dl(t, rng);
    const Encoded e = encode(t, dl.get());
    for (int flip = 0; flip < 300; ++flip) {
      std::string d = e.docs, f = e.freqs;
      const int mutations = 1 + static_cast<int>(rng() % 3);
      for (int m = 0; m < mutations; ++m) {
        std::string& target = (rng() % 3 == 0 && !f.empty()) ? f : d;
        const std::size_t at = rng() % target.size();
        switch (rng() % 3) {
          case 0:
            target[at] = static_cast<char>(target[at] ^ (1 << (rng() % 8)));  // one bit
            break;
          case 1:
            target[at] = static_cast<char>(rng());  // one byte
            break;
          default:
            target[at] = static_cast<char>(target[at] + ((rng() & 1) ? 1 : -1));  // off by one
            break;
        }
      }
      const std::uint32_t num_docs = rng() % 8 == 0 ? kMaxU32 : t.num_docs;
      (check_damaged(d, f, n, num_docs, rng, &all_good) ? accepted : refused)++;
    }
  }
  CHECK(all_good);
  CHECK(refused > 0);
  std::fprintf(stderr, "    flips: %u accepted as valid, %u refused\n", accepted, refused);
}

TEST_CASE("random bytes never crash the reader") {
  std::mt19937_64 rng(0xbad);
  bool all_good = true;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string d(rng() % 700, '\0'), f(rng() % 300, '\0');
    const bool small = rng() % 2 == 0;
    for (char& ch : d) ch = static_cast<char>(small ? rng() % 3 : rng());
    for (char& ch : f) ch = static_cast<char>(small ? rng() % 3 : rng());
    const auto count = static_cast<std::uint32_t>(rng() % 400);
    const std::uint32_t num_docs = rng() % 2 ? kMaxU32 : count + static_cast<std::uint32_t>(rng() % 1000);
    check_damaged(d, f, count, num_docs, rng, &all_good);
  }
  CHECK(all_good);
}

// --- Benchmark ------------------------------------------------------------------

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int run_bench() {
  std::mt19937_64 rng(1);
  const std::uint32_t num_docs = 20000000;  // the most any shape needs
  std::vector<std::uint32_t> dl(num_docs);
  for (auto& v : dl) v = 1 + static_cast<std::uint32_t>(rng() % 1000);
  struct Shape {
    const char* name;
    std::uint32_t n;
    std::uint32_t spread;  // one doc in `spread` has the term
    int terms;
  };
  const Shape shapes[] = {{"dense (1 doc in 4)", 5000000, 4, 4},
                          {"medium (1 in 100)", 200000, 100, 100},
                          {"rare (1 in 20000)", 1000, 20000, 20000},
                          {"medium, 1M-doc segment", 10000, 100, 2000},
                          {"rare, 1M-doc segment", 200, 5000, 100000}};
  for (const Shape& shape : shapes) {
    std::vector<Term> terms;
    std::uint64_t total = 0;
    for (int k = 0; k < shape.terms; ++k) {
      Term t = uniform_term(rng, shape.n, shape.n * shape.spread);
      t.freqs.resize(t.docs.size());
      std::geometric_distribution<std::uint32_t> geo(0.5);
      for (auto& f : t.freqs) f = 1 + geo(rng);
      total += t.docs.size();
      terms.push_back(std::move(t));
    }
    std::string docs_out, freqs_out;
    std::vector<std::size_t> da, fa;
    double enc = 1e9;
    for (int rep = 0; rep < 3; ++rep) {
      docs_out.clear();
      freqs_out.clear();
      da.clear();
      fa.clear();
      const auto t0 = std::chrono::steady_clock::now();
      for (const Term& t : terms) {
        da.push_back(docs_out.size());
        fa.push_back(freqs_out.size());
        append_postings(t.docs.data(), t.freqs.data(), t.docs.size(), dl.data(), &docs_out,
                        &freqs_out);
      }
      enc = std::min(enc, seconds_since(t0));
    }
    da.push_back(docs_out.size());
    fa.push_back(freqs_out.size());
    double dec = 1e9, walk = 1e9, skip = 1e9;
    std::uint64_t sink = 0;
    std::vector<std::uint32_t> docs, freqs;
    for (int rep = 0; rep < 3; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      for (std::size_t k = 0; k < terms.size(); ++k) {
        const Status s = decode_postings(
            std::string_view(docs_out).substr(da[k], da[k + 1] - da[k]),
            std::string_view(freqs_out).substr(fa[k], fa[k + 1] - fa[k]),
            static_cast<std::uint32_t>(terms[k].docs.size()), terms[k].num_docs, &docs, &freqs);
        sink += s.is_ok() ? docs.back() : 1;
      }
      dec = std::min(dec, seconds_since(t0));
      t0 = std::chrono::steady_clock::now();
      for (std::size_t k = 0; k < terms.size(); ++k) {
        PostingsCursor c(std::string_view(docs_out).substr(da[k], da[k + 1] - da[k]),
                         std::string_view(freqs_out).substr(fa[k], fa[k + 1] - fa[k]),
                         static_cast<std::uint32_t>(terms[k].docs.size()), terms[k].num_docs);
        for (; c.doc() != kNoDoc; c.next()) sink += c.freq();
      }
      walk = std::min(walk, seconds_since(t0));
      // next_geq to every 50th posting's doc: the skip path.
      t0 = std::chrono::steady_clock::now();
      std::uint64_t hops = 0;
      for (std::size_t k = 0; k < terms.size(); ++k) {
        PostingsCursor c(std::string_view(docs_out).substr(da[k], da[k + 1] - da[k]),
                         std::string_view(freqs_out).substr(fa[k], fa[k + 1] - fa[k]),
                         static_cast<std::uint32_t>(terms[k].docs.size()), terms[k].num_docs);
        for (std::size_t i = 0; i < terms[k].docs.size(); i += 50, ++hops) {
          c.next_geq(terms[k].docs[i]);
          sink += c.doc();
        }
      }
      skip = std::min(skip, seconds_since(t0)) + 0 * static_cast<double>(hops);
    }
    const double m = static_cast<double>(total) / 1e6;
    std::printf("%-34s %9llu postings  %5.2f bytes/posting  encode %7.1f M/s  decode_postings %7.1f M/s  cursor next() %7.1f M/s  next_geq every 50th: %6.1f M postings/s (%llu)\n",
                shape.name, static_cast<unsigned long long>(total),
                static_cast<double>(docs_out.size() + freqs_out.size()) / static_cast<double>(total),
                m / enc, m / dec, m / walk, m / skip, static_cast<unsigned long long>(sink % 10));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--bench") return run_bench();
  return tomes::test::run_all();
}
