// text_bindings.cc: cpp/parse and cpp/chunk as private helpers of tomes._core,
// for tests: each converts its arguments, releases the GIL, calls one core
// function and converts the result back.
//
//   _decode_text(bytes, encoding="utf-8") -> str   parse::decode_text
//   _text_census(text) -> (code_points, controls,  parse::take_census and
//       replacements, skip reason or None)           check_not_binary
//   _chunk_spans(text, chunk_size, overlap)        chunk::chunk_text, code point spans
//       -> list[tuple[int, int]]
//   _collect_books(root: bytes)                    parse::collect_books
//       -> (list[(relative_path: bytes, size)], list[(path: bytes, reason: str)])
//   _read_book(path: bytes, max_bytes) -> bytes    parse::read_book_bytes
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chunk/chunker.h"
#include "parse/binary_text.h"
#include "parse/book_files.h"
#include "parse/text_decode.h"
#include "python/bindings.h"
#include "python/conversions.h"
#include "python/errors.h"

namespace py = pybind11;

namespace tomes::python {

namespace {

std::string_view view_of(const py::bytes& b) {
  return std::string_view(PyBytes_AS_STRING(b.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(b.ptr())));
}

py::str decode_text(const py::bytes& data, const std::string& encoding) {
  const parse::TextEncoding e = unwrap(parse::parse_text_encoding(encoding));
  const std::string_view bytes = view_of(data);
  std::string text;
  {
    py::gil_scoped_release release;
    text = parse::decode_text(bytes, e);
  }
  return to_str(text);
}

py::tuple text_census(const py::str& text) {
  py::object keep;
  const std::string_view utf8 = utf8_of(text, &keep);
  const parse::TextCensus c = parse::take_census(utf8);
  const Status s = parse::check_not_binary(utf8);
  py::object reason = s.is_ok() ? py::object(py::none()) : py::object(py::str(s.message()));
  return py::make_tuple(c.code_points, c.controls, c.replacements, reason);
}

py::list chunk_spans(const py::str& text, std::uint64_t chunk_size, std::uint64_t overlap) {
  check(chunk::check_chunk_options(chunk_size, overlap));
  py::object keep;
  const std::string_view utf8 = utf8_of(text, &keep);
  if (utf8.size() > UINT32_MAX) throw py::value_error("text longer than 2^32 - 1 UTF-8 bytes");
  std::vector<chunk::ChunkSpan> spans;
  {
    py::gil_scoped_release release;
    chunk::chunk_text(utf8, static_cast<std::uint32_t>(chunk_size),
                      static_cast<std::uint32_t>(overlap), &spans);
  }
  py::list out(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    out[i] = py::make_tuple(spans[i].start, spans[i].end);
  }
  return out;
}

py::tuple collect_books(const py::bytes& root) {
  const std::string root_path(view_of(root));
  std::vector<parse::BookFile> books;
  std::vector<parse::SkippedFile> skipped;
  Status status;
  {
    py::gil_scoped_release release;
    status = parse::collect_books(root_path, &books, &skipped);
  }
  check(status);
  py::list book_list(books.size()), skipped_list(skipped.size());
  for (std::size_t i = 0; i < books.size(); ++i) {
    book_list[i] = py::make_tuple(to_bytes(books[i].relative_path), books[i].size);
  }
  for (std::size_t i = 0; i < skipped.size(); ++i) {
    skipped_list[i] = py::make_tuple(to_bytes(skipped[i].path), py::str(skipped[i].reason));
  }
  return py::make_tuple(book_list, skipped_list);
}

py::bytes read_book(const py::bytes& path, std::uint64_t max_bytes) {
  parse::BookFile book;
  book.path = std::string(view_of(path));
  Result<std::string> bytes = Status::ok();
  {
    py::gil_scoped_release release;
    bytes = parse::read_book_bytes(book, max_bytes);
  }
  return to_bytes(unwrap(std::move(bytes)));
}

}  // namespace

void bind_text(py::module_& m) {
  m.def("_decode_text", &decode_text, py::arg("data"), py::arg("encoding") = "utf-8");
  m.def("_text_census", &text_census, py::arg("text"));
  m.def("_chunk_spans", &chunk_spans, py::arg("text"), py::arg("chunk_size"), py::arg("overlap"));
  m.def("_collect_books", &collect_books, py::arg("root"));
  m.def("_read_book", &read_book, py::arg("path"), py::arg("max_bytes"));
}

}  // namespace tomes::python
