#include "segment/manifest.h"

#include "common/file_system.h"
#include "common/json.h"
#include "common/mapped_file.h"

namespace tomes::segment {

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
    segments.push_back(std::move(seg));
  }
  root.set("segments", std::move(segments));
  if (Status s = write_file_atomic(index_dir + "/" + std::string(kManifestFile), dump_with_checksum(root)); !s.is_ok()) {
    return s;
  }
  return sync_directory(index_dir);
}

Result<Manifest> read_manifest(const std::string& index_dir) {
  const std::string path = index_dir + "/" + std::string(kManifestFile);
  Result<Json> parsed = read_checksummed_json(path, std::size_t{1} << 30);
  if (!parsed.is_ok()) return parsed.status();
  const Json& root = parsed.value();
  Result<std::string> format = json_string(root, "format", path);
  if (!format.is_ok()) return format.status();
  if (format.value() != "tomes-index") return Status::corruption(path + ": not a tomes index.json");
  Result<std::int64_t> version = json_int(root, "format_version", path);
  if (!version.is_ok()) return version.status();
  if (version.value() != kIndexFormatVersion) {
    return Status::corruption(path + ": index format version " + std::to_string(version.value()) +
                              ", this tomes reads version " + std::to_string(kIndexFormatVersion));
  }
  Manifest m;
  auto get = [&](const Json& object, const char* key, std::uint64_t* out, std::int64_t max = INT64_MAX) {
    Result<std::int64_t> v = json_int(object, key, path, 0, max);
    if (v.is_ok()) *out = static_cast<std::uint64_t>(v.value());
    return v.status();
  };
  if (Status s = get(root, "generation", &m.generation); !s.is_ok()) return s;
  if (Status s = get(root, "total_docs", &m.total_docs); !s.is_ok()) return s;
  if (Status s = get(root, "total_books", &m.total_books); !s.is_ok()) return s;
  if (Status s = get(root, "total_length", &m.total_length); !s.is_ok()) return s;
  const Json* analyzer = root.find("analyzer");
  const Json* chunks = root.find("chunks");
  const Json* segments = root.find("segments");
  const Json* store_text = root.find("store_text");
  if (analyzer == nullptr || !analyzer->is_object() || chunks == nullptr || !chunks->is_object() ||
      segments == nullptr || !segments->is_array() || store_text == nullptr ||
      store_text->type() != Json::Type::kBool) {
    return Status::corruption(path + ": expected the fields analyzer, chunks, segments and store_text");
  }
  m.settings.store_text = store_text->as_bool();
  if (const Json* name = analyzer->find("stopwords"); name != nullptr && name->is_string()) {
    m.settings.stopwords_name = name->as_string();
  }
  if (const Json* stemmer = analyzer->find("stemmer"); stemmer != nullptr && stemmer->is_string()) {
    m.settings.stemmer = stemmer->as_string();
  }
  const Json* words = analyzer->find("stopword_entries");
  if (words == nullptr || !words->is_array()) return Status::corruption(path + ": expected stopword_entries");
  for (const Json& w : words->items()) {
    if (!w.is_string()) return Status::corruption(path + ": stopword_entries must be strings");
    m.settings.stopwords.push_back(w.as_string());
  }
  Result<std::string> unicode = json_string(*analyzer, "unicode_version", path);
  if (!unicode.is_ok()) return unicode.status();
  m.unicode_version = unicode.value();
  std::uint64_t size = 0, overlap = 0;
  if (Status s = get(*chunks, "chunk_size", &size, UINT32_MAX); !s.is_ok()) return s;
  if (Status s = get(*chunks, "chunk_overlap", &overlap, UINT32_MAX); !s.is_ok()) return s;
  m.settings.chunk_size = static_cast<std::uint32_t>(size);
  m.settings.chunk_overlap = static_cast<std::uint32_t>(overlap);
  std::uint64_t next_doc = 0, books = 0, length = 0;
  for (const Json& seg : segments->items()) {
    SegmentInfo info;
    Result<std::string> name = json_string(seg, "name", path);
    if (!name.is_ok()) return name.status();
    info.name = name.value();
    if (info.name.empty() || info.name.find('/') != std::string::npos || info.name[0] == '.') {
      return Status::corruption(path + ": bad segment name \"" + info.name + "\"");
    }
    if (Status s = get(seg, "base_doc_id", &info.base_doc_id); !s.is_ok()) return s;
    if (Status s = get(seg, "num_docs", &info.num_docs, UINT32_MAX); !s.is_ok()) return s;
    if (Status s = get(seg, "num_books", &info.num_books, UINT32_MAX); !s.is_ok()) return s;
    if (Status s = get(seg, "num_terms", &info.num_terms, UINT32_MAX); !s.is_ok()) return s;
    if (Status s = get(seg, "total_length", &info.total_length); !s.is_ok()) return s;
    if (Status s = get(seg, "bytes", &info.bytes); !s.is_ok()) return s;
    if (info.base_doc_id != next_doc) {
      return Status::corruption(path + ": segment " + info.name + " starts at doc " +
                                std::to_string(info.base_doc_id) + ", expected " + std::to_string(next_doc));
    }
    next_doc += info.num_docs;
    books += info.num_books;
    length += info.total_length;
    m.segments.push_back(std::move(info));
  }
  if (next_doc != m.total_docs || books != m.total_books || length != m.total_length) {
    return Status::corruption(path + ": totals disagree with the segments");
  }
  if (next_doc > UINT32_MAX) return Status::corruption(path + ": more than 2^32 - 1 docs");
  return m;
}

}  // namespace tomes::segment
