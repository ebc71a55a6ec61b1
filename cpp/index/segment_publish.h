// segment_publish.h: the last steps of writing any segment (a batch's,
// segment_writer.h, or a merge's, segment_merger.h): the per-doc tables,
// then meta.json, then the temporary directory made durable and renamed
// into place. Shared so that both writers finish a segment in exactly the
// same way (SPEC 6).
//
// Thread safety: pure function over the file system; REQUIRES the index
// lock held.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "segment/segment_file.h"
#include "segment/segment_info.h"
#include "segment/term_table.h"

namespace tomes::index {

// Writes offsets.bin (offsets: every term ordinal's entry, added in order)
// and doc_lengths.bin (doc_lengths) into dir, appending their records to
// *files. Both encodings are segment/'s (term_table.h, doc_lengths.h).
Status write_offsets_and_doc_lengths(const std::string& dir, const segment::TermTableWriter& offsets,
                                     const std::vector<std::uint32_t>& doc_lengths,
                                     std::vector<segment::FileRecord>* files);

// Writes meta.json (segment_meta.h) for *info and files into
// index_dir/.tmp-<info->name> (temporary_segment_name), fsyncs the file and
// the directory, replaces index_dir/<info->name> by it and fsyncs index_dir.
// Sets info->bytes to the size of every file, meta.json included. The
// segment is in place but not committed: index.json decides.
// REQUIRES: the temporary directory holds every file of `files`, finished.
Status publish_segment(const std::string& index_dir, bool store_text, const std::vector<segment::FileRecord>& files,
                       segment::SegmentInfo* info);

}  // namespace tomes::index
