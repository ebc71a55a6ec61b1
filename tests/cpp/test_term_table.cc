// test_term_table.cc: the two packed per-segment tables, offsets.bin
// (segment/term_table.h) and doc_lengths.bin (segment/doc_lengths.h),
// against the plain values they encode: random round trips of every shape
// (empty, partial and full blocks, region sizes up to 2^32 - 1, counts and
// lengths up to 32 bits), the exact bytes of small hand-computed cases
// (docs/FORMAT.md section 4), and damage: every decoded result of a damaged
// body is either Corruption or a table that still tiles the postings.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "common/coding.h"
#include "segment/doc_lengths.h"
#include "segment/segment_format.h"
#include "segment/term_table.h"

using namespace tomes;
using segment::TermEntry;
using segment::TermTable;
using segment::TermTableWriter;

namespace {

// Entries of n terms laid back to back, region lengths drawn from a mix of
// small and (rarely) huge sizes, doc_count from 1 to num_docs.
std::vector<TermEntry> random_entries(std::uint64_t n, std::uint64_t num_docs, std::mt19937_64& rng) {
  std::vector<TermEntry> entries;
  std::uint64_t docs = 0, freqs = 0;
  for (std::uint64_t o = 0; o < n; ++o) {
    TermEntry e;
    e.doc_offset = docs;
    e.freq_offset = freqs;
    const unsigned shape = rng() % 8;
    e.doc_len = shape == 0 ? 0xFFFFFFFFu - static_cast<std::uint32_t>(rng() % 3)
                           : 1 + static_cast<std::uint32_t>(rng() % (shape < 4 ? 4 : 5000));
    e.freq_len = shape == 1 ? 0x80000000u : 1 + static_cast<std::uint32_t>(rng() % (shape < 5 ? 2 : 900));
    e.doc_count = 1 + static_cast<std::uint32_t>(rng() % (shape == 2 ? num_docs : std::min<std::uint64_t>(num_docs, 3)));
    docs += e.doc_len;
    freqs += e.freq_len;
    entries.push_back(e);
  }
  return entries;
}

std::string encode(const std::vector<TermEntry>& entries) {
  TermTableWriter w;
  for (const TermEntry& e : entries) w.add(e);
  CHECK_EQ(w.num_terms(), entries.size());
  return w.finish().value();
}

std::uint64_t end_of(const std::vector<TermEntry>& entries, bool docs) {
  if (entries.empty()) return 0;
  const TermEntry& e = entries.back();
  return docs ? e.doc_offset + e.doc_len : e.freq_offset + e.freq_len;
}

bool same(const TermEntry& a, const TermEntry& b) {
  return a.doc_offset == b.doc_offset && a.doc_len == b.doc_len && a.freq_offset == b.freq_offset &&
         a.freq_len == b.freq_len && a.doc_count == b.doc_count;
}

// Whether every entry of t decodes and the regions tile [0, docs) and
// [0, freqs) in ordinal order with counts in 1..num_docs: what any table the
// reader accepts must give, damaged or not. Stops at the first Corruption.
bool accepted_and_tiles(const TermTable& t, std::uint64_t num_docs, std::uint64_t docs, std::uint64_t freqs) {
  std::uint64_t d = 0, f = 0;
  for (std::uint64_t o = 0; o < t.num_terms(); ++o) {
    TermEntry e;
    const Status s = t.entry(o, &e);
    if (!s.is_ok()) {
      CHECK(s.code() == Status::Code::kCorruption);
      return false;
    }
    CHECK(e.doc_offset == d && e.freq_offset == f && e.doc_len >= 1 && e.freq_len >= 1);
    CHECK(e.doc_count >= 1 && e.doc_count <= num_docs);
    d += e.doc_len;
    f += e.freq_len;
  }
  CHECK(d == docs && f == freqs);
  return true;
}

}  // namespace

TEST_CASE("term_table_round_trips_random_entries") {
  std::mt19937_64 rng(14);
  for (std::uint64_t n : {0, 1, 2, 31, 32, 33, 63, 64, 65, 100, 1000, 4099}) {
    for (int trial = 0; trial < 3; ++trial) {
      const std::uint64_t num_docs = 1 + rng() % (trial == 2 ? 0xFFFFFFFFull : 300);
      const std::vector<TermEntry> entries = random_entries(n, num_docs, rng);
      const std::string body = encode(entries);
      Result<TermTable> t =
          TermTable::open(body, n, num_docs, end_of(entries, true), end_of(entries, false), "offsets.bin");
      CHECK(t.is_ok());
      if (!t.is_ok()) continue;
      for (std::uint64_t o = 0; o < n; ++o) {
        TermEntry e;
        CHECK(t.value().entry(o, &e).is_ok());
        CHECK(same(e, entries[o]));
      }
      CHECK(t.value().verify().is_ok());
      TermEntry e;
      CHECK(t.value().entry(n, &e).code() == Status::Code::kCorruption);
    }
  }
}

TEST_CASE("term_table_bytes_of_a_hand_computed_table") {
  // Five terms (the index of docs/FORMAT.md section 8): one block.
  // docs starts 0, 2, 4, 6, 8 (end 10); freqs starts 0, 2, 4, 6, 8 (end 9);
  // counts 2, 2, 3, 2, 3 -> stored 1, 1, 2, 1, 2.
  const std::uint32_t counts[] = {2, 2, 3, 2, 3};
  std::vector<TermEntry> entries;
  for (std::uint32_t o = 0; o < 5; ++o) {
    TermEntry e;
    e.doc_offset = e.freq_offset = 2 * o;
    e.doc_len = 2;
    e.freq_len = o == 4 ? 1 : 2;
    e.doc_count = counts[o];
    entries.push_back(e);
  }
  const std::string body = encode(entries);
  // Widths: 8 -> 4 bits, 8 -> 4 bits, 2 -> 2 bits: 10-bit records, 50 bits, 7 bytes.
  std::string want;
  put_u64(&want, 0);
  put_u64(&want, 0);
  put_u32(&want, 0);
  want += std::string("\x04\x04\x02\x00", 4);
  put_u64(&want, 10);
  put_u64(&want, 9);
  put_u32(&want, 7);
  want += std::string(4, '\0');
  std::uint64_t bits = 0;
  for (std::uint32_t o = 0; o < 5; ++o) {
    bits |= std::uint64_t{2 * o | (2 * o) << 4 | (counts[o] - 1) << 8} << (10 * o);
  }
  for (int i = 0; i < 7; ++i) want.push_back(static_cast<char>(bits >> (8 * i)));
  CHECK_EQ(body.size(), 55u);
  CHECK(body == want);
}

TEST_CASE("term_table_damage_is_corruption_or_still_a_tiling") {
  std::mt19937_64 rng(7);
  const std::uint64_t num_docs = 500;
  const std::vector<TermEntry> entries = random_entries(70, num_docs, rng);
  const std::string body = encode(entries);
  const std::uint64_t docs = end_of(entries, true), freqs = end_of(entries, false);
  int refused = 0;
  for (std::size_t byte = 0; byte < body.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = body;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      Result<TermTable> t = TermTable::open(damaged, 70, num_docs, docs, freqs, "offsets.bin");
      if (!t.is_ok()) {
        CHECK(t.status().code() == Status::Code::kCorruption);
        CHECK(t.status().message().find("offsets.bin") != std::string::npos);
        ++refused;
        continue;
      }
      const bool tiles = accepted_and_tiles(t.value(), num_docs, docs, freqs);
      const Status v = t.value().verify();
      if (!tiles || !v.is_ok()) {
        CHECK(v.code() == Status::Code::kCorruption);
        ++refused;
      }
    }
  }
  // Every header bit and most entry bits are caught (a flipped count bit may
  // give another valid table: the footer's CRC catches those).
  CHECK(refused > static_cast<int>(body.size() * 8 / 2));
  for (std::size_t size = 0; size < body.size(); ++size) {
    CHECK(TermTable::open(body.substr(0, size), 70, num_docs, docs, freqs, "offsets.bin").status().code() ==
          Status::Code::kCorruption);
  }
  CHECK(TermTable::open(body + '\0', 70, num_docs, docs, freqs, "offsets.bin").status().code() ==
        Status::Code::kCorruption);
  CHECK(TermTable::open(body, 70, num_docs, docs + 1, freqs, "offsets.bin").status().code() ==
        Status::Code::kCorruption);
  CHECK(TermTable::open(body, 69, num_docs, docs, freqs, "offsets.bin").status().code() ==
        Status::Code::kCorruption);
}

TEST_CASE("term_table_refuses_a_wider_than_needed_block_on_verify") {
  // The one block of 3 terms, count width 2 for counts 1, 2, 3 (stored 0, 1,
  // 2) re-encoded at count width 3: every entry still decodes, verify refuses.
  std::vector<TermEntry> entries(3);
  for (std::uint32_t o = 0; o < 3; ++o) {
    entries[o].doc_offset = entries[o].freq_offset = o;
    entries[o].doc_len = entries[o].freq_len = 1;
    entries[o].doc_count = o + 1;
  }
  std::string body = encode(entries);
  CHECK_EQ(static_cast<int>(body[segment::term_table::kCountWidth]), 2);
  // Widths 2, 2, 2 -> 6-bit records; at 2, 2, 3 -> 7-bit records, 21 bits, 3 bytes.
  std::string wide = body.substr(0, 2 * segment::term_table::kHeaderBytes);
  wide[segment::term_table::kCountWidth] = 3;
  encode_u32(&wide[segment::term_table::kHeaderBytes + segment::term_table::kPackedStart], 3);
  std::uint64_t bits = 0;
  for (std::uint64_t o = 0; o < 3; ++o) bits |= (o | o << 2 | o << 4) << (7 * o);
  for (int i = 0; i < 3; ++i) wide.push_back(static_cast<char>(bits >> (8 * i)));
  Result<TermTable> t = TermTable::open(wide, 3, 10, 3, 3, "offsets.bin");
  CHECK(t.is_ok());
  CHECK(accepted_and_tiles(t.value(), 10, 3, 3));
  const Status v = t.value().verify();
  CHECK(v.code() == Status::Code::kCorruption);
  CHECK(v.message().find("expected widths 2, 2, 2") != std::string::npos);
}

TEST_CASE("doc_lengths_round_trip_random_lengths") {
  std::mt19937_64 rng(3);
  for (std::uint64_t n : {0, 1, 2, 3, 127, 128, 129, 255, 256, 1000}) {
    for (unsigned top : {1u, 7u, 300u, 0xFFFFFFFFu}) {
      std::vector<std::uint32_t> lengths(n);
      std::uint64_t total = 0;
      for (std::uint32_t& dl : lengths) {
        dl = 1 + static_cast<std::uint32_t>(rng() % top);
        total += dl;
      }
      const std::string body = segment::encode_doc_lengths(lengths);
      std::vector<std::uint32_t> back;
      CHECK(segment::decode_doc_lengths(body, n, total, "doc_lengths.bin", &back).is_ok());
      CHECK(back == lengths);
    }
  }
}

TEST_CASE("doc_lengths_bytes_of_a_hand_computed_table") {
  // The five chunks of docs/FORMAT.md section 8: 4, 4, 3, 3, 2; a partial
  // block of width 3: 4 | 4 << 3 | 3 << 6 | 3 << 9 | 2 << 12 = 0x26e4.
  const std::string body = segment::encode_doc_lengths({4, 4, 3, 3, 2});
  CHECK(body == std::string("\x03\xe4\x26", 3));
  // 128 lengths of 1 and one of 5: a full block of width 1 (16 bytes of 0xff
  // after its width byte), then a partial block of width 3.
  std::vector<std::uint32_t> lengths(128, 1);
  lengths.push_back(5);
  std::string want = "\x01" + std::string(16, '\xff') + "\x03\x05";
  CHECK(segment::encode_doc_lengths(lengths) == want);
}

TEST_CASE("doc_lengths_damage_is_corruption") {
  std::mt19937_64 rng(11);
  std::vector<std::uint32_t> lengths(300);
  std::uint64_t total = 0;
  for (std::uint32_t& dl : lengths) total += (dl = 1 + static_cast<std::uint32_t>(rng() % 200));
  const std::string body = segment::encode_doc_lengths(lengths);
  std::vector<std::uint32_t> back;
  for (std::size_t byte = 0; byte < body.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = body;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      // One bit changes the sum, a width, a padding bit or makes a length 0.
      const Status s = segment::decode_doc_lengths(damaged, 300, total, "doc_lengths.bin", &back);
      CHECK(s.code() == Status::Code::kCorruption);
      CHECK(s.message().find("doc_lengths.bin") != std::string::npos);
    }
  }
  for (std::size_t size = 0; size < body.size(); ++size) {
    CHECK(segment::decode_doc_lengths(body.substr(0, size), 300, total, "doc_lengths.bin", &back).code() ==
          Status::Code::kCorruption);
  }
  CHECK(segment::decode_doc_lengths(body + '\0', 300, total, "doc_lengths.bin", &back).code() ==
        Status::Code::kCorruption);
  CHECK(segment::decode_doc_lengths(body, 299, total, "doc_lengths.bin", &back).code() == Status::Code::kCorruption);
  // A zero length at the right width is still refused.
  std::string zero = segment::encode_doc_lengths({4, 0, 4});
  CHECK(segment::decode_doc_lengths(zero, 3, 8, "doc_lengths.bin", &back).code() == Status::Code::kCorruption);
}

int main() { return tomes::test::run_all(); }
