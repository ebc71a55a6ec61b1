#include "segment/doc_lengths.h"

#include <algorithm>

#include "postings/bitpacking.h"
#include "postings/postings_format.h"
#include "segment/segment_file.h"

namespace tomes::segment {

namespace {

using postings::kBlockSize;

// Bytes of a block of k lengths at width w, width byte included: the
// postings' full block (k = 128, 4 lanes) or packed stream (k < 128).
std::size_t block_bytes(std::uint64_t k, unsigned w) {
  return k == kBlockSize ? postings::full_block_size(w) : 1 + (std::size_t{k} * w + 7) / 8;
}

}  // namespace

std::string encode_doc_lengths(const std::vector<std::uint32_t>& lengths) {
  std::string out;
  for (std::size_t at = 0; at < lengths.size(); at += kBlockSize) {
    const auto k = static_cast<std::uint32_t>(std::min<std::size_t>(kBlockSize, lengths.size() - at));
    const std::uint32_t* in = lengths.data() + at;
    const unsigned w = k == kBlockSize ? postings::block_bit_width(in) : postings::values_bit_width(in, k);
    const std::size_t start = out.size();
    out.resize(start + block_bytes(k, w), '\0');
    auto* p = reinterpret_cast<std::uint8_t*>(out.data() + start);
    p[0] = static_cast<std::uint8_t>(w);
    if (k == kBlockSize) {
      postings::pack_block(in, w, p + 1);
    } else {
      postings::pack_tail(in, k, w, p + 1);
    }
  }
  return out;
}

Status decode_doc_lengths(std::string_view body, std::uint64_t num_docs, std::uint64_t total_length,
                          const std::string& path, std::vector<std::uint32_t>* lengths) {
  // Every block takes at least one byte: refuse a count the body cannot hold
  // before allocating for it.
  if ((num_docs + kBlockSize - 1) / kBlockSize > body.size()) {
    return Status::corruption(path + ": " + std::to_string(body.size()) + " bytes cannot hold " +
                              std::to_string(num_docs) + " lengths");
  }
  lengths->assign(num_docs, 0);
  const auto* p = reinterpret_cast<const std::uint8_t*>(body.data());
  std::size_t at = 0;
  std::uint64_t total = 0;
  for (std::uint64_t first = 0; first < num_docs; first += kBlockSize) {
    const auto k = static_cast<std::uint32_t>(std::min<std::uint64_t>(kBlockSize, num_docs - first));
    const std::string block = "block " + std::to_string(first / kBlockSize);
    if (at >= body.size()) return Status::corruption(path + ": " + block + " is missing (the file ends)");
    const unsigned w = p[at];
    if (w > 32 || block_bytes(k, w) > body.size() - at) {
      return Status::corruption(path + ": " + block + ": width " + std::to_string(w) + " (0..32) and " +
                                std::to_string(k) + " lengths need more than the " +
                                std::to_string(body.size() - at) + " bytes left");
    }
    std::uint32_t* out = lengths->data() + first;
    if (k == kBlockSize) {
      postings::unpack_block(p + at + 1, w, out);
    } else {
      postings::unpack_tail(p + at + 1, k, w, out);
      if (!postings::tail_padding_clear(p + at + 1, k, w)) {
        return Status::corruption(path + ": " + block + ": bits set after its last length");
      }
    }
    const std::uint32_t largest = *std::max_element(out, out + k);
    if (postings::bit_width(largest) != w || *std::min_element(out, out + k) == 0) {
      return Status::corruption(path + ": " + block + ": expected lengths >= 1 at the width of the largest (" +
                                std::to_string(postings::bit_width(largest)) + "), got width " + std::to_string(w));
    }
    for (std::uint32_t i = 0; i < k; ++i) total += out[i];
    at += block_bytes(k, w);
  }
  if (at != body.size()) return body_size_error(path, at, body.size());
  if (total != total_length) {
    return Status::corruption(path + ": lengths sum to " + std::to_string(total) + ", meta.json says " +
                              std::to_string(total_length));
  }
  return Status::ok();
}

}  // namespace tomes::segment
