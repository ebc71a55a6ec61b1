// byte_sink.h: where writers put the bytes they produce, in memory or in a
// file, so that a writer (FST builder, segment writer) streams its output
// without knowing which.
//
// A FileSink writes to `path` directly; the caller that wants an atomic file
// writes to a temporary name and renames it once finish()ed. Errors name the
// path and the errno text.
//
// Thread safety: a sink belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/crc32.h"
#include "common/status.h"

namespace tomes {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view bytes) = 0;
  // Makes everything written durable where that means something (fsync).
  virtual Status finish() = 0;
};

// Appends to a string the caller owns.
class StringSink final : public ByteSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status write(std::string_view bytes) override {
    out_->append(bytes);
    return Status::ok();
  }
  Status finish() override { return Status::ok(); }

 private:
  std::string* out_;
};

// Counts and checksums (CRC-32, crc32.h) what passes through it to another
// sink.
class ChecksumSink final : public ByteSink {
 public:
  // crc and size: of what the inner sink holds already (appending to a file).
  explicit ChecksumSink(ByteSink* inner, std::uint32_t crc = 0, std::uint64_t size = 0)
      : inner_(inner), crc_(crc), size_(size) {}
  Status write(std::string_view bytes) override {
    crc_ = crc32_update(crc_, bytes);
    size_ += bytes.size();
    return inner_->write(bytes);
  }
  Status finish() override { return inner_->finish(); }
  std::uint32_t crc() const { return crc_; }
  std::uint64_t size() const { return size_; }

 private:
  ByteSink* inner_;
  std::uint32_t crc_;
  std::uint64_t size_;
};

// Creates (or truncates) a file, or appends to one, and writes to it.
class FileSink final : public ByteSink {
 public:
  enum class Mode { kCreate, kAppend };
  // Opens path for writing; check status() before use.
  explicit FileSink(std::string path, Mode mode = Mode::kCreate);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  const Status& status() const { return status_; }
  Status write(std::string_view bytes) override;
  // Flushes, fsyncs and closes the file.
  Status finish() override;
  // Flushes and closes the file without fsync: for a file that is appended
  // to and finish()ed later (fsync makes all of a file durable, whichever
  // descriptor wrote it).
  Status close();

 private:
  Status close_file(bool sync);

  std::string path_;
  std::FILE* file_ = nullptr;
  Status status_;
};

}  // namespace tomes
