// bindings.h: one function per core folder, each adding that folder's names
// to tomes._core. Bindings convert and release the GIL; they hold no logic.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <optional>

#include "parse/pdf_bridge.h"

namespace tomes::python {

// A core run's progress report, from whichever thread reports: takes the
// GIL for the call only. A pending Ctrl-C, or an exception progress(args...)
// raises, is kept in *raised (to raise again once the run has cleaned up)
// and the answer is false, which cancels the run; once *raised is set, the
// answer is false without a call. A None progress only polls Ctrl-C.
template <class... Args>
bool report_progress(const pybind11::object& progress, std::optional<pybind11::error_already_set>* raised,
                     Args... args) {
  pybind11::gil_scoped_acquire gil;
  if (*raised) return false;
  try {
    if (PyErr_CheckSignals() != 0) throw pybind11::error_already_set();
    if (!progress.is_none()) progress(args...);
  } catch (pybind11::error_already_set& e) {
    raised->emplace(std::move(e));
    return false;
  }
  return true;
}

void bind_analysis(pybind11::module_& m);
void bind_fst(pybind11::module_& m);
void bind_text(pybind11::module_& m);
void bind_index(pybind11::module_& m);
void bind_optimize(pybind11::module_& m);
void bind_writer(pybind11::module_& m);
void bind_html(pybind11::module_& m);
void bind_epub(pybind11::module_& m);

// pdf_bindings.cc: a PdfTextSource whose text_of calls read(path: bytes,
// max_text_bytes: int), which returns the text as UTF-8 bytes or a skip
// reason as a str (tomes._pdf.read_pdf). text_of takes the GIL for the call
// only, so it may be called from any pipeline thread with the GIL released.
// A BaseException that is not an Exception (KeyboardInterrupt) coming out of
// read is stored in *raised (read under the GIL) and the book is cancelled;
// once *raised is set, no more calls are made.
// REQUIRES: the GIL held when it is made; raised outlives the source (which
// may be destroyed with or without the GIL).
std::unique_ptr<parse::PdfTextSource> make_pdf_source(pybind11::object read,
                                                      std::optional<pybind11::error_already_set>* raised);

}  // namespace tomes::python
