// zip_archive.h: the central directory of a zip archive, read and validated
// by offsets (never the whole archive), with member lookup by name.
//
// What open() reads and checks (PKWARE APPNOTE 6.3, section 4.3):
//   * the end of central directory record (EOCD, "PK\5\6"), searched
//     backwards from the end of the file over at most 22 + 65535 bytes (the
//     longest comment); the last one whose comment fits in the file wins;
//   * a ZIP64 EOCD locator ("PK\6\7") just before it, if present, and the
//     ZIP64 EOCD record it points to ("PK\6\6"): their 64-bit entry count,
//     central directory size and offset replace the 32-bit ones;
//   * every central directory entry ("PK\1\2"), with the 64-bit sizes and
//     offset of its ZIP64 extra field (id 0x0001) where the 32-bit fields
//     are 0xFFFFFFFF. The central directory is authoritative: sizes and
//     CRC of members written with a data descriptor (flag bit 3) come from
//     it, never from the local header or the descriptor;
//   * the layout: the central directory lies inside the file, before the
//     end records; no member's data (at least 30 + name + compressed size
//     bytes from its local header) reaches the next member's local header or
//     the central directory. Members that overlap (the "overlapping files"
//     zip bomb, where one compressed stream is shared by many entries) make
//     the archive refused. Each entry records where the next one starts
//     (`limit`), so reading a member re-checks its true extent against it.
//
// Member names are bytes, compared exactly; they are never used as
// file-system paths. Two entries with the same name: the later one in the
// central directory wins (as Python's zipfile does). Lookup is a binary
// search over the entries sorted by name: O(n log n) to open and O(log n)
// per name whatever the names are (a hash map's chains can be made long by
// names chosen to collide; a sort cannot be made quadratic), so 10,000
// members cost nothing.
//
// Errors (InvalidArgument, the reason text stable, see epub.h):
//   "not a zip archive"
//   "damaged zip archive: bad ZIP64 end record"
//   "damaged zip archive: central directory outside the file"
//   "damaged zip archive: central directory larger than 64 MiB"
//   "damaged zip archive: bad central directory entry"
//   "damaged zip archive: member data overlaps the central directory"
//   "zip bomb: overlapping members"
// and the source's IOError ("cannot read: ...").
//
// Thread safety: an open ZipArchive is immutable; read it from any threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parse/zip_source.h"

namespace tomes::parse {

// Compression methods and flags (APPNOTE 4.4.4, 4.4.5).
inline constexpr std::uint16_t kZipStored = 0;
inline constexpr std::uint16_t kZipDeflated = 8;
inline constexpr std::uint16_t kZipFlagEncrypted = 1u << 0;
inline constexpr std::uint16_t kZipFlagStrongEncryption = 1u << 6;

struct ZipEntry {
  std::string_view name;           // points into the archive's copy of the central directory
  std::uint64_t local_offset = 0;  // of the local file header
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t limit = 0;         // the next local header (or the central directory): data ends by here
  std::uint32_t crc32 = 0;
  std::uint16_t method = 0;
  std::uint16_t flags = 0;
};

class ZipArchive {
 public:
  // Reads and validates the central directory of source (see above).
  static Result<ZipArchive> open(const ZipSource& source);

  // The entry named exactly name, or nullptr.
  const ZipEntry* find(std::string_view name) const;
  // In central directory order.
  const std::vector<ZipEntry>& entries() const { return entries_; }

 private:
  ZipArchive() = default;
  Status read_central_directory(const ZipSource& source, std::uint64_t offset, std::uint64_t size);
  Status check_layout(std::uint64_t central_directory_offset);

  std::unique_ptr<std::string> central_;  // heap-held, so names stay valid when moved
  std::vector<ZipEntry> entries_;
  std::vector<std::uint32_t> by_name_;  // entry indices, sorted by (name, index)
};

// name as it may appear in a reason: invalid UTF-8 and control characters
// become '?', at most 120 bytes (then "...").
std::string printable_member_name(std::string_view name);

}  // namespace tomes::parse
