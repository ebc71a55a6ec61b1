#include "parse/epub.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "parse/html_text.h"
#include "parse/opf_package.h"
#include "parse/zip_archive.h"
#include "parse/zip_member.h"

namespace tomes::parse {

namespace {

constexpr std::uint64_t kMaxMetadataBytes = std::uint64_t{16} << 20;
constexpr char kContainerPath[] = "META-INF/container.xml";

Status reason(const std::string& text) { return Status::invalid_argument(text); }

// Reads members of one archive, counting what they inflate to against the
// book's budget; the buffers are reused from chapter to chapter.
class MemberReader {
 public:
  MemberReader(const ZipSource& source, std::uint64_t budget) : source_(source), budget_(budget) {}

  Status read(const ZipEntry& entry, std::uint64_t max_bytes, std::string* out) {
    // The member's own refusals first, so a bomb is named as one.
    if (Status s = check_member_supported(entry); !s.is_ok()) return s;
    if (Status s = check_member_size(entry, max_bytes); !s.is_ok()) return s;
    if (entry.uncompressed_size > budget_ - std::min(budget_, inflated_)) {
      return reason("zip bomb: the members inflate to more than " + std::to_string(budget_) + " bytes in all");
    }
    inflated_ += entry.uncompressed_size;
    return read_member(source_, entry, max_bytes, out, &scratch_);
  }

 private:
  const ZipSource& source_;
  std::uint64_t budget_;
  std::uint64_t inflated_ = 0;
  std::string scratch_;
};

// The OPF's member name and bytes, from container.xml.
Status read_package(const ZipArchive& zip, MemberReader* reader, std::string* opf_path, std::string* opf) {
  const ZipEntry* container = zip.find(kContainerPath);
  if (container == nullptr) return reason("EPUB without META-INF/container.xml");
  std::string xml;
  if (Status s = reader->read(*container, kMaxMetadataBytes, &xml); !s.is_ok()) return s;
  const std::optional<std::string> rootfile = container_rootfile(xml);
  if (!rootfile) return reason("EPUB container.xml names no package");
  if (resolve_root_path(*rootfile, opf_path) != RefResolution::kInArchive) {
    return reason("EPUB package path escapes the archive root");
  }
  const ZipEntry* entry = zip.find(*opf_path);
  if (entry == nullptr) return reason("EPUB package " + printable_member_name(*rootfile) + " not in the archive");
  return reader->read(*entry, kMaxMetadataBytes, opf);
}

// The member of a spine item, or the reason it has none (chapter level).
Result<const ZipEntry*> chapter_entry(const ZipArchive& zip, const std::string& opf_path, const ManifestItem& item) {
  std::string name;
  const std::string shown = printable_member_name(item.href);
  switch (resolve_href(opf_path, item.href, &name)) {
    case RefResolution::kExternal: return reason("EPUB chapter " + shown + " is outside the archive");
    case RefResolution::kEscapesRoot: return reason("EPUB chapter " + shown + " escapes the archive root");
    case RefResolution::kInArchive: break;
  }
  const ZipEntry* entry = zip.find(name);
  if (entry == nullptr) return reason("EPUB chapter " + shown + " not in the archive");
  if (Status s = check_member_supported(*entry); !s.is_ok()) return s;
  return entry;
}

// Where a chapter's text went in the book's text.
struct ChapterSpan {
  std::size_t start = 0;
  std::size_t size = 0;
  bool xhtml = false;
};

Status text_over_cap(std::uint64_t max_text_bytes) {
  return reason("the text is larger than the cap of " + std::to_string(max_text_bytes) + " bytes");
}

Result<std::string> spine_text(const ZipArchive& zip, MemberReader* reader, const std::string& opf_path,
                               const OpfPackage& package, std::uint64_t max_text_bytes) {
  std::string text, chapter;
  std::unordered_map<const ZipEntry*, ChapterSpan> earlier;  // chapters read, by member
  std::optional<Status> first_left_out;
  std::size_t html_items = 0, read = 0;
  for (const std::string& idref : package.spine) {
    const auto item = package.manifest.find(idref);
    if (item == package.manifest.end()) {
      if (!first_left_out) {
        first_left_out = reason("EPUB spine item " + printable_member_name(idref) + " not in the manifest");
      }
      continue;
    }
    HtmlOptions html;
    if (!is_html_media_type(item->second.media_type, &html.xhtml)) continue;
    ++html_items;
    Result<const ZipEntry*> entry = chapter_entry(zip, opf_path, item->second);
    if (!entry.is_ok()) {
      if (!first_left_out) first_left_out = entry.status();
      continue;
    }
    if (!text.empty() && text.back() != '\n' && text.size() < max_text_bytes) text.push_back('\n');
    const std::size_t start = text.size();
    const auto seen = earlier.find(entry.value());
    if (seen != earlier.end() && seen->second.xhtml == html.xhtml) {
      // A chapter the spine names again: its text again, without inflating
      // or parsing it again (a spine naming one chapter 800,000 times costs
      // the text cap, not 800,000 inflations).
      if (seen->second.size > max_text_bytes - start) return text_over_cap(max_text_bytes);
      text.append(std::string(text, seen->second.start, seen->second.size));
    } else {
      if (Status s = reader->read(*entry.value(), max_text_bytes, &chapter); !s.is_ok()) return s;
      html.max_text_bytes = max_text_bytes;
      if (Status s = append_html_text(chapter, html, &text); !s.is_ok()) return s;
      earlier[entry.value()] = ChapterSpan{start, text.size() - start, html.xhtml};
    }
    ++read;
  }
  if (read == 0 && first_left_out) return *first_left_out;
  if (html_items == 0) return reason("EPUB spine has no (X)HTML chapter");
  return text;
}

}  // namespace

Result<std::string> epub_text_of(const ZipSource& source, const EpubOptions& options) {
  Result<ZipArchive> zip = ZipArchive::open(source);
  if (!zip.is_ok()) return zip.status();
  const std::uint64_t cap = options.max_text_bytes;
  MemberReader reader(source, cap > UINT64_MAX / 4 ? UINT64_MAX : cap * 4);
  std::string opf_path, opf;
  if (Status s = read_package(zip.value(), &reader, &opf_path, &opf); !s.is_ok()) return s;
  const OpfPackage package = parse_opf(opf);
  opf.clear();
  if (!package.has_spine) return reason("EPUB package without a spine");
  if (package.spine.empty()) return reason("EPUB spine is empty");
  return spine_text(zip.value(), &reader, opf_path, package, cap);
}

Result<std::string> epub_text_of_bytes(std::string_view archive, const EpubOptions& options) {
  const MemorySource source(archive);
  return epub_text_of(source, options);
}

Result<std::string> epub_text(const std::string& path, const EpubOptions& options) {
  Result<std::unique_ptr<FileSource>> source = FileSource::open(path);
  if (!source.is_ok()) return source.status();
  return epub_text_of(*source.value(), options);
}

}  // namespace tomes::parse
