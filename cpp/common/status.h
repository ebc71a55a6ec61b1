// status.h: the error vocabulary of the core.
//
// Errors are values at every I/O and argument boundary: a function that can
// fail returns Status, or Result<T> carrying either a T or a Status. The
// Python binding maps each Code to one exception type, once
// (cpp/python/errors.h); nothing else in the core throws across a boundary.
//
// Messages say what was expected and what was got, with the path when a file
// is involved: "english.txt: expected UTF-8, got byte 0xff at offset 12".
//
// Thread safety: values; a const Status may be read from any thread.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace tomes {

class [[nodiscard]] Status {
 public:
  // kCancelled: the caller asked the work to stop (a progress callback said
  // so); nothing was wrong with the input or the disk.
  // kLocked: another writer holds the index's lock (an I/O error to Python:
  // tomes.IndexLockedError is an OSError).
  enum class Code { kOk, kInvalidArgument, kNotFound, kCorruption, kIOError, kCancelled, kLocked };

  Status() = default;
  static Status ok() { return Status(); }
  static Status invalid_argument(std::string message) {
    return Status(Code::kInvalidArgument, std::move(message));
  }
  static Status not_found(std::string message) {
    return Status(Code::kNotFound, std::move(message));
  }
  static Status corruption(std::string message) {
    return Status(Code::kCorruption, std::move(message));
  }
  static Status io_error(std::string message) {
    return Status(Code::kIOError, std::move(message));
  }
  static Status cancelled(std::string message) {
    return Status(Code::kCancelled, std::move(message));
  }
  static Status locked(std::string message) {
    return Status(Code::kLocked, std::move(message));
  }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Either a value or the Status saying why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool is_ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // REQUIRES: is_ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace tomes
