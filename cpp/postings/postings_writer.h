// postings_writer.h: encodes one term's postings list (doc ids and term
// frequencies) into its docs and freqs regions, in the format of
// postings_format.h: gaps and f - 1, blocks of 128 bit-packed in 4 lanes, a
// tail bit-packed in sequence (varints when it has 1 or 2 values), and a skip
// table with block-max bounds when there is more than one block.
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

// Appends one term's postings to docs_out (postings_docs.bin region) and
// freqs_out (postings_freqs.bin region). doc_lengths[d] is chunk d's length
// (BM25 dl), used for the skip table's per-block min_dl.
// REQUIRES: 1 <= n <= kMaxPostings; docs strictly increasing and < 2^32 - 1;
// freqs[i] >= 1; every docs[i] indexes doc_lengths.
void append_postings(const std::uint32_t* docs, const std::uint32_t* freqs, std::size_t n,
                     const std::uint32_t* doc_lengths, std::string* docs_out,
                     std::string* freqs_out);

}  // namespace tomes::postings
