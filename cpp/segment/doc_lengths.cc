#include "segment/doc_lengths.h"

#include "common/coding.h"
#include "segment/segment_file.h"

namespace tomes::segment {

std::string encode_doc_lengths(const std::vector<std::uint32_t>& lengths) {
  std::string out;
  out.reserve(lengths.size() * 4);
  for (std::uint32_t dl : lengths) put_u32(&out, dl);
  return out;
}

Status decode_doc_lengths(std::string_view body, std::uint64_t num_docs, std::uint64_t total_length,
                          const std::string& path, std::vector<std::uint32_t>* lengths) {
  if (body.size() != num_docs * 4) return body_size_error(path, num_docs * 4, body.size());
  lengths->resize(num_docs);
  std::uint64_t total = 0;
  for (std::uint64_t d = 0; d < num_docs; ++d) {
    (*lengths)[d] = get_u32(body.data() + 4 * d);
    total += (*lengths)[d];
  }
  if (total != total_length) {
    return Status::corruption(path + ": lengths sum to " + std::to_string(total) + ", meta.json says " +
                              std::to_string(total_length));
  }
  return Status::ok();
}

}  // namespace tomes::segment
