#include "parse/xml_scanner.h"

#include <algorithm>

#include "common/utf8.h"

namespace tomes::parse {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_name_char(char c) {
  return !is_space(c) && c != '/' && c != '>' && c != '<' && c != '=' && c != '"' && c != '\'';
}

bool starts_with(std::string_view s, std::size_t pos, std::string_view prefix) {
  return s.size() - pos >= prefix.size() && s.compare(pos, prefix.size(), prefix) == 0;
}

// The code point of a numeric reference body ("#38", "#x26"), or -1 when it
// is not one (then the '&' stays literal).
long numeric_reference(std::string_view body) {
  if (body.size() < 2 || body[0] != '#') return -1;
  const bool hex = body[1] == 'x' || body[1] == 'X';
  const std::string_view digits = body.substr(hex ? 2 : 1);
  if (digits.empty()) return -1;
  long value = 0;
  for (char c : digits) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return -1;
    // Saturate past the last code point, so long digit runs cannot overflow.
    value = std::min<long>(value * (hex ? 16 : 10) + d, 0x110000);
  }
  return value;
}

}  // namespace

const std::string* XmlTag::attribute(std::string_view local_name) const {
  for (const XmlAttribute& a : attributes) {
    if (a.name == local_name) return &a.value;
  }
  return nullptr;
}

std::string_view xml_local_name(std::string_view qualified) {
  const std::size_t colon = qualified.rfind(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

void append_xml_decoded(std::string_view value, std::string* out) {
  // The longest reference we decode: "&#x10FFFF;" with leading zeros is
  // still short; 32 bytes bounds the search for ';' (linear overall).
  constexpr std::size_t kMaxReference = 32;
  std::size_t pos = 0;
  while (pos < value.size()) {
    const std::size_t amp = value.find('&', pos);
    if (amp == std::string_view::npos) break;
    out->append(value.substr(pos, amp - pos));
    pos = amp + 1;
    const std::size_t semi = value.substr(0, std::min(value.size(), amp + kMaxReference)).find(';', amp);
    if (semi == std::string_view::npos) {
      out->push_back('&');
      continue;
    }
    const std::string_view body = value.substr(amp + 1, semi - amp - 1);
    const char* named = body == "lt" ? "<" : body == "gt" ? ">" : body == "amp" ? "&"
                      : body == "quot" ? "\"" : body == "apos" ? "'" : nullptr;
    const long cp = named ? -1 : numeric_reference(body);
    if (named) {
      out->append(named);
    } else if (cp >= 0) {
      const bool valid = cp != 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
      utf8::append(*out, valid ? static_cast<char32_t>(cp) : utf8::kReplacement);
    } else {
      out->push_back('&');
      continue;
    }
    pos = semi + 1;
  }
  if (pos < value.size()) out->append(value.substr(pos));
}

void XmlScanner::skip_past(std::string_view terminator) {
  const std::size_t at = xml_.find(terminator, pos_);
  pos_ = at == std::string_view::npos ? xml_.size() : at + terminator.size();
}

// "<!DOCTYPE ...>" and other "<!" declarations, with an internal subset in
// brackets, quoted strings (which may hold '>') and comments inside it.
void XmlScanner::skip_declaration() {
  pos_ += 2;
  int depth = 0;
  char quote = 0;
  while (pos_ < xml_.size()) {
    const char c = xml_[pos_];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (starts_with(xml_, pos_, "<!--")) {
      skip_past("-->");
      continue;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      depth -= depth > 0;
    } else if (c == '>' && depth == 0) {
      ++pos_;
      return;
    }
    ++pos_;
  }
}

bool XmlScanner::next(XmlTag* tag) {
  while (pos_ < xml_.size()) {
    const std::size_t lt = xml_.find('<', pos_);
    if (lt == std::string_view::npos) break;
    pos_ = lt;
    if (starts_with(xml_, pos_, "<!--")) {
      skip_past("-->");
    } else if (starts_with(xml_, pos_, "<![CDATA[")) {
      skip_past("]]>");
    } else if (starts_with(xml_, pos_, "<?")) {
      skip_past("?>");
    } else if (starts_with(xml_, pos_, "<!")) {
      skip_declaration();
    } else if (starts_with(xml_, pos_, "</")) {
      pos_ += 2;
      const std::size_t start = pos_;
      while (pos_ < xml_.size() && is_name_char(xml_[pos_])) ++pos_;
      tag->kind = XmlTag::Kind::kEnd;
      tag->name = xml_local_name(xml_.substr(start, pos_ - start));
      tag->attributes.clear();
      skip_past(">");
      return true;
    } else if (pos_ + 1 < xml_.size() && is_name_char(xml_[pos_ + 1])) {
      read_tag(tag);
      return true;
    } else {
      ++pos_;  // a stray '<' is text
    }
  }
  pos_ = xml_.size();
  return false;
}

void XmlScanner::read_tag(XmlTag* tag) {
  ++pos_;
  const std::size_t start = pos_;
  while (pos_ < xml_.size() && is_name_char(xml_[pos_])) ++pos_;
  tag->kind = XmlTag::Kind::kStart;
  tag->name = xml_local_name(xml_.substr(start, pos_ - start));
  tag->attributes.clear();
  read_attributes(tag);
}

void XmlScanner::read_attributes(XmlTag* tag) {
  while (pos_ < xml_.size()) {
    const char c = xml_[pos_];
    if (is_space(c)) {
      ++pos_;
    } else if (c == '>') {
      ++pos_;
      return;
    } else if (c == '/') {
      ++pos_;
      if (pos_ < xml_.size() && xml_[pos_] == '>') {
        ++pos_;
        tag->kind = XmlTag::Kind::kEmpty;
        return;
      }
    } else if (c == '<') {
      return;  // a tag never closed: the next one starts here
    } else if (!is_name_char(c)) {
      ++pos_;  // a stray quote or '='
    } else {
      const std::size_t start = pos_;
      while (pos_ < xml_.size() && is_name_char(xml_[pos_])) ++pos_;
      XmlAttribute& a = tag->attributes.emplace_back();
      a.name = xml_local_name(xml_.substr(start, pos_ - start));
      while (pos_ < xml_.size() && is_space(xml_[pos_])) ++pos_;
      if (pos_ >= xml_.size() || xml_[pos_] != '=') continue;
      ++pos_;
      while (pos_ < xml_.size() && is_space(xml_[pos_])) ++pos_;
      if (pos_ >= xml_.size()) return;
      const char quote = xml_[pos_];
      std::size_t end;
      if (quote == '"' || quote == '\'') {
        ++pos_;
        end = std::min(xml_.find(quote, pos_), xml_.size());
      } else {
        end = pos_;
        while (end < xml_.size() && !is_space(xml_[end]) && xml_[end] != '>') ++end;
      }
      append_xml_decoded(xml_.substr(pos_, end - pos_), &a.value);
      pos_ = end + (end < xml_.size() && (quote == '"' || quote == '\''));
    }
  }
}

}  // namespace tomes::parse
