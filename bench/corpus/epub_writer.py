"""A small, deterministic EPUB 3 writer: a book's chapters -> one .epub.

Used by the corpus builder (make_corpus.py, stage `epub`: EPUBs with .txt
twins) and by the tests (tests/python), which also re-pack what it writes.

    make_epub(path, "Title", [("Chapter 1", "text ..."), ...])
    make_epub(path, "Title", chapters, shuffle_seed=7)

The text of chapter i is written as XHTML paragraphs (a blank line starts a
new <p>, a single line break becomes <br/>), escaped, so an HTML extractor
that follows SPEC 2 gives back the same terms in the same order. With
shuffle_seed, everything but the spine is shuffled: zip member order (after
the mimetype, which EPUB requires first), manifest order, the chapters' file
names and manifest ids; only the spine then says the reading order.

The twin text of a book (what a .txt of the same book holds) is
twin_text(chapters): the chapters' texts joined with a blank line.
Deterministic: fixed timestamps, so the same input gives the same bytes.
"""

from __future__ import annotations

import html
import random
import zipfile
import zlib
from pathlib import Path
from typing import Optional, Sequence, Tuple

_FIXED_TIME = (2020, 1, 1, 0, 0, 0)

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="{opf}" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


def twin_text(chapters: Sequence[Tuple[str, str]]) -> str:
    """The text a .txt twin of the book holds: chapter texts, blank-line separated."""
    return "\n\n".join(text for _, text in chapters)


def chapter_xhtml(title: str, text: str) -> str:
    """One chapter as XHTML: the title in <head> (not text), paragraphs in <body>."""
    paragraphs = []
    for block in text.split("\n\n"):
        lines = [html.escape(line, quote=False) for line in block.split("\n")]
        paragraphs.append("<p>" + "<br/>\n".join(lines) + "</p>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">\n'
            f"<head><title>{html.escape(title)}</title></head>\n<body>\n"
            + "\n".join(paragraphs) + "\n</body>\n</html>\n")


def _opf(title: str, items: Sequence[Tuple[str, str]], spine: Sequence[str]) -> str:
    manifest = "\n".join(f'    <item id="{i}" href="{h}" media-type="application/xhtml+xml"/>'
                         for i, h in items)
    refs = "\n".join(f'    <itemref idref="{i}"/>' for i in spine)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">\n'
            '  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            f"    <dc:identifier id=\"uid\">tomes-{zlib.crc32(title.encode()):08x}</dc:identifier>\n"
            f"    <dc:title>{html.escape(title)}</dc:title>\n    <dc:language>en</dc:language>\n"
            "  </metadata>\n  <manifest>\n" + manifest + "\n  </manifest>\n"
            "  <spine>\n" + refs + "\n  </spine>\n</package>\n")


def make_epub(path: Path, title: str, chapters: Sequence[Tuple[str, str]],
              shuffle_seed: Optional[int] = None) -> None:
    """Writes the EPUB of chapters [(chapter title, text), ...] to path."""
    rng = random.Random(shuffle_seed) if shuffle_seed is not None else None
    n = len(chapters)
    ids = [f"ch{i:04d}" for i in range(n)]
    names = [f"text/chapter{i:04d}.xhtml" for i in range(n)]
    if rng is not None:
        ids = [f"id{rng.randrange(10**9):09d}x{i}" for i in range(n)]
        order = list(range(n))
        rng.shuffle(order)
        names = [f"text/part{order[i]:04d}_{rng.randrange(10**6):06d}.xhtml" for i in range(n)]
    items = list(zip(ids, names))
    if rng is not None:
        rng.shuffle(items)
    members = [("META-INF/container.xml", CONTAINER.format(opf="OEBPS/content.opf")),
               ("OEBPS/content.opf", _opf(title, items, ids))]
    members += [("OEBPS/" + names[i], chapter_xhtml(chapters[i][0], chapters[i][1])) for i in range(n)]
    if rng is not None:
        rng.shuffle(members)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        info = zipfile.ZipInfo("mimetype", _FIXED_TIME)
        info.compress_type = zipfile.ZIP_STORED
        z.writestr(info, "application/epub+zip")
        for name, data in members:
            info = zipfile.ZipInfo(name, _FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8"))
    tmp.replace(path)
