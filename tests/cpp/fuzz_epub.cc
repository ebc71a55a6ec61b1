// fuzz_epub.cc: a fuzz target for the EPUB reader (cpp/parse/epub.h) and
// what it stands on: the zip reader (zip_archive.h, zip_member.h), the XML
// scanner (xml_scanner.h) and container/OPF/href handling (opf_package.h).
// The contract under test: nothing an archive holds may crash, read out of
// bounds, hang or exhaust memory; the text is valid UTF-8 and within the
// cap; a refusal is InvalidArgument with a one-line, valid UTF-8 reason.
//
// Random bytes rarely get past the zip layer, so most modes build a valid
// zip around the fuzzer's bytes:
//
//   "PK..."   the input is the archive as it is (seeds are real EPUBs and
//             hostile fixtures); the cap is 1 MiB.
//   Otherwise the first byte picks a mode, the second the cap (256 << k
//   bytes, k < 13) and the third the zip options (stored/deflated members,
//   data descriptors, ZIP64 extras and end record, the default container):
//   mode 0    raw: the rest is the archive.
//   mode 1-5  structured: the rest, split at "@@", is container.xml, the
//             OPF (at OEBPS/content.opf) and chapters OEBPS/c0.xhtml,
//             OEBPS/c1.xhtml, ...; built into a valid zip.
//   mode 6-7  structured, then damaged: the last 4 bytes of every 16 at the
//             end of the input (if any) are (offset, byte) edits of the
//             built archive, so headers, sizes and CRCs are hit after the
//             zip is valid.
// Each input is also given to the XML scanner, container_rootfile and
// parse_opf directly, and each href found to resolve_href.
//
// Build and replay as fuzz_fst.cc (TOMES_FUZZ_REPLAY, ctest fuzz_epub_replay);
// failing inputs go to TOMES_FUZZ_ARTIFACT_DIR as fuzz_epub-failure-*.bin.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/utf8.h"
#include "parse/epub.h"
#include "parse/opf_package.h"
#include "parse/xml_scanner.h"


#include "fuzz_harness.h"
#include "test_zip_writer.h"

using namespace tomes;
using namespace tomes::parse;

namespace tomes::fuzz {

const char* const kTargetName = "fuzz_epub";

// Strict UTF-8: every U+FFFD decoded must be a real EF BF BD.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    char32_t cp;
    const std::size_t n = utf8::decode(p, end, &cp);
    if (cp == utf8::kReplacement && n != 3) return false;
    p += n;
  }
  return true;
}

// The archive of members, by test_zip_writer.h: deflated or stored, with
// data descriptors, with ZIP64 extras and end record.
struct Options {
  bool deflate;      // else stored
  bool descriptors;  // flag bit 3, sizes after the data
  bool zip64;        // ZIP64 extras and end record
};

std::string build_zip(const std::vector<std::pair<std::string, std::string>>& members, const Options& o) {
  std::vector<test::TestMember> written;
  for (const auto& [name, data] : members) {
    test::TestMember m;
    m.name = name;
    m.data = data;
    m.method = o.deflate ? 8 : 0;
    m.flags = o.descriptors ? 8 : 0;
    m.zip64_extra = o.zip64;
    written.push_back(std::move(m));
  }
  test::TestZipOptions options;
  options.zip64_end = o.zip64;
  return test::build_zip(written, options);
}

constexpr char kDefaultContainer[] =
    "<?xml version=\"1.0\"?><container><rootfiles><rootfile full-path=\"OEBPS/content.opf\" "
    "media-type=\"application/oebps-package+xml\"/></rootfiles></container>";

// --- The checks ------------------------------------------------------------------

void check_epub(std::string_view archive, std::uint64_t cap) {
  EpubOptions options;
  options.max_text_bytes = cap;
  Result<std::string> text = epub_text_of_bytes(archive, options);
  if (text.is_ok()) {
    FUZZ_CHECK(text.value().size() <= cap);
    FUZZ_CHECK(valid_utf8(text.value()));
  } else {
    const std::string& reason = text.status().message();
    FUZZ_CHECK(text.status().code() == Status::Code::kInvalidArgument);
    FUZZ_CHECK(!reason.empty() && reason.size() < 400);
    FUZZ_CHECK(reason.find('\n') == std::string::npos);
    FUZZ_CHECK(valid_utf8(reason));
  }
}

// The XML layer alone: every tag's name and attributes lie in or come from
// the input; hrefs resolve to normalized names or are refused.
void check_xml(std::string_view xml) {
  XmlScanner scan(xml);
  XmlTag tag;
  std::size_t tags = 0;
  while (scan.next(&tag)) {
    FUZZ_CHECK(++tags <= xml.size());  // each tag takes at least one byte
    FUZZ_CHECK(tag.name.data() >= xml.data() && tag.name.data() + tag.name.size() <= xml.data() + xml.size());
    for (const XmlAttribute& a : tag.attributes) FUZZ_CHECK(a.value.size() <= xml.size() * 4);
  }
  (void)container_rootfile(xml);
  const OpfPackage package = parse_opf(xml);
  for (const auto& [id, item] : package.manifest) {
    std::string member;
    if (resolve_href("OEBPS/content.opf", item.href, &member) == RefResolution::kInArchive) {
      FUZZ_CHECK(member.empty() || (member.front() != '/' && member.back() != '/'));
      FUZZ_CHECK(member.find("//") == std::string::npos);
      FUZZ_CHECK(member != ".." && member.rfind("../", 0) != 0 && member.find("/../") == std::string::npos);
    }
  }
}

std::vector<std::string_view> split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t at = s.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(s.substr(0, at));
    s.remove_prefix(at + sep.size());
  }
  out.push_back(s);
  return out;
}

void run_structured(std::string_view rest, std::uint64_t cap, std::uint8_t control, bool damage) {
  std::vector<std::pair<std::size_t, std::uint8_t>> edits;
  if (damage) {
    // Edits from the tail: (3-byte offset, byte), 4 bytes each, at most 8.
    const std::size_t n = std::min<std::size_t>(rest.size() / 16, 8);
    for (std::size_t i = 0; i < n; ++i) {
      const auto* e = reinterpret_cast<const unsigned char*>(rest.data() + rest.size() - 4 * (i + 1));
      edits.emplace_back(e[0] | (e[1] << 8) | (e[2] << 16), e[3]);
    }
    rest.remove_suffix(4 * n);
  }
  const std::vector<std::string_view> pieces = split(rest, "@@");
  const Options o{(control & 1) != 0, (control & 2) != 0, (control & 4) != 0};
  std::vector<std::pair<std::string, std::string>> members;
  members.emplace_back("mimetype", "application/epub+zip");
  std::size_t next = 0;
  if (control & 8) {
    members.emplace_back("META-INF/container.xml", kDefaultContainer);
  } else {
    members.emplace_back("META-INF/container.xml", std::string(pieces[next++]));
  }
  if (next < pieces.size()) members.emplace_back("OEBPS/content.opf", std::string(pieces[next++]));
  for (std::size_t c = 0; next < pieces.size(); ++c) {
    members.emplace_back("OEBPS/c" + std::to_string(c) + ".xhtml", std::string(pieces[next++]));
  }
  if (control & 16) std::reverse(members.begin() + 1, members.end());
  std::string zip = build_zip(members, o);
  for (const auto& [at, byte] : edits) {
    if (!zip.empty()) zip[at % zip.size()] = static_cast<char>(byte);
  }
  for (std::string_view piece : pieces) check_xml(piece);
  check_epub(zip, cap);
}

void run_one(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
    check_epub(input, std::uint64_t{1} << 20);
    return;
  }
  if (size < 3) return;
  const std::uint8_t mode = data[0] % 8;
  const std::uint64_t cap = std::uint64_t{256} << (data[1] % 13);
  const std::uint8_t control = data[2];
  const std::string_view rest = input.substr(3);
  if (mode == 0) {
    check_epub(rest, cap);
    check_xml(rest);
  } else {
    run_structured(rest, cap, control, mode >= 6);
  }
}

}  // namespace tomes::fuzz

#ifdef TOMES_FUZZ_REPLAY
namespace tomes::fuzz {

// A random input: bytes, a corpus file mutated, or a structured recipe.
std::string random_input(std::mt19937_64& rng, const std::vector<std::string>& corpus) {
  auto byte = [&] { return static_cast<char>(rng() & 0xFF); };
  std::string input;
  const unsigned kind = rng() % 8;
  if (kind < 3 || corpus.empty()) {
    // Fresh: a structured recipe of XML-ish pieces joined by "@@".
    static const char* const kPieces[] = {
        "<rootfile full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/>",
        "<item id=\"a\" href=\"c0.xhtml\" media-type=\"application/xhtml+xml\"/>",
        "<item id=\"b\" href=\"c1.xhtml#x\" media-type=\"text/html\"/>",
        "<spine>", "<itemref idref=\"a\"/>", "<itemref idref=\"b\"/>", "</spine>", "<p>word</p>",
        "<!DOCTYPE x [<!ENTITY e \"&e;&e;\">]>", "<!--", "-->", "<![CDATA[", "&amp;", "&#x41;", "<br/>",
        "@@", "../", "%2e%2e/", "<", ">", "\"", "\xC3\xA9", "\xFF"};
    input.push_back(static_cast<char>(1 + rng() % 7));
    input.push_back(static_cast<char>(rng() % 13));
    input.push_back(static_cast<char>(rng() & 0xFF));
    const std::size_t n = rng() % 24;
    for (std::size_t i = 0; i < n; ++i) {
      if (rng() % 4 == 0) input.push_back(byte());
      else input += kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))];
    }
    return input;
  }
  return mutate(corpus[rng() % corpus.size()], rng, corpus);
}

}  // namespace tomes::fuzz
#endif  // TOMES_FUZZ_REPLAY
