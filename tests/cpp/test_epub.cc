// The EPUB reader (parse/epub.h) and its XML and reference helpers
// (xml_scanner.h, opf_package.h) on EPUBs built in the test: chapters come
// out in spine order whatever the zip and manifest order; every documented
// refusal gives its reason; entities are never expanded. Chapter text goes
// through html_text.h, so checks look at the order of marker words, not at
// exact spacing.
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "parse/epub.h"
#include "parse/opf_package.h"
#include "parse/xml_scanner.h"
#include "test_zip_writer.h"

using tomes::Result;
using tomes::parse::EpubOptions;
using tomes::parse::RefResolution;
using tomes::parse::XmlScanner;
using tomes::parse::XmlTag;
using tomes::test::build_zip;
using tomes::test::TestItem;
using tomes::test::TestMember;
using tomes::test::make_member;
using tomes::test::test_chapter;
using tomes::test::test_container;
using tomes::test::test_opf;

namespace {

// The text, or "error: <reason>".
std::string epub(const std::string& zip, std::uint64_t cap = std::uint64_t{256} << 20) {
  EpubOptions options;
  options.max_text_bytes = cap;
  Result<std::string> text = tomes::parse::epub_text_of_bytes(zip, options);
  return text.is_ok() ? text.value() : "error: " + text.status().message();
}

// The marker words (lower-case words starting with "w") of text, in order.
std::vector<std::string> markers(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text + " ") {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word.push_back(c);
    } else {
      if (word.size() > 1 && word[0] == 'w') out.push_back(word);
      word.clear();
    }
  }
  return out;
}

using Words = std::vector<std::string>;

// An EPUB with the OPF at opf_path: items, spine, and chapter members
// (name, words) placed in the order given.
std::string book(const std::string& opf_path, const std::vector<TestItem>& items, const std::vector<std::string>& spine,
                 const std::vector<std::pair<std::string, std::string>>& chapters) {
  std::vector<TestMember> members = {make_member("mimetype", "application/epub+zip", 0),
                                     make_member("META-INF/container.xml", test_container(opf_path)),
                                     make_member(opf_path, test_opf(items, spine))};
  for (const auto& [name, words] : chapters) members.push_back(make_member(name, test_chapter(words)));
  return build_zip(members);
}

}  // namespace

// --- XML ------------------------------------------------------------------------

TEST_CASE("xml: tags, local names, attributes, kinds") {
  XmlScanner scan(
      "<?xml version='1.0'?><!-- <item id='no'/> --><opf:package a=1 b = \"two\" c>"
      "<![CDATA[<item id='no'/>]]><item id='x' href=\"h\"/></opf:package><br/>< notatag <");
  XmlTag tag;
  CHECK(scan.next(&tag));
  CHECK_EQ(std::string(tag.name), "package");
  CHECK(tag.kind == XmlTag::Kind::kStart);
  CHECK_EQ(tag.attributes.size(), std::size_t{3});
  CHECK_EQ(*tag.attribute("a"), "1");
  CHECK_EQ(*tag.attribute("b"), "two");
  CHECK_EQ(*tag.attribute("c"), "");
  CHECK(scan.next(&tag));
  CHECK_EQ(std::string(tag.name), "item");
  CHECK(tag.kind == XmlTag::Kind::kEmpty);
  CHECK_EQ(*tag.attribute("href"), "h");
  CHECK(scan.next(&tag));
  CHECK(tag.kind == XmlTag::Kind::kEnd);
  CHECK_EQ(std::string(tag.name), "package");
  CHECK(scan.next(&tag));
  CHECK_EQ(std::string(tag.name), "br");
  CHECK(!scan.next(&tag));
  CHECK(!scan.next(&tag));
}

TEST_CASE("xml: only predefined and numeric references are decoded") {
  std::string out;
  tomes::parse::append_xml_decoded("a&lt;b&gt;&amp;&quot;&apos;&#65;&#x42;&#X43;&lol9;&;&#;&#xZ;& x", &out);
  CHECK_EQ(out, "a<b>&\"'ABC&lol9;&;&#;&#xZ;& x");
  out.clear();
  tomes::parse::append_xml_decoded("&#0;&#xD800;&#x110000;&#99999999999999999999;&#233;", &out);
  CHECK_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9");
}

TEST_CASE("xml: a DOCTYPE with entities (billion laughs, XXE) is skipped, never expanded") {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
      " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
      " <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n <!-- a ] and a > in a comment -->\n"
      " <!ENTITY gt2 \"a > b\">\n]>\n<rootfile full-path=\"&lol2;&xxe;\" media-type=\"x\"/>";
  XmlScanner scan(xml);
  XmlTag tag;
  CHECK(scan.next(&tag));
  CHECK_EQ(std::string(tag.name), "rootfile");
  CHECK_EQ(*tag.attribute("full-path"), "&lol2;&xxe;");
  CHECK(!scan.next(&tag));
}

TEST_CASE("xml: unterminated constructs end the scan") {
  for (const char* xml : {"<!-- never closed <a/>", "<![CDATA[ <a/>", "<? <a/>", "<!DOCTYPE [ <a/>", "<a b=\"x"}) {
    XmlScanner scan(xml);
    XmlTag tag;
    int n = 0;
    while (scan.next(&tag) && n < 10) ++n;
    CHECK(n <= 1);
  }
  // 100,000 nested tags: iterative, each seen once.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<d>";
  XmlScanner scan(deep);
  XmlTag tag;
  int n = 0;
  while (scan.next(&tag)) ++n;
  CHECK_EQ(n, 100000);
}

// --- References -----------------------------------------------------------------

std::string href(const std::string& opf, const std::string& ref) {
  std::string member;
  switch (tomes::parse::resolve_href(opf, ref, &member)) {
    case RefResolution::kInArchive: return member;
    case RefResolution::kExternal: return "<external>";
    case RefResolution::kEscapesRoot: return "<escapes>";
  }
  return "";
}

TEST_CASE("hrefs: relative to the OPF, percent-decoded, inside the archive") {
  CHECK_EQ(href("OEBPS/content.opf", "text/ch1.xhtml"), "OEBPS/text/ch1.xhtml");
  CHECK_EQ(href("OEBPS/content.opf", "text/ch%201.xhtml#part2"), "OEBPS/text/ch 1.xhtml");
  CHECK_EQ(href("OEBPS/content.opf", "ch%C3%A9.xhtml?x=1"), "OEBPS/ch\xC3\xA9.xhtml");
  CHECK_EQ(href("OEBPS/content.opf", "100%.xhtml"), "OEBPS/100%.xhtml");
  CHECK_EQ(href("OEBPS/content.opf", "./a/./b/../c.xhtml"), "OEBPS/a/c.xhtml");
  CHECK_EQ(href("OEBPS/content.opf", "../x.html"), "x.html");
  CHECK_EQ(href("OEBPS/content.opf", "../../etc/passwd"), "<escapes>");
  CHECK_EQ(href("OEBPS/content.opf", "%2E%2E/%2E%2E/etc/passwd"), "<escapes>");
  CHECK_EQ(href("OEBPS/content.opf", "/etc/passwd"), "etc/passwd");
  CHECK_EQ(href("content.opf", "a//b.xhtml"), "a/b.xhtml");
  CHECK_EQ(href("content.opf", "http://example.com/a.xhtml"), "<external>");
  CHECK_EQ(href("content.opf", "file:///etc/passwd"), "<external>");
  CHECK_EQ(href("a/b/c.opf", "d:e/f.xhtml"), "<external>");
  CHECK_EQ(href("a/b/c.opf", "e/d:f.xhtml"), "a/b/e/d:f.xhtml");
  std::string member;
  CHECK(tomes::parse::resolve_root_path("./OEBPS//content.opf", &member) == RefResolution::kInArchive);
  CHECK_EQ(member, "OEBPS/content.opf");
  CHECK(tomes::parse::resolve_root_path("../content.opf", &member) == RefResolution::kEscapesRoot);
}

TEST_CASE("container.xml: the first package rootfile; the OPF's manifest and spine") {
  CHECK_EQ(*tomes::parse::container_rootfile(
               "<rootfiles><rootfile full-path=\"a.pdf\" media-type=\"application/pdf\"/>"
               "<ocf:rootfile full-path=\"b.opf\" media-type=\" Application/OEBPS-package+xml \"/>"
               "<rootfile full-path=\"c.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles>"),
           "b.opf");
  CHECK_EQ(*tomes::parse::container_rootfile("<rootfile full-path=\"a.opf\"/>"), "a.opf");
  CHECK(!tomes::parse::container_rootfile("<rootfile media-type=\"application/oebps-package+xml\"/>"));
  const tomes::parse::OpfPackage p = tomes::parse::parse_opf(
      "<opf:package><opf:manifest><opf:item id=\"b\" href=\"b&amp;c.xhtml\" media-type=\"text/html\"/>"
      "<item id=\"a\" href=\"a.xhtml\"/><item id=\"a\" href=\"dup.xhtml\"/></opf:manifest>"
      "<opf:spine toc=\"ncx\"><opf:itemref idref=\"b\"/><itemref idref=\"a\" linear=\"no\"/><itemref/></opf:spine>"
      "</opf:package>");
  CHECK(p.has_spine);
  CHECK_EQ(p.manifest.size(), std::size_t{2});
  CHECK_EQ(p.manifest.at("b").href, "b&c.xhtml");
  CHECK_EQ(p.manifest.at("b").media_type, "text/html");
  CHECK_EQ(p.manifest.at("a").href, "a.xhtml");
  CHECK(p.spine == (Words{"b", "a", ""}));
  bool xhtml = false;
  CHECK(tomes::parse::is_html_media_type("application/xhtml+xml", &xhtml) && xhtml);
  CHECK(tomes::parse::is_html_media_type("TEXT/HTML; charset=utf-8", &xhtml) && !xhtml);
  CHECK(!tomes::parse::is_html_media_type("image/svg+xml", &xhtml));
}

// --- Whole books ----------------------------------------------------------------

TEST_CASE("epub: chapters in spine order, whatever the zip and manifest order") {
  const std::string zip = book(
      "OPS/package.opf",
      {{"z", "text/zz.xhtml"}, {"a", "text/a%20b.xhtml"}, {"m", "../top.html", "text/html"}, {"img", "i.png", "image/png"}},
      {"m", "img", "a", "z"},
      {{"OPS/text/zz.xhtml", "wlast wend"}, {"top.html", "wfirst wone"}, {"OPS/text/a b.xhtml", "wmiddle"}});
  CHECK(markers(epub(zip)) == (Words{"wfirst", "wone", "wmiddle", "wlast", "wend"}));
}

TEST_CASE("epub: a repeated spine item and linear=\"no\" items are read where the spine puts them") {
  std::vector<TestMember> members = {
      make_member("META-INF/container.xml", test_container("p.opf")),
      make_member("p.opf", "<package><manifest><item id=\"a\" href=\"a.xhtml\" media-type=\"application/xhtml+xml\"/>"
                    "<item id=\"n\" href=\"n.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
                    "<spine><itemref idref=\"n\" linear=\"no\"/><itemref idref=\"a\"/><itemref idref=\"a\"/></spine>"
                    "</package>"),
      make_member("a.xhtml", test_chapter("wa")), make_member("n.xhtml", test_chapter("wnotes"))};
  CHECK(markers(epub(build_zip(members))) == (Words{"wnotes", "wa", "wa"}));
}

TEST_CASE("epub: the book-level reasons") {
  CHECK_EQ(epub("not a zip at all"), "error: not a zip archive");
  CHECK_EQ(epub(build_zip({make_member("mimetype", "application/epub+zip", 0)})), "error: EPUB without META-INF/container.xml");
  CHECK_EQ(epub(build_zip({make_member("META-INF/container.xml", "<container/>")})), "error: EPUB container.xml names no package");
  CHECK_EQ(epub(build_zip({make_member("META-INF/container.xml", test_container("../../etc/passwd"))})),
           "error: EPUB package path escapes the archive root");
  CHECK_EQ(epub(build_zip({make_member("META-INF/container.xml", test_container("OEBPS/content.opf"))})),
           "error: EPUB package OEBPS/content.opf not in the archive");
  CHECK_EQ(epub(build_zip({make_member("META-INF/container.xml", test_container("p.opf")), make_member("p.opf", "<package/>")})),
           "error: EPUB package without a spine");
  CHECK_EQ(epub(book("p.opf", {{"a", "a.xhtml"}}, {}, {{"a.xhtml", "wa"}})), "error: EPUB spine is empty");
  CHECK_EQ(epub(book("p.opf", {{"i", "i.png", "image/png"}}, {"i"}, {{"i.png", "x"}})),
           "error: EPUB spine has no (X)HTML chapter");
  // The container encrypted: the book cannot be read at all.
  TestMember enc = make_member("META-INF/container.xml", test_container("p.opf"));
  enc.flags = 1;
  CHECK_EQ(epub(build_zip({enc})), "error: encrypted zip member META-INF/container.xml");
  // A damaged chapter skips the book: a CRC mismatch is not a chapter to leave out.
  std::vector<TestMember> members = {make_member("META-INF/container.xml", test_container("p.opf")),
                                     make_member("p.opf", test_opf({{"a", "a.xhtml"}, {"b", "b.xhtml"}}, {"a", "b"})),
                                     make_member("a.xhtml", test_chapter("wa")), make_member("b.xhtml", test_chapter("wb"))};
  members[3].claimed_crc = 7;
  CHECK_EQ(epub(build_zip(members)), "error: damaged zip member b.xhtml: CRC mismatch");
}

TEST_CASE("epub: chapters that cannot be reached are left out, the rest indexed") {
  const std::vector<TestItem> items = {{"a", "a.xhtml"},           {"gone", "gone.xhtml"}, {"up", "../../etc/passwd"},
                                       {"web", "http://x/y.xhtml"}, {"enc", "enc.xhtml"},   {"bz", "bz.xhtml"},
                                       {"b", "b.xhtml"}};
  const std::vector<std::string> spine = {"nosuchid", "gone", "a", "up", "web", "enc", "bz", "b"};
  std::vector<TestMember> members = {make_member("META-INF/container.xml", test_container("OEBPS/p.opf")),
                                     make_member("OEBPS/p.opf", test_opf(items, spine)),
                                     make_member("OEBPS/a.xhtml", test_chapter("wa")),
                                     make_member("OEBPS/enc.xhtml", test_chapter("wsecret")),
                                     make_member("OEBPS/bz.xhtml", test_chapter("wbzip"), 12),
                                     make_member("OEBPS/b.xhtml", test_chapter("wb")),
                                     make_member("/etc/passwd", test_chapter("wroot")),
                                     make_member("../../etc/passwd", test_chapter("wtraversal"))};
  members[3].flags = 1;
  const std::string zip = build_zip(members);
  CHECK(markers(epub(zip)) == (Words{"wa", "wb"}));
  // Nothing readable: the first chapter's reason.
  members.erase(members.begin() + 5);
  members.erase(members.begin() + 2);
  CHECK_EQ(epub(build_zip(members)), "error: EPUB spine item nosuchid not in the manifest");
  std::vector<TestMember> one = {make_member("META-INF/container.xml", test_container("OEBPS/p.opf")),
                                 make_member("OEBPS/p.opf", test_opf(items, {"gone", "up", "web", "enc"})),
                                 members[2]};
  CHECK_EQ(epub(build_zip(one)), "error: EPUB chapter gone.xhtml not in the archive");
  one[1] = make_member("OEBPS/p.opf", test_opf(items, {"up", "web"}));
  CHECK_EQ(epub(build_zip(one)), "error: EPUB chapter ../../etc/passwd escapes the archive root");
  one[1] = make_member("OEBPS/p.opf", test_opf(items, {"web"}));
  CHECK_EQ(epub(build_zip(one)), "error: EPUB chapter http://x/y.xhtml is outside the archive");
  one[1] = make_member("OEBPS/p.opf", test_opf(items, {"enc"}));
  CHECK_EQ(epub(build_zip(one)), "error: encrypted zip member OEBPS/enc.xhtml");
}

TEST_CASE("epub: the text cap and the inflate budget") {
  const std::string zip = book("p.opf", {{"a", "a.xhtml"}}, {"a"}, {{"a.xhtml", "wa wb wc"}});
  const std::string chapter = test_chapter("wa wb wc");
  CHECK_EQ(epub(zip, chapter.size() - 1),
           "error: zip member a.xhtml is larger than the cap of " + std::to_string(chapter.size() - 1) + " bytes");
  const std::string text = epub(zip);
  CHECK(markers(text) == (Words{"wa", "wb", "wc"}));
  // Each chapter under the cap, their text together over it.
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "wa ";
  const std::string two = book("p.opf", {{"a", "a.xhtml"}, {"b", "b.xhtml"}}, {"a", "b"},
                               {{"a.xhtml", hundred}, {"b.xhtml", hundred}});
  CHECK(test_chapter(hundred).size() < 450);
  CHECK_EQ(epub(two, 450), "error: the text is larger than the cap of 450 bytes");
  CHECK_EQ(markers(epub(two)).size(), std::size_t{200});
  // 50 chapters of about 1 KB with little text: the budget (4 x cap) stops
  // the reading before the text cap is near.
  const std::string padded = "<!--" + std::string(900, '-') + "-->";
  std::vector<TestItem> items;
  std::vector<std::string> spine;
  std::vector<TestMember> members = {make_member("META-INF/container.xml", test_container("p.opf")), make_member("p.opf", "")};
  for (int i = 0; i < 50; ++i) {
    items.push_back({"c" + std::to_string(i), "c" + std::to_string(i) + ".xhtml"});
    spine.push_back(items.back().id);
    members.push_back(make_member(items.back().href, test_chapter("wa") + padded));
  }
  members[1] = make_member("p.opf", test_opf(items, spine));
  const std::string many = build_zip(members);
  CHECK_EQ(epub(many, 4000), "error: zip bomb: the members inflate to more than 16000 bytes in all");
  CHECK_EQ(markers(epub(many)).size(), std::size_t{50});
  // One chapter named 100,000 times: read once, its text repeated.
  const std::string once = build_zip({make_member("META-INF/container.xml", test_container("p.opf")),
                                      make_member("p.opf", test_opf({{"a", "a.xhtml"}}, std::vector<std::string>(100000, "a"))),
                                      make_member("a.xhtml", test_chapter("wa") + padded)});
  CHECK_EQ(markers(epub(once, 8 << 20)).size(), std::size_t{100000});
  CHECK_EQ(markers(epub(once)).size(), std::size_t{100000});
}

TEST_CASE("epub: ZIP64 and data descriptor books read as the plain one") {
  std::vector<TestMember> members = {make_member("META-INF/container.xml", test_container("p.opf")),
                                     make_member("p.opf", test_opf({{"b", "b.xhtml"}, {"a", "a.xhtml"}}, {"a", "b"})),
                                     make_member("b.xhtml", test_chapter("wb")), make_member("a.xhtml", test_chapter("wa"))};
  const std::string plain = epub(build_zip(members));
  CHECK(markers(plain) == (Words{"wa", "wb"}));
  for (TestMember& m : members) {
    m.zip64_extra = true;
    m.flags = 8;
  }
  tomes::test::TestZipOptions options;
  options.zip64_end = true;
  CHECK_EQ(epub(build_zip(members, options)), plain);
}

int main() { return tomes::test::run_all(); }
