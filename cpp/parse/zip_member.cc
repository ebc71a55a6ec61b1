#include "parse/zip_member.h"

#include <zlib.h>

#include <algorithm>

#include "common/coding.h"
#include "common/crc32.h"

namespace tomes::parse {

namespace {

constexpr std::uint32_t kLocalSignature = 0x04034b50;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::uint16_t kMethodBzip2 = 12;
constexpr std::uint16_t kMethodLzma = 14;
constexpr std::uint16_t kMethodAes = 99;
constexpr std::size_t kInputChunk = std::size_t{256} << 10;
constexpr std::size_t kFirstOutput = std::size_t{1} << 20;
constexpr std::size_t kMaxZlibStep = std::size_t{1} << 30;  // zlib counts in uInt

Status member_error(const std::string& prefix, const ZipEntry& e, const std::string& suffix) {
  return Status::invalid_argument(prefix + printable_member_name(e.name) + suffix);
}

Status damaged(const ZipEntry& e, const char* what) {
  return member_error("damaged zip member ", e, std::string(": ") + what);
}

// The offset of the member's data, after its local header (checked against
// the central directory's name and the member's limit).
Result<std::uint64_t> data_offset(const ZipSource& source, const ZipEntry& e, std::string* scratch) {
  const std::size_t n = kLocalHeaderSize + e.name.size();
  if (e.local_offset > e.limit || e.limit - e.local_offset < n) return damaged(e, "bad local header");
  Result<std::string_view> h = source.read(e.local_offset, n, scratch);
  if (!h.is_ok()) return h.status();
  const char* p = h.value().data();
  if (get_u32(p) != kLocalSignature || get_u16(p + 26) != e.name.size() ||
      h.value().substr(kLocalHeaderSize) != e.name) {
    return damaged(e, "bad local header");
  }
  const std::uint64_t start = e.local_offset + n + get_u16(p + 28);
  if (start > e.limit || e.limit - start < e.compressed_size) return damaged(e, "bad local header");
  return start;
}

Status read_stored(const ZipSource& source, const ZipEntry& e, std::uint64_t start, std::string* out) {
  if (e.compressed_size != e.uncompressed_size) return damaged(e, "stored sizes differ");
  const std::size_t n = static_cast<std::size_t>(e.compressed_size);
  Result<std::string_view> bytes = source.read(start, n, out);
  if (!bytes.is_ok()) return bytes.status();
  if (bytes.value().data() != out->data()) out->assign(bytes.value());  // a memory source's view
  out->resize(n);
  return Status::ok();
}

struct InflateGuard {
  z_stream* zs;
  ~InflateGuard() { inflateEnd(zs); }
};

Status read_deflated(const ZipSource& source, const ZipEntry& e, std::uint64_t start, std::string* out,
                     std::string* scratch) {
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return Status::io_error("cannot inflate: out of memory");
  InflateGuard guard{&zs};
  // One byte past the declared size, so a stream longer than declared is
  // seen without producing more of it.
  const std::size_t target = static_cast<std::size_t>(e.uncompressed_size) + 1;
  out->resize(std::min(target, kFirstOutput));
  std::size_t produced = 0;
  std::uint64_t in_offset = start, in_left = e.compressed_size;
  for (;;) {
    if (zs.avail_in == 0 && in_left > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(in_left, kInputChunk));
      Result<std::string_view> in = source.read(in_offset, n, scratch);
      if (!in.is_ok()) return in.status();
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.value().data()));
      zs.avail_in = static_cast<uInt>(n);
      in_offset += n;
      in_left -= n;
    }
    if (produced == out->size()) {
      if (produced == target) return damaged(e, "longer than its declared size");
      out->resize(std::min(target, out->size() * 2));
    }
    const std::size_t room = std::min(out->size() - produced, kMaxZlibStep);
    zs.next_out = reinterpret_cast<Bytef*>(&(*out)[produced]);
    zs.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_left == 0) return damaged(e, "truncated deflate data");
    if (rc != Z_OK && rc != Z_BUF_ERROR) return damaged(e, "bad deflate data");
  }
  if (produced > e.uncompressed_size) return damaged(e, "longer than its declared size");
  if (produced < e.uncompressed_size) return damaged(e, "shorter than its declared size");
  out->resize(produced);
  return Status::ok();
}

}  // namespace

Status check_member_supported(const ZipEntry& e) {
  if ((e.flags & (kZipFlagEncrypted | kZipFlagStrongEncryption)) != 0 || e.method == kMethodAes) {
    return member_error("encrypted zip member ", e, "");
  }
  if (e.method == kZipStored || e.method == kZipDeflated) return Status::ok();
  const std::string name = e.method == kMethodBzip2  ? "bzip2"
                           : e.method == kMethodLzma ? "LZMA"
                                                     : "method " + std::to_string(e.method);
  return member_error("zip member ", e, " uses unsupported compression (" + name + ")");
}

Status check_member_size(const ZipEntry& e, std::uint64_t max_bytes) {
  const std::uint64_t usize = e.uncompressed_size;
  const bool ratio_exceeded = e.compressed_size < UINT64_MAX / kBombRatio
                                  ? usize > kBombRatio * e.compressed_size
                                  : false;
  if (usize > kBombFloor && ratio_exceeded) {
    return member_error("zip bomb: member ", e, " inflates more than 100 times its size");
  }
  if (usize > max_bytes || usize >= SIZE_MAX / 2) {
    return member_error("zip member ", e, " is larger than the cap of " + std::to_string(max_bytes) + " bytes");
  }
  return Status::ok();
}

Status read_member(const ZipSource& source, const ZipEntry& e, std::uint64_t max_bytes, std::string* out,
                   std::string* scratch) {
  if (Status s = check_member_supported(e); !s.is_ok()) return s;
  if (Status s = check_member_size(e, max_bytes); !s.is_ok()) return s;
  Result<std::uint64_t> start = data_offset(source, e, scratch);
  if (!start.is_ok()) return start.status();
  Status s = e.method == kZipStored ? read_stored(source, e, start.value(), out)
                                    : read_deflated(source, e, start.value(), out, scratch);
  if (!s.is_ok()) return s;
  if (crc32_update(0, *out) != e.crc32) return damaged(e, "CRC mismatch");
  return Status::ok();
}

}  // namespace tomes::parse
