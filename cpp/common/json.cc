#include "common/json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/utf8.h"
#include "common/crc32.h"
#include "common/file_system.h"

namespace tomes {

void Json::set(const std::string& key, Json v) {
  for (auto& member : members_) {
    if (member.first == key) {
      member.second = std::move(v);
      return;
    }
  }
  members_.emplace_back(key, std::move(v));
}

const Json* Json::find(std::string_view key) const {
  for (const auto& member : members_) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

namespace {

void dump_string(std::string* out, const std::string& s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));  // UTF-8 passes through
        }
    }
  }
  out->push_back('"');
}

void newline(std::string* out, int indent, int level) {
  if (indent <= 0) return;
  out->push_back('\n');
  out->append(static_cast<std::size_t>(indent * level), ' ');
}

}  // namespace

void Json::dump_to(std::string* out, int indent, int level) const {
  switch (type_) {
    case Type::kNull: out->append("null"); break;
    case Type::kBool: out->append(bool_ ? "true" : "false"); break;
    case Type::kInt: out->append(std::to_string(int_)); break;
    case Type::kDouble: {
      if (!std::isfinite(double_)) {
        out->append("null");
        break;
      }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", double_);
      std::string s(buf);
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      out->append(s);
      break;
    }
    case Type::kString: dump_string(out, string_); break;
    case Type::kArray: {
      out->push_back('[');
      for (std::size_t i = 0; i < items_.size(); ++i) {
        if (i > 0) out->push_back(',');
        newline(out, indent, level + 1);
        items_[i].dump_to(out, indent, level + 1);
      }
      if (!items_.empty()) newline(out, indent, level);
      out->push_back(']');
      break;
    }
    case Type::kObject: {
      out->push_back('{');
      for (std::size_t i = 0; i < members_.size(); ++i) {
        if (i > 0) out->push_back(',');
        newline(out, indent, level + 1);
        dump_string(out, members_[i].first);
        out->append(indent > 0 ? ": " : ":");
        members_[i].second.dump_to(out, indent, level + 1);
      }
      if (!members_.empty()) newline(out, indent, level);
      out->push_back('}');
      break;
    }
  }
}

std::string Json::dump(int indent) const {
  std::string out;
  dump_to(&out, indent, 0);
  if (indent > 0) out.push_back('\n');
  return out;
}

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  Result<Json> parse_document() {
    Json value;
    if (Status s = parse_value(&value, 0); !s.is_ok()) return s;
    skip_space();
    if (pos_ != text_.size()) return error("unexpected bytes after the JSON value");
    return value;
  }

 private:
  Status error(const std::string& what) const {
    return Status::corruption(source_ + ": not valid JSON at byte " + std::to_string(pos_) + ": " + what);
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  bool consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status parse_value(Json* out, int depth) {
    if (depth > kMaxDepth) return error("nested too deeply");
    skip_space();
    if (pos_ >= text_.size()) return error("unexpected end");
    const char c = text_[pos_];
    if (c == '{') return parse_object(out, depth);
    if (c == '[') return parse_array(out, depth);
    if (c == '"') {
      std::string s;
      if (Status st = parse_string(&s); !st.is_ok()) return st;
      *out = Json(std::move(s));
      return Status::ok();
    }
    if (consume("null")) { *out = Json(); return Status::ok(); }
    if (consume("true")) { *out = Json(true); return Status::ok(); }
    if (consume("false")) { *out = Json(false); return Status::ok(); }
    return parse_number(out);
  }

  Status parse_number(Json* out) {
    const std::size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    bool integral = true;
    std::size_t digits = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c >= '0' && c <= '9') {
        ++digits;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || (c == '-' && pos_ > start)) {
        integral = false;
      } else {
        break;
      }
      ++pos_;
    }
    if (digits == 0) return error("expected a value");
    const std::string number(text_.substr(start, pos_ - start));
    char* end = nullptr;
    errno = 0;
    if (integral) {
      const long long v = std::strtoll(number.c_str(), &end, 10);
      if (errno != 0 || end != number.c_str() + number.size()) return error("bad integer " + number);
      *out = Json(static_cast<std::int64_t>(v));
    } else {
      const double v = std::strtod(number.c_str(), &end);
      if (end != number.c_str() + number.size()) return error("bad number " + number);
      *out = Json(v);
    }
    return Status::ok();
  }

  Status parse_hex4(unsigned* v) {
    if (pos_ + 4 > text_.size()) return error("truncated \\u escape");
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      *v <<= 4;
      if (c >= '0' && c <= '9') *v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') *v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') *v |= static_cast<unsigned>(c - 'A' + 10);
      else return error("bad \\u escape");
    }
    return Status::ok();
  }

  Status parse_string(std::string* out) {
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= text_.size()) return error("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return Status::ok();
      if (static_cast<unsigned char>(c) < 0x20) return error("control character in string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return error("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          unsigned cp = 0;
          if (Status s = parse_hex4(&cp); !s.is_ok()) return s;
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            const std::size_t save = pos_;
            pos_ += 2;
            unsigned low = 0;
            if (Status s = parse_hex4(&low); !s.is_ok()) return s;
            if (low >= 0xDC00 && low < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              pos_ = save;
            }
          }
          utf8::append(*out, static_cast<char32_t>(cp));
          break;
        }
        default: return error("bad escape");
      }
    }
  }

  Status parse_array(Json* out, int depth) {
    ++pos_;
    *out = Json::array();
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') { ++pos_; return Status::ok(); }
    while (true) {
      Json item;
      if (Status s = parse_value(&item, depth + 1); !s.is_ok()) return s;
      out->push_back(std::move(item));
      skip_space();
      if (pos_ >= text_.size()) return error("unterminated array");
      const char c = text_[pos_++];
      if (c == ']') return Status::ok();
      if (c != ',') return error("expected ',' or ']'");
    }
  }

  Status parse_object(Json* out, int depth) {
    ++pos_;
    *out = Json::object();
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') { ++pos_; return Status::ok(); }
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return error("expected a key");
      std::string key;
      if (Status s = parse_string(&key); !s.is_ok()) return s;
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return error("expected ':'");
      ++pos_;
      Json value;
      if (Status s = parse_value(&value, depth + 1); !s.is_ok()) return s;
      out->set(key, std::move(value));
      skip_space();
      if (pos_ >= text_.size()) return error("unterminated object");
      const char c = text_[pos_++];
      if (c == '}') return Status::ok();
      if (c != ',') return error("expected ',' or '}'");
    }
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<Json> Json::parse(std::string_view text, const std::string& source) {
  return Parser(text, source).parse_document();
}

Result<std::int64_t> json_int(const Json& object, std::string_view key, const std::string& source,
                              std::int64_t min, std::int64_t max) {
  const Json* v = object.is_object() ? object.find(key) : nullptr;
  if (v == nullptr || !v->is_int()) {
    return Status::corruption(source + ": expected an integer field \"" + std::string(key) + "\"");
  }
  if (v->as_int() < min || v->as_int() > max) {
    return Status::corruption(source + ": field \"" + std::string(key) + "\" = " +
                              std::to_string(v->as_int()) + " is out of range");
  }
  return v->as_int();
}

Result<std::string> json_string(const Json& object, std::string_view key, const std::string& source) {
  const Json* v = object.is_object() ? object.find(key) : nullptr;
  if (v == nullptr || !v->is_string()) {
    return Status::corruption(source + ": expected a string field \"" + std::string(key) + "\"");
  }
  return v->as_string();
}

}  // namespace tomes

namespace tomes {

std::string dump_with_checksum(const Json& object) {
  std::string text = object.dump();  // "{\n  ...\n}\n"
  text.resize(text.size() - 3);       // drop "\n}\n"
  text += ",\n  ";
  const std::uint32_t crc = crc32_update(0, text);
  text += "\"crc32\": " + std::to_string(crc) + "\n}\n";
  return text;
}

Status check_checksum(std::string_view text, const Json& parsed, const std::string& source) {
  const auto& members = parsed.members();
  const std::size_t key = text.rfind("\"crc32\"");
  if (!parsed.is_object() || members.empty() || members.back().first != "crc32" || !members.back().second.is_int() ||
      key == std::string_view::npos) {
    return Status::corruption(source + ": expected a last \"crc32\" field");
  }
  // The bytes after the key must be exactly what dump_with_checksum writes.
  if (text.substr(key) != "\"crc32\": " + std::to_string(members.back().second.as_int()) + "\n}\n" ||
      static_cast<std::int64_t>(crc32_update(0, text.substr(0, key))) != members.back().second.as_int()) {
    return Status::corruption(source + ": checksum mismatch (the file is damaged)");
  }
  return Status::ok();
}

Result<Json> read_checksummed_json(const std::string& path, std::size_t max_bytes) {
  Result<std::string> text = read_small_file(path, max_bytes);
  if (!text.is_ok()) return text.status();
  Result<Json> parsed = Json::parse(text.value(), path);
  if (!parsed.is_ok()) return parsed.status();
  if (Status s = check_checksum(text.value(), parsed.value(), path); !s.is_ok()) return s;
  return parsed;
}

}  // namespace tomes
