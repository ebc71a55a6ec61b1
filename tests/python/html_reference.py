"""An independent reference for tomes' HTML extractor (cpp/parse/html_text.h).

Built on Python's ``html.parser.HTMLParser`` with ``convert_charrefs=True``
(text decoded by ``html.unescape``), with the same rules stated again here:

* block elements (BLOCK) put a line break at their start and end tags;
  every other element is inline and adds nothing;
* head, noscript and template (DROPPED) drop the text inside, counted per
  name (nested ones need as many end tags); a ``<body>`` start tag ends an
  open head;
* script and style (RAW) are raw text and dropped;
* ``<x/>``: in XHTML a start and an end tag (``<body/>`` still ends an
  open head); in HTML a start tag (so
  ``<script/>`` starts raw text, as HTML5 says; html.parser itself would
  treat it as closed, so the reference turns raw mode on by hand).

Where html.parser parts from HTML5 (the C++ follows HTML5), the reference is
not the judge and the property tests keep out of the way: ``</ a>`` (an end
tag here), ``-- >`` closing a comment, ``</script >`` versus
``</script x>``, EOF inside a tag or comment (text here, dropped in HTML5),
start tags html.parser cannot parse (text here), NUL in tag names.

``sniff_encoding`` restates html_charset.h's rule with regular expressions.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK = frozenset("""
    address article aside audio blockquote body br button canvas caption center dd details dialog
    dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6
    header hgroup hr html iframe img input legend li listing main math menu nav object ol optgroup
    option p plaintext pre section select summary svg table tbody td textarea tfoot th thead title
    tr ul video xmp
""".split())
DROPPED = frozenset({"head", "noscript", "template"})
RAW = frozenset({"script", "style"})


class _TextParser(HTMLParser):
    def __init__(self, xhtml: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.xhtml = xhtml
        self.depth = {name: 0 for name in DROPPED}
        self.raw = None
        self.parts: list[str] = []

    def _dropped(self) -> bool:
        return self.raw is not None or any(self.depth.values())

    def _separate(self) -> None:
        if not self._dropped():
            self.parts.append("\n")

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.depth["head"] = 0
        if tag in BLOCK:
            self._separate()
        elif tag in DROPPED:
            self.depth[tag] += 1
        elif tag in RAW:
            self.raw = tag  # html.parser enters its CDATA mode itself

    def handle_startendtag(self, tag, attrs):
        if self.xhtml:
            if tag == "body":
                self.depth["head"] = 0
            if tag in BLOCK:
                self._separate()
            return
        self.handle_starttag(tag, attrs)
        if tag in RAW:
            self.set_cdata_mode(tag)

    def handle_endtag(self, tag):
        if tag in RAW:
            if tag == self.raw:
                self.raw = None
        elif tag in BLOCK:
            self._separate()
        elif tag in DROPPED and self.depth[tag] > 0:
            self.depth[tag] -= 1

    def handle_data(self, data):
        if not self._dropped():
            self.parts.append(data)


def reference_text(markup: str, xhtml: bool = False) -> str:
    """The text of an HTML page given as str, by the rules above."""
    parser = _TextParser(xhtml)
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


_UTF8 = {"unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8",
         # UTF-16 labels on a page without a BOM mean UTF-8 (HTML5)
         "csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le",
         "unicodefffe", "utf-16be"}
_CP1252 = {"ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
           "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1",
           "us-ascii", "windows-1252", "x-cp1252"}
_XML_DECL = re.compile(rb"<\?xml\s[^?]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_META_OR_COMMENT = re.compile(rb"<!--.*?-->|<meta[\s/]([^>]*)", re.I | re.S)
_ATTR = re.compile(rb"""([^\s/>][^\s/=>]*)\s*(?:=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s>]*)))?""")
_CONTENT_CHARSET = re.compile(rb"""charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;"']*))""", re.I)


def _label(raw: bytes) -> str | None:
    label = raw.decode("latin-1").strip(" \t\n\r\f").lower()
    if label in _UTF8:
        return "utf-8"
    if label in _CP1252:
        return "cp1252"
    return None


def _meta_label(attributes: bytes) -> str | None:
    charset = content = None
    pragma = False
    for m in _ATTR.finditer(attributes):
        name = m.group(1).lower()
        value = next((g for g in m.group(2, 3, 4) if g is not None), b"")
        if name == b"charset" and charset is None:
            charset = value
        elif name == b"content" and content is None:
            content = value
        elif name == b"http-equiv":
            pragma = pragma or value.lower() == b"content-type"
    if charset:
        return _label(charset)
    if pragma and content:
        m = _CONTENT_CHARSET.search(content)
        if m:
            return _label(next(g for g in m.groups() if g is not None))
    return None


def sniff_encoding(data: bytes, default: str = "utf-8") -> str:
    """The Python codec to read a page's bytes with (a BOM is handled by
    decode_bytes): an XML declaration's encoding, a meta charset in the
    first 1024 bytes, else ``default``."""
    head = data[:1024]
    m = _XML_DECL.match(head)
    if m and _label(m.group(1)):
        return _label(m.group(1))
    for m in _META_OR_COMMENT.finditer(head):
        if m.group(1) is not None:
            found = _meta_label(m.group(1))
            if found:
                return found
    return default


def decode_bytes(data: bytes, default: str = "utf-8") -> str:
    """A page's bytes as text: a BOM first, then sniff_encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return data.decode(sniff_encoding(data, default), "replace")


def reference_text_of_bytes(data: bytes, xhtml: bool = False, default: str = "utf-8") -> str:
    """reference_text of a page given as bytes."""
    return reference_text(decode_bytes(data, default), xhtml)
