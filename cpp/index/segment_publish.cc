#include "index/segment_publish.h"

#include "common/byte_sink.h"
#include "common/file_system.h"
#include "index/index_files.h"
#include "segment/doc_lengths.h"
#include "segment/segment_format.h"
#include "segment/segment_meta.h"

namespace tomes::index {

Status write_offsets_and_doc_lengths(const std::string& dir, const segment::TermTableWriter& offsets,
                                     const std::vector<std::uint32_t>& doc_lengths,
                                     std::vector<segment::FileRecord>* files) {
  Result<std::string> table = offsets.finish();
  if (!table.is_ok()) return table.status();
  if (Status s = segment::write_footed_file(dir, segment::kOffsetsFile, segment::kOffsetsMagic, {&table.value()}, files);
      !s.is_ok()) {
    return s;
  }
  const std::string lengths = segment::encode_doc_lengths(doc_lengths);
  return segment::write_footed_file(dir, segment::kDocLengthsFile, segment::kDocLengthsMagic, {&lengths}, files);
}

Status publish_segment(const std::string& index_dir, bool store_text, const std::vector<segment::FileRecord>& files,
                       segment::SegmentInfo* info) {
  const std::string dir = index_dir + "/" + temporary_segment_name(info->name);
  const std::string final_dir = index_dir + "/" + info->name;
  const std::string meta = segment::encode_segment_meta(*info, store_text, files);
  {
    FileSink file(dir + "/" + std::string(segment::kMetaFile));
    if (!file.status().is_ok()) return file.status();
    if (Status s = file.write(meta); !s.is_ok()) return s;
    if (Status s = file.finish(); !s.is_ok()) return s;
  }
  info->bytes = meta.size();
  for (const segment::FileRecord& f : files) info->bytes += f.bytes;
  if (Status s = sync_directory(dir); !s.is_ok()) return s;
  if (Status s = remove_tree(final_dir); !s.is_ok()) return s;
  if (Status s = rename_path(dir, final_dir); !s.is_ok()) return s;
  return sync_directory(index_dir);
}

}  // namespace tomes::index
