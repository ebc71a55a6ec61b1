// pdf_bindings.cc: the PdfTextSource (parse/pdf_bridge.h) that reads a PDF
// by calling a Python callable, tomes._pdf.read_pdf. Conversions and the GIL
// only: what is read, the lock around PDFium and every skip reason live in
// pysrc/tomes/_pdf.py.
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "python/bindings.h"

namespace py = pybind11;

namespace tomes::python {

namespace {

class PyPdfTextSource final : public parse::PdfTextSource {
 public:
  PyPdfTextSource(py::object read, std::optional<py::error_already_set>* raised)
      : read_(std::move(read)), raised_(raised) {}

  ~PyPdfTextSource() override {
    // The callable is released with the GIL held, wherever the source dies.
    py::gil_scoped_acquire gil;
    read_ = py::object();
  }

  Result<std::string> text_of(const std::string& path, std::uint64_t max_text_bytes) const override;

 private:
  py::object read_;
  std::optional<py::error_already_set>* raised_;
};

Result<std::string> PyPdfTextSource::text_of(const std::string& path, std::uint64_t max_text_bytes) const {
  // The GIL is taken only for the call: a pipeline thread holds no lock of
  // the core here, and _pdf.py's lock is taken with the GIL released, so
  // neither can wait on the other.
  py::gil_scoped_acquire gil;
  if (*raised_) return Status::cancelled("indexing was cancelled");
  try {
    const py::object out = read_(py::bytes(path), max_text_bytes);
    if (py::isinstance<py::bytes>(out)) return std::string(out.cast<std::string_view>());
    if (py::isinstance<py::str>(out)) return Status::invalid_argument(out.cast<std::string>());
    return Status::invalid_argument("not a readable PDF (the reader returned " +
                                    std::string(py::str(py::type::of(out).attr("__name__"))) + ")");
  } catch (py::error_already_set& e) {
    // read_pdf turns every Exception into a reason; what still comes out is
    // a KeyboardInterrupt (Ctrl-C met on the main thread while it read a
    // PDF) or similar. It is kept for index_corpus to raise, and the next
    // progress report, seeing it, cancels the run.
    if (!e.matches(PyExc_Exception)) {
      raised_->emplace(std::move(e));
      return Status::cancelled("indexing was cancelled");
    }
    return Status::invalid_argument("not a readable PDF (" + std::string(py::str(e.type().attr("__name__"))) + ")");
  }
}

}  // namespace

std::unique_ptr<parse::PdfTextSource> make_pdf_source(py::object read, std::optional<py::error_already_set>* raised) {
  return std::make_unique<PyPdfTextSource>(std::move(read), raised);
}

}  // namespace tomes::python
