#include "parse/zip_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tomes::parse {

Result<std::string_view> MemorySource::read(std::uint64_t offset, std::size_t n, std::string*) const {
  if (offset > bytes_.size() || n > bytes_.size() - offset) {
    return Status::io_error("cannot read: past the end of the archive");
  }
  return bytes_.substr(static_cast<std::size_t>(offset), n);
}

Result<std::unique_ptr<FileSource>> FileSource::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Status::io_error(std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::io_error(std::string("cannot stat: ") + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::invalid_argument("not a regular file");
  }
  return std::unique_ptr<FileSource>(new FileSource(fd, static_cast<std::uint64_t>(st.st_size)));
}

FileSource::~FileSource() { ::close(fd_); }

Result<std::string_view> FileSource::read(std::uint64_t offset, std::size_t n, std::string* buffer) const {
  if (offset > size_ || n > size_ - offset) return Status::io_error("cannot read: past the end of the archive");
  if (buffer->size() < n) buffer->resize(n);
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd_, &(*buffer)[got], n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::io_error(std::string("cannot read: ") + std::strerror(errno));
    }
    if (r == 0) return Status::io_error("cannot read: the file shrank while it was read");
    got += static_cast<std::size_t>(r);
  }
  return std::string_view(buffer->data(), n);
}

}  // namespace tomes::parse
