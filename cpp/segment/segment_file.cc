#include "segment/segment_file.h"

#include "common/file_footer.h"
#include "segment/segment_format.h"

namespace tomes::segment {

FootedFileWriter::FootedFileWriter(const std::string& dir, std::string_view name, std::string_view magic)
    : name_(name), file_(dir + "/" + std::string(name)), sink_(&file_), magic_(magic) {}

FootedFileWriter::FootedFileWriter(const std::string& dir, std::string_view name, std::string_view magic,
                                   std::uint64_t size, std::uint32_t crc)
    : name_(name), file_(dir + "/" + std::string(name), FileSink::Mode::kAppend), sink_(&file_, crc, size),
      magic_(magic) {}

Status FootedFileWriter::finish(std::vector<FileRecord>* files) {
  const std::string footer = make_footer(magic_, kSegmentFormatVersion, sink_.crc());
  if (Status s = sink_.write(footer); !s.is_ok()) return s;
  if (Status s = sink_.finish(); !s.is_ok()) return s;
  files->push_back(FileRecord{name_, sink_.size(), sink_.crc()});
  return Status::ok();
}

Status write_footed_file(const std::string& dir, std::string_view name, std::string_view magic,
                         const std::vector<const std::string*>& pieces, std::vector<FileRecord>* files) {
  FootedFileWriter file(dir, name, magic);
  if (!file.status().is_ok()) return file.status();
  for (const std::string* piece : pieces) {
    if (Status s = file.write(*piece); !s.is_ok()) return s;
  }
  return file.finish(files);
}

Result<std::shared_ptr<MappedFile>> map_segment_file(const std::string& path) {
  Result<std::shared_ptr<MappedFile>> m = MappedFile::open(path);
  if (!m.is_ok() && m.status().code() == Status::Code::kNotFound) {
    return Status::corruption(path + ": missing (the segment is incomplete)");
  }
  return m;
}

Status map_footed_file(const std::string& path, std::string_view magic, bool check_crc,
                       std::vector<std::shared_ptr<MappedFile>>* mapped, std::string_view* body) {
  Result<std::shared_ptr<MappedFile>> m = map_segment_file(path);
  if (!m.is_ok()) return m.status();
  Result<std::string_view> b = check_footer(m.value()->bytes(), magic, kSegmentFormatVersion, check_crc, path);
  if (!b.is_ok()) return b.status();
  *body = b.value();
  mapped->push_back(std::move(m).value());
  return Status::ok();
}

Status body_size_error(const std::string& path, std::uint64_t want, std::uint64_t got) {
  return Status::corruption(path + ": expected " + std::to_string(want) + " bytes before the footer, got " +
                            std::to_string(got));
}

}  // namespace tomes::segment
