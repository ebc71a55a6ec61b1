#include "common/file_footer.h"

#include "common/coding.h"
#include "common/crc32.h"

namespace tomes {

std::string make_footer(std::string_view magic, std::uint32_t version, std::uint32_t body_crc) {
  std::string footer(magic.substr(0, 8));
  footer.resize(8, '\0');
  put_u32(&footer, version);
  put_u32(&footer, body_crc);
  return footer;
}

void append_footer(std::string* file, std::string_view magic, std::uint32_t version) {
  const std::uint32_t crc = crc32_update(0, *file);
  file->append(make_footer(magic, version, crc));
}

Result<std::string_view> check_footer(std::string_view bytes, std::string_view magic,
                                      std::uint32_t version, bool check_crc, const std::string& path) {
  if (bytes.size() < kFooterSize) {
    return Status::corruption(path + ": expected at least a " + std::to_string(kFooterSize) +
                              "-byte footer, got a file of " + std::to_string(bytes.size()) + " bytes");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - kFooterSize);
  const char* footer = bytes.data() + body.size();
  std::string expected(magic.substr(0, 8));
  expected.resize(8, '\0');
  if (std::string_view(footer, 8) != expected) {
    return Status::corruption(path + ": bad magic number (not a tomes " + std::string(magic.substr(0, 7)) +
                              " file, or damaged)");
  }
  const std::uint32_t got_version = get_u32(footer + 8);
  if (got_version != version) {
    return Status::corruption(path + ": format version " + std::to_string(got_version) +
                              ", this tomes reads version " + std::to_string(version));
  }
  if (check_crc) {
    const std::uint32_t want = get_u32(footer + 12);
    const std::uint32_t got = crc32_update(0, body);
    if (want != got) {
      return Status::corruption(path + ": checksum mismatch (CRC-32 " + std::to_string(got) +
                                ", footer says " + std::to_string(want) + ")");
    }
  }
  return body;
}

}  // namespace tomes
