// opf_package.h: the two XML files that say where an EPUB's chapters are,
// and the resolution of their references to archive member names.
//
//   META-INF/container.xml  the first <rootfile> whose media-type is
//                           application/oebps-package+xml gives full-path,
//                           the OPF package (if none has that media-type,
//                           the first <rootfile> with a full-path)
//   the OPF package         <item id href media-type> (the manifest) and
//                           <itemref idref> in document order (the spine);
//                           namespaced tags (opf:item) count, by local name
//
// Both are read with xml_scanner.h: no entity is expanded, no external
// resource is read, malformed markup gives what could be found. Both are
// taken as UTF-8 (or ASCII-compatible): a UTF-16 OPF shows no tags, so its
// book is skipped ("EPUB package without a spine").
//
// References are resolved inside the archive only:
//   * full-path is a path from the archive root (OCF): "./" and "../"
//     resolved, no percent-decoding;
//   * an href is a URL relative to the OPF: the fragment ("#...") and query
//     ("?...") dropped, percent-decoded (%XX; a '%' not followed by two hex
//     digits stays), then resolved against the OPF's folder: empty and "."
//     segments dropped, ".." removes the segment before it. A leading '/' is
//     the archive root (URL semantics: the root of the container).
//   * a reference with a URL scheme ("http:", "file:"; a ':' before any '/')
//     is not in the archive; one whose ".." climbs above the archive root is
//     refused. Both give no member name (see resolve_* below).
// The result is only ever looked up in the archive's member table: it is
// never a file-system path.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tomes::parse {

// The OPF's path in the archive, as written in container.xml (unresolved),
// or nullopt when no <rootfile> has a full-path.
std::optional<std::string> container_rootfile(std::string_view container_xml);

struct ManifestItem {
  std::string href;        // as written, decoded XML attribute
  std::string media_type;  // as written
};

struct OpfPackage {
  std::unordered_map<std::string, ManifestItem> manifest;  // by id; the first item of an id wins
  std::vector<std::string> spine;                          // idrefs, in order (linear="no" included)
  bool has_spine = false;                                   // a <spine> element was seen
};

OpfPackage parse_opf(std::string_view opf_xml);

// How a reference resolved.
enum class RefResolution { kInArchive, kExternal, kEscapesRoot };

// Resolves a full-path from the archive root into *member.
RefResolution resolve_root_path(std::string_view path, std::string* member);

// Resolves href, relative to the OPF at opf_path, into *member.
RefResolution resolve_href(std::string_view opf_path, std::string_view href, std::string* member);

// True for the media types of chapters we read: application/xhtml+xml
// (*xhtml = true) and text/html (*xhtml = false); ASCII case-insensitive,
// parameters (";charset=...") ignored.
bool is_html_media_type(std::string_view media_type, bool* xhtml);

}  // namespace tomes::parse
