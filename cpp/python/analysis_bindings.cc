// analysis_bindings.cc: cpp/analysis as tomes._core.Analyzer and helpers.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/stemmer.h"
#include "analysis/stopwords.h"
#include "analysis/unicode_text.h"
#include "common/string_table.h"
#include "python/bindings.h"
#include "python/conversions.h"
#include "python/errors.h"

namespace py = pybind11;

namespace tomes::python {

namespace {

using analysis::Analyzer;

py::list analyze(const Analyzer& analyzer, const py::str& text) {
  py::object keep;
  const std::string_view utf8 = utf8_of(text, &keep);
  analysis::TermList terms;
  {
    py::gil_scoped_release release;
    analysis::analyze(analyzer, utf8, &terms);
  }
  // A term repeats often: each distinct one becomes one str, shared by the
  // list (half the time and a fraction of the memory of a str per term).
  StringTable seen;
  std::vector<PyObject*> strs;
  py::list out(terms.size());
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const std::string_view term = terms[i];
    PyObject* str;
    if (const std::uint64_t* index = seen.find(term)) {
      str = strs[*index];
      Py_INCREF(str);
    } else {
      str = to_str(term).release().ptr();
      seen.insert_new(term, strs.size());
      strs.push_back(str);
    }
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), str);
  }
  return out;
}

}  // namespace

void bind_analysis(py::module_& m) {
  py::class_<Analyzer>(m, "Analyzer")
      .def(py::init([](const std::vector<std::string>& stopwords, const std::string& stemmer) {
             return unwrap(analysis::make_analyzer(stopwords, stemmer));
           }),
           py::arg("stopwords"), py::arg("stemmer"))
      .def("analyze", &analyze, py::arg("text"))
      .def(
          "count_terms",
          [](const Analyzer& analyzer, const py::list& texts) {
            std::vector<py::object> keep(texts.size());
            std::vector<std::string_view> utf8;
            for (std::size_t i = 0; i < texts.size(); ++i) {
              utf8.push_back(utf8_of(texts[i].cast<py::str>(), &keep[i]));
            }
            py::gil_scoped_release release;
            return analysis::count_terms(analyzer, utf8);
          },
          py::arg("texts"))
      .def_property_readonly("stopwords", [](const Analyzer& a) { return a.stopwords().words(); })
      .def_property_readonly("stemmer",
                             [](const Analyzer& a) { return analysis::stemmer_name(a.stemmer()); });

  m.def("builtin_stopwords",
        [](const std::string& name) { return unwrap(analysis::builtin_stopwords(name)); },
        py::arg("name"));
  // For tests: the single steps, to compare with their oracles directly.
  m.def("stem_words",
        [](const std::string& stemmer, std::vector<std::string> words) {
          const analysis::Stemmer kind = unwrap(analysis::parse_stemmer(stemmer));
          py::gil_scoped_release release;
          for (std::string& word : words) analysis::stem(kind, word);
          return words;
        },
        py::arg("stemmer"), py::arg("words"));
  m.def("casefold", [](const py::str& text) {
    py::object keep;
    return to_str(analysis::casefold(utf8_of(text, &keep)));
  });
  m.def("fold", [](const py::str& text) {
    py::object keep;
    return to_str(analysis::fold(utf8_of(text, &keep)));
  });
}

}  // namespace tomes::python
