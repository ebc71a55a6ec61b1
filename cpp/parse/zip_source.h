// zip_source.h: the bytes of a zip archive, read by offset: a file through
// pread (never read whole into memory, so a 2 GB EPUB of images costs only
// the members we inflate) or bytes already in memory (tests, fuzzing).
//
// Thread safety: a source is used by one thread at a time (read() may fill
// the caller's buffer; FileSource holds a descriptor).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tomes::parse {

class ZipSource {
 public:
  virtual ~ZipSource() = default;
  // The archive's size in bytes (fixed when the source was opened).
  virtual std::uint64_t size() const = 0;
  // The n bytes at offset. The view points into *buffer or into the source's
  // own memory; it is valid until the next read() with the same buffer.
  // REQUIRES: offset + n <= size(). IOError "cannot read: ..." when the file
  // shrank or the read failed.
  virtual Result<std::string_view> read(std::uint64_t offset, std::size_t n, std::string* buffer) const = 0;
};

// Bytes in memory, not owned: they must outlive the source.
class MemorySource final : public ZipSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Result<std::string_view> read(std::uint64_t offset, std::size_t n, std::string* buffer) const override;

 private:
  std::string_view bytes_;
};

// A regular file, opened read-only and non-blocking (a FIFO swapped in is
// refused, never waited on). Errors: IOError "cannot open: <strerror>",
// InvalidArgument "not a regular file".
class FileSource final : public ZipSource {
 public:
  static Result<std::unique_ptr<FileSource>> open(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::uint64_t size() const override { return size_; }
  Result<std::string_view> read(std::uint64_t offset, std::size_t n, std::string* buffer) const override;

 private:
  FileSource(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  std::uint64_t size_;
};

}  // namespace tomes::parse
