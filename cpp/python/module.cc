// module.cc: tomes._core, the private extension module. Each *_bindings.cc
// file binds one folder of the core; this file only assembles them.
#include <pybind11/pybind11.h>

#include "analysis/unicode_tables.h"
#include "common/build_info.h"
#include "python/bindings.h"
#include "python/errors.h"

namespace py = pybind11;

namespace tomes::python {

namespace {
py::handle corrupt_index_error;
py::handle cancelled;
py::handle index_locked_error;
}

void register_errors(py::module_& m) {
  static py::exception<std::runtime_error> error(m, "CorruptIndexError", PyExc_ValueError);
  corrupt_index_error = error;
  static py::exception<std::runtime_error> cancelled_error(m, "Cancelled", PyExc_Exception);
  cancelled_error.attr("__doc__") =
      "The core stopped a run because its caller asked, with no Python exception to raise again; "
      "the index is unchanged.";
  cancelled = cancelled_error;
  static py::exception<std::runtime_error> locked_error(m, "IndexLockedError", PyExc_OSError);
  locked_error.attr("__doc__") =
      "Another writer holds the index's lock (and did not release it within the timeout given).";
  index_locked_error = locked_error;
}

void throw_status(const Status& status) {
  const char* message = status.message().c_str();
  switch (status.code()) {
    case Status::Code::kInvalidArgument: PyErr_SetString(PyExc_ValueError, message); break;
    case Status::Code::kNotFound: PyErr_SetString(PyExc_FileNotFoundError, message); break;
    case Status::Code::kCorruption: PyErr_SetString(corrupt_index_error.ptr(), message); break;
    case Status::Code::kIOError: PyErr_SetString(PyExc_OSError, message); break;
    case Status::Code::kCancelled: PyErr_SetString(cancelled.ptr(), message); break;
    case Status::Code::kLocked: PyErr_SetString(index_locked_error.ptr(), message); break;
    case Status::Code::kOk: PyErr_SetString(PyExc_SystemError, "throw_status(ok)"); break;
  }
  throw py::error_already_set();
}

}  // namespace tomes::python

PYBIND11_MODULE(_core, m) {
  m.doc() = "tomes' C++ core. Private: use the tomes package.";
  tomes::python::register_errors(m);
  m.def("build_info", [] {
    const tomes::BuildInfo info = tomes::build_info();
    py::dict d;
    d["tomes"] = info.tomes;
    d["tbb"] = info.tbb;
    d["zlib"] = info.zlib;
    d["unicode"] = std::string(tomes::analysis::unicode::kUnicodeVersion);
    return d;
  });
  tomes::python::bind_analysis(m);
  tomes::python::bind_fst(m);
  tomes::python::bind_text(m);
  tomes::python::bind_index(m);
  tomes::python::bind_optimize(m);
  tomes::python::bind_writer(m);
  tomes::python::bind_html(m);
  tomes::python::bind_epub(m);
}
