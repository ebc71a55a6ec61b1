// book_files.h: finding the books under a directory and reading their bytes
// (SPEC 2), without ever blocking or following a loop.
//
// collect_books walks books_dir and returns, sorted by the bytes of their
// relative path, the regular files (or symlinks to regular files) whose name
// ends in a book extension (book_format.h). That order fixes doc ids, so it
// depends on nothing but the names: not on readdir order, thread count or
// locale. Everything that looks like a book but cannot be one is reported,
// with a reason, instead of failing the walk:
//
//   a.txt is a directory             "a directory, not a regular file (searched for books)"
//   a.txt is a FIFO/socket/device    "a FIFO, not a regular file" (and so on)
//   a.txt -> missing                 "dangling symbolic link: No such file or directory"
//   a.txt -> a.txt                   "symbolic link loop: Too many levels of symbolic links"
//   dir -> elsewhere (any name)      "symbolic link to a directory, not followed"
//   sub/ unreadable                  "cannot read directory: Permission denied"
//   anything lstat fails on          "cannot stat: File name too long"
//
// Directories are descended by their real entries only: a symlink to a
// directory is never followed, so the walk cannot loop and visits each real
// directory once. Directory reads hold one descriptor at a time (a level is
// read whole, then closed), so depth is bounded by PATH_MAX, not by open files.
//
// read_book_bytes opens a book with O_NONBLOCK and refuses anything fstat
// does not call a regular file, so a FIFO swapped in after the walk is
// refused at once, never waited on.
//
// Thread safety: functions of the file system only; call from any threads
// at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parse/book_format.h"

namespace tomes::parse {

struct BookFile {
  std::string relative_path;  // components joined by '/', raw bytes, no leading '/'
  std::string path;           // root + '/' + relative_path (root's trailing '/'s dropped)
  std::uint64_t size = 0;     // st_size when collected (following a symlink)
  std::int64_t mtime_ns = 0;  // st_mtim when collected, in ns since the epoch
  BookFormat format = BookFormat::kNone;  // from the extension of relative_path
  // A book given as text (tomes writer's add_texts): these bytes are the
  // book, read as a .txt file holding them; path is never opened. Not owned.
  const std::string* content = nullptr;
  // The book's metadata, a JSON object as UTF-8 ("" for none), stored in
  // books.bin as it is.
  std::string metadata;
};

struct SkippedFile {
  std::string relative_path;  // as BookFile::relative_path
  std::string path;           // root + '/' + relative path, as BookFile::path
  std::string reason;         // without the path: fit for report.skipped
};

// Replaces *books with the books under root, sorted by the bytes of
// relative_path (unique), and *skipped with what was not taken and why,
// sorted by path. Error (IOError naming root) only when root itself is not
// a readable directory; root may be a symlink to one.
// REQUIRES: books != nullptr, skipped != nullptr.
Status collect_books(const std::string& root, std::vector<BookFile>* books,
                     std::vector<SkippedFile>* skipped);

// One file given by path as a book named `id` (a writer session's add of a
// single file): stat'ed following symlinks. InvalidArgument naming path if
// it is not a regular file or its name has no book extension (book_format.h);
// IOError if it cannot be stat'ed.
Result<BookFile> stat_book_file(const std::string& path, std::string id);

// The bytes of book.path, read without blocking: opened O_RDONLY|O_NONBLOCK,
// then fstat must say regular file. Errors:
//   IOError          cannot open / read  ("<path>: cannot open: Permission denied")
//   InvalidArgument  not a regular file, or more than max_bytes bytes
//                    ("<path>: a FIFO, not a regular file",
//                     "<path>: 300000000 bytes, over the limit of 268435456")
// Every message is book.path + ": " + reason; skip_reason() gives the reason.
Result<std::string> read_book_bytes(const BookFile& book, std::uint64_t max_bytes);

// The reason part of a Status returned by read_book_bytes or extract_text for
// this path (the message without its "<path>: " prefix), for report.skipped.
inline std::string skip_reason(const Status& status, std::string_view path) {
  const std::string& m = status.message();
  if (m.size() >= path.size() + 2 && m.compare(0, path.size(), path) == 0 &&
      m.compare(path.size(), 2, ": ") == 0) {
    return m.substr(path.size() + 2);
  }
  return m;
}

}  // namespace tomes::parse
