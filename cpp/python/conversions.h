// conversions.h: the Python <-> UTF-8 conversions every binding file needs.
//
// Thread safety: call with the GIL held.
#pragma once

#include <pybind11/pybind11.h>

#include <string_view>

namespace tomes::python {

// The UTF-8 bytes of a str, without a copy where Python has them cached. A
// str holding lone surrogates has no UTF-8 form: it is encoded with
// "surrogatepass", whose bytes the analyzer reads as separators (as the
// reference reads category Cs) and the chunker as one non-space code point
// each. `keep` owns those bytes.
inline std::string_view utf8_of(const pybind11::str& text, pybind11::object* keep) {
  Py_ssize_t size = 0;
  if (const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size)) {
    return std::string_view(data, static_cast<std::size_t>(size));
  }
  PyErr_Clear();
  PyObject* bytes = PyUnicode_AsEncodedString(text.ptr(), "utf-8", "surrogatepass");
  if (bytes == nullptr) throw pybind11::error_already_set();
  *keep = pybind11::reinterpret_steal<pybind11::object>(bytes);
  return std::string_view(PyBytes_AS_STRING(bytes), static_cast<std::size_t>(PyBytes_GET_SIZE(bytes)));
}

}  // namespace tomes::python
