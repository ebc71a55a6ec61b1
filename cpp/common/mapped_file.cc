#include "common/mapped_file.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/byte_sink.h"

namespace tomes {

namespace {
Status errno_status(const std::string& path, const char* what) {
  const int err = errno;
  std::string message = path + ": " + what + ": " + std::strerror(err);
  return err == ENOENT ? Status::not_found(message) : Status::io_error(message);
}
}  // namespace

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status(path, "cannot open");
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = errno_status(path, "cannot stat");
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::io_error(path + ": expected a regular file");
  }
  std::shared_ptr<MappedFile> file(new MappedFile());
  file->path_ = path;
  file->size_ = static_cast<std::size_t>(st.st_size);
  if (file->size_ > 0) {
    void* data = ::mmap(nullptr, file->size_, PROT_READ, MAP_SHARED, fd, 0);
    if (data == MAP_FAILED) {
      Status s = errno_status(path, "cannot map");
      ::close(fd);
      return s;
    }
    file->data_ = data;
  }
  ::close(fd);
  return file;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

std::string temporary_path_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

Status write_file_atomic(const std::string& path, std::string_view bytes) {
  const std::string temporary = temporary_path_for(path);
  FileSink sink(temporary);
  Status s = sink.status();
  if (s.is_ok()) s = sink.write(bytes);
  if (s.is_ok()) s = sink.finish();
  if (s.is_ok() && std::rename(temporary.c_str(), path.c_str()) != 0) {
    s = errno_status(path, "cannot rename the temporary file into place");
  }
  if (!s.is_ok()) std::remove(temporary.c_str());
  return s;
}

}  // namespace tomes
