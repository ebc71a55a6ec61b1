// epub_bindings.cc: cpp/parse's EPUB reader as a private helper of
// tomes._core, for tests and benchmarks: converts, releases the GIL, calls
// parse::epub_text, converts back; errors through throw_status (a skip reason
// is a ValueError, an unreadable file an OSError).
//
//   epub_text(path: str, max_text_bytes: int = 256 MiB) -> str
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "parse/epub.h"
#include "python/bindings.h"
#include "python/conversions.h"
#include "python/errors.h"

namespace py = pybind11;

namespace tomes::python {

namespace {

py::str epub_text(const std::string& path, std::uint64_t max_text_bytes) {
  parse::EpubOptions options;
  options.max_text_bytes = max_text_bytes;
  Result<std::string> text = Status::ok();
  {
    py::gil_scoped_release release;
    text = parse::epub_text(path, options);
  }
  return to_str(unwrap(std::move(text)));
}

}  // namespace

void bind_epub(py::module_& m) {
  m.def("epub_text", &epub_text, py::arg("path"), py::arg("max_text_bytes") = std::uint64_t{256} << 20);
}

}  // namespace tomes::python
