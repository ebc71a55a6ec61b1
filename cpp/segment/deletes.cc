#include "segment/deletes.h"

#include <cstdio>

#include "common/coding.h"
#include "common/file_system.h"
#include "segment/segment_format.h"

namespace tomes::segment {

namespace {

constexpr std::size_t kHeaderBytes = 8;
constexpr std::size_t kBookBytes = 4;
constexpr std::size_t kTermBytes = 8;

Status bad(const std::string& path, const std::string& what) { return Status::corruption(path + ": " + what); }

}  // namespace

std::string deletes_file_name(std::uint64_t generation) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*s%06llu.bin", static_cast<int>(kDeletesPrefix.size()), kDeletesPrefix.data(),
                static_cast<unsigned long long>(generation));
  return buf;
}

std::string encode_deletes(const DeletionRecord& r) {
  std::string body;
  body.reserve(kHeaderBytes + r.books.size() * kBookBytes + r.deleted_postings.size() * kTermBytes);
  put_u32(&body, static_cast<std::uint32_t>(r.books.size()));
  put_u32(&body, static_cast<std::uint32_t>(r.deleted_postings.size()));
  for (std::uint32_t book : r.books) put_u32(&body, book);
  for (const auto& [ordinal, count] : r.deleted_postings) {
    put_u32(&body, ordinal);
    put_u32(&body, count);
  }
  return body;
}

Status write_deletes_file(const std::string& segment_dir, const std::string& name, const DeletionRecord& r,
                          FileRecord* out) {
  const std::string temporary = ".tmp-" + name;
  std::vector<FileRecord> files;
  {
    FootedFileWriter file(segment_dir, temporary, kDeletesMagic);
    Status s = file.status();
    if (s.is_ok()) s = file.write(encode_deletes(r));
    if (s.is_ok()) s = file.finish(&files);
    if (!s.is_ok()) {
      std::remove((segment_dir + "/" + temporary).c_str());
      return s;
    }
  }
  if (Status s = rename_path(segment_dir + "/" + temporary, segment_dir + "/" + name); !s.is_ok()) {
    std::remove((segment_dir + "/" + temporary).c_str());
    return s;
  }
  if (Status s = sync_directory(segment_dir); !s.is_ok()) return s;
  *out = files.back();
  out->name = name;
  return Status::ok();
}

Result<DeletionRecord> read_deletes(std::string_view body, std::uint64_t num_books, std::uint64_t num_terms,
                                    const std::string& path) {
  if (body.size() < kHeaderBytes) {
    return bad(path, "expected at least " + std::to_string(kHeaderBytes) + " bytes before the footer, got " +
                         std::to_string(body.size()));
  }
  const std::uint64_t books = get_u32(body.data());
  const std::uint64_t terms = get_u32(body.data() + 4);
  if (books == 0 || books >= num_books) {
    return bad(path, "lists " + std::to_string(books) + " deleted books, expected 1.." +
                         std::to_string(num_books == 0 ? 0 : num_books - 1));
  }
  if (terms > num_terms) {
    return bad(path, "lists " + std::to_string(terms) + " terms, the segment has " + std::to_string(num_terms));
  }
  const std::uint64_t want = kHeaderBytes + books * kBookBytes + terms * kTermBytes;
  if (body.size() != want) return body_size_error(path, want, body.size());
  DeletionRecord r;
  r.books.reserve(books);
  const char* p = body.data() + kHeaderBytes;
  for (std::uint64_t i = 0; i < books; ++i, p += kBookBytes) {
    const std::uint32_t book = get_u32(p);
    if (book >= num_books || (i > 0 && book <= r.books.back())) {
      return bad(path, "deleted book " + std::to_string(i) + " is " + std::to_string(book) + ", expected " +
                           std::to_string(i == 0 ? 0 : r.books.back() + 1) + ".." + std::to_string(num_books - 1));
    }
    r.books.push_back(book);
  }
  r.deleted_postings.reserve(terms);
  for (std::uint64_t i = 0; i < terms; ++i, p += kTermBytes) {
    const std::uint32_t ordinal = get_u32(p);
    const std::uint32_t count = get_u32(p + 4);
    if (ordinal >= num_terms || (i > 0 && ordinal <= r.deleted_postings.back().first)) {
      return bad(path, "term entry " + std::to_string(i) + " has ordinal " + std::to_string(ordinal) +
                           ", expected " + std::to_string(i == 0 ? 0 : r.deleted_postings.back().first + 1) +
                           ".." + std::to_string(num_terms - 1));
    }
    if (count == 0) return bad(path, "term " + std::to_string(ordinal) + " has 0 deleted postings, expected >= 1");
    r.deleted_postings.emplace_back(ordinal, count);
  }
  return r;
}

}  // namespace tomes::segment
