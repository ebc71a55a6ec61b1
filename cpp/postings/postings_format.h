// postings_format.h: the serialized form of one term's postings list, format
// version 2. The writer (postings_writer.h) writes it, the reader
// (postings_reader.h) reads it, docs/FORMAT.md ("Postings") mirrors it with a
// worked example.
//
// A term's postings are its doc ids d_0 < d_1 < ... < d_{n-1} (chunk ids of
// one segment, each < num_docs) and their term frequencies f_i >= 1. They are
// stored in two regions, one in postings_docs.bin and one in
// postings_freqs.bin; offsets.bin gives each region's offset and length and
// n (doc_count). Neither region has a header: n, and the segment's num_docs,
// come from the caller.
//
// VALUES. Doc ids are stored as gaps, frequencies as f - 1, so every stored
// value is >= 0 and small values are common:
//   delta_0 = d_0            delta_i = d_i - d_{i-1} - 1       (i >= 1)
//   stored freq_i = f_i - 1
// Across a block boundary the gap is taken from the previous block's last
// doc, which the skip table holds, so any block decodes on its own.
//
// BLOCKS. The n values are cut into blocks of kBlockSize = 128; the last
// n % 128 values (if any) form the "tail" block. Both regions use the same
// cut, so block k of the docs region and block k of the freqs region hold
// the same postings.
//
//   Full block (128 values):  u8 width w (0..32), then 16 * w bytes
//     The values are packed w bits each in 4 interleaved 32-bit lanes: value
//     i goes to lane i % 4 as that lane's value number j = i / 4, at bits
//     [j*w, j*w + w) of the lane's bit stream (bit p of a lane is bit p % 32
//     of the lane's word p / 32; a value may straddle two words, low bits in
//     the first). Each lane has exactly w words; word m of lane l is the
//     little-endian u32 at byte 1 + 16*m + 4*l of the block. w is the bit
//     width of the largest value (0 when all are 0: the block is 1 byte).
//     The interleave lets one SIMD register decode 4 values per instruction.
//   Tail block of k = 1..127 values, by k:
//     k <= kMaxVarintTail (2): each value as a LEB128 varint (7 bits a byte,
//       low bits first, high bit set on every byte but the last), at most 5
//       bytes, never overlong (a last byte 0x00 after others is refused).
//     k >= 3: u8 width w (0..32, the bit width of the largest value), then
//       ceil(k * w / 8) bytes: value i at bits [i*w, i*w + w) of one plain
//       little-endian bit stream (bit p is bit p % 8 of byte p / 8), low bits
//       first; bits past the last value in the final byte are 0. No lanes:
//       a tail is short, and sequential packing wastes at most 7 bits.
//     Why the cut at 2: one width byte costs more than it saves on one or
//     two values (a single value v < 128 is 1 varint byte but 2 packed), and
//     from 3 values on packing wins, mostly because tails of f - 1 are nearly
//     all 0 (width 0: the whole tail is 1 byte). Measured on zipf-1G and on
//     the real corpus, k <= 2 gave the smallest docs + freqs of any cut
//     (k <= 1 and k <= 3 within 0.1%). Doc gaps alone pack less well: one
//     large gap sets the width of the whole tail, and on the real corpus
//     packed gap tails are 10% larger than varints; the freqs saving there
//     is nearly 4 times that loss.
//
// SKIP TABLE (docs region only). A term with more than one block (n > 128)
// starts its docs region with one 22-byte entry per block (the tail counts as
// a block), before any block data; a term with one block has no table.
// Little-endian, no padding:
//   0  u32 last_doc      the block's last doc id
//   4  u8  docs_width    the block's width byte in the docs region (0 for a
//                        varint tail, which has none)
//   5  u8  freqs_width   the same in the freqs region
//   6  4 impact pairs, 4 bytes each (pair j at 6 + 4*j):
//        u16 tf          a term frequency, 65535 (kSkipSaturated) meaning
//                        "unbounded": readers take it as +infinity
//                        (BlockBounds says 2^32 - 1)
//        u16 dl          a doc length, min(dl, 65535): a lower bound
// Block offsets are not stored: a block's byte size follows from its width
// (full block: 1 + 16 * w; packed tail of k: 1 + ceil(k * w / 8)), so the
// reader computes every block's start in both regions by prefix sums when it
// opens the term (O(blocks), once), and then reaches any block in O(1). The
// last block runs to the region's end: when it is packed, the sums must equal
// the region sizes exactly; a varint tail of k values takes the rest, which
// must be k..5k bytes (its varints then fill it exactly). Each block's width
// byte must equal the table's.
//
// IMPACTS (format version 2; version 1 kept one pair, (max tf, min dl),
// taken from different postings, a loose bound). BM25's term-frequency
// saturation
//   s(tf, dl) = tf / (tf + k1 * (1 - b + b * dl / avgdl))
// grows with tf and falls with dl, for every k1 >= 0 and b in [0, 1]. A pair
// (T, D) dominates a posting (tf, dl) when tf <= T and dl >= D; then
// s(tf, dl) <= s(T, D). The pairs are a summary of the block's postings:
// every posting is dominated by one of them, so the largest s over the pairs
// bounds the block, for any k1 and b chosen at search time. The writer's
// summary (block_impacts(), postings_writer.h), deterministic:
//   1. Saturate each posting: (min(tf, 65535), min(dl, 65535)), dl being
//      the doc's length in doc_lengths.bin.
//   2. Keep the Pareto frontier: the pairs no other pair dominates with one
//      coordinate strictly better (larger tf or smaller dl). Sorted by tf,
//      the frontier is strictly increasing in both tf and dl.
//   3. While more than kMaxImpacts (4) pairs remain, merge the adjacent pair
//      (i, i+1) into (tf_{i+1}, dl_i), which dominates both, choosing the i
//      whose merge raises the bound least:
//        cost_i = s(tf_{i+1}, dl_i) - max(s(tf_i, dl_i), s(tf_{i+1}, dl_{i+1}))
//      with s at k1 = 1.2, b = 0.75 and avgdl = the mean saturated dl of the
//      block's postings (1 if that is 0), in IEEE doubles; ties go to the
//      lowest i. (The block's own mean needs nothing but the block, so the
//      rule is self-contained; only tightness depends on it.)
// The result, sorted by tf, fills pairs 0..c-1 (1 <= c <= 4); pairs c..3 are
// all-zero. The last used pair's tf is the block's max tf (saturated), its
// first pair's dl the block's min dl (saturated).
//
// CANONICAL FORM. The reader refuses anything the writer would not write:
// widths larger than needed, overlong varints, unused bytes, nonzero bits
// after a packed tail's last value, a table whose last_doc, widths or
// impacts disagree with the blocks: when it opens a term, every entry's
// pairs must be 1 to 4 used pairs (tf >= 1) strictly increasing in tf and
// in dl, then all-zero pairs; when it decodes a block, the last used pair's
// tf must be min(the block's max tf, 65535) (65535 for a block whose max tf
// is below it is refused, and so is less than 65535 for one whose max tf is
// not); widths must be 0 for a varint tail. (The other pairs need the doc
// lengths, which the reader is not given: verify_postings() checks that all
// four pairs are exactly block_impacts() of the block.)
//
// LIMITS. offsets.bin's regions (TermEntry lengths) are u32: a term's region must stay under
// 4 GiB, which n <= kMaxPostings guarantees (the reader keeps its block
// starts as u32 too, and refuses a region of 4 GiB or more). Doc ids are
// < num_docs <= 2^32 - 1, so kNoDoc = 2^32 - 1 is never a doc id.
//
// Thread safety: constants only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tomes::postings {

// Version 2: skip entries of 22 bytes with 4 impact pairs (version 1: 10
// bytes, one (max_tf, min_dl) pair). Readers refuse version 1 segments
// (segment_format.h kSegmentFormatVersion): they must be rebuilt.
inline constexpr std::uint32_t kFormatVersion = 2;

inline constexpr std::uint32_t kBlockSize = 128;
// Lanes of a packed block, and bytes per bit of width (4 lanes x 4 bytes).
inline constexpr std::uint32_t kLanes = 4;
inline constexpr std::size_t kBytesPerBit = kBlockSize / 8;
inline constexpr unsigned kMaxWidth = 32;
inline constexpr std::size_t kMaxVarintSize = 5;
// Tails of at most this many values are varints; longer ones are packed.
inline constexpr std::uint32_t kMaxVarintTail = 2;

// Skip entry: field offsets within it, and the saturated u16 value.
inline constexpr std::size_t kSkipLastDoc = 0;    // u32
inline constexpr std::size_t kSkipDocsWidth = 4;  // u8
inline constexpr std::size_t kSkipFreqsWidth = 5; // u8
inline constexpr std::size_t kSkipImpacts = 6;    // kMaxImpacts pairs of kImpactSize bytes
inline constexpr std::uint32_t kMaxImpacts = 4;
inline constexpr std::size_t kImpactSize = 4;     // u16 tf (kSkipSaturated = unbounded),
inline constexpr std::size_t kImpactTf = 0;       //   then u16 dl (min(dl, kSkipSaturated)),
inline constexpr std::size_t kImpactDl = 2;       //   at these offsets within the pair
inline constexpr std::size_t kSkipEntrySize = kSkipImpacts + kMaxImpacts * kImpactSize;  // 22
inline constexpr std::uint32_t kSkipSaturated = 0xFFFF;

// Most postings one term may have in one segment. A posting takes at most
// 4 + 1/128 bytes of freqs and 4 + 23/128 bytes of docs (skip entry
// included; a packed tail at most 4 bytes a value plus its width byte, a
// varint tail at most 10 bytes in all), so 2^29 of them stay under 2.3 GiB
// in either region, well within u32 offsets.
inline constexpr std::uint32_t kMaxPostings = std::uint32_t{1} << 29;

// Never a doc id: the one sentinel, also what PostingsCursor::doc() returns
// once the cursor is exhausted (or damaged).
inline constexpr std::uint32_t kNoDoc = 0xFFFFFFFFu;

// Bytes of a full block packed at width w, width byte included.
inline constexpr std::size_t full_block_size(unsigned w) { return 1 + kBytesPerBit * w; }

// Bytes of a packed tail of k values at width w, width byte included.
// REQUIRES: kMaxVarintTail < k < kBlockSize.
inline constexpr std::size_t packed_tail_size(std::uint32_t k, unsigned w) {
  return 1 + (std::size_t{k} * w + 7) / 8;
}

// Blocks of a term with n postings (the tail counts).
inline constexpr std::uint64_t block_count(std::uint64_t n) {
  return (n + kBlockSize - 1) / kBlockSize;
}

// Bytes of the skip table of a term with n postings.
inline constexpr std::uint64_t skip_table_size(std::uint64_t n) {
  return block_count(n) > 1 ? block_count(n) * kSkipEntrySize : 0;
}

}  // namespace tomes::postings
