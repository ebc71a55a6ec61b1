// manifest.h: index.json, the one file that says what an index is: its
// segments (in doc-id order), totals, and the analyzer and chunk settings
// every query must use. Replacing it (write temporary, fsync, rename, fsync
// the directory) is the commit point of every write: readers see only the
// segments it lists.
//
// Thread safety: pure functions over the file system.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "segment/segment_info.h"

namespace tomes::segment {

inline constexpr std::string_view kManifestFile = "index.json";
// 2: segments carry their deletions (segment_info.h); totals count live
// docs, books and length only. Version 1 is refused: rebuild the index.
inline constexpr std::uint32_t kIndexFormatVersion = 2;

struct IndexSettings {
  std::string stopwords_name;          // "", "english", "portuguese" or "custom"
  std::vector<std::string> stopwords;  // the case-folded entries, sorted
  std::string stemmer;                 // "", "english" or "portuguese"
  std::uint32_t chunk_size = 1000;
  std::uint32_t chunk_overlap = 100;
  bool store_text = true;
};

struct Manifest {
  std::uint64_t generation = 0;
  IndexSettings settings;
  std::string unicode_version;
  std::vector<SegmentInfo> segments;
  // Live (not deleted) docs, books and length: the N and avgdl of BM25.
  std::uint64_t total_docs = 0;
  std::uint64_t total_books = 0;
  std::uint64_t total_length = 0;

  double avgdl() const { return total_docs == 0 ? 0.0 : static_cast<double>(total_length) / total_docs; }
  // One past the last doc id: deleted docs keep their ids until a merge.
  std::uint64_t doc_id_end() const {
    return segments.empty() ? 0 : segments.back().base_doc_id + segments.back().num_docs;
  }
  // Lays the segments out (each base_doc_id after the previous segment's
  // docs) and sums the live totals.
  void recount();
};

// Commits manifest as index_dir/index.json, atomically.
Status write_manifest(const std::string& index_dir, const Manifest& manifest);
// Reads and validates index_dir/index.json: NotFound if absent, Corruption if
// damaged (every segment's doc range must follow the previous one, the
// totals must be the live sums), with a "rebuild" message for version 1.
Result<Manifest> read_manifest(const std::string& index_dir);

}  // namespace tomes::segment
