// json.h: the small JSON subset tomes writes for index.json and meta.json,
// and a strict parser for reading them back (which must survive any damaged
// bytes: depth and size limits, every error a Corruption naming the source).
//
// Numbers are kept as int64 when written without fraction or exponent
// (offsets, counts, CRCs stay exact), else as double.
//
// Thread safety: a Json value is a plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace tomes {

class Json {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  Json() = default;
  Json(std::nullptr_t) {}                                             // NOLINT
  Json(bool b) : type_(Type::kBool), bool_(b) {}                      // NOLINT
  Json(int v) : type_(Type::kInt), int_(v) {}                         // NOLINT
  Json(std::int64_t v) : type_(Type::kInt), int_(v) {}                // NOLINT
  Json(std::uint64_t v) : type_(Type::kInt), int_(static_cast<std::int64_t>(v)) {}  // NOLINT
  Json(std::uint32_t v) : type_(Type::kInt), int_(v) {}               // NOLINT
  Json(double v) : type_(Type::kDouble), double_(v) {}                // NOLINT
  Json(std::string s) : type_(Type::kString), string_(std::move(s)) {}  // NOLINT
  Json(const char* s) : type_(Type::kString), string_(s) {}           // NOLINT

  static Json array() { Json j; j.type_ = Type::kArray; return j; }
  static Json object() { Json j; j.type_ = Type::kObject; return j; }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_int() const { return type_ == Type::kInt; }
  bool is_number() const { return type_ == Type::kInt || type_ == Type::kDouble; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }
  bool as_bool() const { return bool_; }
  std::int64_t as_int() const { return type_ == Type::kInt ? int_ : static_cast<std::int64_t>(double_); }
  double as_double() const { return type_ == Type::kInt ? static_cast<double>(int_) : double_; }
  const std::string& as_string() const { return string_; }
  const std::vector<Json>& items() const { return items_; }
  const std::vector<std::pair<std::string, Json>>& members() const { return members_; }

  // Arrays.
  void push_back(Json v) { items_.push_back(std::move(v)); }
  // Objects: set() replaces or appends (members keep insertion order);
  // find() returns nullptr when absent.
  void set(const std::string& key, Json v);
  const Json* find(std::string_view key) const;

  std::string dump(int indent = 2) const;
  // Parses text; Corruption naming `source` on any error.
  static Result<Json> parse(std::string_view text, const std::string& source);

 private:
  void dump_to(std::string* out, int indent, int level) const;

  Type type_ = Type::kNull;
  bool bool_ = false;
  std::int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> members_;
};

// A self-checksummed document: `object` dumped with a last member "crc32",
// the CRC-32 of every byte of the text before that member's key. Any change
// of the bytes is caught: before the key by the CRC, in the number by the
// CRC, after it by the parser. REQUIRES: object is a non-empty object
// without "crc32".
std::string dump_with_checksum(const Json& object);
// Corruption naming source unless `parsed` (parsed from `text`) ends in a
// "crc32" member that matches the bytes of text before it.
Status check_checksum(std::string_view text, const Json& parsed, const std::string& source);
// Reads, parses and checks (check_checksum) the document at path, at most
// max_bytes long: what dump_with_checksum wrote. Errors name the path; a
// missing file is NotFound.
Result<Json> read_checksummed_json(const std::string& path, std::size_t max_bytes);

// Lookups that turn a missing or mistyped field into Corruption naming source.
Result<std::int64_t> json_int(const Json& object, std::string_view key, const std::string& source,
                              std::int64_t min = 0, std::int64_t max = INT64_MAX);
Result<std::string> json_string(const Json& object, std::string_view key, const std::string& source);

}  // namespace tomes
