// xml_scanner.h: the tags of an XML document, one at a time, for the two
// small files of an EPUB we read as XML (META-INF/container.xml and the OPF
// package). Not a validating parser: it finds start, end and empty-element
// tags and their attributes, and that is all the EPUB reader needs.
//
//   XmlScanner scan(bytes);
//   XmlTag tag;
//   while (scan.next(&tag)) { if (tag.name == "item") ... tag.attribute("href") ... }
//
// Rules (each keeps the scanner linear and safe on hostile input):
//   * names are local names: "opf:item" is "item", "xml:lang" is "lang";
//   * comments, CDATA sections, processing instructions and the DOCTYPE (its
//     internal subset included) are skipped whole; text is skipped;
//   * no entity is ever expanded: DOCTYPE entity declarations are ignored
//     (no billion laughs, no XXE: nothing outside the bytes is read). In
//     attribute values only the five predefined entities (&lt; &gt; &amp;
//     &quot; &apos;) and numeric references (&#N; &#xH;) are decoded; any
//     other '&' stays as it is. A reference to 0, a surrogate or a value past
//     U+10FFFF becomes U+FFFD;
//   * malformed markup never fails: an unterminated construct ends the scan,
//     a stray '<' is text, an attribute without a value has an empty one.
// Every byte is looked at a bounded number of times: O(size) whatever the
// input; iterative, so nesting depth costs nothing.
//
// Thread safety: a scanner is used by one thread; it does not own the bytes,
// which must outlive it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tomes::parse {

struct XmlAttribute {
  std::string_view name;  // local name, points into the document
  std::string value;      // decoded (see above)
};

struct XmlTag {
  enum class Kind { kStart, kEnd, kEmpty };
  Kind kind = Kind::kStart;
  std::string_view name;  // local name, points into the document
  std::vector<XmlAttribute> attributes;  // empty for end tags

  // The value of the first attribute with this local name, or nullptr.
  const std::string* attribute(std::string_view local_name) const;
};

class XmlScanner {
 public:
  explicit XmlScanner(std::string_view xml) : xml_(xml) {}
  // Fills *tag with the next tag; false at the end of the document.
  bool next(XmlTag* tag);

 private:
  void skip_past(std::string_view terminator);
  void skip_declaration();
  void read_tag(XmlTag* tag);
  void read_attributes(XmlTag* tag);

  std::string_view xml_;
  std::size_t pos_ = 0;
};

// The local part of a qualified name: after the last ':'.
std::string_view xml_local_name(std::string_view qualified);

// Appends value with the predefined and numeric references decoded (above).
void append_xml_decoded(std::string_view value, std::string* out);

}  // namespace tomes::parse
