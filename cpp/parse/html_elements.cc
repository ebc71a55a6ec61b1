#include "parse/html_elements.h"

#include <array>
#include <cstring>

namespace tomes::parse {

namespace {

struct Named {
  const char* name;
  HtmlElement kind;
};

constexpr Named kElements[] = {
    {"address", HtmlElement::kBlock},    {"article", HtmlElement::kBlock},   {"aside", HtmlElement::kBlock},
    {"audio", HtmlElement::kBlock},      {"blockquote", HtmlElement::kBlock}, {"body", HtmlElement::kBody},
    {"br", HtmlElement::kBlock},         {"button", HtmlElement::kBlock},    {"canvas", HtmlElement::kBlock},
    {"caption", HtmlElement::kBlock},    {"center", HtmlElement::kBlock},    {"dd", HtmlElement::kBlock},
    {"details", HtmlElement::kBlock},    {"dialog", HtmlElement::kBlock},    {"dir", HtmlElement::kBlock},
    {"div", HtmlElement::kBlock},        {"dl", HtmlElement::kBlock},        {"dt", HtmlElement::kBlock},
    {"embed", HtmlElement::kBlock},      {"fieldset", HtmlElement::kBlock},  {"figcaption", HtmlElement::kBlock},
    {"figure", HtmlElement::kBlock},     {"footer", HtmlElement::kBlock},    {"form", HtmlElement::kBlock},
    {"frame", HtmlElement::kBlock},      {"frameset", HtmlElement::kBlock},  {"h1", HtmlElement::kBlock},
    {"h2", HtmlElement::kBlock},         {"h3", HtmlElement::kBlock},        {"h4", HtmlElement::kBlock},
    {"h5", HtmlElement::kBlock},         {"h6", HtmlElement::kBlock},        {"header", HtmlElement::kBlock},
    {"hgroup", HtmlElement::kBlock},     {"hr", HtmlElement::kBlock},        {"html", HtmlElement::kBlock},
    {"iframe", HtmlElement::kBlock},     {"img", HtmlElement::kBlock},       {"input", HtmlElement::kBlock},
    {"legend", HtmlElement::kBlock},     {"li", HtmlElement::kBlock},        {"listing", HtmlElement::kBlock},
    {"main", HtmlElement::kBlock},       {"math", HtmlElement::kBlock},      {"menu", HtmlElement::kBlock},
    {"nav", HtmlElement::kBlock},        {"object", HtmlElement::kBlock},    {"ol", HtmlElement::kBlock},
    {"optgroup", HtmlElement::kBlock},   {"option", HtmlElement::kBlock},    {"p", HtmlElement::kBlock},
    {"plaintext", HtmlElement::kBlock},  {"pre", HtmlElement::kBlock},       {"section", HtmlElement::kBlock},
    {"select", HtmlElement::kBlock},     {"summary", HtmlElement::kBlock},   {"svg", HtmlElement::kBlock},
    {"table", HtmlElement::kBlock},      {"tbody", HtmlElement::kBlock},     {"td", HtmlElement::kBlock},
    {"textarea", HtmlElement::kBlock},   {"tfoot", HtmlElement::kBlock},     {"th", HtmlElement::kBlock},
    {"thead", HtmlElement::kBlock},      {"title", HtmlElement::kBlock},     {"tr", HtmlElement::kBlock},
    {"ul", HtmlElement::kBlock},         {"video", HtmlElement::kBlock},     {"xmp", HtmlElement::kBlock},
    {"head", HtmlElement::kHead},        {"noscript", HtmlElement::kNoscript}, {"template", HtmlElement::kTemplate},
    {"script", HtmlElement::kScript},    {"style", HtmlElement::kStyle},
};

constexpr std::size_t kSlots = 256;  // a power of two, over 3x the names

std::size_t slot_of(const char* lower, std::size_t n) {
  std::uint32_t h = 2166136261u;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(lower[i])) * 16777619u;
  return h & (kSlots - 1);
}

// Open addressing over kElements, built once: every tag costs a hash and a
// compare or two, not a search.
struct Table {
  std::array<std::int16_t, kSlots> slot;
  Table() {
    slot.fill(-1);
    for (std::size_t i = 0; i < std::size(kElements); ++i) {
      std::size_t s = slot_of(kElements[i].name, std::strlen(kElements[i].name));
      while (slot[s] >= 0) s = (s + 1) & (kSlots - 1);
      slot[s] = static_cast<std::int16_t>(i);
    }
  }
};

}  // namespace

HtmlElement classify_element(std::string_view name) {
  if (name.empty() || name.size() > kMaxKnownElementName) return HtmlElement::kInline;
  char lower[kMaxKnownElementName];
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  static const Table table;
  for (std::size_t s = slot_of(lower, name.size());; s = (s + 1) & (kSlots - 1)) {
    const int i = table.slot[s];
    if (i < 0) return HtmlElement::kInline;
    const char* known = kElements[i].name;
    if (std::strlen(known) == name.size() && std::memcmp(known, lower, name.size()) == 0) return kElements[i].kind;
  }
}

}  // namespace tomes::parse
