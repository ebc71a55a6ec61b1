"""The skip reasons are a documented list (docs/ARCHITECTURE.md, "Skip reasons").

Three checks keep the list, the code and the tests in step:

  * every row's words are in the code (cpp/ or pysrc/): no documented
    reason that nothing gives;
  * every row not marked *not provoked* is asserted by a test: its longest
    literal part appears in a test file (the format suites and this one);
  * a corpus of bad books of every kind, indexed here, gets exactly the
    reasons written in EXPECTED below, and each of them matches a row: no
    reason the list does not have.
"""

from __future__ import annotations

import os
import re
import struct
import sys
import zipfile
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import tomes

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "ARCHITECTURE.md"
PLACEHOLDER = re.compile(r"\{(n|x|msg|kind)\}")


def documented_rows() -> List[Tuple[str, str]]:
    """(reason pattern, when) of each row of the "Skip reasons" table."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### Skip reasons"):]
    section = section[:section.index("\n## ")]
    rows = []
    for line in section.splitlines():
        m = re.match(r"\| `(.+?)` \| [^|]+ \| (.+) \|$", line)
        if m:
            rows.append((m.group(1), m.group(2)))
    return rows


def literal_parts(pattern: str) -> List[str]:
    return [p.strip() for p in PLACEHOLDER.split(pattern)[::2] if p.strip()]


def pattern_regex(pattern: str) -> re.Pattern:
    pieces = PLACEHOLDER.split(pattern)
    out = ""
    for i, piece in enumerate(pieces):
        out += re.escape(piece) if i % 2 == 0 else ".+"
    return re.compile(out + r"\Z")


def read_tree(root: Path, suffixes: Tuple[str, ...], exclude: Tuple[str, ...] = ()) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.rglob("*"))
                     if p.suffix in suffixes and p.name not in exclude)


def test_the_table_is_there_and_long():
    rows = documented_rows()
    assert len(rows) >= 60
    assert len({r for r, _ in rows}) == len(rows)  # no row twice


def test_every_documented_reason_is_in_the_code():
    code = read_tree(REPO / "cpp", (".h", ".cc")) + read_tree(REPO / "pysrc", (".py",))
    for reason, _ in documented_rows():
        for part in literal_parts(reason):
            assert part in code, f"{reason!r}: {part!r} is in no source file"


def test_every_provokable_reason_is_asserted_by_a_test():
    tests = (read_tree(REPO / "tests" / "python", (".py",), exclude=("test_skip_reasons.py",))
             + read_tree(REPO / "tests" / "cpp", (".h", ".cc")) + repr(EXPECTED))
    for reason, when in documented_rows():
        if "*not provoked*" in when:
            continue
        longest = max(literal_parts(reason), key=len)
        assert longest in tests, f"{reason!r}: no test asserts it ({longest!r} is in no test)"


# --- a corpus of bad books --------------------------------------------------------------------------------------------

def _epub(path: Path, members: Dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


CONTAINER = ('<?xml version="1.0"?><container><rootfiles>'
             '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
             '</rootfiles></container>')


def _opf(spine: str, manifest: str = "") -> str:
    return f'<package><manifest>{manifest}</manifest><spine>{spine}</spine></package>'


def _sparse_huge_directory(path: Path) -> None:
    """70 MiB of holes, then an end record whose directory is 65 MiB long."""
    with open(path, "wb") as f:
        f.truncate(70 << 20)
        f.seek(70 << 20)
        f.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, 65 << 20, 0, 0))


def write_bad_books(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    (root / "good.txt").write_text("the whale and the sea", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "bom.md").write_bytes(b"\xef\xbb\xbf")
    (root / "markup.html").write_text("<html><head><title>t</title></head><body><p> </p></body></html>")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (root / "blank.txt").write_text("   \n\t\n", encoding="utf-8")
    (root / "punctuation.txt").write_text("... !!! ??? --- ;;; a b c", encoding="utf-8")
    (root / "dir.txt").mkdir()
    os.mkfifo(root / "fifo.txt")
    os.symlink(root / "nowhere", root / "dangling.txt")
    os.symlink(root / "loop.txt", root / "loop.txt")
    os.symlink(root / "sub", root / "linked-dir.md")
    os.symlink(root / "fifo.txt", root / "to-fifo.txt")
    (root / "garbage.epub").write_bytes(b"not a zip at all " * 10)
    _sparse_huge_directory(root / "huge-directory.epub")
    _epub(root / "no-container.epub", {"mimetype": "application/epub+zip", "a.xhtml": "<p>x</p>"})
    _epub(root / "no-package.epub", {"META-INF/container.xml": "<container><rootfiles/></container>"})
    _epub(root / "missing-package.epub", {"META-INF/container.xml": CONTAINER})
    _epub(root / "no-spine.epub", {"META-INF/container.xml": CONTAINER,
                                   "content.opf": "<package><manifest/></package>"})
    _epub(root / "empty-spine.epub", {"META-INF/container.xml": CONTAINER, "content.opf": _opf("")})
    _epub(root / "unknown-idref.epub", {"META-INF/container.xml": CONTAINER,
                                        "content.opf": _opf('<itemref idref="nope"/>')})
    _epub(root / "escaping-chapter.epub", {
        "META-INF/container.xml": CONTAINER,
        "content.opf": _opf('<itemref idref="c"/>',
                            '<item id="c" href="../../etc/passwd" media-type="application/xhtml+xml"/>')})
    _epub(root / "missing-chapter.epub", {
        "META-INF/container.xml": CONTAINER,
        "content.opf": _opf('<itemref idref="c"/>',
                            '<item id="c" href="gone.xhtml" media-type="application/xhtml+xml"/>')})
    (root / "garbage.pdf").write_bytes(b"%PDF-1.4 but nothing after it")


EXPECTED = {
    "bom.md": "no text: only a byte order mark",
    "binary.txt": r"binary content: .+",
    "blank.txt": "empty text",
    "dangling.txt": r"dangling symbolic link: .+",
    "dir.txt": "a directory, not a regular file (searched for books)",
    "empty-spine.epub": "EPUB spine is empty",
    "empty.txt": "no text: the file is empty",
    "escaping-chapter.epub": "EPUB chapter ../../etc/passwd escapes the archive root",
    "fifo.txt": "a FIFO, not a regular file",
    "garbage.epub": "not a zip archive",
    "huge-directory.epub": "damaged zip archive: central directory larger than 64 MiB",
    "linked-dir.md": "symbolic link to a directory, not followed",
    "loop.txt": r"symbolic link loop: .+",
    "markup.html": "no text: only markup",
    "missing-chapter.epub": "EPUB chapter gone.xhtml not in the archive",
    "missing-package.epub": "EPUB package content.opf not in the archive",
    "no-container.epub": "EPUB without META-INF/container.xml",
    "no-package.epub": "EPUB container.xml names no package",
    "no-spine.epub": "EPUB package without a spine",
    "punctuation.txt": "no indexable terms",
    "to-fifo.txt": "symbolic link to a FIFO, not a regular file",
    "unknown-idref.epub": "EPUB spine item nope not in the manifest",
}


@pytest.fixture(scope="module")
def bad_books_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad-books") / "books"
    write_bad_books(root)
    return tomes.index_corpus(root, root.parent / "ix")


def test_bad_books_get_their_reasons_and_the_run_goes_on(bad_books_report):
    got = dict(bad_books_report.skipped)
    expected = dict(EXPECTED)
    pdf_reason = got.pop("garbage.pdf")
    assert pdf_reason in ("not a readable PDF (pdfium: data format error)",
                          "PDF support is not installed (pip install 'tomes[pdf]')")
    assert set(got) == set(expected)
    for name, reason in got.items():
        assert re.fullmatch(expected[name], reason) if expected[name].endswith(".+") else \
            reason == expected[name], (name, reason)
    assert bad_books_report.books == 1


def test_every_reason_given_is_a_documented_row(bad_books_report):
    rows = [pattern_regex(reason) for reason, _ in documented_rows()]
    for name, reason in bad_books_report.skipped:
        assert any(r.match(reason) for r in rows), f"{name}: {reason!r} is not in the documented list"


@pytest.mark.skipif(sys.platform != "linux", reason="the documented reasons are Linux's strerror")
def test_a_documented_pattern_matches_only_its_reason():
    # The regexes built from the rows are not so loose that one reason fits
    # every row: "empty text" fits exactly one.
    rows = [pattern_regex(reason) for reason, _ in documented_rows()]
    assert sum(bool(r.match("empty text")) for r in rows) == 1
