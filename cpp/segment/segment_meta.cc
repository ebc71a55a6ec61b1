#include "segment/segment_meta.h"

#include <cstdint>
#include <utility>

#include "common/json.h"
#include "segment/segment_format.h"

namespace tomes::segment {

namespace {

constexpr std::size_t kMaxMetaBytes = std::size_t{1} << 20;

}  // namespace

std::string encode_segment_meta(const SegmentInfo& info, bool store_text, const std::vector<FileRecord>& files) {
  Json meta = Json::object();
  meta.set("format_version", Json(kSegmentFormatVersion));
  meta.set("num_docs", Json(static_cast<std::uint32_t>(info.num_docs)));
  meta.set("num_books", Json(static_cast<std::uint32_t>(info.num_books)));
  meta.set("num_terms", Json(static_cast<std::uint32_t>(info.num_terms)));
  meta.set("total_length", Json(info.total_length));
  meta.set("store_text", Json(store_text));
  Json file_list = Json::object();
  for (const FileRecord& f : files) {
    Json entry = Json::object();
    entry.set("bytes", Json(f.bytes));
    entry.set("crc32", Json(f.crc));
    file_list.set(f.name, std::move(entry));
  }
  meta.set("files", std::move(file_list));
  return dump_with_checksum(meta);
}

Status check_segment_meta(const std::string& path, const SegmentInfo& info, bool store_text) {
  Result<Json> meta = read_checksummed_json(path, kMaxMetaBytes);
  if (!meta.is_ok()) {
    return meta.status().code() == Status::Code::kNotFound
               ? Status::corruption(path + ": missing (the segment is incomplete)")
               : meta.status();
  }
  Result<std::int64_t> version = json_int(meta.value(), "format_version", path);
  if (!version.is_ok()) return version.status();
  if (version.value() != kSegmentFormatVersion) {
    const bool older = version.value() < kSegmentFormatVersion;
    return Status::corruption(
        path + ": segment format version " + std::to_string(version.value()) + ", this tomes reads version " +
        std::to_string(kSegmentFormatVersion) +
        (older ? ": the index was written by an older tomes format and must be rebuilt (run `tomes index` again)"
               : ": the index was written by a newer tomes"));
  }
  const Json* meta_store_text = meta.value().find("store_text");
  if (meta_store_text == nullptr || meta_store_text->type() != Json::Type::kBool ||
      meta_store_text->as_bool() != store_text) {
    return Status::corruption(path + ": store_text disagrees with index.json");
  }
  for (const auto& [key, want] : {std::pair<const char*, std::uint64_t>{"num_docs", info.num_docs},
                                  {"num_books", info.num_books},
                                  {"num_terms", info.num_terms},
                                  {"total_length", info.total_length}}) {
    Result<std::int64_t> got = json_int(meta.value(), key, path);
    if (!got.is_ok()) return got.status();
    if (static_cast<std::uint64_t>(got.value()) != want) {
      return Status::corruption(path + ": " + key + " is " + std::to_string(got.value()) + ", index.json says " +
                                std::to_string(want));
    }
  }
  return Status::ok();
}

Result<std::vector<FileRecord>> read_segment_meta_files(const std::string& path) {
  Result<Json> meta = read_checksummed_json(path, kMaxMetaBytes);
  if (!meta.is_ok()) return meta.status();
  const Json* files = meta.value().find("files");
  if (files == nullptr || !files->is_object()) return Status::corruption(path + ": expected \"files\"");
  std::vector<FileRecord> out;
  for (const auto& [name, entry] : files->members()) {
    Result<std::int64_t> bytes = json_int(entry, "bytes", path);
    Result<std::int64_t> crc = json_int(entry, "crc32", path, 0, UINT32_MAX);
    if (!bytes.is_ok()) return bytes.status();
    if (!crc.is_ok()) return crc.status();
    out.push_back(FileRecord{name, static_cast<std::uint64_t>(bytes.value()), static_cast<std::uint32_t>(crc.value())});
  }
  return out;
}

}  // namespace tomes::segment
