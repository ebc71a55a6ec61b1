// writer_bindings.cc: tomes._core.IndexWriter, index/index_writer.h with the
// GIL released around every call into the core. Conversions only;
// pysrc/tomes/_writer.py validates arguments, resolves paths and book ids,
// encodes metadata as JSON, and builds the public reports.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "index/index_writer.h"
#include "parse/book_files.h"
#include "python/bindings.h"
#include "python/errors.h"

namespace py = pybind11;

namespace tomes::python {

namespace {

// The session and, for the call in progress, what Python raised inside it.
class PyIndexWriter {
 public:
  PyIndexWriter(const std::string& index_dir, const index::IndexOptions& options, double timeout, bool merge) {
    index::WriterOptions o;
    o.index = options;
    o.lock_timeout = timeout;
    o.merge = merge;
    std::optional<py::error_already_set> raised;
    auto stop = [&] { return !report_progress(py::none(), &raised); };
    Result<std::unique_ptr<index::IndexWriter>> w = [&] {
      py::gil_scoped_release release;
      return index::IndexWriter::open(index_dir, o, stop);
    }();
    if (raised) throw std::move(*raised);
    writer_ = unwrap(std::move(w));
  }

  py::dict settings() {
    const auto busy = claim();
    const segment::Manifest& m = live().committed();
    py::dict d;
    d["exists"] = live().exists();
    d["stopwords_name"] = m.settings.stopwords_name;
    d["stopwords"] = m.settings.stopwords;
    d["stemmer"] = m.settings.stemmer;
    d["chunk_size"] = m.settings.chunk_size;
    d["chunk_overlap"] = m.settings.chunk_overlap;
    d["store_text"] = m.settings.store_text;
    d["generation"] = m.generation;
    return d;
  }

  // sources: (path, id or None, is_dir); metadata: id -> JSON text.
  void add(const std::vector<std::tuple<py::bytes, std::optional<py::bytes>, bool>>& sources,
           const std::map<std::string, std::string>& metadata, py::object progress, py::object pdf_reader) {
    std::vector<std::tuple<std::string, std::optional<std::string>, bool>> given;
    for (const auto& [path, id, is_dir] : sources) {
      given.emplace_back(std::string(path), id ? std::optional<std::string>(std::string(*id)) : std::nullopt, is_dir);
    }
    run(progress, pdf_reader, [&](const index::ProgressFn& fn) -> Status {
      std::vector<parse::BookFile> files;
      for (const auto& [path, id, is_dir] : given) {
        if (is_dir) {
          std::vector<parse::BookFile> found;
          std::vector<parse::SkippedFile> skipped;
          if (Status s = parse::collect_books(path, &found, &skipped); !s.is_ok()) return s;
          for (parse::BookFile& f : found) files.push_back(std::move(f));
          writer_->note_skipped(skipped);
        } else {
          Result<parse::BookFile> f = parse::stat_book_file(path, *id);
          if (!f.is_ok()) return f.status();
          files.push_back(std::move(f).value());
        }
      }
      for (parse::BookFile& f : files) {
        if (const auto m = metadata.find(f.relative_path); m != metadata.end()) f.metadata = m->second;
      }
      return writer_->add_files(std::move(files), fn);
    });
  }

  // books: (id, text as UTF-8 bytes, metadata JSON or "").
  void add_texts(const std::vector<std::tuple<py::bytes, py::bytes, std::string>>& books, py::object progress) {
    std::vector<index::TextBook> texts;
    texts.reserve(books.size());
    for (const auto& [id, text, metadata] : books) texts.push_back({std::string(id), std::string(text), metadata});
    run(progress, py::none(), [&](const index::ProgressFn& fn) { return writer_->add_texts(std::move(texts), fn); });
  }

  void remove(const std::vector<py::bytes>& ids) {
    std::vector<std::string> plain(ids.begin(), ids.end());
    const auto busy = claim();
    live();
    py::gil_scoped_release release;
    writer_->remove(plain);
  }

  void sync(const std::string& books_dir, bool checksum, const std::map<std::string, std::string>& metadata,
            py::object progress, py::object pdf_reader) {
    run(progress, pdf_reader,
        [&](const index::ProgressFn& fn) { return writer_->sync(books_dir, checksum, metadata, fn); });
  }

  py::dict commit(py::object progress, py::object pdf_reader) {
    index::CommitReport r;
    run(progress, pdf_reader, [&](const index::ProgressFn& fn) -> Status {
      Result<index::CommitReport> report = writer_->commit(fn);
      if (report.is_ok()) r = std::move(report).value();
      return report.status();
    });
    return report_dict(r);
  }

  void rollback() {
    const auto busy = claim();
    if (!writer_) return;
    py::gil_scoped_release release;
    writer_->rollback();
  }

  // Releases the lock (rolling back what was not committed).
  void close() {
    const auto busy = claim();
    if (!writer_) return;
    py::gil_scoped_release release;
    writer_.reset();
  }

 private:
  const index::IndexWriter& live() const {
    if (!writer_) throw py::value_error("the writer is closed");
    return *writer_;
  }

  // Runs call(progress_fn) with the GIL released and a PDF source (if
  // pdf_reader is not None) installed for its duration; a Python exception
  // from progress or a Ctrl-C cancels it and is raised again afterwards.
  // A session is used by one thread at a time; a call while another thread's
  // call runs (with the GIL released) is refused rather than waited for:
  // waiting with the GIL held could deadlock with that call's progress.
  std::unique_lock<std::mutex> claim() {
    std::unique_lock<std::mutex> lock(busy_, std::try_to_lock);
    if (!lock.owns_lock()) {
      throw std::runtime_error("this tomes writer is in use by another thread (a session is used by one "
                               "thread at a time)");
    }
    return lock;
  }

  template <class Call>
  void run(py::object progress, py::object pdf_reader, Call call) {
    const auto busy = claim();
    live();
    std::optional<py::error_already_set> raised;
    const std::unique_ptr<parse::PdfTextSource> pdf =
        pdf_reader.is_none() ? nullptr : make_pdf_source(std::move(pdf_reader), &raised);
    index::ProgressFn fn = [&](std::uint64_t books_done, std::uint64_t books_total, std::uint64_t bytes_done,
                               std::uint64_t bytes_total) {
      return report_progress(progress, &raised, books_done, books_total, bytes_done, bytes_total);
    };
    Status status = [&] {
      py::gil_scoped_release release;
      writer_->set_pdf_source(pdf.get());
      Status s = call(fn);
      writer_->set_pdf_source(nullptr);
      return s;
    }();
    if (raised) throw std::move(*raised);
    check(status);
  }

  static py::dict report_dict(const index::CommitReport& r) {
    auto ids = [](const std::vector<std::string>& v) {
      py::list out;
      for (const std::string& s : v) out.append(py::bytes(s));
      return out;
    };
    auto pairs = [](const std::vector<std::pair<std::string, std::string>>& v, bool second_bytes) {
      py::list out;
      for (const auto& [a, b] : v) {
        py::object second = second_bytes ? py::object(py::bytes(b)) : py::object(py::str(b));
        out.append(py::make_tuple(py::bytes(a), second));
      }
      return out;
    };
    py::dict d;
    d["added"] = ids(r.added);
    d["replaced"] = ids(r.replaced);
    d["deleted"] = ids(r.deleted);
    d["unchanged"] = ids(r.unchanged);
    d["not_found"] = ids(r.not_found);
    d["skipped"] = pairs(r.skipped, false);
    d["duplicates"] = pairs(r.duplicates, true);
    d["invalid_utf8"] = ids(r.invalid_utf8);
    d["generation"] = r.generation;
    d["books"] = r.books;
    d["chunks"] = r.chunks;
    d["segments"] = r.segments;
    d["bytes_read"] = r.bytes_read;
    d["segments_merged"] = r.segments_merged;
    d["merge_error"] = r.merge_error;
    d["seconds"] = r.seconds;
    return d;
  }

  std::mutex busy_;
  std::unique_ptr<index::IndexWriter> writer_;
};

}  // namespace

void bind_writer(py::module_& m) {
  py::class_<PyIndexWriter>(m, "IndexWriter")
      .def(py::init<const std::string&, const index::IndexOptions&, double, bool>(), py::arg("index_dir"),
           py::arg("options"), py::arg("timeout"), py::arg("merge"))
      .def("settings", &PyIndexWriter::settings)
      .def("add", &PyIndexWriter::add, py::arg("sources"), py::arg("metadata"), py::arg("progress"),
           py::arg("pdf_reader"))
      .def("add_texts", &PyIndexWriter::add_texts, py::arg("books"), py::arg("progress"))
      .def("delete", &PyIndexWriter::remove, py::arg("ids"))
      .def("sync", &PyIndexWriter::sync, py::arg("books_dir"), py::arg("checksum"), py::arg("metadata"),
           py::arg("progress"), py::arg("pdf_reader"))
      .def("commit", &PyIndexWriter::commit, py::arg("progress"), py::arg("pdf_reader"))
      .def("rollback", &PyIndexWriter::rollback)
      .def("close", &PyIndexWriter::close);
}

}  // namespace tomes::python
