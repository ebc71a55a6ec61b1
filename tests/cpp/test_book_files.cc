// collect_books and read_book_bytes on a real directory tree holding every
// kind of file SPEC 2 names: books in several cases and depths, a directory
// named like a book, a FIFO, a socket, symlinks (to a book, to a directory,
// dangling, looping, to a device), an unreadable directory, names that are
// not UTF-8. Nothing may block: an alarm fails the suite after 60 s.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "parse/book_files.h"
#include "parse/plain_text.h"

using tomes::Status;
using tomes::parse::BookFile;
using tomes::parse::BookFormat;
using tomes::parse::collect_books;
using tomes::parse::read_book_bytes;
using tomes::parse::SkippedFile;
using tomes::parse::TextEncoding;

namespace {

std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tomes-books-XXXXXX";
  if (::mkdtemp(&tmpl[0]) == nullptr) std::abort();
  return tmpl;
}

void write(const std::string& path, const std::string& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

void mkdir_or_die(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) std::abort();
}

void symlink_or_die(const std::string& target, const std::string& path) {
  if (::symlink(target.c_str(), path.c_str()) != 0) std::abort();
}

// A Unix socket bound at path (left open for the test's lifetime).
bool make_socket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
}

void remove_tree(const std::string& path) {
  const std::string command = "chmod -R u+rwx '" + path + "' 2>/dev/null; rm -rf '" + path + "'";
  if (std::system(command.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", path.c_str());
}

std::string reason_for(const std::vector<SkippedFile>& skipped, const std::string& path) {
  for (const SkippedFile& s : skipped) {
    if (s.path == path) return s.reason;
  }
  return "(not skipped)";
}

std::string relative_paths(const std::vector<BookFile>& books) {
  std::string out;
  for (const BookFile& b : books) out += b.relative_path + "|";
  return out;
}

const bool kRoot = ::geteuid() == 0;

}  // namespace

TEST_CASE("collect_books: books, order, and every kind of non-book") {
  const std::string root = make_temp_dir();
  write(root + "/b.txt", "bee");
  write(root + "/A.TXT", "upper");
  write(root + "/a b.md", "space");
  write(root + "/notes.doc", "not a book");
  write(root + "/x.Html", "<p>");
  write(root + "/y.htm", "<p>");
  write(root + "/z.ePub", "PK");
  write(root + "/w.pdf", "%PDF");
  write(root + "/txt", "no extension");
  write(root + "/.txt", "hidden, named like a book");
  write(root + "/\xff\xfe.txt", "not UTF-8 name");
  write(root + "/\xc3\xa9.txt", "e acute");
  mkdir_or_die(root + "/a");
  write(root + "/a/inner.txt", "inner");
  mkdir_or_die(root + "/a/deep");
  mkdir_or_die(root + "/a/deep/er");
  write(root + "/a/deep/er/most.md", "deep");
  mkdir_or_die(root + "/dir.txt");  // a directory named like a book: searched
  write(root + "/dir.txt/in.txt", "in");
  CHECK(::mkfifo((root + "/fifo.txt").c_str(), 0644) == 0);
  const bool have_socket = make_socket(root + "/sock.txt");
  symlink_or_die("b.txt", root + "/link.txt");             // to a book: taken
  symlink_or_die("missing", root + "/dangling.txt");       // dangling
  symlink_or_die("loop.txt", root + "/loop.txt");          // loops on itself
  symlink_or_die("a", root + "/dirlink");                  // to a directory: not descended
  symlink_or_die("..", root + "/a/up.txt");                // to a directory, named like a book
  symlink_or_die("/dev/null", root + "/null.txt");         // to a device
  symlink_or_die("missing", root + "/dangling-not-a-book");  // ignored

  std::vector<BookFile> books;
  std::vector<SkippedFile> skipped;
  // A trailing slash on root does not double the separator.
  const Status s = collect_books(root + "//", &books, &skipped);
  CHECK(s.is_ok());
  CHECK_EQ(relative_paths(books),
           std::string(".txt|A.TXT|a b.md|a/deep/er/most.md|a/inner.txt|b.txt|dir.txt/in.txt|"
                       "link.txt|w.pdf|x.Html|y.htm|z.ePub|\xc3\xa9.txt|\xff\xfe.txt|"));
  for (const BookFile& b : books) {
    CHECK_EQ(b.path, root + "/" + b.relative_path);
  }
  const auto find = [&](const std::string& rel) {
    return *std::find_if(books.begin(), books.end(),
                         [&](const BookFile& b) { return b.relative_path == rel; });
  };
  CHECK_EQ(find("link.txt").size, 3u);  // the target's size
  CHECK_EQ(find("a/inner.txt").size, 5u);
  CHECK(find("x.Html").format == BookFormat::kHtml);
  CHECK(find("a b.md").format == BookFormat::kMarkdown);
  CHECK(find("w.pdf").format == BookFormat::kPdf);
  CHECK(find("z.ePub").format == BookFormat::kEpub);
  CHECK(find("b.txt").format == BookFormat::kPlainText);

  CHECK_EQ(reason_for(skipped, root + "/dir.txt"),
           "a directory, not a regular file (searched for books)");
  CHECK_EQ(reason_for(skipped, root + "/fifo.txt"), "a FIFO, not a regular file");
  if (have_socket) CHECK_EQ(reason_for(skipped, root + "/sock.txt"), "a socket, not a regular file");
  CHECK_EQ(reason_for(skipped, root + "/dangling.txt").rfind("dangling symbolic link: ", 0), 0u);
  CHECK_EQ(reason_for(skipped, root + "/loop.txt").rfind("symbolic link loop: ", 0), 0u);
  CHECK_EQ(reason_for(skipped, root + "/dirlink"), "symbolic link to a directory, not followed");
  CHECK_EQ(reason_for(skipped, root + "/a/up.txt"), "symbolic link to a directory, not followed");
  CHECK_EQ(reason_for(skipped, root + "/null.txt"),
           "symbolic link to a character device, not a regular file");
  CHECK_EQ(reason_for(skipped, root + "/dangling-not-a-book"), "(not skipped)");
  CHECK_EQ(skipped.size(), have_socket ? 8u : 7u);
  CHECK(std::is_sorted(skipped.begin(), skipped.end(),
                       [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; }));
  remove_tree(root);
}

TEST_CASE("collect_books: an unreadable subdirectory is skipped, the rest collected") {
  if (kRoot) {
    std::fprintf(stderr, "    (skipped: running as root, permissions do not apply)\n");
    return;
  }
  const std::string root = make_temp_dir();
  write(root + "/ok.txt", "ok");
  mkdir_or_die(root + "/locked");
  write(root + "/locked/hidden.txt", "hidden");
  CHECK(::chmod((root + "/locked").c_str(), 0) == 0);
  std::vector<BookFile> books;
  std::vector<SkippedFile> skipped;
  CHECK(collect_books(root, &books, &skipped).is_ok());
  CHECK_EQ(relative_paths(books), "ok.txt|");
  CHECK_EQ(reason_for(skipped, root + "/locked"), "cannot read directory: Permission denied");
  // An unreadable book is collected (the walk only stats it); reading it fails.
  write(root + "/secret.txt", "s");
  CHECK(::chmod((root + "/secret.txt").c_str(), 0) == 0);
  CHECK(collect_books(root, &books, &skipped).is_ok());
  CHECK_EQ(relative_paths(books), "ok.txt|secret.txt|");
  const auto bytes = read_book_bytes(books[1], 100);
  CHECK(!bytes.is_ok());
  CHECK(bytes.status().code() == Status::Code::kIOError);
  CHECK_EQ(bytes.status().message(), root + "/secret.txt: cannot open: Permission denied");
  // Root itself unreadable: the one error.
  CHECK(::chmod(root.c_str(), 0) == 0);
  const Status s = collect_books(root, &books, &skipped);
  CHECK(s.code() == Status::Code::kIOError);
  CHECK_EQ(s.message(), root + ": cannot read the books directory: Permission denied");
  remove_tree(root);
}

TEST_CASE("collect_books: root errors name the root") {
  std::vector<BookFile> books;
  std::vector<SkippedFile> skipped;
  const Status missing = collect_books("/nonexistent/tomes/books", &books, &skipped);
  CHECK(missing.code() == Status::Code::kIOError);
  CHECK_EQ(missing.message(),
           "/nonexistent/tomes/books: cannot read the books directory: No such file or directory");
  const std::string root = make_temp_dir();
  write(root + "/file.txt", "x");
  const Status file = collect_books(root + "/file.txt", &books, &skipped);
  CHECK_EQ(file.message(), root + "/file.txt: cannot read the books directory: Not a directory");
  // A symlink to a directory is a fine root.
  mkdir_or_die(root + "/real");
  write(root + "/real/r.txt", "r");
  symlink_or_die("real", root + "/via");
  CHECK(collect_books(root + "/via", &books, &skipped).is_ok());
  CHECK_EQ(relative_paths(books), "r.txt|");
  CHECK_EQ(books[0].path, root + "/via/r.txt");
  // An empty directory: no books, no error.
  mkdir_or_die(root + "/empty");
  CHECK(collect_books(root + "/empty", &books, &skipped).is_ok());
  CHECK(books.empty() && skipped.empty());
  remove_tree(root);
}

TEST_CASE("read_book_bytes: contents, limits, and never blocking") {
  ::alarm(60);  // a blocked open or read would otherwise hang the suite
  const std::string root = make_temp_dir();
  auto book = [&](const std::string& rel) {
    BookFile b;
    b.relative_path = rel;
    b.path = root + "/" + rel;
    b.format = tomes::parse::book_format_of(rel);
    return b;
  };
  std::string big(100000, 'x');
  big[99999] = 'y';
  write(root + "/big.txt", big);
  write(root + "/empty.txt", "");
  auto r = read_book_bytes(book("big.txt"), 100000);
  CHECK(r.is_ok() && r.value() == big);
  r = read_book_bytes(book("big.txt"), 99999);
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK_EQ(r.status().message(),
           root + "/big.txt: 100000 bytes, over the limit of 99999 bytes");
  CHECK_EQ(tomes::parse::skip_reason(r.status(), root + "/big.txt"),
           "100000 bytes, over the limit of 99999 bytes");
  r = read_book_bytes(book("empty.txt"), 0);
  CHECK(r.is_ok() && r.value().empty());
  r = read_book_bytes(book("big.txt"), UINT64_MAX);
  CHECK(r.is_ok() && r.value() == big);

  CHECK(::mkfifo((root + "/fifo.txt").c_str(), 0644) == 0);
  r = read_book_bytes(book("fifo.txt"), 1000);
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK_EQ(r.status().message(), root + "/fifo.txt: a FIFO, not a regular file");
  symlink_or_die("fifo.txt", root + "/fifo-link.txt");
  r = read_book_bytes(book("fifo-link.txt"), 1000);
  CHECK_EQ(r.status().message(), root + "/fifo-link.txt: a FIFO, not a regular file");
  if (make_socket(root + "/sock.txt")) {
    r = read_book_bytes(book("sock.txt"), 1000);
    CHECK_EQ(r.status().message(), root + "/sock.txt: a socket, not a regular file");
  }
  r = read_book_bytes(book("missing.txt"), 1000);
  CHECK(r.status().code() == Status::Code::kIOError);
  CHECK_EQ(r.status().message(), root + "/missing.txt: cannot open: No such file or directory");
  mkdir_or_die(root + "/dir.txt");
  r = read_book_bytes(book("dir.txt"), 1000);
  CHECK_EQ(r.status().message(), root + "/dir.txt: a directory, not a regular file");
  BookFile dev;
  dev.path = "/dev/zero";  // a device is refused before it is opened
  r = read_book_bytes(dev, 1000);
  CHECK_EQ(r.status().message(), "/dev/zero: a character device, not a regular file");
  ::alarm(0);
  remove_tree(root);
}

TEST_CASE("extract_text: plain text and Markdown decode, HTML is extracted, others not yet") {
  BookFile b;
  b.path = "/books/x.txt";
  b.format = BookFormat::kPlainText;
  auto r = tomes::parse::extract_text(b, "\xEF\xBB\xBFhi\r\n");
  CHECK(r.is_ok() && r.value() == "hi\r\n");
  r = tomes::parse::extract_text(b, "");
  CHECK_EQ(r.status().message(), "/books/x.txt: no text: the file is empty");
  r = tomes::parse::extract_text(b, "\xEF\xBB\xBF");
  CHECK_EQ(r.status().message(), "/books/x.txt: no text: only a byte order mark");
  b.format = BookFormat::kMarkdown;
  r = tomes::parse::extract_text(b, "# Title\n*x*");
  CHECK(r.is_ok() && r.value() == "# Title\n*x*");
  b.path = "/books/x.HTML";
  b.format = BookFormat::kHtml;
  CHECK(tomes::parse::check_extractable(b).is_ok());
  r = tomes::parse::extract_text(b, "<p>Hello <b>wo</b>rld &amp; all</p>");
  CHECK(r.is_ok() && r.value() == "Hello world & all\n");
  r = tomes::parse::extract_text(b, "<meta charset=latin1><p>caf\xE9</p>");
  CHECK(r.is_ok() && r.value() == "caf\xC3\xA9\n");
  r = tomes::parse::extract_text(b, "");
  CHECK_EQ(r.status().message(), "/books/x.HTML: no text: the file is empty");
  r = tomes::parse::extract_text(b, "\xFF\xFE");
  CHECK_EQ(r.status().message(), "/books/x.HTML: no text: only a byte order mark");
  r = tomes::parse::extract_text(b, "<html><head><title>T</title></head><body> <p>\n</p> </body></html>");
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK_EQ(tomes::parse::skip_reason(r.status(), b.path), "no text: only markup");
  r = tomes::parse::extract_text(b, "<p>" + std::string(200, '\x01') + "</p>");
  CHECK(tomes::parse::skip_reason(r.status(), b.path).rfind("binary content: ", 0) == 0);
  r = tomes::parse::extract_text(b, "<p>abcdef</p>", TextEncoding::kUtf8, nullptr, 4);
  CHECK_EQ(r.status().message(), "/books/x.HTML: the text is larger than the cap of 4 bytes");
  bool invalid = false;
  r = tomes::parse::extract_text(b, "<p>caf\xE9</p>", TextEncoding::kUtf8, &invalid);
  CHECK(r.is_ok() && invalid);
  b.format = BookFormat::kEpub;
  CHECK_EQ(tomes::parse::extract_text(b, "").status().message(),
           "/books/x.HTML: EPUB books are not supported yet");
  b.format = BookFormat::kPdf;
  CHECK_EQ(tomes::parse::extract_text(b, "").status().message(),
           "/books/x.HTML: PDF books are not supported yet");
}

TEST_CASE("book_format_of") {
  using tomes::parse::book_format_of;
  CHECK(book_format_of("a.txt") == BookFormat::kPlainText);
  CHECK(book_format_of("A.TxT") == BookFormat::kPlainText);
  CHECK(book_format_of(".md") == BookFormat::kMarkdown);
  CHECK(book_format_of("a.htm") == BookFormat::kHtml);
  CHECK(book_format_of("a.HTML") == BookFormat::kHtml);
  CHECK(book_format_of("a.epub") == BookFormat::kEpub);
  CHECK(book_format_of("a.PDF") == BookFormat::kPdf);
  CHECK(book_format_of("a.txt.gz") == BookFormat::kNone);
  CHECK(book_format_of("atxt") == BookFormat::kNone);
  CHECK(book_format_of("a.text") == BookFormat::kNone);
  CHECK(book_format_of("") == BookFormat::kNone);
}

int main() {
  ::signal(SIGPIPE, SIG_IGN);
  return tomes::test::run_all();
}
