// segment_file.h: one binary file of a segment, both sides.
//
// Writing: FootedFileWriter streams a file's body, checksumming as it goes,
// then appends the footer (common/file_footer.h) and fsyncs; every finished
// file leaves a FileRecord (name, size, CRC-32) for meta.json. A file may
// also be begun elsewhere (text.bin, appended to while books are parsed)
// and finished here.
//
// Reading: map_segment_file maps a file and checks its footer, returning
// the body; a missing file means an incomplete segment (Corruption).
//
// Thread safety: a writer belongs to one thread; the functions are pure.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_sink.h"
#include "common/mapped_file.h"
#include "common/status.h"

namespace tomes::segment {

// A finished file of a segment, as meta.json lists it.
struct FileRecord {
  std::string name;
  std::uint64_t bytes = 0;
  std::uint32_t crc = 0;
};

class FootedFileWriter {
 public:
  // Creates dir/name; check status() before use.
  FootedFileWriter(const std::string& dir, std::string_view name, std::string_view magic);
  // Appends to dir/name, which holds `size` bytes with CRC-32 `crc` already.
  FootedFileWriter(const std::string& dir, std::string_view name, std::string_view magic, std::uint64_t size,
                   std::uint32_t crc);

  const Status& status() const { return file_.status(); }
  Status write(std::string_view bytes) { return sink_.write(bytes); }
  // Bytes of the file so far (the body, before finish()).
  std::uint64_t size() const { return sink_.size(); }
  // Appends the footer, fsyncs, closes, and records the file in *files.
  Status finish(std::vector<FileRecord>* files);

 private:
  std::string name_;
  FileSink file_;
  ChecksumSink sink_;
  std::string_view magic_;
};

// Writes the pieces, back to back, then the footer, as dir/name (fsynced).
Status write_footed_file(const std::string& dir, std::string_view name, std::string_view magic,
                         const std::vector<const std::string*>& pieces, std::vector<FileRecord>* files);

// Maps path; a missing file is Corruption ("the segment is incomplete").
Result<std::shared_ptr<MappedFile>> map_segment_file(const std::string& path);

// Maps path and checks its footer (magic, version, and the CRC if check_crc):
// *body gets the bytes before the footer. The mapping is appended to *mapped,
// which must outlive *body.
Status map_footed_file(const std::string& path, std::string_view magic, bool check_crc,
                       std::vector<std::shared_ptr<MappedFile>>* mapped, std::string_view* body);

// "path: expected want bytes before the footer, got got" (Corruption).
Status body_size_error(const std::string& path, std::uint64_t want, std::uint64_t got);

}  // namespace tomes::segment
