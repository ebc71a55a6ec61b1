// fst_bindings.cc: cpp/fst as tomes._core.Fst, its iterators and fst_build.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_sink.h"
#include "common/mapped_file.h"
#include "fst/fst_background_builder.h"
#include "fst/fst_file.h"
#include "fst/fst_fuzzy.h"
#include "fst/fst_reader.h"
#include "python/bindings.h"
#include "python/conversions.h"
#include "python/errors.h"

namespace py = pybind11;

namespace tomes::python {

namespace {

using fst::FstReader;
using fst::FstStream;

// The bytes of a key: bytes and bytearray as they are, str as UTF-8.
std::string_view key_bytes(py::handle key, const char* what) {
  if (PyBytes_Check(key.ptr())) {
    return {PyBytes_AS_STRING(key.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(key.ptr()))};
  }
  if (PyUnicode_Check(key.ptr())) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(key.ptr(), &size);
    if (data == nullptr) throw py::error_already_set();
    return {data, static_cast<std::size_t>(size)};
  }
  if (PyByteArray_Check(key.ptr())) {
    return {PyByteArray_AS_STRING(key.ptr()), static_cast<std::size_t>(PyByteArray_GET_SIZE(key.ptr()))};
  }
  throw py::type_error(std::string(what) + " must be bytes or str, not " +
                       Py_TYPE(key.ptr())->tp_name);
}

// An FST over bytes it keeps alive: a Python buffer or a mapped file.
class PyFst {
 public:
  PyFst(py::object owner, std::string_view bytes, std::shared_ptr<MappedFile> mapped, std::string source)
      : owner_(std::move(owner)), mapped_(std::move(mapped)),
        reader_(unwrap(FstReader::open(bytes, std::move(source)))) {}

  static PyFst from_buffer(py::object data) {
    if (PyBytes_Check(data.ptr())) {
      std::string_view bytes(PyBytes_AS_STRING(data.ptr()),
                             static_cast<std::size_t>(PyBytes_GET_SIZE(data.ptr())));
      return PyFst(data, bytes, nullptr, "<bytes>");
    }
    // Any other buffer: copied into bytes, since a mutable buffer could change.
    py::bytes copy(py::reinterpret_steal<py::object>(PyBytes_FromObject(data.ptr())));
    if (!copy) throw py::error_already_set();
    return from_buffer(copy);
  }

  static PyFst from_path(const std::string& path) {
    std::shared_ptr<MappedFile> file = unwrap(MappedFile::open(path));
    const std::string_view bytes = file->bytes();
    return PyFst(py::none(), bytes, file, path);
  }

  const FstReader& reader() const { return reader_; }

  py::object get(py::handle key, py::object default_value) const {
    bool found = false;
    std::uint64_t value = 0;
    check(reader_.get(key_bytes(key, "key"), &found, &value));
    return found ? py::int_(value) : default_value;
  }

  bool contains(py::handle key) const {
    if (!PyBytes_Check(key.ptr()) && !PyUnicode_Check(key.ptr()) && !PyByteArray_Check(key.ptr())) {
      return false;
    }
    bool found = false;
    std::uint64_t value = 0;
    check(reader_.get(key_bytes(key, "key"), &found, &value));
    return found;
  }

  py::int_ getitem(py::handle key) const {
    bool found = false;
    std::uint64_t value = 0;
    check(reader_.get(key_bytes(key, "key"), &found, &value));
    if (!found) throw py::key_error(py::repr(key).cast<std::string>());
    return py::int_(value);
  }

  py::bytes bytes() const {
    if (owner_ && PyBytes_Check(owner_.ptr())) return py::reinterpret_borrow<py::bytes>(owner_);
    return to_bytes(reader_.bytes());
  }

  py::list fuzzy(py::handle term, unsigned distance, bool transpositions) const {
    const std::string query(key_bytes(term, "term"));
    std::vector<std::tuple<std::string, std::uint64_t, unsigned>> hits;
    Status status;
    {
      py::gil_scoped_release release;
      status = fst::fuzzy_search(reader_, query, fst::FuzzyOptions{distance, transpositions},
                                 [&](std::string_view key, std::uint64_t value, unsigned d) {
                                   hits.emplace_back(std::string(key), value, d);
                                 });
    }
    check(status);
    py::list out(hits.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const auto& [key, value, d] = hits[i];
      out[i] = py::make_tuple(to_bytes(key), value, d);
    }
    return out;
  }

 private:
  py::object owner_;
  std::shared_ptr<MappedFile> mapped_;
  FstReader reader_;
};

// Iterates an FstStream; holds the Fst object alive.
class PyFstIterator {
 public:
  enum class Yield { kKeys, kValues, kItems };

  PyFstIterator(py::object fst, const PyFst& ref, FstStream::Bounds bounds, Yield yield)
      : fst_(std::move(fst)), stream_(ref.reader(), std::move(bounds)), yield_(yield) {}

  py::object next() {
    std::string_view key;
    std::uint64_t value;
    if (!stream_.next(&key, &value)) {
      check(stream_.status());
      throw py::stop_iteration();
    }
    switch (yield_) {
      case Yield::kKeys: return to_bytes(key);
      case Yield::kValues: return py::int_(value);
      case Yield::kItems: break;
    }
    return py::make_tuple(to_bytes(key), value);
  }

 private:
  py::object fst_;
  FstStream stream_;
  Yield yield_;
};

FstStream::Bounds make_bounds(py::handle ge, py::handle lt) {
  FstStream::Bounds bounds;
  if (!ge.is_none()) {
    bounds.has_ge = true;
    bounds.ge = std::string(key_bytes(ge, "ge"));
  }
  if (!lt.is_none()) {
    bounds.has_lt = true;
    bounds.lt = std::string(key_bytes(lt, "lt"));
  }
  return bounds;
}

// Converts pairs from a Python iterable into batches for a background
// builder (in memory or into a file), which adds one batch while the next is
// converted.
template <class Builder>
class PairBatcher {
 public:
  explicit PairBatcher(Builder* builder) : builder_(builder) {}

  void take(py::handle item) {
    if (PyTuple_Check(item.ptr()) && PyTuple_GET_SIZE(item.ptr()) == 2) {
      take_pair(PyTuple_GET_ITEM(item.ptr(), 0), PyTuple_GET_ITEM(item.ptr(), 1));
      return;
    }
    if (PyUnicode_Check(item.ptr()) || PyBytes_Check(item.ptr()) || !PySequence_Check(item.ptr()) ||
        PySequence_Size(item.ptr()) != 2) {
      PyErr_Clear();
      throw py::type_error(std::string("pairs must be (key, value) pairs, got ") +
                           py::repr(item).cast<std::string>());
    }
    py::object sequence = py::reinterpret_borrow<py::object>(item);
    take_pair(sequence[py::int_(0)], sequence[py::int_(1)]);
  }

  void flush() {
    Status status;
    {
      py::gil_scoped_release release;  // the push waits while a batch is queued
      status = builder_->add_batch(std::move(batch_));
    }
    batch_.clear();
    check(status);
  }

 private:
  static constexpr std::size_t kBatch = 1 << 14;

  void take_pair(py::handle key, py::handle value) {
    const std::string_view bytes = key_bytes(key, "keys");
    if (!PyLong_Check(value.ptr())) {
      throw py::type_error(std::string("values must be int, not ") + Py_TYPE(value.ptr())->tp_name +
                           " (for key " + py::repr(key).cast<std::string>() + ")");
    }
    const unsigned long long v = PyLong_AsUnsignedLongLong(value.ptr());
    if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
      PyErr_Clear();
      throw py::value_error("values must be integers in [0, 2**64), got " +
                            py::repr(value).cast<std::string>() + " for key " +
                            py::repr(key).cast<std::string>());
    }
    batch_.add(bytes, v);
    if (batch_.size() == kBatch) flush();
  }

  Builder* builder_;
  fst::KeyBatch batch_;
};

// How many pairs will come, if pairs can tell (a list can): the builder then
// sizes its registry once instead of growing it step by step. 0: unknown.
std::uint64_t expected_pairs(const py::iterable& pairs) {
  const Py_ssize_t expected = PyObject_LengthHint(pairs.ptr(), 0);
  if (expected < 0) {
    PyErr_Clear();
    return 0;
  }
  return static_cast<std::uint64_t>(expected);
}

// Converts every pair into builder, then finishes it (commit() for a file).
template <class Builder, class Finish>
void add_all(const py::iterable& pairs, Builder* builder, Finish finish) {
  PairBatcher<Builder> batcher(builder);
  for (py::handle item : pairs) batcher.take(item);
  batcher.flush();
  Status status;
  {
    py::gil_scoped_release release;
    status = finish();
  }
  check(status);
}

// Builds into memory (returns bytes) or into the file at path (returns None;
// fst::FstFileWriter writes it atomically).
py::object fst_build(py::iterable pairs, std::optional<py::bytes> path) {
  const std::uint64_t expected = expected_pairs(pairs);
  if (path) {
    std::unique_ptr<fst::FstFileWriter> file = unwrap(fst::FstFileWriter::create(std::string(*path), expected));
    add_all(pairs, file.get(), [&] { return file->commit(); });
    return py::none();
  }
  std::string memory;
  StringSink sink(&memory);
  {
    fst::BackgroundFstBuilder builder(&sink, expected);
    add_all(pairs, &builder, [&] { return builder.finish(); });
  }
  return to_bytes(memory);
}

}  // namespace

void bind_fst(py::module_& m) {
  py::class_<PyFst>(m, "Fst")
      .def(py::init([](py::object data, std::optional<py::bytes> path) {
             if (path) return PyFst::from_path(std::string(*path));
             if (data.is_none()) throw py::type_error("Fst needs data or path");
             return PyFst::from_buffer(data);
           }),
           py::arg("data") = py::none(), py::kw_only(), py::arg("path") = py::none())
      .def("__len__", [](const PyFst& f) { return f.reader().key_count(); })
      .def("__contains__", &PyFst::contains)
      .def("__getitem__", &PyFst::getitem)
      .def("get", &PyFst::get, py::arg("key"), py::arg("default") = py::none())
      .def("to_bytes", &PyFst::bytes)
      .def_property_readonly("source", [](const PyFst& f) { return f.reader().source(); })
      .def("_stream",
           [](py::object self, py::object ge, py::object lt, int yield) {
             const PyFst& ref = self.cast<const PyFst&>();
             return PyFstIterator(self, ref, make_bounds(ge, lt),
                                  static_cast<PyFstIterator::Yield>(yield));
           },
           py::arg("ge"), py::arg("lt"), py::arg("yield_"))
      .def("_fuzzy", &PyFst::fuzzy, py::arg("term"), py::arg("distance"),
           py::arg("transpositions") = false);

  py::class_<PyFstIterator>(m, "FstIterator")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &PyFstIterator::next);

  m.def("fst_build", &fst_build, py::arg("pairs"), py::arg("path") = py::none());
  m.def("write_file_atomic", [](py::bytes path, py::bytes data) {
    const std::string target(path);
    const std::string_view bytes(PyBytes_AS_STRING(data.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(data.ptr())));
    Status status;
    {
      py::gil_scoped_release release;
      status = write_file_atomic(target, bytes);
    }
    check(status);
  });
  m.def("prefix_successor", [](py::bytes prefix) -> py::object {
    std::string out;
    if (!fst::prefix_successor(std::string(prefix), &out)) return py::none();
    return to_bytes(out);
  });
}

}  // namespace tomes::python
