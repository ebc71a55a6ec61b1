// errors.h: the one place where core Status values become Python exceptions.
//
//   InvalidArgument -> ValueError          NotFound -> FileNotFoundError
//   Corruption      -> tomes.CorruptIndexError (a ValueError)
//   IOError         -> OSError
//   Cancelled       -> tomes.Cancelled (an Exception)
//   Locked          -> tomes.IndexLockedError (an OSError)
//
// Cancelled is an Exception, not a KeyboardInterrupt: it says the core
// stopped because its caller asked, an ordinary outcome that `except
// Exception` handlers should see. A Ctrl-C, or an exception raised by a
// progress callback, is raised again as itself by the binding, never as
// Cancelled.
//
// Thread safety: call with the GIL held.
#pragma once

#include <pybind11/pybind11.h>

#include <utility>

#include "common/status.h"

namespace tomes::python {

// Creates tomes._core.CorruptIndexError and tomes._core.Cancelled in module
// m. Call once, at import.
void register_errors(pybind11::module_& m);

// Raises the Python exception for status. REQUIRES: !status.is_ok().
[[noreturn]] void throw_status(const Status& status);

inline void check(const Status& status) {
  if (!status.is_ok()) throw_status(status);
}

template <class T>
T unwrap(Result<T>&& result) {
  if (!result.is_ok()) throw_status(result.status());
  return std::move(result).value();
}

}  // namespace tomes::python
