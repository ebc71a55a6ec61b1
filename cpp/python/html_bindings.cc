// html_bindings.cc: cpp/parse's HTML extractor as a private helper of
// tomes._core, for tests and benchmarks: converts its arguments, releases the
// GIL, calls one core function and converts the result back.
//
//   html_text(data: bytes, encoding="utf-8", xhtml=False) -> str
//       parse::append_html_text with HtmlOptions{encoding, xhtml}; the text
//       of the page (ValueError for an unknown encoding name or a text over
//       the cap).
#include <pybind11/pybind11.h>

#include <string>
#include <string_view>

#include "parse/html_text.h"
#include "parse/text_decode.h"
#include "python/bindings.h"
#include "python/conversions.h"
#include "python/errors.h"

namespace py = pybind11;

namespace tomes::python {

namespace {

py::str html_text(const py::bytes& data, const std::string& encoding, bool xhtml) {
  parse::HtmlOptions options;
  options.encoding = unwrap(parse::parse_text_encoding(encoding));
  options.xhtml = xhtml;
  const std::string_view bytes(PyBytes_AS_STRING(data.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(data.ptr())));
  std::string text;
  Status status;
  {
    py::gil_scoped_release release;
    status = parse::append_html_text(bytes, options, &text);
  }
  check(status);
  return to_str(text);
}

}  // namespace

void bind_html(py::module_& m) {
  m.def("html_text", &html_text, py::arg("data"), py::arg("encoding") = "utf-8", py::arg("xhtml") = false,
        "The text of an HTML page's bytes (tomes' HTML extractor, cpp/parse/html_text.h).");
}

}  // namespace tomes::python
