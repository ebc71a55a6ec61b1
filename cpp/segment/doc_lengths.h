// doc_lengths.h: doc_lengths.bin, each chunk's number of terms (BM25's dl),
// in local doc-id order, exact, bit-packed in blocks of 128 at the width of
// each block's largest length: the postings' block codings
// (postings/bitpacking.h), a full block in 4 lanes and the last, partial one
// in one bit stream (docs/FORMAT.md section 4). The reader decodes them all
// at open, so the packing costs searches nothing.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tomes::segment {

// The body of doc_lengths.bin.
std::string encode_doc_lengths(const std::vector<std::uint32_t>& lengths);

// Decodes body (the file without its footer) into *lengths: Corruption
// naming path unless it holds exactly num_docs lengths in canonical form
// (each block's width that of its largest length, 0..32; no bit set after a
// partial block's last length; no byte left over), each >= 1, summing to
// total_length.
Status decode_doc_lengths(std::string_view body, std::uint64_t num_docs, std::uint64_t total_length,
                          const std::string& path, std::vector<std::uint32_t>* lengths);

}  // namespace tomes::segment
