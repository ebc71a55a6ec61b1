// postings_writer.h: encodes one term's postings list (doc ids and term
// frequencies) into its docs and freqs regions, in the format of
// postings_format.h: gaps and f - 1, blocks of 128 bit-packed in 4 lanes, a
// tail bit-packed in sequence (varints when it has 1 or 2 values), and a skip
// table with each block's impacts (block-max bounds) when there is more than
// one block.
//
// The segment writer calls append_postings once per term, terms in parallel,
// each call appending to the strings of its own shard; offsets.bin records
// where each term's regions begin and how long they are.
//
// Thread safety: no shared state; any number of threads may call
// append_postings at once with distinct output strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "postings/postings_format.h"

namespace tomes::postings {

// One (tf, dl) pair of a block's impacts: it dominates every posting with
// tf' <= tf and dl' >= dl.
struct Impact {
  std::uint32_t tf = 0;
  std::uint32_t dl = 0;
};

// The impacts of a block of m postings with frequencies tfs[0..m) in docs of
// lengths dls[0..m), by the rule of postings_format.h ("IMPACTS"): the
// saturated Pareto frontier, merged down to kMaxImpacts pairs. Writes the
// pairs, sorted by tf (values as stored: at most 65535), to out[0..c) and
// returns c, 1..kMaxImpacts. Deterministic: the writer stores it and
// verify_postings() recomputes it. REQUIRES: 1 <= m <= kBlockSize.
std::uint32_t block_impacts(const std::uint32_t* tfs, const std::uint32_t* dls, std::uint32_t m,
                            Impact* out);

// Appends one term's postings to docs_out (postings_docs.bin region) and
// freqs_out (postings_freqs.bin region). doc_lengths[d] is chunk d's length
// (BM25 dl), used for the skip table's per-block impacts.
// REQUIRES: 1 <= n <= kMaxPostings; docs strictly increasing and < 2^32 - 1;
// freqs[i] >= 1; every docs[i] indexes doc_lengths.
void append_postings(const std::uint32_t* docs, const std::uint32_t* freqs, std::size_t n,
                     const std::uint32_t* doc_lengths, std::string* docs_out,
                     std::string* freqs_out);

}  // namespace tomes::postings
