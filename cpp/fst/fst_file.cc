#include "fst/fst_file.h"

#include <cstdio>

#include "common/file_system.h"
#include "common/mapped_file.h"

namespace tomes::fst {

namespace {

// The directory holding path, whose entry the rename changes: "." for a bare
// name, "/" for a name in the root.
std::string directory_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

FstFileWriter::FstFileWriter(std::string path, std::string temporary, std::unique_ptr<FileSink> sink,
                             std::uint64_t expected_keys)
    : path_(std::move(path)),
      temporary_(std::move(temporary)),
      sink_(std::move(sink)),
      builder_(std::make_unique<BackgroundFstBuilder>(sink_.get(), expected_keys)) {}

Result<std::unique_ptr<FstFileWriter>> FstFileWriter::create(const std::string& path, std::uint64_t expected_keys) {
  std::string temporary = temporary_path_for(path);
  auto sink = std::make_unique<FileSink>(temporary);
  // A sink that could not create its file left nothing behind.
  if (!sink->status().is_ok()) return sink->status();
  return std::unique_ptr<FstFileWriter>(
      new FstFileWriter(path, std::move(temporary), std::move(sink), expected_keys));
}

FstFileWriter::~FstFileWriter() {
  builder_.reset();  // joins the builder thread, the sink's only other user
  sink_.reset();     // closes the file (if commit() did not)
  if (!committed_) std::remove(temporary_.c_str());
}

Status FstFileWriter::add_batch(KeyBatch&& batch) { return builder_->add_batch(std::move(batch)); }

Status FstFileWriter::commit() {
  // The builder's finish() finishes the sink: flush, fsync, close.
  if (Status s = builder_->finish(); !s.is_ok()) return s;
  if (Status s = rename_path(temporary_, path_); !s.is_ok()) return s;
  committed_ = true;
  // From here on path holds the new file; a failed fsync leaves it there
  // (the old one is gone) but says its name may not survive a crash.
  return sync_directory(directory_of(path_));
}

Status write_fst_file(const std::string& path, const std::vector<std::pair<std::string, std::uint64_t>>& pairs) {
  Result<std::unique_ptr<FstFileWriter>> writer = FstFileWriter::create(path, pairs.size());
  if (!writer.is_ok()) return writer.status();
  KeyBatch batch;
  for (const auto& [key, value] : pairs) batch.add(key, value);
  if (Status s = writer.value()->add_batch(std::move(batch)); !s.is_ok()) return s;
  return writer.value()->commit();
}

}  // namespace tomes::fst
