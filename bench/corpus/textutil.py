"""Text helpers for make_corpus.py (standard library only).

- html_to_text(): HTML to plain text with html.parser (scripts, styles and
  navigation chrome dropped, block elements become line breaks).
- next_page(): the <link rel="next"> of a multi-page manual's page.
- pod_to_text(): light POD stripping (the Perl documentation).
- tidy(): line endings, trailing blanks and blank-line runs normalized.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

# ---------------------------------------------------------------- HTML

_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "section",
    "article", "hr", "title", "caption", "figure", "figcaption", "header",
    "footer", "main", "aside", "td", "th", "tbody", "thead",
}
_PARA = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
         "section", "table", "ul", "ol", "dl", "title"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
         "meta", "param", "source", "track", "wbr"}
_SKIP_TAGS = {"script", "style", "head", "nav", "noscript", "svg", "template"}
# class / id tokens marking navigation chrome in sphinx, docbook, texinfo,
# publican and node.js generated HTML (exact tokens: "sidebar" boxes and
# "toc-backref" heading links are content and must stay).
_SKIP_CLASS = {"sphinxsidebar", "related", "footer", "navheader", "navfooter",
               "nav-panel", "navigation", "breadcrumbs", "breadcrumb", "toc",
               "headerlink", "searchbox", "docnav", "skip-links", "column2"}
_SPACES = re.compile(r"[ \t\r\f\v\n]+")


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip_tag: str | None = None
        self.skip_depth = 0
        self.pre = 0
        self.title: str | None = None
        self._in_title = False

    def _is_skip(self, tag, attrs):
        if tag in _SKIP_TAGS:
            return True
        for k, v in attrs:
            if v and k in ("class", "id") and not _SKIP_CLASS.isdisjoint(v.split()):
                return True
            if k == "role" and v in ("navigation", "search"):
                return True
        return False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if self.skip_tag is not None:
            if tag == self.skip_tag and tag not in _VOID:
                self.skip_depth += 1
            return
        if tag not in _VOID and self._is_skip(tag, attrs):
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag == "pre":
            self.pre += 1
        if tag in _BLOCK:
            self.out.append("\n\n" if tag in _PARA else "\n")

    def handle_startendtag(self, tag, attrs):
        if self.skip_tag is None and tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip_tag = None
            return
        if tag == "pre" and self.pre:
            self.pre -= 1
        if tag in _BLOCK:
            self.out.append("\n\n" if tag in _PARA else "\n")

    def handle_data(self, data):
        if self._in_title and self.title is None:
            self.title = data.strip()
        if self.skip_tag is not None:
            return
        if self.pre:
            self.out.append(data)
        else:
            self.out.append(_SPACES.sub(" ", data))


_MANY_NL = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_TRAIL = re.compile(r"[ \t]+\n")


def tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAIL.sub("\n", text)
    text = _MANY_NL.sub("\n\n", text)
    return text.strip() + "\n"


def html_to_text(html: str) -> tuple[str, str | None]:
    """Return (text, <title>) of an HTML document."""
    p = _TextExtractor()
    p.feed(html)
    p.close()
    return tidy("".join(p.out)), p.title


_NEXT_LINK = re.compile(
    r"<link\b[^>]*\brel=\"next\"[^>]*>|<a\b[^>]*\brel=\"next\"[^>]*>", re.I)
_HREF = re.compile(r"\bhref=\"([^\"#]+)")


def next_page(html: str) -> str | None:
    """href of the <link rel="next"> of a multi-page manual page, if any."""
    m = _NEXT_LINK.search(html)
    if not m:
        return None
    h = _HREF.search(m.group(0))
    return h.group(1) if h else None


# ---------------------------------------------------------------- POD

_POD_CODE = re.compile(r"[BCEFILSXZ]<<+\s(.*?)\s>>+|[BCEFILSXZ]<([^<>]*)>", re.S)
_POD_ESC = {"lt": "<", "gt": ">", "verbar": "|", "sol": "/"}


def pod_to_text(pod: str) -> str:
    """Very light POD stripping: command paragraphs become their text,
    formatting codes (B<>, C<>, L<>, ...) become their content."""
    out = []
    in_begin = False
    for para in pod.split("\n\n"):
        s = para.lstrip("\n")
        if s.startswith("=begin") or s.startswith("=for"):
            in_begin = s.startswith("=begin")
            continue
        if s.startswith("=end"):
            in_begin = False
            continue
        if in_begin:
            continue
        if s.startswith("=cut") or s.startswith("=pod") or s.startswith("=encoding"):
            continue
        if s.startswith("="):
            cmd, _, rest = s.partition(" ")
            if cmd in ("=over", "=back"):
                continue
            s = rest
        for _ in range(3):  # nested codes
            def repl(m):
                inner = m.group(1) if m.group(1) is not None else m.group(2)
                if m.group(0)[0] == "E":
                    return _POD_ESC.get(inner, inner)
                if m.group(0)[0] == "L" and "|" in inner:
                    inner = inner.split("|", 1)[0]
                if m.group(0)[0] in "XZ":
                    return ""
                return inner
            s2 = _POD_CODE.sub(repl, s)
            if s2 == s:
                break
            s = s2
        out.append(s)
    return tidy("\n\n".join(out))
