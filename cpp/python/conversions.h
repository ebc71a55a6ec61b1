// conversions.h: the Python <-> UTF-8 conversions every binding file needs.
//
// Thread safety: call with the GIL held.
#pragma once

#include <pybind11/pybind11.h>

#include <algorithm>
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

// A str of valid UTF-8 bytes (the core's output is). ASCII, most terms,
// skips the UTF-8 decoder.
inline pybind11::str to_str(std::string_view utf8) {
  bool ascii = true;
  for (char c : utf8) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    PyObject* s = PyUnicode_New(static_cast<Py_ssize_t>(utf8.size()), 127);
    if (s == nullptr) throw pybind11::error_already_set();
    std::copy(utf8.begin(), utf8.end(), static_cast<char*>(PyUnicode_DATA(s)));
    return pybind11::reinterpret_steal<pybind11::str>(s);
  }
  PyObject* s = PyUnicode_DecodeUTF8(utf8.data(), static_cast<Py_ssize_t>(utf8.size()), "strict");
  if (s == nullptr) throw pybind11::error_already_set();
  return pybind11::reinterpret_steal<pybind11::str>(s);
}

inline pybind11::bytes to_bytes(std::string_view s) { return pybind11::bytes(s.data(), s.size()); }

}  // namespace tomes::python
