// index_bindings.cc: tomes._core's indexing and search names: index_corpus
// (with IndexOptions, ParseOptions), Index. Conversions and the GIL only; the Python layer (pysrc/tomes/_index.py)
// validates arguments and builds the public objects.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "index/pipeline.h"
#include "python/bindings.h"
#include "python/errors.h"
#include "search/batch_search.h"
#include "search/index_reader.h"

namespace py = pybind11;

namespace tomes::python {

namespace {

// index::IndexOptions and its ParseOptions as plain read/write records,
// with the core's defaults; `options.parse` is the nested record itself, so
// `options.parse.chunk_size = 200` sets the option. `parse.encoding` is a
// name ("utf-8", "auto", "latin-1", "cp1252" or an alias): ValueError for
// any other.
void bind_index_options(py::module_& m) {
  py::class_<index::ParseOptions>(m, "ParseOptions")
      .def(py::init<>())
      .def_readwrite("chunk_size", &index::ParseOptions::chunk_size)
      .def_readwrite("chunk_overlap", &index::ParseOptions::chunk_overlap)
      .def_readwrite("store_text", &index::ParseOptions::store_text)
      .def_readwrite("max_text_bytes", &index::ParseOptions::max_text_bytes)
      .def_property(
          "encoding", [](const index::ParseOptions& o) { return std::string(parse::text_encoding_name(o.encoding)); },
          [](index::ParseOptions& o, const std::string& name) {
            o.encoding = unwrap(parse::parse_text_encoding(name));
          });
  py::class_<index::IndexOptions>(m, "IndexOptions")
      .def(py::init<>())
      .def_readwrite("parse", &index::IndexOptions::parse)
      .def_readwrite("stopwords_name", &index::IndexOptions::stopwords_name)
      .def_readwrite("stopwords", &index::IndexOptions::stopwords)
      .def_readwrite("stemmer", &index::IndexOptions::stemmer)
      .def_readwrite("batch_size", &index::IndexOptions::batch_size)
      .def_readwrite("batch_bytes", &index::IndexOptions::batch_bytes)
      .def_readwrite("threads", &index::IndexOptions::threads)
      .def_readwrite("overwrite", &index::IndexOptions::overwrite)
      .def_readwrite("postings_per_pass", &index::IndexOptions::postings_per_pass);
}

// `options` is taken by value: a copy made with the GIL held, which no
// Python thread can change while the run reads it with the GIL released.
// pdf_reader (tomes._pdf.read_pdf, or None: PDFs skipped) reads PDFs from
// the parsing threads (make_pdf_source, bindings.h).
py::dict index_corpus(const std::string& books_dir, const std::string& index_dir, index::IndexOptions options,
                      py::object progress, py::object pdf_reader) {
  // The callback runs on whichever thread reports: it takes the GIL, and a
  // Python exception (KeyboardInterrupt included) cancels the run and is
  // raised again once the run has cleaned up. The PDF source keeps a
  // KeyboardInterrupt met while reading a PDF here too.
  std::optional<py::error_already_set> raised;
  // Declared after `raised`, which it points to; lives until the run is over.
  const std::unique_ptr<parse::PdfTextSource> pdf =
      pdf_reader.is_none() ? nullptr : make_pdf_source(std::move(pdf_reader), &raised);
  options.parse.pdf = pdf.get();
  index::ProgressFn fn = [&](std::uint64_t books_done, std::uint64_t books_total, std::uint64_t bytes_done,
                             std::uint64_t bytes_total) {
    return report_progress(progress, &raised, books_done, books_total, bytes_done, bytes_total);
  };
  Result<index::IndexReport> report = [&] {
    py::gil_scoped_release release;
    return index::index_corpus(books_dir, index_dir, options, fn);
  }();
  if (raised) throw std::move(*raised);
  const index::IndexReport r = unwrap(std::move(report));
  py::dict d;
  d["books"] = r.books;
  d["chunks"] = r.chunks;
  d["segments"] = r.segments;
  py::list skipped, duplicates, invalid_utf8;
  for (const auto& [path, reason] : r.skipped) skipped.append(py::make_tuple(py::bytes(path), reason));
  for (const auto& [path, first] : r.duplicates) duplicates.append(py::make_tuple(py::bytes(path), py::bytes(first)));
  for (const std::string& book_id : r.invalid_utf8) invalid_utf8.append(py::bytes(book_id));
  d["skipped"] = skipped;
  d["duplicates"] = duplicates;
  d["invalid_utf8"] = invalid_utf8;
  d["seconds"] = r.seconds;
  d["bytes_read"] = r.bytes_read;
  return d;
}

search::SearchOptions search_options(std::size_t k, double k1, double b, unsigned fuzzy, bool transpositions,
                                     const std::string& algorithm) {
  search::SearchOptions options;
  if (!search::parse_algorithm(algorithm, &options.algorithm)) {
    throw py::value_error("algorithm must be \"default\", \"maxscore\", \"bmw\" or \"exhaustive\", got \"" +
                          algorithm + "\"");
  }
  options.k = k;
  options.k1 = k1;
  options.b = b;
  options.fuzzy = fuzzy;
  options.transpositions = transpositions;
  return options;
}

// A file name's bytes as os.fsdecode gives them (the file system encoding,
// undecodable bytes as surrogate escapes).
py::object fs_decode(std::string_view name) {
  PyObject* s = PyUnicode_DecodeFSDefaultAndSize(name.data(), static_cast<Py_ssize_t>(name.size()));
  if (s == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(s);
}

// A hit_type instance (a tuple subclass: tomes.Hit) holding (book_id,
// chunk, doc_id, score, start, end), made as tuple's own constructor makes
// a subclass's: a top-1000 search builds 1000 of them, and a Python-level
// Hit(...) per hit cost more than the search.
py::object hit_object(PyTypeObject* hit_type, const py::object& book, const search::LocatedHit& h) {
  PyObject* t = hit_type->tp_alloc(hit_type, 6);
  if (t == nullptr) throw py::error_already_set();
  py::object hit = py::reinterpret_steal<py::object>(t);
  // Each item goes in as it is made, so on failure the tuple frees the
  // ones made (and its empty slots are allowed).
  auto set = [t](Py_ssize_t j, PyObject* item) {
    if (item == nullptr) throw py::error_already_set();
    PyTuple_SET_ITEM(t, j, item);
  };
  set(0, book.inc_ref().ptr());
  set(1, PyLong_FromUnsignedLong(h.chunk));
  set(2, PyLong_FromUnsignedLong(h.doc_id));
  set(3, PyFloat_FromDouble(h.score));
  set(4, PyLong_FromUnsignedLong(h.start));
  set(5, PyLong_FromUnsignedLong(h.end));
  return hit;
}

class PyIndex {
 public:
  explicit PyIndex(const std::string& dir) {
    Result<std::shared_ptr<search::IndexReader>> reader = [&] {
      py::gil_scoped_release release;
      return search::IndexReader::open(dir);
    }();
    reader_ = unwrap(std::move(reader));
  }

  // The open reader, shared: a call takes it (with the GIL held) before it
  // releases the GIL, so a close() from another thread meanwhile leaves the
  // call its reader; only later calls see the index closed.
  std::shared_ptr<const search::IndexReader> reader() const {
    if (!reader_) throw py::value_error("the index is closed");
    return reader_;
  }
  void close() { reader_.reset(); }

  py::dict stats() const {
    const std::shared_ptr<const search::IndexReader> ix = reader();
    Result<search::IndexStats> stats = [&] {
      py::gil_scoped_release release;  // the first call merges the term dictionaries
      return ix->stats();
    }();
    const search::IndexStats st = unwrap(std::move(stats));
    auto none_if_empty = [](const std::string& s) { return s.empty() ? py::object(py::none()) : py::str(s); };
    py::dict d;
    d["books"] = st.books;
    d["chunks"] = st.chunks;
    d["deleted_docs"] = st.deleted_docs;
    d["terms"] = st.terms;
    d["segment_terms_sum"] = st.segment_terms_sum;
    d["segments"] = st.segments;
    d["avgdl"] = st.avgdl;
    d["total_length"] = st.total_length;
    d["bytes"] = st.bytes;
    d["generation"] = st.generation;
    d["store_text"] = st.store_text;
    d["stopwords"] = none_if_empty(st.stopwords_name);
    d["stemmer"] = none_if_empty(st.stemmer);
    d["chunk_size"] = st.chunk_size;
    d["chunk_overlap"] = st.chunk_overlap;
    d["unicode_version"] = st.unicode_version;
    return d;
  }

  // [hit_type(book_id, chunk, doc_id, score, start, end)]: tomes.Hit's
  // fields, book_id decoded as os.fsdecode does (once per book of the hits).
  py::list search(const std::string& query, std::size_t k, double k1, double b, unsigned fuzzy,
                  bool transpositions, const std::string& algorithm, const py::type& hit_type) const {
    auto* type = reinterpret_cast<PyTypeObject*>(hit_type.ptr());
    if (!PyType_IsSubtype(type, &PyTuple_Type)) throw py::type_error("hit_type must be a tuple subclass");
    const search::SearchOptions options = search_options(k, k1, b, fuzzy, transpositions, algorithm);
    std::vector<search::LocatedHit> hits;
    const std::shared_ptr<const search::IndexReader> ix = reader();
    Status status;
    {
      py::gil_scoped_release release;
      status = ix->search_with_locations(query, options, &hits);
    }
    check(status);
    // Decoded once per book: hits of one book share its name's bytes.
    std::unordered_map<const char*, py::object> names;
    py::list out(hits.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const search::LocatedHit& h = hits[i];
      auto [it, added] = names.try_emplace(h.book_id.data());
      if (added) it->second = fs_decode(h.book_id);
      out[i] = hit_object(type, it->second, h);
    }
    return out;
  }

  // (ids int64 (n, width), scores float32 (n, width)), width = min(k, len):
  // numpy's arrays, filled in place by the core with the GIL released.
  py::tuple search_batch(const std::vector<std::string>& queries, std::size_t k, double k1, double b, unsigned fuzzy,
                         bool transpositions, unsigned threads, const std::string& algorithm) const {
    const search::SearchOptions options = search_options(k, k1, b, fuzzy, transpositions, algorithm);
    const std::shared_ptr<const search::IndexReader> ix = reader();
    const std::size_t width = std::min<std::size_t>(k, ix->num_docs());
    const std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(queries.size()), static_cast<py::ssize_t>(width)};
    py::array_t<std::int64_t> ids(shape);
    py::array_t<float> scores(shape);
    std::int64_t* id_data = ids.mutable_data();
    float* score_data = scores.mutable_data();
    // Asked on this thread between the workers' queries: the GIL for a
    // moment, so a Ctrl-C stops the batch and is raised as itself.
    std::optional<py::error_already_set> raised;
    const std::function<bool()> should_stop = [&] {
      py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() == 0) return false;
      raised.emplace();
      return true;
    };
    Status status;
    {
      py::gil_scoped_release release;
      status = search::search_batch(*ix, queries, options, threads, id_data, score_data, width, &should_stop);
    }
    if (raised) throw std::move(*raised);
    check(status);
    return py::make_tuple(ids, scores);
  }

  py::list terms(const std::string& prefix) const {
    std::vector<std::pair<std::string, std::uint64_t>> list;
    const std::shared_ptr<const search::IndexReader> ix = reader();
    Status status;
    {
      py::gil_scoped_release release;
      status = ix->terms(prefix, &list);
    }
    check(status);
    py::list out;
    for (const auto& [term, df] : list) out.append(py::make_tuple(py::bytes(term), df));
    return out;
  }

  py::tuple postings(const std::string& term) const {
    std::vector<std::uint32_t> docs, freqs;
    const std::shared_ptr<const search::IndexReader> ix = reader();
    Status status;
    {
      py::gil_scoped_release release;
      status = ix->postings(term, &docs, &freqs);
    }
    check(status);
    py::array_t<std::uint32_t> d(static_cast<py::ssize_t>(docs.size()));
    py::array_t<std::uint32_t> f(static_cast<py::ssize_t>(freqs.size()));
    std::copy(docs.begin(), docs.end(), d.mutable_data());
    std::copy(freqs.begin(), freqs.end(), f.mutable_data());
    return py::make_tuple(d, f);
  }

  py::tuple chunk_info(std::int64_t doc_id) const {
    if (doc_id < 0) throw py::value_error("doc_id must be >= 0, got " + std::to_string(doc_id));
    search::ChunkLocation loc = unwrap(reader()->chunk_info(static_cast<std::uint64_t>(doc_id)));
    return py::make_tuple(py::bytes(loc.book_id), loc.chunk, loc.start, loc.end);
  }

  py::str text(std::int64_t doc_id) const {
    if (doc_id < 0) throw py::value_error("doc_id must be >= 0, got " + std::to_string(doc_id));
    const std::shared_ptr<const search::IndexReader> ix = reader();
    Result<std::string> text = [&] {
      py::gil_scoped_release release;
      return ix->text(static_cast<std::uint64_t>(doc_id));
    }();
    const std::string t = unwrap(std::move(text));
    return py::str(t.data(), t.size());
  }

  void verify() const {
    const std::shared_ptr<const search::IndexReader> ix = reader();
    Status status;
    {
      py::gil_scoped_release release;
      status = ix->verify();
    }
    check(status);
  }

  std::size_t size() const { return reader()->num_docs(); }

  // The live book's metadata, its JSON text ("" for none); KeyError (a
  // Python LookupError) if no live book has this id.
  py::str metadata(const std::string& book_id) const {
    const std::shared_ptr<const search::IndexReader> ix = reader();
    Result<segment::BookRecord> record = [&] {
      py::gil_scoped_release release;  // the first call builds the directory
      return ix->books().record(book_id);
    }();
    if (!record.is_ok() && record.status().code() == Status::Code::kNotFound) {
      throw py::key_error(record.status().message());
    }
    const segment::BookRecord r = unwrap(std::move(record));
    return py::str(r.metadata.data(), r.metadata.size());
  }

 private:
  std::shared_ptr<search::IndexReader> reader_;
};

}  // namespace

void bind_index(py::module_& m) {
  bind_index_options(m);
  m.def("index_corpus", &index_corpus, py::arg("books_dir"), py::arg("index_dir"), py::arg("options"),
        py::arg("progress"), py::arg("pdf_reader") = py::none());
  py::class_<PyIndex>(m, "Index")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def("close", &PyIndex::close)
      .def("stats", &PyIndex::stats)
      .def("search", &PyIndex::search, py::arg("query"), py::arg("k"), py::arg("k1"), py::arg("b"),
           py::arg("fuzzy"), py::arg("transpositions"), py::arg("algorithm"), py::arg("hit_type"))
      .def("search_batch", &PyIndex::search_batch, py::arg("queries"), py::arg("k"), py::arg("k1"), py::arg("b"),
           py::arg("fuzzy"), py::arg("transpositions"), py::arg("threads"), py::arg("algorithm") = "default")
      .def("terms", &PyIndex::terms, py::arg("prefix"))
      .def("postings", &PyIndex::postings, py::arg("term"))
      .def("chunk_info", &PyIndex::chunk_info, py::arg("doc_id"))
      .def("text", &PyIndex::text, py::arg("doc_id"))
      .def("verify", &PyIndex::verify)
      .def("metadata", &PyIndex::metadata, py::arg("book_id"))
      .def("__len__", &PyIndex::size);
}

}  // namespace tomes::python
