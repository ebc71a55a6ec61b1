#include "segment/manifest.h"

#include "common/file_system.h"
#include "common/json.h"
#include "common/mapped_file.h"

namespace tomes::segment {

void Manifest::recount() {
  std::uint64_t next_doc = 0;
  total_docs = total_books = total_length = 0;
  for (SegmentInfo& s : segments) {
    s.base_doc_id = next_doc;
    next_doc += s.num_docs;
    total_docs += s.live_docs();
    total_books += s.live_books();
    total_length += s.live_length();
  }
}

Status write_manifest(const std::string& index_dir, const Manifest& m) {
  Json root = Json::object();
  root.set("format", Json("tomes-index"));
  root.set("format_version", Json(kIndexFormatVersion));
  root.set("generation", Json(m.generation));
  Json analyzer = Json::object();
  analyzer.set("stopwords", m.settings.stopwords_name.empty() ? Json() : Json(m.settings.stopwords_name));
  Json words = Json::array();
  for (const std::string& w : m.settings.stopwords) words.push_back(Json(w));
  analyzer.set("stopword_entries", std::move(words));
  analyzer.set("stemmer", m.settings.stemmer.empty() ? Json() : Json(m.settings.stemmer));
  analyzer.set("unicode_version", Json(m.unicode_version));
  root.set("analyzer", std::move(analyzer));
  Json chunks = Json::object();
  chunks.set("chunk_size", Json(m.settings.chunk_size));
  chunks.set("chunk_overlap", Json(m.settings.chunk_overlap));
  root.set("chunks", std::move(chunks));
  root.set("store_text", Json(m.settings.store_text));
  root.set("total_docs", Json(m.total_docs));
  root.set("total_books", Json(m.total_books));
  root.set("total_length", Json(m.total_length));
  root.set("avgdl", Json(m.avgdl()));
  Json segments = Json::array();
  for (const SegmentInfo& s : m.segments) {
    Json seg = Json::object();
    seg.set("name", Json(s.name));
    seg.set("base_doc_id", Json(s.base_doc_id));
    seg.set("num_docs", Json(s.num_docs));
    seg.set("num_books", Json(s.num_books));
    seg.set("num_terms", Json(s.num_terms));
    seg.set("total_length", Json(s.total_length));
    seg.set("bytes", Json(s.bytes));
    seg.set("deletes", Json(s.deletes));
    seg.set("deletes_bytes", Json(s.deletes_bytes));
    seg.set("deletes_crc32", Json(s.deletes_crc32));
    seg.set("deleted_books", Json(s.deleted_books));
    seg.set("deleted_docs", Json(s.deleted_docs));
    seg.set("deleted_length", Json(s.deleted_length));
    segments.push_back(std::move(seg));
  }
  root.set("segments", std::move(segments));
  if (Status s = write_file_atomic(index_dir + "/" + std::string(kManifestFile), dump_with_checksum(root)); !s.is_ok()) {
    return s;
  }
  return sync_directory(index_dir);
}

namespace {

// A non-negative integer field of object, at most max, into *out.
Status read_count(const Json& object, const char* key, const std::string& path, std::uint64_t* out,
                  std::int64_t max = INT64_MAX) {
  Result<std::int64_t> v = json_int(object, key, path, 0, max);
  if (v.is_ok()) *out = static_cast<std::uint64_t>(v.value());
  return v.status();
}

Status check_format(const Json& root, const std::string& path) {
  Result<std::string> format = json_string(root, "format", path);
  if (!format.is_ok()) return format.status();
  if (format.value() != "tomes-index") return Status::corruption(path + ": not a tomes index.json");
  Result<std::int64_t> version = json_int(root, "format_version", path);
  if (!version.is_ok()) return version.status();
  if (version.value() != kIndexFormatVersion) {
    const bool older = version.value() < kIndexFormatVersion;
    return Status::corruption(
        path + ": index format version " + std::to_string(version.value()) + ", this tomes reads version " +
        std::to_string(kIndexFormatVersion) +
        (older ? ": the index was written by an older tomes and must be rebuilt (run `tomes index` again)"
               : ": the index was written by a newer tomes"));
  }
  return Status::ok();
}

// The analyzer object, the chunks object and store_text.
Status read_settings(const Json& analyzer, const Json& chunks, bool store_text, const std::string& path,
                     Manifest* m) {
  m->settings.store_text = store_text;
  if (const Json* name = analyzer.find("stopwords"); name != nullptr && name->is_string()) {
    m->settings.stopwords_name = name->as_string();
  }
  if (const Json* stemmer = analyzer.find("stemmer"); stemmer != nullptr && stemmer->is_string()) {
    m->settings.stemmer = stemmer->as_string();
  }
  const Json* words = analyzer.find("stopword_entries");
  if (words == nullptr || !words->is_array()) return Status::corruption(path + ": expected stopword_entries");
  for (const Json& w : words->items()) {
    if (!w.is_string()) return Status::corruption(path + ": stopword_entries must be strings");
    m->settings.stopwords.push_back(w.as_string());
  }
  Result<std::string> unicode = json_string(analyzer, "unicode_version", path);
  if (!unicode.is_ok()) return unicode.status();
  m->unicode_version = unicode.value();
  std::uint64_t size = 0, overlap = 0;
  if (Status s = read_count(chunks, "chunk_size", path, &size, UINT32_MAX); !s.is_ok()) return s;
  if (Status s = read_count(chunks, "chunk_overlap", path, &overlap, UINT32_MAX); !s.is_ok()) return s;
  m->settings.chunk_size = static_cast<std::uint32_t>(size);
  m->settings.chunk_overlap = static_cast<std::uint32_t>(overlap);
  return Status::ok();
}

// The deletion members of a segment entry into info, checked against its
// counts: a segment with every book deleted must have been dropped.
Result<SegmentInfo> read_deletions(const Json& seg, const std::string& path, SegmentInfo info) {
  Result<std::string> deletes = json_string(seg, "deletes", path);
  if (!deletes.is_ok()) return deletes.status();
  info.deletes = deletes.value();
  std::uint64_t crc = 0;
  if (Status s = read_count(seg, "deletes_bytes", path, &info.deletes_bytes); !s.is_ok()) return s;
  if (Status s = read_count(seg, "deletes_crc32", path, &crc, UINT32_MAX); !s.is_ok()) return s;
  info.deletes_crc32 = static_cast<std::uint32_t>(crc);
  if (Status s = read_count(seg, "deleted_books", path, &info.deleted_books); !s.is_ok()) return s;
  if (Status s = read_count(seg, "deleted_docs", path, &info.deleted_docs); !s.is_ok()) return s;
  if (Status s = read_count(seg, "deleted_length", path, &info.deleted_length); !s.is_ok()) return s;
  const bool any = info.deleted_books != 0;
  const bool named = !info.deletes.empty();
  if (named && (info.deletes.find('/') != std::string::npos || info.deletes[0] == '.')) {
    return Status::corruption(path + ": bad deletions file name \"" + info.deletes + "\"");
  }
  if (any != named || info.deleted_books >= info.num_books || info.deleted_docs >= info.num_docs ||
      info.deleted_length >= info.total_length || (info.deleted_docs == 0) == any ||
      (!named && (info.deletes_bytes != 0 || info.deletes_crc32 != 0 || info.deleted_length != 0))) {
    return Status::corruption(path + ": segment " + info.name + ": its deletion counts disagree");
  }
  return info;
}

Result<SegmentInfo> read_segment_info(const Json& seg, const std::string& path) {
  SegmentInfo info;
  Result<std::string> name = json_string(seg, "name", path);
  if (!name.is_ok()) return name.status();
  info.name = name.value();
  if (info.name.empty() || info.name.find('/') != std::string::npos || info.name[0] == '.') {
    return Status::corruption(path + ": bad segment name \"" + info.name + "\"");
  }
  if (Status s = read_count(seg, "base_doc_id", path, &info.base_doc_id); !s.is_ok()) return s;
  if (Status s = read_count(seg, "num_docs", path, &info.num_docs, UINT32_MAX); !s.is_ok()) return s;
  if (Status s = read_count(seg, "num_books", path, &info.num_books, UINT32_MAX); !s.is_ok()) return s;
  if (Status s = read_count(seg, "num_terms", path, &info.num_terms, UINT32_MAX); !s.is_ok()) return s;
  if (Status s = read_count(seg, "total_length", path, &info.total_length); !s.is_ok()) return s;
  if (Status s = read_count(seg, "bytes", path, &info.bytes); !s.is_ok()) return s;
  return read_deletions(seg, path, info);
}

// The segments, each starting where the previous one ends, and the totals
// they must add up to.
Status read_segments(const Json& segments, const std::string& path, Manifest* m) {
  std::uint64_t next_doc = 0, docs = 0, books = 0, length = 0;
  for (const Json& seg : segments.items()) {
    Result<SegmentInfo> info = read_segment_info(seg, path);
    if (!info.is_ok()) return info.status();
    if (info.value().base_doc_id != next_doc) {
      return Status::corruption(path + ": segment " + info.value().name + " starts at doc " +
                                std::to_string(info.value().base_doc_id) + ", expected " + std::to_string(next_doc));
    }
    next_doc += info.value().num_docs;
    docs += info.value().live_docs();
    books += info.value().live_books();
    length += info.value().live_length();
    m->segments.push_back(std::move(info).value());
  }
  if (docs != m->total_docs || books != m->total_books || length != m->total_length) {
    return Status::corruption(path + ": totals disagree with the segments");
  }
  if (next_doc > UINT32_MAX) return Status::corruption(path + ": more than 2^32 - 1 docs");
  return Status::ok();
}

}  // namespace

Result<Manifest> read_manifest(const std::string& index_dir) {
  const std::string path = index_dir + "/" + std::string(kManifestFile);
  Result<Json> parsed = read_checksummed_json(path, std::size_t{1} << 30);
  if (!parsed.is_ok()) return parsed.status();
  const Json& root = parsed.value();
  if (Status s = check_format(root, path); !s.is_ok()) return s;
  Manifest m;
  if (Status s = read_count(root, "generation", path, &m.generation); !s.is_ok()) return s;
  if (Status s = read_count(root, "total_docs", path, &m.total_docs); !s.is_ok()) return s;
  if (Status s = read_count(root, "total_books", path, &m.total_books); !s.is_ok()) return s;
  if (Status s = read_count(root, "total_length", path, &m.total_length); !s.is_ok()) return s;
  const Json* analyzer = root.find("analyzer");
  const Json* chunks = root.find("chunks");
  const Json* segments = root.find("segments");
  const Json* store_text = root.find("store_text");
  if (analyzer == nullptr || !analyzer->is_object() || chunks == nullptr || !chunks->is_object() ||
      segments == nullptr || !segments->is_array() || store_text == nullptr ||
      store_text->type() != Json::Type::kBool) {
    return Status::corruption(path + ": expected the fields analyzer, chunks, segments and store_text");
  }
  if (Status s = read_settings(*analyzer, *chunks, store_text->as_bool(), path, &m); !s.is_ok()) return s;
  if (Status s = read_segments(*segments, path, &m); !s.is_ok()) return s;
  return m;
}

}  // namespace tomes::segment
