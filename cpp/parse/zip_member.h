// zip_member.h: one member of a zip archive -> its bytes: stored members
// copied, deflated ones inflated with zlib (raw deflate), every limit
// checked before or while the bytes are produced.
//
// read_member, in order (each refusal InvalidArgument with a stable reason;
// X is printable_member_name(entry.name)):
//   "encrypted zip member X"                       flag bit 0 or 6, or method 99 (AES)
//   "zip member X uses unsupported compression (bzip2)"   also (LZMA), (method N)
//   "zip bomb: member X inflates more than 100 times its size"
//       the central directory's size is over kBombFloor (8 MiB) and over
//       kBombRatio (100) times the compressed size. Real XHTML deflates 3-10
//       times; the densest deflate stream reaches about 1032 times.
//   "zip member X is larger than the cap of N bytes"    N = max_bytes
//   "damaged zip member X: bad local header"   signature, name, or data past `limit`
//   "damaged zip member X: stored sizes differ"
//   "damaged zip member X: bad deflate data"
//   "damaged zip member X: truncated deflate data"
//   "damaged zip member X: longer than its declared size"
//   "damaged zip member X: shorter than its declared size"
//   "damaged zip member X: CRC mismatch"
// and the source's IOError. The sizes and CRC are the central directory's
// (authoritative, data descriptors included). Memory: the output grows with
// the bytes actually produced (from 1 MiB, doubling), never to a size a
// header merely claims, and never past min(declared size + 1, max_bytes + 1).
//
// Thread safety: pure function of the source (see zip_source.h).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "parse/zip_archive.h"
#include "parse/zip_source.h"

namespace tomes::parse {

inline constexpr std::uint64_t kBombFloor = std::uint64_t{8} << 20;
inline constexpr std::uint64_t kBombRatio = 100;

// Ok when read_member can read entry's bytes at all; the "encrypted" or
// "unsupported compression" reason otherwise (checked from the central
// directory alone, before any byte of the member is read).
Status check_member_supported(const ZipEntry& entry);

// Ok unless entry's size (from the central directory) makes it a zip bomb or
// puts it over max_bytes: those two reasons, before any byte is read.
Status check_member_size(const ZipEntry& entry, std::uint64_t max_bytes);

// Replaces *out with the bytes of entry. *scratch holds compressed input
// between calls (reuse both across members: their capacity is kept).
// REQUIRES: entry comes from a ZipArchive opened on source.
Status read_member(const ZipSource& source, const ZipEntry& entry, std::uint64_t max_bytes, std::string* out,
                   std::string* scratch);

}  // namespace tomes::parse
