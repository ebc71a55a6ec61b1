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
#include <zlib.h>

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

// --- A zip writer (the same layout as tests/cpp/test_zip_writer.h, kept
// here so the target compiles alone) ---------------------------------------------

void put16(std::string* s, std::uint32_t v) {
  s->push_back(static_cast<char>(v & 0xFF));
  s->push_back(static_cast<char>((v >> 8) & 0xFF));
}
void put32(std::string* s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}
void put64(std::string* s, std::uint64_t v) {
  put32(s, static_cast<std::uint32_t>(v));
  put32(s, static_cast<std::uint32_t>(v >> 32));
}

std::string raw_deflate(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(&out[0]);
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct Options {
  bool deflate;      // else stored
  bool descriptors;  // flag bit 3, sizes after the data
  bool zip64;        // ZIP64 extras and end record
};

std::string build_zip(const std::vector<std::pair<std::string, std::string>>& members, const Options& o) {
  std::string out, central;
  for (const auto& [name, data] : members) {
    const std::string body = o.deflate ? raw_deflate(data) : data;
    const std::uint32_t crc = static_cast<std::uint32_t>(
        ::crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const std::uint64_t offset = out.size();
    const std::uint16_t flags = o.descriptors ? 8 : 0;
    const std::uint16_t method = o.deflate ? 8 : 0;
    put32(&out, 0x04034b50);
    put16(&out, 20);
    put16(&out, flags);
    put16(&out, method);
    put32(&out, 0);
    put32(&out, o.descriptors ? 0 : crc);
    put32(&out, o.descriptors ? 0 : static_cast<std::uint32_t>(body.size()));
    put32(&out, o.descriptors ? 0 : static_cast<std::uint32_t>(data.size()));
    put16(&out, static_cast<std::uint32_t>(name.size()));
    put16(&out, 0);
    out += name;
    out += body;
    if (o.descriptors) {
      put32(&out, 0x08074b50);
      put32(&out, crc);
      put32(&out, static_cast<std::uint32_t>(body.size()));
      put32(&out, static_cast<std::uint32_t>(data.size()));
    }
    std::string extra;
    if (o.zip64) {
      put16(&extra, 1);
      put16(&extra, 24);
      put64(&extra, data.size());
      put64(&extra, body.size());
      put64(&extra, offset);
    }
    put32(&central, 0x02014b50);
    put16(&central, 45);
    put16(&central, 45);
    put16(&central, flags);
    put16(&central, method);
    put32(&central, 0);
    put32(&central, crc);
    put32(&central, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(body.size()));
    put32(&central, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(data.size()));
    put16(&central, static_cast<std::uint32_t>(name.size()));
    put16(&central, static_cast<std::uint32_t>(extra.size()));
    put16(&central, 0);
    put16(&central, 0);
    put16(&central, 0);
    put32(&central, 0);
    put32(&central, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(offset));
    central += name;
    central += extra;
  }
  const std::uint64_t cd_offset = out.size();
  out += central;
  if (o.zip64) {
    const std::uint64_t record = out.size();
    put32(&out, 0x06064b50);
    put64(&out, 44);
    put16(&out, 45);
    put16(&out, 45);
    put32(&out, 0);
    put32(&out, 0);
    put64(&out, members.size());
    put64(&out, members.size());
    put64(&out, central.size());
    put64(&out, cd_offset);
    put32(&out, 0x07064b50);
    put32(&out, 0);
    put64(&out, record);
    put32(&out, 1);
  }
  put32(&out, 0x06054b50);
  put32(&out, 0);
  const std::uint32_t count = o.zip64 ? 0xFFFF : static_cast<std::uint32_t>(members.size() & 0xFFFF);
  put16(&out, count);
  put16(&out, count);
  put32(&out, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(central.size()));
  put32(&out, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(cd_offset));
  put16(&out, 0);
  return out;
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
