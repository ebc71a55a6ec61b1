// segment_meta.h: meta.json, a segment's description of itself: its format
// version, counts (as index.json records them, segment_info.h), store_text,
// and each file's size and CRC-32 (what verify() checks the bytes against).
// A self-checksummed JSON document (common/json.h); FORMAT.md section 4.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "segment/segment_file.h"
#include "segment/segment_info.h"

namespace tomes::segment {

// The text of meta.json for a segment described by info (bytes aside) whose
// files are `files`, in the order they were written.
std::string encode_segment_meta(const SegmentInfo& info, bool store_text, const std::vector<FileRecord>& files);

// Reads the meta.json at path and checks its checksum, its format version,
// and that its store_text and counts agree with index.json's (store_text,
// info): Corruption naming path otherwise, or when it is missing.
Status check_segment_meta(const std::string& path, const SegmentInfo& info, bool store_text);

// The files meta.json lists, with the sizes and CRCs it records.
Result<std::vector<FileRecord>> read_segment_meta_files(const std::string& path);

}  // namespace tomes::segment
