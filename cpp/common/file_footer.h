// file_footer.h: the 16-byte footer that ends every binary segment file
// except terms.fst (which has its own, fst_format.h):
//
//   offset  size  field
//   n+0     8     magic: 8 ASCII bytes naming the file kind, e.g. "tmsOFFS\0"
//   n+8     4     u32 format version (kSegmentFormatVersion of segment_format.h)
//   n+12    4     u32 CRC-32 (zlib's) of bytes [0, n): everything before the footer
//
// check_footer() is what every reader runs before it follows any offset:
// size, magic and version; the CRC only where asked (verify, small files).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tomes {

inline constexpr std::size_t kFooterSize = 16;

// Appends the footer for body (= all of *file so far) to *file.
void append_footer(std::string* file, std::string_view magic, std::uint32_t version);
// The footer alone, for a body of which only the CRC is known (streamed files).
std::string make_footer(std::string_view magic, std::uint32_t version, std::uint32_t body_crc);

// Checks bytes' footer and returns the body (bytes without footer). Corruption
// naming `path` when the file is too short, the magic or version differ, or
// (if check_crc) the CRC does not match.
Result<std::string_view> check_footer(std::string_view bytes, std::string_view magic,
                                      std::uint32_t version, bool check_crc, const std::string& path);

}  // namespace tomes
