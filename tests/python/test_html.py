"""tomes' HTML extractor (cpp/parse/html_text.h) against an independent
reference (html_reference.py, on Python's html.parser) and html.unescape:
the same terms, in the same order, on every Debian HTML manual and on
hypothesis-generated markup; entities exactly as html.unescape; charsets;
.html books indexed end to end."""

from __future__ import annotations

import html
import html.entities
import os
import subprocess
import sys
import zlib
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tomes
from tomes import _core

import html_reference
from html_reference import reference_text, reference_text_of_bytes

# --- the Debian manuals -----------------------------------------------------

SAMPLE_ONE_IN = 8  # TOMES_HTML_ALL=1 checks every page (~12k, ~2 minutes)


def _debian_pages(root: Path) -> list[Path]:
    """Every *.html / *.htm page, or a deterministic sample that keeps every
    package's first page and one in SAMPLE_ONE_IN of the rest (by CRC-32 of
    the relative path)."""
    by_package = defaultdict(list)
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() in (".html", ".htm") and p.is_file():
            by_package[p.relative_to(root).parts[0]].append(p)
    every = os.environ.get("TOMES_HTML_ALL") == "1"
    pages = []
    for files in by_package.values():
        for i, p in enumerate(files):
            rel = str(p.relative_to(root)).encode()
            if every or i == 0 or zlib.crc32(rel) % SAMPLE_ONE_IN == 0:
                pages.append(p)
    return pages


def test_debian_manuals_same_terms_as_reference(debian_pkgroot):
    pages = _debian_pages(debian_pkgroot)
    packages = {p.relative_to(debian_pkgroot).parts[0] for p in pages}
    assert len(pages) > 1000 and len(packages) >= 5
    differ = []
    for p in pages:
        data = p.read_bytes()
        ours = tomes.analyze(_core.html_text(data))
        ref = tomes.analyze(reference_text_of_bytes(data))
        if ours != ref:
            differ.append(str(p.relative_to(debian_pkgroot)))
    assert differ == []


# --- the element lists ---------------------------------------------------------

# HTML5's elements (and a few obsolete ones) that are neither block, dropped
# nor raw text in html_text.h: their tags must not split a word.
INLINE_ELEMENTS = """a abbr acronym area b base basefont bdi bdo big blink cite code col colgroup data datalist
    del dfn em font i ins kbd label link map mark meta meter nobr noembed noframes output param picture
    portal progress q rb rp rt rtc ruby s samp slot small source span strike strong sub sup time tt u var
    wbr x-custom""".split()


def test_element_lists_are_the_reference_lists():
    assert not (set(INLINE_ELEMENTS) & (html_reference.BLOCK | html_reference.DROPPED | html_reference.RAW))
    for name in sorted(html_reference.BLOCK):
        for tag in (f"<{name}>", f"</{name}>", f"<{name.upper()} class=x>"):
            assert tomes.analyze(_core.html_text(f"alpha{tag}beta".encode())) == ["alpha", "beta"], tag
    for name in INLINE_ELEMENTS:
        assert tomes.analyze(_core.html_text(f"alpha<{name}>beta</{name}>".encode())) == ["alphabeta"], name
    for name in sorted(html_reference.DROPPED | html_reference.RAW):
        page = f"alpha<{name}>gamma</{name}>beta".encode()
        assert tomes.analyze(_core.html_text(page)) == ["alphabeta"], name


# --- hypothesis-generated markup ---------------------------------------------

BLOCKS = ["p", "div", "br", "li", "td", "tr", "h1", "table", "title", "body", "pre"]
INLINES = ["b", "i", "span", "a", "em", "code", "x-foo", "font"]
DROPPED = ["head", "noscript", "template"]
RAW = ["script", "style"]

TEXT_PIECES = (list("abc xyz\n\t;#>\"'=/") +
               ["é", "中", "&", "&amp;", "&amp", "&ampx", "&lt;", "&notin;", "&notanentity;", "&not",
                "&#65;", "&#x41", "&#128;", "&#x9d;", "&#0;", "&#xD800;", "&#1114112;", "&#x7f;",
                "&bogus;", "&#", "&#x;", "< ", "<3", "&eacute", "&nGt;"])
text = st.lists(st.sampled_from(TEXT_PIECES), max_size=8).map("".join)


def _quoted(q: str):
    return st.text(alphabet="ab<>&;= /'\"", max_size=5).map(lambda v: q + v.replace(q, "") + q)


attr_value = st.one_of(st.none(), _quoted('"'), _quoted("'"), st.text(alphabet="abc019-", min_size=1, max_size=4))
attribute = st.tuples(st.sampled_from(["class", "href", "title", "data-x"]), attr_value).map(
    lambda a: f" {a[0]}" if a[1] is None else f" {a[0]}={a[1]}")
# Comment bodies keep out of html.parser's corners: no '-', no '>'.
comment = st.text(alphabet="ab <&p/", max_size=6).map(lambda s: f"<!--{s}-->")
other_markup = st.sampled_from(["<!DOCTYPE html>", "<?php x ?>", "</>", "<![CDATA[x]]>"])
raw_content = st.text(alphabet="ab<>/ &;p", max_size=10).filter(lambda s: "</" not in s)


def _tag_name(name: str, upper: bool) -> str:
    return name.upper() if upper else name


@st.composite
def raw_element(draw):
    name = _tag_name(draw(st.sampled_from(RAW)), draw(st.booleans()))
    attrs = "".join(draw(st.lists(attribute, max_size=2)))
    style = draw(st.sampled_from(["closed", "closed", "closed", "self", "open"]))
    if style == "self":
        return f"<{name}{attrs}/>"
    body = draw(raw_content)
    return f"<{name}{attrs}>{body}" + (f"</{name}>" if style == "closed" else "")


def element(children):
    @st.composite
    def build(draw):
        name = draw(st.sampled_from(BLOCKS + INLINES + DROPPED))
        name = _tag_name(name, draw(st.booleans()))
        attrs = "".join(draw(st.lists(attribute, max_size=3)))
        style = draw(st.sampled_from(["closed", "closed", "closed", "self", "open", "spaced"]))
        if style == "self":
            return f"<{name}{attrs}/>"
        inner = "".join(draw(st.lists(children, max_size=4)))
        if style == "spaced":
            return f"<{name}{attrs} >{inner}</{name}>"
        return f"<{name}{attrs}>{inner}" + (f"</{name}>" if style == "closed" else "")
    return build()


leaf = st.one_of(text, text, comment, other_markup, raw_element(),
                 st.sampled_from(BLOCKS + INLINES + DROPPED + RAW).map(lambda n: f"</{n}>"))
markup = st.recursive(leaf, lambda children: element(children), max_leaves=25).map(str)
document = st.lists(markup, max_size=6).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document, st.booleans())
def test_generated_markup_same_terms_as_reference(page, xhtml):
    ours = _core.html_text(page.encode("utf-8"), xhtml=xhtml)
    assert tomes.analyze(ours) == tomes.analyze(reference_text(page, xhtml))


@settings(max_examples=300, deadline=None)
@given(document)
def test_generated_markup_text_has_no_tags_of_its_own(page):
    # The words of every tag and comment are gone: a word only the markup
    # spells never shows up in the text.
    marked = page.replace("<p", "<zqxp").replace("</p", "</zqxp")
    assert "zqxp" not in _core.html_text(marked.encode("utf-8"))


# --- character references against html.unescape -----------------------------

REPO = Path(__file__).resolve().parents[2]


def test_entity_table_regenerates_identically(tmp_path):
    out = tmp_path / "html_entities_table.cc"
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen_html_entities.py"), "--output", str(out)],
                   check=True)
    committed = REPO / "cpp" / "parse" / "html_entities_table.cc"
    assert out.read_text("utf-8") == committed.read_text("utf-8"), \
        "cpp/parse/html_entities_table.cc differs from scripts/gen_html_entities.py's output"


def _text_only(s: str) -> str:
    """Our text of a page that is only text (no '<'): html.unescape's."""
    assert "<" not in s
    return _core.html_text(s.encode("utf-8"))


def test_every_entity_name_as_html_unescape():
    names = sorted(html.entities.html5)
    assert len(names) == 2231
    for name in names:
        for s in (f"x &{name} y", f"&{name}zz;", f"&{name}", f"&{name}&{name}1"):
            assert _text_only(s) == html.unescape(s), s


NUMERIC = sorted({0, 1, 8, 9, 10, 11, 12, 13, 14, 31, 32, 65, 126, 127, 128, 129, 141, 143, 144, 157, 159,
                  160, 255, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFDCF, 0xFDD0, 0xFDEF, 0xFDF0,
                  0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x1FFFE, 0x1FFFF, 0x10FFFD, 0x10FFFE, 0x10FFFF, 0x110000,
                  0xFFFFFFFF, 0x100000000, 10**30} | set(range(0, 0x120)))


@pytest.mark.parametrize("form", ["&#{v};", "&#{v}", "&#x{v:x};", "&#X{v:X}", "&#x{v:08x};", "&#{v}a"])
def test_numeric_references_as_html_unescape(form):
    for v in NUMERIC:
        s = form.format(v=v)
        assert _text_only(s) == html.unescape(s), s


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["&", "#", "x", "X", ";", "amp", "not", "in", "it", "lt", "e", "acute",
                                 "0", "9", "12", "3", "a", "F", " ", "\n", "é", "nbsp", "frac34", "z"]),
                max_size=14).map("".join))
def test_references_hypothesis_as_html_unescape(s):
    assert _text_only(s) == html.unescape(s)


# --- charsets ------------------------------------------------------------------

def test_utf16_bom_page():
    page = "<html><body><p>héllo wörld 中文</p></body></html>"
    for data in (b"\xff\xfe" + page.encode("utf-16-le"), b"\xfe\xff" + page.encode("utf-16-be")):
        text = _core.html_text(data)
        assert text.strip() == "héllo wörld 中文"
        assert tomes.analyze(text) == tomes.analyze(reference_text(page))


def test_meta_windows_1252_page():
    data = b'<html><head><meta charset="windows-1252"></head><body><p>\x93quoted\x94 caf\xe9</p>'
    text = _core.html_text(data)
    assert "\u201cquoted\u201d caf\u00e9" in text
    assert tomes.analyze(text) == tomes.analyze(reference_text(data.decode("cp1252")))


def test_meta_latin1_pages():
    for data in (b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>na\xefve</p>',
                 b"<meta charset='latin1'><p>na\xefve</p>",
                 b'<?xml version="1.0" encoding="ISO-8859-1"?><html><p>na\xefve</p></html>'):
        assert _core.html_text(data).strip() == "naïve"
        assert reference_text_of_bytes(data).strip() == "naïve"


def test_undeclared_bytes_follow_the_encoding_argument():
    data = b"<p>caf\xe9</p>"
    assert _core.html_text(data).strip() == "caf\ufffd"
    assert _core.html_text(data, encoding="auto").strip() == "café"
    assert _core.html_text(b'<meta charset="shift_jis"><p>caf\xe9</p>', encoding="latin-1").strip() == "café"


# --- end to end ----------------------------------------------------------------

def test_index_html_books_end_to_end(tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    (books / "whales.html").write_text(
        "<!DOCTYPE html><html><head><title>Moby</title><script>var leviathan = 1;</script></head>"
        "<body><h1>Chapter&nbsp;1</h1><p>Call me Ish<b>mael</b>. The <i>white</i> wha&shy;le.</p></body></html>",
        encoding="utf-8")
    (books / "other.htm").write_bytes(b'<meta charset="windows-1252"><p>\x93Caf\xe9\x94 society</p>')
    (books / "frames.html").write_text("<html><frameset><frame src=a.html></frameset></html>")
    report = tomes.index_corpus(books, tmp_path / "ix")
    assert report.books == 2
    assert [(Path(p).name, reason) for p, reason in report.skipped] == [("frames.html", "no text: only markup")]
    with tomes.open(tmp_path / "ix") as ix:
        hits = ix.search("ishmael")
        assert [h.book_id for h in hits] == ["whales.html"]
        assert ix.search("leviathan") == [] and ix.search("moby") == []
        assert [h.book_id for h in ix.search("café")] == ["other.htm"]
