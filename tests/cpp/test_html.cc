// The HTML extractor (parse/html_text.h and its parts) on hand-made pages
// with hand-computed texts: tokenizer, element rules, character references
// as html.unescape gives them, charsets, the cap, and hostile inputs (deep
// nesting, huge attributes and names, unclosed constructs by the million)
// whose texts are known in advance.
#include <string>

#include "check.h"
#include "parse/html_char_refs.h"
#include "parse/html_charset.h"
#include "parse/html_elements.h"
#include "parse/html_entities.h"
#include "parse/html_text.h"

using tomes::Status;
using tomes::parse::HtmlElement;
using tomes::parse::HtmlOptions;
using tomes::parse::TextEncoding;

namespace {

std::string text_of(std::string_view page, bool xhtml = false, TextEncoding fallback = TextEncoding::kUtf8) {
  HtmlOptions options;
  options.xhtml = xhtml;
  options.encoding = fallback;
  std::string out;
  const Status s = tomes::parse::append_html_text(page, options, &out);
  CHECK(s.is_ok());
  return out;
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  tomes::parse::append_unescaped(s, &out);
  return out;
}

}  // namespace

TEST_CASE("html: block tags separate words, inline tags do not") {
  CHECK_EQ(text_of("<p>Hello <b>wo</b>rld</p>"), "Hello world\n");
  CHECK_EQ(text_of("a<br>b<div>c</div>d"), "a\nb\nc\nd");
  CHECK_EQ(text_of("wo<span class=x>r</span><i>d</i>"), "word");
  CHECK_EQ(text_of("<ul><li>one<li>two</ul>"), "one\ntwo\n");
  CHECK_EQ(text_of("<table><tr><td>a</td><td>b</td></tr></table>"), "a\nb\n");
  CHECK_EQ(text_of("x<h1>T</h1><H2>U</H2>"), "x\nT\nU\n");
  CHECK_EQ(text_of("a<unknown-el>b</unknown-el>c"), "abc");
  CHECK_EQ(text_of("a<img src=x.png>b"), "a\nb");
  CHECK_EQ(text_of("  <p>  x  </p>  "), "  \n  x  \n  ");
}

TEST_CASE("html: element table") {
  using tomes::parse::classify_element;
  CHECK(classify_element("p") == HtmlElement::kBlock);
  CHECK(classify_element("BLOCKQUOTE") == HtmlElement::kBlock);
  CHECK(classify_element("figcaption") == HtmlElement::kBlock);
  CHECK(classify_element("td") == HtmlElement::kBlock);
  CHECK(classify_element("body") == HtmlElement::kBody);
  CHECK(classify_element("Head") == HtmlElement::kHead);
  CHECK(classify_element("noscript") == HtmlElement::kNoscript);
  CHECK(classify_element("template") == HtmlElement::kTemplate);
  CHECK(classify_element("SCRIPT") == HtmlElement::kScript);
  CHECK(classify_element("style") == HtmlElement::kStyle);
  CHECK(classify_element("b") == HtmlElement::kInline);
  CHECK(classify_element("span") == HtmlElement::kInline);
  CHECK(classify_element("blockquotes") == HtmlElement::kInline);
  CHECK(classify_element("") == HtmlElement::kInline);
  CHECK(classify_element("pp") == HtmlElement::kInline);
}

TEST_CASE("html: dropped elements and raw text") {
  CHECK_EQ(text_of("<html><head><title>T</title></head><body>B</body></html>"), "B\n");
  CHECK_EQ(text_of("a<script>x<b>y</b>if (a<b) {}</script>b"), "ab");
  CHECK_EQ(text_of("<script>a</scriptx>b</script>c"), "c");
  CHECK_EQ(text_of("<script>a</script foo=1>c"), "c");
  CHECK_EQ(text_of("<style>p{}</STYLE>q"), "q");
  CHECK_EQ(text_of("<noscript>n</noscript>x"), "x");
  CHECK_EQ(text_of("<template><template>a</template>b</template>c"), "c");
  CHECK_EQ(text_of("<head>h<body>b"), "b");
  CHECK_EQ(text_of("x</head></noscript></script>y"), "xy");
  CHECK_EQ(text_of("<noscript><head></noscript>x</head>y"), "y");
  CHECK_EQ(text_of("a<script>never closed <p>b"), "a");
}

TEST_CASE("html: <x/> in HTML and in XHTML") {
  CHECK_EQ(text_of("<script src=\"a.js\"/>text"), "");
  CHECK_EQ(text_of("<script src=\"a.js\"/>text", true), "text");
  CHECK_EQ(text_of("<head/>x", true), "x");
  CHECK_EQ(text_of("<head/>x"), "");
  CHECK_EQ(text_of("a<br/>b", true), "a\nb");
  CHECK_EQ(text_of("a<b/>c", true), "ac");
  // An unquoted value takes the '/': not self-closing (HTML5).
  CHECK_EQ(text_of("<script src=a/>x", true), "");
}

TEST_CASE("html: comments, declarations and other markup are not text") {
  CHECK_EQ(text_of("a<!-- b -->c"), "ac");
  CHECK_EQ(text_of("a<!-- <p>b</p> -- -->c"), "ac");
  CHECK_EQ(text_of("a<!-->b"), "ab");
  CHECK_EQ(text_of("a<!--->b"), "ab");
  CHECK_EQ(text_of("a<!-- x --!>b"), "ab");
  CHECK_EQ(text_of("a<![CDATA[x > y]]>b"), "ab");
  CHECK_EQ(text_of("<!DOCTYPE html>a"), "a");
  CHECK_EQ(text_of("<?xml version='1.0'?>a"), "a");
  CHECK_EQ(text_of("a</ b>c"), "ac");
  CHECK_EQ(text_of("a</>b"), "ab");
  CHECK_EQ(text_of("<a title=\"x>y\" href='z>w'>link</a>"), "link");
  CHECK_EQ(text_of("<input value=a disabled>b"), "b");
}

TEST_CASE("html: '<' and '>' that open nothing are text") {
  CHECK_EQ(text_of("a < b > c"), "a < b > c");
  CHECK_EQ(text_of("a<3"), "a<3");
  CHECK_EQ(text_of("x<"), "x<");
  CHECK_EQ(text_of("x</"), "x</");
  CHECK_EQ(text_of("&lt;p&gt;"), "<p>");
}

TEST_CASE("html: EOF inside a tag, attribute or comment drops the rest") {
  CHECK_EQ(text_of("a<div class=\"x"), "a");
  CHECK_EQ(text_of("a<div class="), "a");
  CHECK_EQ(text_of("a<!-- x"), "a");
  CHECK_EQ(text_of("a<b"), "a");
  CHECK_EQ(text_of("a</b"), "a");
  CHECK_EQ(text_of("a<![CDATA[x"), "a");
  CHECK_EQ(text_of("a<!DOCTYPE"), "a");
}

TEST_CASE("html: character references as html.unescape") {
  // Expected values computed with Python 3.11's html.unescape.
  CHECK_EQ(unescape("&amp;&lt;&gt;&quot;&#39;"), "&<>\"'");
  CHECK_EQ(unescape("&notanentity;"), "\xC2\xAC" "anentity;");
  CHECK_EQ(unescape("&notin;"), "\xE2\x88\x89");
  CHECK_EQ(unescape("&ampx"), "&x");
  CHECK_EQ(unescape("&amp"), "&");
  CHECK_EQ(unescape("&AMP;"), "&");
  CHECK_EQ(unescape("&ampamp;"), "&amp;");
  CHECK_EQ(unescape("&unknown;"), "&unknown;");
  CHECK_EQ(unescape("&a"), "&a");
  CHECK_EQ(unescape("& &; &#; &#x; &#xg; &#a"), "& &; &#; &#x; &#xg; &#a");
  CHECK_EQ(unescape("&eacute&eacute;"), "\xC3\xA9\xC3\xA9");
  CHECK_EQ(unescape("&nGt;"), "\xE2\x89\xAB\xE2\x83\x92");
  CHECK_EQ(unescape("&CounterClockwiseContourIntegral;"), "\xE2\x88\xB3");
  CHECK_EQ(unescape("&" + repeat("a", 40) + ";"), "&" + repeat("a", 40) + ";");
  CHECK_EQ(unescape("&#65&#x42;&#X43"), "ABC");
  CHECK_EQ(unescape("&#0000065;"), "A");
  CHECK_EQ(unescape("&#x80;&#128;"), "\xE2\x82\xAC\xE2\x82\xAC");
  CHECK_EQ(unescape("&#x81;&#x8D;&#x9D;"), "\xC2\x81\xC2\x8D\xC2\x9D");
  CHECK_EQ(unescape("&#x9F;"), "\xC5\xB8");
  CHECK_EQ(unescape("&#0;"), "\xEF\xBF\xBD");
  CHECK_EQ(unescape("&#13;"), "\r");
  CHECK_EQ(unescape("&#xD800;&#xDFFF;"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK_EQ(unescape("&#x110000;&#99999999999999999999;"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK_EQ(unescape("a&#1;&#8;&#11;&#x1F;&#x7F;&#xFDD0;&#xFFFE;&#x10FFFF;b"), "ab");
  CHECK_EQ(unescape("&#9;&#10;&#12;&#x10FFFD;"), "\t\n\f\xF4\x8F\xBF\xBD");
  CHECK_EQ(unescape("&#" + repeat("9", 100000) + ";x"), "\xEF\xBF\xBD" "x");
  // In a page: references do not reach across tags.
  CHECK_EQ(text_of("&amp<b>;</b>"), "&;");
  CHECK_EQ(text_of("<a title='&amp;'>&eacute;t&eacute;</a>"), "\xC3\xA9t\xC3\xA9");
}

TEST_CASE("html: the entity table finds every name it holds") {
  namespace e = tomes::parse::html_entities;
  std::size_t legacy = 0;
  for (std::size_t i = 0; i < e::kEntityCount; ++i) {
    const e::Entity& entity = e::kEntities[i];
    const std::string_view name(e::kNamePool + entity.name_offset, entity.name_length);
    std::string_view value;
    CHECK(e::find(name, &value));
    CHECK(value == std::string_view(e::kValuePool + entity.value_offset, entity.value_length));
    legacy += name.back() != ';';
  }
  CHECK_EQ(legacy, std::size_t{106});
  std::string_view value;
  CHECK(!e::find("notanentity;", &value));
  CHECK(!e::find("", &value));
  CHECK(!e::find("amp;;", &value));
  CHECK(e::find("amp", &value) && value == "&");
}

TEST_CASE("html: charset from BOM, XML declaration, meta") {
  using tomes::parse::sniff_html_encoding;
  CHECK_EQ(text_of(std::string("\xFF\xFE<\0p\0>\0h\0i\0", 12)), "hi");
  CHECK_EQ(text_of(std::string("\xFE\xFF\0<\0p\0>\0h\0i", 12)), "hi");
  CHECK_EQ(text_of("<meta charset=\"windows-1252\"><p>\x93q\x94</p>"), "\xE2\x80\x9Cq\xE2\x80\x9D\n");
  CHECK_EQ(text_of("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">caf\xE9"),
           "caf\xC3\xA9");
  CHECK_EQ(text_of("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><p>\xE9</p>", true), "\xC3\xA9\n");
  CHECK_EQ(text_of("<meta charset=utf-16><p>\xC3\xA9</p>"), "\xC3\xA9\n");
  CHECK(sniff_html_encoding("<meta charset=\"shift_jis\">", TextEncoding::kLatin1) == TextEncoding::kLatin1);
  CHECK(sniff_html_encoding("<meta charset=\"bogus\"><meta charset=latin1>", TextEncoding::kUtf8) ==
        TextEncoding::kCp1252);
  CHECK(sniff_html_encoding("<!-- <meta charset=latin1> -->", TextEncoding::kUtf8) == TextEncoding::kUtf8);
  CHECK(sniff_html_encoding(repeat(" ", 1024) + "<meta charset=latin1>", TextEncoding::kUtf8) ==
        TextEncoding::kUtf8);
  CHECK(sniff_html_encoding("<META CHARSET=' UTF8 '>", TextEncoding::kCp1252) == TextEncoding::kUtf8);
  CHECK(sniff_html_encoding("<meta content=\"text/html; charset=latin1\">", TextEncoding::kUtf8) ==
        TextEncoding::kUtf8);  // no http-equiv: not a pragma
  // Undeclared bytes go by the fallback; invalid_utf8 only then.
  HtmlOptions o;
  std::string out;
  bool invalid = false;
  CHECK(tomes::parse::append_html_text("caf\xE9", o, &out, &invalid).is_ok());
  CHECK(invalid && out == "caf\xEF\xBF\xBD");
  out.clear();
  CHECK(tomes::parse::append_html_text("<meta charset=cp1252>caf\xE9", o, &out, &invalid).is_ok());
  CHECK(!invalid && out == "caf\xC3\xA9");
  CHECK_EQ(text_of("caf\xE9", false, TextEncoding::kAuto), "caf\xC3\xA9");
}

TEST_CASE("html: the cap") {
  HtmlOptions o;
  o.max_text_bytes = 5;
  std::string out;
  Status s = tomes::parse::append_html_text("<p>abc</p><p>def</p>", o, &out);
  CHECK_EQ(s.message(), "the text is larger than the cap of 5 bytes");
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK_EQ(out, "abc\n");
  out.clear();
  o.max_text_bytes = 4;
  CHECK(tomes::parse::append_html_text("<p>abc</p>", o, &out).is_ok());
  CHECK_EQ(out, "abc\n");
  out = "12";
  o.max_text_bytes = 3;
  s = tomes::parse::append_html_text("&eacute;", o, &out);
  CHECK(!s.is_ok() && out == "12");
  o.max_text_bytes = 0;
  out.clear();
  CHECK(tomes::parse::append_html_text("<p></p><!-- x -->", o, &out).is_ok());
  CHECK(!tomes::parse::append_html_text("x", o, &out).is_ok() && out.empty());
}

TEST_CASE("html: hostile inputs (each linear; texts known)") {
  const std::size_t n = 100000;
  CHECK_EQ(text_of(repeat("<div>", n) + "x" + repeat("</div>", n)), "x\n");
  CHECK_EQ(text_of(repeat("<b>", n) + "x"), "x");
  CHECK_EQ(text_of(repeat("<head>", n) + "x" + repeat("</head>", n - 1) + "y" + "</head>z"), "z");
  const std::string mb(1 << 20, 'y');
  CHECK_EQ(text_of("<a title=\"" + mb + "\">z</a>"), "z");
  CHECK_EQ(text_of("<a title=" + mb + ">z</a>"), "z");
  CHECK_EQ(text_of("q<a title=\"" + mb), "q");
  CHECK_EQ(text_of("<a " + mb + ">z"), "z");
  CHECK_EQ(text_of("<" + std::string(n, 'a') + ">z</" + std::string(n, 'a') + ">"), "z");
  CHECK_EQ(text_of("q" + repeat("<script", 1000000)), "q");
  CHECK_EQ(text_of("q" + repeat("<script>", 1000000) + "x"), "q");
  CHECK_EQ(text_of("q<script>" + repeat("</scrip", 200000)), "q");
  CHECK_EQ(text_of(repeat("<", 1000000)), repeat("<", 1000000));
  CHECK_EQ(text_of(repeat(">", 1000000)), repeat(">", 1000000));
  CHECK_EQ(text_of("q" + repeat("<!--", 1000000)), "q");
  CHECK_EQ(text_of("q<!--" + repeat("-", 1000000)), "q");
  CHECK_EQ(text_of("q<!--" + repeat("--!", 300000)), "q");
  CHECK_EQ(text_of("q" + repeat("</", 1000000)), "q");
  CHECK_EQ(text_of("q" + repeat("<a b='", 200000)), "q");
  CHECK_EQ(text_of("q" + repeat("<a b=\"x\" ", 200000)), "q");
  CHECK_EQ(text_of(repeat("&", 1000000)), repeat("&", 1000000));
  CHECK_EQ(text_of(repeat("&amp", 1000000)), repeat("&", 1000000));
  CHECK_EQ(text_of(repeat("&#", 1000000)), repeat("&#", 1000000));
  CHECK_EQ(text_of("&" + std::string(1000000, 'a')), "&" + std::string(1000000, 'a'));
  CHECK_EQ(text_of("q" + repeat("<![CDATA[", 200000)), "q");
  CHECK_EQ(text_of(repeat("<p>", 1000000)), "");
  CHECK_EQ(text_of(repeat("a<p>", 100000)), repeat("a\n", 100000));
  CHECK_EQ(text_of(std::string(1000, '\0') + "<p>x"), std::string(1000, '\0') + "\nx");
}

int main() { return tomes::test::run_all(); }
