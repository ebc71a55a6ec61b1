#include "common/byte_sink.h"

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace tomes {

namespace {
Status io_error(const std::string& path, const char* what) {
  return Status::io_error(path + ": " + what + ": " + std::strerror(errno));
}
}  // namespace

FileSink::FileSink(std::string path, Mode mode) : path_(std::move(path)) {
  file_ = std::fopen(path_.c_str(), mode == Mode::kAppend ? "ab" : "wb");
  if (file_ == nullptr) status_ = io_error(path_, mode == Mode::kAppend ? "cannot open file" : "cannot create file");
}

FileSink::~FileSink() {
  if (file_ != nullptr) std::fclose(file_);
}

Status FileSink::write(std::string_view bytes) {
  if (!status_.is_ok()) return status_;
  if (file_ == nullptr) return status_ = Status::io_error(path_ + ": write after finish");
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    status_ = io_error(path_, "write failed");
  }
  return status_;
}

Status FileSink::finish() { return close_file(true); }

Status FileSink::close() { return close_file(false); }

Status FileSink::close_file(bool sync) {
  if (!status_.is_ok()) return status_;
  if (file_ == nullptr) return status_;
  if (std::fflush(file_) != 0) status_ = io_error(path_, "write failed");
  if (sync && status_.is_ok() && ::fsync(fileno(file_)) != 0) status_ = io_error(path_, "fsync failed");
  if (std::fclose(file_) != 0 && status_.is_ok()) status_ = io_error(path_, "close failed");
  file_ = nullptr;
  return status_;
}

}  // namespace tomes
