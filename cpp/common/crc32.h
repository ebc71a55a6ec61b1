// crc32.h: the checksum of every tomes file: CRC-32 (ISO-HDLC, the one of
// zlib, gzip and Python's zlib.crc32), computed by zlib.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include <zlib.h>

namespace tomes {

// Extends crc (0 for a fresh checksum) over bytes.
inline std::uint32_t crc32_update(std::uint32_t crc, std::string_view bytes) {
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
  std::size_t n = bytes.size();
  uLong value = crc;
  while (n > 0) {
    // zlib takes uInt lengths: feed at most 1 GiB at a time.
    const uInt chunk = static_cast<uInt>(n < (std::size_t{1} << 30) ? n : (std::size_t{1} << 30));
    value = ::crc32(value, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<std::uint32_t>(value);
}

}  // namespace tomes
