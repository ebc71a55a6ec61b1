#include "parse/zip_archive.h"

#include <algorithm>

#include "common/coding.h"
#include "common/utf8.h"

namespace tomes::parse {

namespace {

constexpr std::uint32_t kEocdSignature = 0x06054b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint32_t kZip64EocdSignature = 0x06064b50;
constexpr std::uint32_t kCentralSignature = 0x02014b50;
constexpr std::size_t kEocdSize = 22;
constexpr std::size_t kMaxCommentSize = 65535;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::size_t kZip64EocdSize = 56;
constexpr std::size_t kCentralEntrySize = 46;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint32_t kMarker32 = 0xFFFFFFFF;
// An EPUB's central directory is a few KB (10,000 members: under 1 MB); a
// larger one is refused rather than read into memory.
constexpr std::uint64_t kMaxCentralDirectory = std::uint64_t{64} << 20;

Status damaged(const char* what) { return Status::invalid_argument(std::string("damaged zip archive: ") + what); }

struct EndRecord {
  std::uint64_t entries = 0;
  std::uint64_t cd_offset = 0;
  std::uint64_t cd_size = 0;
  std::uint64_t cd_end_limit = 0;  // the central directory must end by here
};

// The offset of the EOCD, searched backwards in the file's tail.
Result<std::uint64_t> find_eocd(const ZipSource& source, std::string* buffer) {
  const std::uint64_t size = source.size();
  if (size < kEocdSize) return Status::invalid_argument("not a zip archive");
  const std::size_t tail = static_cast<std::size_t>(std::min<std::uint64_t>(size, kEocdSize + kMaxCommentSize));
  Result<std::string_view> bytes = source.read(size - tail, tail, buffer);
  if (!bytes.is_ok()) return bytes.status();
  const std::string_view t = bytes.value();
  for (std::size_t pos = tail - kEocdSize + 1; pos-- > 0;) {
    if (get_u32(t.data() + pos) != kEocdSignature) continue;
    const std::size_t comment = get_u16(t.data() + pos + 20);
    if (pos + kEocdSize + comment <= tail) return size - tail + pos;
  }
  return Status::invalid_argument("not a zip archive");
}

// The 64-bit end record that a locator before eocd points to, if any.
Status read_zip64_end(const ZipSource& source, std::uint64_t eocd, std::string* buffer, EndRecord* end) {
  if (eocd < kZip64LocatorSize) return Status::ok();
  Result<std::string_view> loc = source.read(eocd - kZip64LocatorSize, kZip64LocatorSize, buffer);
  if (!loc.is_ok()) return loc.status();
  if (get_u32(loc.value().data()) != kZip64LocatorSignature) return Status::ok();
  const std::uint64_t record = get_u64(loc.value().data() + 8);
  const std::uint64_t locator = eocd - kZip64LocatorSize;
  if (record > locator || locator - record < kZip64EocdSize) return damaged("bad ZIP64 end record");
  Result<std::string_view> rec = source.read(record, kZip64EocdSize, buffer);
  if (!rec.is_ok()) return rec.status();
  const char* r = rec.value().data();
  if (get_u32(r) != kZip64EocdSignature) return damaged("bad ZIP64 end record");
  end->entries = get_u64(r + 32);
  end->cd_size = get_u64(r + 40);
  end->cd_offset = get_u64(r + 48);
  end->cd_end_limit = record;
  return Status::ok();
}

// Replaces the 0xFFFFFFFF fields of entry by those of its ZIP64 extra field
// (present in this order, each only when its 32-bit field is the marker).
bool apply_zip64_extra(std::string_view extra, bool usize_marked, bool csize_marked, bool offset_marked,
                       ZipEntry* entry) {
  while (extra.size() >= 4) {
    const std::uint32_t id = get_u16(extra.data());
    const std::size_t len = get_u16(extra.data() + 2);
    if (len > extra.size() - 4) return false;
    std::string_view data = extra.substr(4, len);
    extra.remove_prefix(4 + len);
    if (id != kZip64ExtraId) continue;
    for (auto [marked, field] : {std::pair{usize_marked, &entry->uncompressed_size},
                                 std::pair{csize_marked, &entry->compressed_size},
                                 std::pair{offset_marked, &entry->local_offset}}) {
      if (!marked) continue;
      if (data.size() < 8) return false;
      *field = get_u64(data.data());
      data.remove_prefix(8);
    }
    return true;
  }
  return !(usize_marked || csize_marked || offset_marked);
}

}  // namespace

Result<ZipArchive> ZipArchive::open(const ZipSource& source) {
  std::string buffer;
  Result<std::uint64_t> eocd = find_eocd(source, &buffer);
  if (!eocd.is_ok()) return eocd.status();
  Result<std::string_view> rec = source.read(eocd.value(), kEocdSize, &buffer);
  if (!rec.is_ok()) return rec.status();
  EndRecord end;
  end.entries = get_u16(rec.value().data() + 10);
  end.cd_size = get_u32(rec.value().data() + 12);
  end.cd_offset = get_u32(rec.value().data() + 16);
  end.cd_end_limit = eocd.value();
  if (Status s = read_zip64_end(source, eocd.value(), &buffer, &end); !s.is_ok()) return s;
  if (end.cd_offset > end.cd_end_limit || end.cd_size > end.cd_end_limit - end.cd_offset) {
    return damaged("central directory outside the file");
  }
  if (end.cd_size > kMaxCentralDirectory) return damaged("central directory larger than 64 MiB");
  ZipArchive archive;
  if (Status s = archive.read_central_directory(source, end.cd_offset, end.cd_size); !s.is_ok()) return s;
  if (Status s = archive.check_layout(end.cd_offset); !s.is_ok()) return s;
  return archive;
}

Status ZipArchive::read_central_directory(const ZipSource& source, std::uint64_t offset, std::uint64_t size) {
  central_ = std::make_unique<std::string>();
  Result<std::string_view> bytes = source.read(offset, static_cast<std::size_t>(size), central_.get());
  if (!bytes.is_ok()) return bytes.status();
  if (bytes.value().data() != central_->data()) central_->assign(bytes.value());  // a memory source's view
  central_->resize(static_cast<std::size_t>(size));
  const std::string_view cd = *central_;
  entries_.reserve(cd.size() / kCentralEntrySize);
  std::size_t p = 0;
  while (p < cd.size()) {
    if (cd.size() - p < kCentralEntrySize || get_u32(cd.data() + p) != kCentralSignature) {
      return damaged("bad central directory entry");
    }
    const char* h = cd.data() + p;
    const std::size_t name_len = get_u16(h + 28), extra_len = get_u16(h + 30), comment_len = get_u16(h + 32);
    if (cd.size() - p - kCentralEntrySize < name_len + extra_len + comment_len) {
      return damaged("bad central directory entry");
    }
    ZipEntry e;
    e.flags = static_cast<std::uint16_t>(get_u16(h + 8));
    e.method = static_cast<std::uint16_t>(get_u16(h + 10));
    e.crc32 = get_u32(h + 16);
    e.compressed_size = get_u32(h + 20);
    e.uncompressed_size = get_u32(h + 24);
    e.local_offset = get_u32(h + 42);
    e.name = cd.substr(p + kCentralEntrySize, name_len);
    const std::string_view extra = cd.substr(p + kCentralEntrySize + name_len, extra_len);
    if (!apply_zip64_extra(extra, e.uncompressed_size == kMarker32, e.compressed_size == kMarker32,
                           e.local_offset == kMarker32, &e)) {
      return damaged("bad central directory entry");
    }
    entries_.push_back(e);
    p += kCentralEntrySize + name_len + extra_len + comment_len;
  }
  by_name_.resize(entries_.size());
  for (std::size_t i = 0; i < entries_.size(); ++i) by_name_[i] = static_cast<std::uint32_t>(i);
  std::sort(by_name_.begin(), by_name_.end(), [&](std::uint32_t a, std::uint32_t b) {
    return entries_[a].name != entries_[b].name ? entries_[a].name < entries_[b].name : a < b;
  });
  return Status::ok();
}

Status ZipArchive::check_layout(std::uint64_t cd_offset) {
  std::vector<std::uint32_t> order(entries_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return entries_[a].local_offset < entries_[b].local_offset;
  });
  for (std::size_t k = 0; k < order.size(); ++k) {
    ZipEntry& e = entries_[order[k]];
    const bool last = k + 1 == order.size();
    const std::uint64_t next = last ? cd_offset : entries_[order[k + 1]].local_offset;
    // The least room the member takes: its local header with the central
    // directory's name, and its compressed data (overflow-safe).
    const std::uint64_t header = kLocalHeaderSize + e.name.size();
    const bool fits = e.local_offset <= next && next - e.local_offset >= header &&
                      next - e.local_offset - header >= e.compressed_size;
    if (!fits) {
      if (last || e.local_offset > cd_offset) return damaged("member data overlaps the central directory");
      return Status::invalid_argument("zip bomb: overlapping members");
    }
    e.limit = next;
  }
  return Status::ok();
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  // The last of the entries with this name: the later one wins.
  const auto after = std::upper_bound(by_name_.begin(), by_name_.end(), name,
                                      [&](std::string_view n, std::uint32_t i) { return n < entries_[i].name; });
  if (after == by_name_.begin() || entries_[*(after - 1)].name != name) return nullptr;
  return &entries_[*(after - 1)];
}

std::string printable_member_name(std::string_view name) {
  constexpr std::size_t kMax = 120;
  std::string out;
  const auto* p = reinterpret_cast<const unsigned char*>(name.data());
  const auto* end = p + name.size();
  while (p < end) {
    char32_t cp;
    const std::size_t n = utf8::decode(p, end, &cp);
    const bool bad = (cp == utf8::kReplacement && n == 1) || cp < 0x20 || cp == 0x7F;
    if (out.size() + (bad ? 1 : n) > kMax) {
      out += "...";
      break;
    }
    if (bad) out.push_back('?');
    else out.append(reinterpret_cast<const char*>(p), n);
    p += n;
  }
  return out;
}

}  // namespace tomes::parse
