// optimize_bindings.cc: tomes._core.optimize, index/optimize.h with the GIL
// released. Conversions only; pysrc/tomes/_optimize.py validates arguments
// and builds the report.
#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include "index/optimize.h"
#include "python/bindings.h"
#include "python/errors.h"

namespace py = pybind11;

namespace tomes::python {

namespace {

// progress (None or a callable(segments_done, segments_total)) is called
// between steps with the GIL; a Python exception there, or a pending Ctrl-C
// (polled at the same moments: between runs and between groups of terms),
// cancels the merge, which leaves the committed generation, and is raised
// again once the core has cleaned up.
py::dict optimize(const std::string& index_dir, std::uint64_t max_segments, unsigned threads, py::object progress,
                  double timeout) {
  std::optional<py::error_already_set> raised;
  index::OptimizeProgress fn = [&](std::uint64_t done, std::uint64_t total) {
    return report_progress(progress, &raised, done, total);
  };
  index::OptimizeOptions options;
  options.max_segments = max_segments;
  options.threads = threads;
  options.lock_timeout = timeout;
  Result<index::OptimizeReport> report = [&] {
    py::gil_scoped_release release;
    return index::optimize(index_dir, options, fn);
  }();
  if (raised) throw std::move(*raised);
  const index::OptimizeReport r = unwrap(std::move(report));
  py::dict d;
  d["segments_before"] = r.segments_before;
  d["segments_after"] = r.segments_after;
  d["bytes_before"] = r.bytes_before;
  d["bytes_after"] = r.bytes_after;
  d["generation"] = r.generation;
  d["merged"] = r.merged;
  d["seconds"] = r.seconds;
  return d;
}

}  // namespace

void bind_optimize(py::module_& m) {
  m.def("optimize", &optimize, py::arg("index_dir"), py::arg("max_segments"), py::arg("threads"),
        py::arg("progress"), py::arg("timeout") = 0.0);
}

}  // namespace tomes::python
