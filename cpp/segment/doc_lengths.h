// doc_lengths.h: doc_lengths.bin, each chunk's number of terms (BM25's dl),
// one u32 per chunk in local doc-id order.
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
// naming path unless it holds num_docs lengths summing to total_length.
Status decode_doc_lengths(std::string_view body, std::uint64_t num_docs, std::uint64_t total_length,
                          const std::string& path, std::vector<std::uint32_t>* lengths);

}  // namespace tomes::segment
