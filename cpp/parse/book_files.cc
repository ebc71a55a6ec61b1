#include "parse/book_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tomes::parse {

namespace {

// strerror_r, whichever of its two signatures the C library has: this runs
// on many threads at once, where strerror may share one buffer.
[[maybe_unused]] inline const char* strerror_result(int rc, const char* buffer) {
  return rc == 0 ? buffer : "unknown error";  // XSI: fills buffer
}
[[maybe_unused]] inline const char* strerror_result(const char* message, const char*) {
  return message;  // GNU: returns the message
}

std::string error_text(int err) {
  char buffer[256] = {0};
  return strerror_result(strerror_r(err, buffer, sizeof(buffer)), buffer);
}

// st_mtim in nanoseconds since the epoch, as books.bin records it.
std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// A book file as collect_books and stat_book_file make it from its stat.
BookFile book_file_of(std::string rel, const std::string& path, const struct stat& st, BookFormat format) {
  BookFile book;
  book.relative_path = std::move(rel);
  book.path = path;
  book.size = static_cast<std::uint64_t>(st.st_size);
  book.mtime_ns = mtime_ns(st);
  book.format = format;
  return book;
}

// What a non-regular file is, for reasons: "a FIFO", "a socket", ...
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

class Walker {
 public:
  Walker(std::string root, std::vector<BookFile>* books, std::vector<SkippedFile>* skipped)
      : root_(std::move(root)), books_(books), skipped_(skipped) {}

  std::string full_path(const std::string& relative) const {
    if (relative.empty()) return root_;
    return root_ == "/" ? "/" + relative : root_ + "/" + relative;
  }

  // Reads every name in the directory at path (but "." and ".."), then closes
  // it: one descriptor open at a time, whatever the depth. Returns 0 or errno.
  static int read_names(const std::string& path, std::vector<std::string>* names) {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return errno;
    int err = 0;
    for (;;) {
      errno = 0;
      const struct dirent* entry = ::readdir(dir);
      if (entry == nullptr) {
        err = errno;
        break;
      }
      const char* name = entry->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      names->emplace_back(name);
    }
    ::closedir(dir);
    return err;
  }

  // Walks the directory at relative path rel_dir ("" for the root), whose
  // names have been read into names.
  void walk(const std::string& rel_dir, const std::vector<std::string>& names) {
    std::vector<std::string> subdirs;
    for (const std::string& name : names) {
      std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
      const std::string path = full_path(rel);
      const BookFormat format = book_format_of(name);
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0) {
        skip(rel, "cannot stat: " + error_text(errno));
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (format != BookFormat::kNone) {
          skip(rel, "a directory, not a regular file (searched for books)");
        }
        subdirs.push_back(std::move(rel));
        continue;
      }
      if (S_ISLNK(st.st_mode)) {
        struct stat target;
        if (::stat(path.c_str(), &target) != 0) {
          const int err = errno;
          if (format == BookFormat::kNone) continue;
          if (err == ENOENT) {
            skip(rel, "dangling symbolic link: " + error_text(err));
          } else if (err == ELOOP) {
            skip(rel, "symbolic link loop: " + error_text(err));
          } else {
            skip(rel, "cannot follow symbolic link: " + error_text(err));
          }
          continue;
        }
        if (S_ISDIR(target.st_mode)) {
          skip(rel, "symbolic link to a directory, not followed");
          continue;
        }
        if (format == BookFormat::kNone) continue;
        if (S_ISREG(target.st_mode)) {
          add(std::move(rel), path, target, format);
        } else {
          skip(rel, std::string("symbolic link to ") + kind_of(target.st_mode) +
                         ", not a regular file");
        }
        continue;
      }
      if (format == BookFormat::kNone) continue;
      if (S_ISREG(st.st_mode)) {
        add(std::move(rel), path, st, format);
      } else {
        skip(rel, std::string(kind_of(st.st_mode)) + ", not a regular file");
      }
    }
    for (const std::string& rel : subdirs) {
      std::vector<std::string> sub_names;
      const int err = read_names(full_path(rel), &sub_names);
      if (err != 0) {
        skip(rel, "cannot read directory: " + error_text(err));
        // A read that failed midway still walks the names it got.
        if (sub_names.empty()) continue;
      }
      walk(rel, sub_names);
    }
  }

 private:
  void add(std::string rel, const std::string& path, const struct stat& st, BookFormat format) {
    books_->push_back(book_file_of(std::move(rel), path, st, format));
  }

  void skip(const std::string& rel, std::string reason) {
    skipped_->push_back({rel, full_path(rel), std::move(reason)});
  }

  std::string root_;
  std::vector<BookFile>* books_;
  std::vector<SkippedFile>* skipped_;
};

// root without its trailing slashes ("/" stays "/").
std::string trim_root(const std::string& root) {
  std::size_t size = root.size();
  while (size > 1 && root[size - 1] == '/') --size;
  return root.substr(0, size);
}

}  // namespace

Result<BookFile> stat_book_file(const std::string& path, std::string id) {
  const std::size_t slash = path.rfind('/');
  const BookFormat format = book_format_of(slash == std::string::npos ? path : path.substr(slash + 1));
  if (format == BookFormat::kNone) {
    return Status::invalid_argument(path + ": not a book (expected a name ending in .txt, .md, .html, .htm, "
                                           ".epub or .pdf)");
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::io_error(path + ": cannot stat: " + error_text(errno));
  if (!S_ISREG(st.st_mode)) {
    return Status::invalid_argument(path + ": " + kind_of(st.st_mode) + ", not a regular file");
  }
  return book_file_of(std::move(id), path, st, format);
}

Status collect_books(const std::string& root, std::vector<BookFile>* books,
                     std::vector<SkippedFile>* skipped) {
  books->clear();
  skipped->clear();
  if (root.empty()) return Status::io_error("books directory: expected a path, got \"\"");
  Walker walker(trim_root(root), books, skipped);
  std::vector<std::string> names;
  const int err = Walker::read_names(root, &names);
  if (err != 0) {
    return Status::io_error(root + ": cannot read the books directory: " + error_text(err));
  }
  walker.walk("", names);
  // std::string compares as unsigned bytes (char_traits<char>::lt): byte order.
  std::sort(books->begin(), books->end(),
            [](const BookFile& a, const BookFile& b) { return a.relative_path < b.relative_path; });
  std::sort(skipped->begin(), skipped->end(),
            [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; });
  return Status::ok();
}

Result<std::string> read_book_bytes(const BookFile& book, std::uint64_t max_bytes) {
  const std::string& path = book.path;
  // Look before opening: a device is never opened at all (opening one can
  // have effects), a FIFO or socket is refused with its name.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::io_error(path + ": cannot open: " + error_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::invalid_argument(path + ": " + kind_of(st.st_mode) + ", not a regular file");
  }
  // O_NONBLOCK: if a FIFO was swapped in since the stat, open returns at
  // once instead of waiting for a writer, and fstat refuses it below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Status::io_error(path + ": cannot open: " + error_text(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fstat(fd, &st) != 0) {
    return Status::io_error(path + ": cannot stat: " + error_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::invalid_argument(path + ": " + kind_of(st.st_mode) + ", not a regular file");
  }
  const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  auto too_big = [&](std::uint64_t got) {
    return Status::invalid_argument(path + ": " + std::to_string(got) + " bytes, over the limit of " +
                                    std::to_string(max_bytes) + " bytes");
  };
  if (size > max_bytes) return too_big(size);
  // One byte more than the size, to see the end of file (or a file that
  // grew since fstat) without a second read in the common case.
  const std::uint64_t cap = max_bytes < UINT64_MAX / 2 ? max_bytes + 1 : UINT64_MAX / 2;
  std::string bytes(static_cast<std::size_t>(size) + 1, '\0');
  std::size_t got = 0;
  for (;;) {
    if (got == bytes.size()) {
      if (got > max_bytes) return too_big(got);
      const std::uint64_t grown = std::min<std::uint64_t>(std::uint64_t(got) * 2, cap);
      bytes.resize(static_cast<std::size_t>(grown));
    }
    const ssize_t n = ::read(fd, &bytes[got], bytes.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error(path + ": cannot read: " + error_text(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > max_bytes) return too_big(got);
  bytes.resize(got);
  return bytes;
}

}  // namespace tomes::parse
