#include "common/mapped_file.h"

#include <atomic>
#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/byte_sink.h"
#include "common/file_system.h"

namespace tomes {

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = errno_status("cannot stat", path, errno);
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
      Status s = errno_status("cannot map", path, errno);
      ::close(fd);
      return s;
    }
    file->data_ = data;
  }
  ::close(fd);
  return file;
}

void MappedFile::release_pages() const {
  // Best effort: MADV_DONTNEED on a shared read-only file mapping only
  // unmaps pages; a failure changes nothing a reader sees.
  if (data_ != nullptr && size_ > 0) (void)::madvise(data_, size_, MADV_DONTNEED);
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
  if (s.is_ok()) s = rename_path(temporary, path);
  if (!s.is_ok()) std::remove(temporary.c_str());
  return s;
}

}  // namespace tomes
