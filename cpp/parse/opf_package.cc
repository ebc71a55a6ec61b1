#include "parse/opf_package.h"

#include "parse/xml_scanner.h"

namespace tomes::parse {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Appends the segments of path to *segments: "" and "." dropped, ".." pops.
// False when ".." climbs above the root.
bool push_segments(std::string_view path, std::vector<std::string_view>* segments) {
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view seg = path.substr(pos, slash - pos);
    if (seg == "..") {
      if (segments->empty()) return false;
      segments->pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments->push_back(seg);
    }
    pos = slash + 1;
  }
  return true;
}

std::string joined(const std::vector<std::string_view>& segments) {
  std::string out;
  for (std::string_view seg : segments) {
    if (!out.empty()) out.push_back('/');
    out.append(seg);
  }
  return out;
}

bool has_scheme(std::string_view ref) {
  const std::size_t colon = ref.find(':');
  return colon != std::string_view::npos && ref.find('/') > colon;
}

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> container_rootfile(std::string_view container_xml) {
  XmlScanner scan(container_xml);
  XmlTag tag;
  std::optional<std::string> first;
  while (scan.next(&tag)) {
    if (tag.kind == XmlTag::Kind::kEnd || tag.name != "rootfile") continue;
    const std::string* path = tag.attribute("full-path");
    if (path == nullptr || path->empty()) continue;
    const std::string* type = tag.attribute("media-type");
    if (type != nullptr && ascii_iequal(trimmed(*type), "application/oebps-package+xml")) return *path;
    if (!first) first = *path;
  }
  return first;
}

OpfPackage parse_opf(std::string_view opf_xml) {
  OpfPackage package;
  XmlScanner scan(opf_xml);
  XmlTag tag;
  while (scan.next(&tag)) {
    if (tag.kind == XmlTag::Kind::kEnd) continue;
    if (tag.name == "item") {
      const std::string* id = tag.attribute("id");
      const std::string* href = tag.attribute("href");
      if (id == nullptr || href == nullptr) continue;
      const std::string* type = tag.attribute("media-type");
      package.manifest.emplace(*id, ManifestItem{*href, type ? *type : std::string()});
    } else if (tag.name == "itemref") {
      const std::string* idref = tag.attribute("idref");
      package.spine.push_back(idref ? *idref : std::string());
    } else if (tag.name == "spine") {
      package.has_spine = true;
    }
  }
  return package;
}

RefResolution resolve_root_path(std::string_view path, std::string* member) {
  std::vector<std::string_view> segments;
  if (!push_segments(path, &segments)) return RefResolution::kEscapesRoot;
  *member = joined(segments);
  return RefResolution::kInArchive;
}

RefResolution resolve_href(std::string_view opf_path, std::string_view href, std::string* member) {
  href = href.substr(0, href.find_first_of("#?"));
  if (has_scheme(href)) return RefResolution::kExternal;
  const std::string decoded = percent_decoded(href);
  std::vector<std::string_view> segments;
  if (decoded.empty() || decoded[0] != '/') {
    const std::size_t slash = opf_path.rfind('/');
    const std::string_view folder = slash == std::string_view::npos ? std::string_view() : opf_path.substr(0, slash);
    if (!push_segments(folder, &segments)) return RefResolution::kEscapesRoot;
  }
  if (!push_segments(decoded, &segments)) return RefResolution::kEscapesRoot;
  *member = joined(segments);
  return RefResolution::kInArchive;
}

bool is_html_media_type(std::string_view media_type, bool* xhtml) {
  const std::string_view type = trimmed(media_type.substr(0, media_type.find(';')));
  if (ascii_iequal(type, "application/xhtml+xml")) {
    *xhtml = true;
    return true;
  }
  if (ascii_iequal(type, "text/html")) {
    *xhtml = false;
    return true;
  }
  return false;
}

}  // namespace tomes::parse
