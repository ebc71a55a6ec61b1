#include "parse/html_charset.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace tomes::parse {

namespace {

constexpr std::size_t kPrescanBytes = 1024;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != b[i]) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::size_t at, std::string_view prefix) {
  return s.size() - std::min(at, s.size()) >= prefix.size() && iequals(s.substr(at, prefix.size()), prefix);
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// One attribute of a tag being scanned: name and value as written.
struct Attribute {
  std::string_view name, value;
};

// Reads the attribute at *i (HTML5 "get an attribute", simplified); false at
// the tag's end ('>' or the end of the window), *i then past the '>'.
bool next_attribute(std::string_view s, std::size_t* i, Attribute* a) {
  std::size_t p = *i;
  while (p < s.size() && (is_space(s[p]) || s[p] == '/')) ++p;
  if (p >= s.size() || s[p] == '>') {
    *i = p + 1;
    return false;
  }
  const std::size_t name_start = p;
  while (p < s.size() && !is_space(s[p]) && s[p] != '/' && s[p] != '>' && (s[p] != '=' || p == name_start)) ++p;
  a->name = s.substr(name_start, p - name_start);
  a->value = {};
  p = skip_spaces(s, p);
  if (p < s.size() && s[p] == '=') {
    p = skip_spaces(s, p + 1);
    if (p < s.size() && (s[p] == '"' || s[p] == '\'')) {
      const std::size_t close = s.find(s[p], p + 1);
      const std::size_t value_end = close == std::string_view::npos ? s.size() : close;
      a->value = s.substr(p + 1, value_end - p - 1);
      p = value_end + 1;
    } else {
      const std::size_t value_start = p;
      while (p < s.size() && !is_space(s[p]) && s[p] != '>') ++p;
      a->value = s.substr(value_start, p - value_start);
    }
  }
  *i = p;
  return true;
}

// The label after "charset=" in a Content-Type value, or empty.
std::string_view charset_in_content(std::string_view content) {
  for (std::size_t at = 0; at + 7 <= content.size(); ++at) {
    if (!istarts_with(content, at, "charset")) continue;
    std::size_t p = skip_spaces(content, at + 7);
    if (p >= content.size() || content[p] != '=') continue;
    p = skip_spaces(content, p + 1);
    if (p < content.size() && (content[p] == '"' || content[p] == '\'')) {
      const std::size_t close = content.find(content[p], p + 1);
      if (close == std::string_view::npos) return {};
      return content.substr(p + 1, close - p - 1);
    }
    std::size_t e = p;
    while (e < content.size() && !is_space(content[e]) && content[e] != ';') ++e;
    return content.substr(p, e - p);
  }
  return {};
}

// The label a <meta> tag declares (its attributes start at *i), or empty.
std::string_view meta_label(std::string_view s, std::size_t* i) {
  std::string_view charset, content;
  bool pragma = false;
  Attribute a;
  while (next_attribute(s, i, &a)) {
    if (iequals(a.name, "charset")) {
      if (charset.empty()) charset = a.value;
    } else if (iequals(a.name, "content")) {
      if (content.empty()) content = a.value;
    } else if (iequals(a.name, "http-equiv")) {
      pragma = pragma || iequals(a.value, "content-type");
    }
  }
  if (!charset.empty()) return charset;
  return pragma ? charset_in_content(content) : std::string_view{};
}

// XML's encoding="..." in a declaration at offset 0, or empty.
std::string_view xml_declared_label(std::string_view s) {
  if (s.substr(0, 6) != "<?xml " && s.substr(0, 6) != "<?xml\t" && s.substr(0, 6) != "<?xml\n" &&
      s.substr(0, 6) != "<?xml\r") {
    return {};
  }
  const std::size_t close = s.find("?>");
  const std::string_view decl = s.substr(0, close);
  const std::size_t at = decl.find("encoding");
  if (at == std::string_view::npos) return {};
  std::size_t p = skip_spaces(decl, at + 8);
  if (p >= decl.size() || decl[p] != '=') return {};
  p = skip_spaces(decl, p + 1);
  if (p >= decl.size() || (decl[p] != '"' && decl[p] != '\'')) return {};
  const std::size_t end = decl.find(decl[p], p + 1);
  if (end == std::string_view::npos) return {};
  return decl.substr(p + 1, end - p - 1);
}

// HTML5's prescan for <meta>: the first label it knows, or nullopt.
std::optional<TextEncoding> prescan_meta(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t lt = s.find('<', i);
    if (lt == std::string_view::npos) break;
    if (s.compare(lt, 4, "<!--") == 0) {
      const std::size_t close = s.find("-->", lt + 4);
      if (close == std::string_view::npos) break;
      i = close + 3;
    } else if (istarts_with(s, lt, "<meta") && lt + 5 < s.size() && (is_space(s[lt + 5]) || s[lt + 5] == '/')) {
      i = lt + 5;
      const std::optional<TextEncoding> e = html_encoding_of_label(meta_label(s, &i));
      if (e) return e;
    } else {
      // Another tag, an end tag, "<!" or "<?": only its '<' is passed over
      // (a "<meta" inside another tag's attribute value would be taken for a
      // meta; pages do not do that).
      i = lt + 1;
    }
  }
  return std::nullopt;
}

constexpr const char* kUtf8Labels[] = {"unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8",
                                        "x-unicode20utf8"};
constexpr const char* kWindows1252Labels[] = {
    "ansi_x3.4-1968", "ascii",    "cp1252",          "cp819",    "csisolatin1", "ibm819",
    "iso-8859-1",     "iso-ir-100", "iso8859-1",     "iso88591", "iso_8859-1",  "iso_8859-1:1987",
    "l1",             "latin1",   "us-ascii",        "windows-1252", "x-cp1252"};
constexpr const char* kUtf16Labels[] = {"csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff",
                                         "utf-16", "utf-16le", "unicodefffe", "utf-16be"};

template <std::size_t N>
bool listed(std::string_view label, const char* const (&labels)[N]) {
  for (const char* l : labels) {
    if (iequals(label, l)) return true;
  }
  return false;
}

}  // namespace

std::optional<TextEncoding> html_encoding_of_label(std::string_view label) {
  std::size_t b = 0, e = label.size();
  while (b < e && is_space(label[b])) ++b;
  while (e > b && is_space(label[e - 1])) --e;
  label = label.substr(b, e - b);
  if (label.empty()) return std::nullopt;
  if (listed(label, kUtf8Labels) || listed(label, kUtf16Labels)) return TextEncoding::kUtf8;
  if (listed(label, kWindows1252Labels)) return TextEncoding::kCp1252;
  return std::nullopt;
}

TextEncoding sniff_html_encoding(std::string_view bytes, TextEncoding fallback, bool* declared) {
  bool scratch;
  if (declared == nullptr) declared = &scratch;
  *declared = true;
  const std::string_view head = bytes.substr(0, kPrescanBytes);
  const std::string_view xml = xml_declared_label(head);
  if (!xml.empty()) {
    if (const std::optional<TextEncoding> e = html_encoding_of_label(xml)) return *e;
  }
  if (const std::optional<TextEncoding> e = prescan_meta(head)) return *e;
  *declared = false;
  return fallback;
}

}  // namespace tomes::parse
