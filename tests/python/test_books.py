"""The stages before analysis against independent oracles (SPEC 2 and 4).

- decoding: CPython's own bytes.decode, on hypothesis bytes and on the corpus
- chunking: tests/python/reference_chunks.py (str.isspace, index by index)
  and the properties docs/CHUNKS.md promises
- the whitespace table: regenerated, and compared with str.isspace on every
  code point through the chunker
- collecting: an os.walk oracle over hypothesis-made trees, sorted by
  os.fsencode of the relative path; reading: open().read(), never blocking
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_chunks import chunk_spans as reference_spans
from reference_chunks import property_failures
from tomes import _core

REPO = Path(__file__).resolve().parents[2]
BOOK_EXTENSIONS = (b".txt", b".md", b".html", b".htm", b".epub", b".pdf")


# --- decoding ------------------------------------------------------------------

def python_decode(b: bytes) -> str:
    """SPEC 2 in CPython's words."""
    if b.startswith(b"\xef\xbb\xbf"):
        return b[3:].decode("utf-8", "replace")
    if b[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return b.decode("utf-16", "replace")
    return b.decode("utf-8", "replace")


INTERESTING_BYTES = [0x00, 0x0A, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBB, 0xBF, 0xC0,
                     0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4,
                     0xF5, 0xF8, 0xFE, 0xFF, 0xD8, 0xDC, 0xDB, 0xDF]
nearly_utf8 = st.lists(st.sampled_from(INTERESTING_BYTES) | st.integers(0, 255),
                       max_size=40).map(bytes)
prefixes = st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb",
                            b"\xff", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe\xff\xfe"])


@settings(max_examples=3000)
@given(prefix=prefixes, body=nearly_utf8 | st.binary(max_size=64))
def test_decode_equals_python_on_bytes(prefix, body):
    b = prefix + body
    assert _core._decode_text(b) == python_decode(b)


@settings(max_examples=1000)
@given(text=st.text(max_size=40),
       codec=st.sampled_from(["utf-16-le", "utf-16-be"]),
       damage=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=3),
       cut=st.integers(0, 3))
def test_decode_equals_python_on_utf16(text, codec, damage, cut):
    body = bytearray(("\ufeff" + text).encode(codec, "surrogatepass"))
    for where, value in damage:
        if len(body) > 2:
            body[2 + where % (len(body) - 2)] = value
    b = bytes(body[:len(body) - cut] if cut < len(body) - 1 else body)
    assert _core._decode_text(b) == python_decode(b)


@settings(max_examples=500)
@given(text=st.text())
def test_decode_of_valid_utf8_is_identity(text):
    b = text.encode("utf-8", "replace")
    assert _core._decode_text(b) == python_decode(b)


def test_decode_corpus_equals_python(corpus_real):
    for path in sorted(corpus_real.iterdir())[:300]:
        data = path.read_bytes()
        assert _core._decode_text(data) == python_decode(data), path


# --- the whitespace table --------------------------------------------------------

@pytest.mark.skipif(unicodedata.unidata_version != "14.0.0",
                    reason="the table is generated from Python 3.11's unicodedata 14.0.0")
def test_whitespace_table_regenerates_identically(tmp_path):
    out = tmp_path / "whitespace_table.h"
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen_whitespace_table.py"),
                    "--output", str(out)], check=True)
    committed = (REPO / "cpp" / "chunk" / "whitespace_table.h").read_text("utf-8")
    assert out.read_text("utf-8") == committed, \
        "cpp/chunk/whitespace_table.h differs from the generator's output"


def test_whitespace_is_str_isspace_on_every_code_point():
    # With chunk_size 1 every non-whitespace code point is a chunk of its own
    # and no whitespace is in any chunk: the chunks spell out the table.
    text = "".join(map(chr, range(sys.maxunicode + 1)))
    spans = _core._chunk_spans(text, 1, 0)
    chunked = [start for start, end in spans]
    assert all(end == start + 1 for start, end in spans)
    assert chunked == [cp for cp in range(sys.maxunicode + 1) if not chr(cp).isspace()]


# --- chunking ------------------------------------------------------------------------

SPACES = [" ", " ", "\n", "\t", "\r", "\x0b", "\x1c", "\x85", "\xa0", "\u1680", "\u2000",
          "\u2028", "\u202f", "\u3000"]
NOT_SPACES = ["a", "b", "é", "\u200b", "\ufeff", "😀", "\ud800", "\x00", "日"]
texts = st.text(alphabet=st.sampled_from(SPACES + NOT_SPACES) | st.characters(), max_size=80)
wordy = st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=12), max_size=40).map(" ".join)


@st.composite
def sizes(draw):
    chunk_size = draw(st.integers(0, 30))
    overlap = draw(st.integers(0, max(chunk_size - 1, 0))) if chunk_size else draw(st.integers(0, 5))
    return chunk_size, overlap


@settings(max_examples=3000)
@given(text=texts | wordy, size=sizes())
def test_chunks_equal_reference(text, size):
    chunk_size, overlap = size
    spans = [tuple(s) for s in _core._chunk_spans(text, chunk_size, overlap)]
    assert spans == reference_spans(text, chunk_size, overlap)
    assert property_failures(text, spans, chunk_size, overlap) == []


def test_chunk_pinned_cases():
    # The rule's fix (docs/CHUNKS.md): "bb" alone would sit inside [0, 6).
    assert _core._chunk_spans("aaa bb cccccccccccccccc", 10, 5) == [(0, 6), (7, 17), (17, 23)]
    assert reference_spans("aaa bb cccccccccccccccc", 10, 5) == [(0, 6), (7, 17), (17, 23)]
    assert _core._chunk_spans("  whole book \n", 0, 0) == [(2, 12)]
    assert _core._chunk_spans(" \u3000\n", 0, 0) == []
    assert _core._chunk_spans("", 10, 0) == []
    assert _core._chunk_spans("abcdefghij", 4, 2) == [(0, 4), (4, 8), (8, 10)]


def test_chunk_options_are_checked():
    with pytest.raises(ValueError, match="chunk_overlap must be smaller than chunk_size"):
        _core._chunk_spans("a b", 10, 10)
    with pytest.raises(ValueError, match="chunk_size must be below 2"):
        _core._chunk_spans("a b", 2**32, 0)
    with pytest.raises(TypeError):
        _core._chunk_spans("a b", -1, 0)


def test_chunks_of_corpus_books_equal_reference(corpus_real):
    books = sorted(p for p in corpus_real.iterdir() if p.suffix == ".txt")
    for path in books[:3]:
        text = python_decode(path.read_bytes())[:300_000]
        for chunk_size, overlap in [(1000, 100), (200, 0), (50, 49)]:
            spans = [tuple(s) for s in _core._chunk_spans(text, chunk_size, overlap)]
            assert spans == reference_spans(text, chunk_size, overlap), (path, chunk_size)
            assert property_failures(text, spans, chunk_size, overlap) == []


# --- collecting and reading ---------------------------------------------------------------

def walk_oracle(root: bytes):
    """Books by os.walk: regular files (symlinks followed) named like books,
    symlinked directories not descended, sorted by the bytes of relpath."""
    books = []
    for dirpath, _dirs, files in os.walk(root, followlinks=False):
        for name in files:
            full = os.path.join(dirpath, name)
            if name.lower().endswith(BOOK_EXTENSIONS) and os.path.isfile(full):
                rel = os.path.relpath(full, root).replace(os.sep.encode(), b"/")
                books.append((rel, os.stat(full).st_size))
    return sorted(books)


COMPONENTS = st.sampled_from([b"a", b"B", b"a b", b"\xff", b"\xc3\xa9", b"-", b"a.b", b"Z",
                              b"\x01", b"~"])
SUFFIXES = st.sampled_from([b".txt", b".TXT", b".md", b".Md", b".html", b".htm", b".epub",
                            b".pdf", b".doc", b"", b".txt.bak", b".PDF"])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.tuples(st.lists(COMPONENTS, min_size=1, max_size=3), SUFFIXES,
                                  st.integers(0, 50)), max_size=25),
       links=st.lists(st.tuples(st.integers(0, 24), SUFFIXES, st.booleans()), max_size=4))
def test_collect_equals_os_walk(tmp_path_factory, entries, links):
    root = os.fsencode(tmp_path_factory.mktemp("books"))
    made = []
    for components, suffix, size in entries:
        *dirs, name = components
        directory = os.path.join(root, *dirs) if dirs else root
        path = os.path.join(directory, name + suffix)
        try:
            os.makedirs(directory, exist_ok=True)
            with open(path, "wb") as f:
                f.write(b"x" * size)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # a name already taken by a directory or a file
        made.append(path)
    for index, suffix, to_directory in links:
        if not made:
            break
        target = made[index % len(made)]
        link = os.path.join(root, b"link" + str(index).encode() + suffix)
        if os.path.lexists(link):
            continue
        os.symlink(os.path.dirname(target) if to_directory else target, link)
    books, skipped = _core._collect_books(root)
    assert [tuple(b) for b in books] == walk_oracle(root)
    for path, reason in skipped:
        assert path.startswith(root + b"/") and reason


def test_collect_reports_non_books(tmp_path):
    root = os.fsencode(tmp_path)
    (tmp_path / "ok.txt").write_text("ok")
    (tmp_path / "dir.txt").mkdir()
    (tmp_path / "dir.txt" / "in.md").write_text("in")
    os.mkfifo(tmp_path / "fifo.md")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "s.pdf"))
    os.symlink("nowhere", tmp_path / "dangling.txt")
    os.symlink("loop.txt", tmp_path / "loop.txt")
    os.symlink(".", tmp_path / "self")
    books, skipped = _core._collect_books(root + b"/")
    assert books == [(b"dir.txt/in.md", 2), (b"ok.txt", 2)]
    reasons = {os.path.basename(p).decode(): r for p, r in skipped}
    assert reasons["dir.txt"] == "a directory, not a regular file (searched for books)"
    assert reasons["fifo.md"] == "a FIFO, not a regular file"
    assert reasons["s.pdf"] == "a socket, not a regular file"
    assert reasons["dangling.txt"].startswith("dangling symbolic link")
    assert reasons["loop.txt"].startswith("symbolic link loop")
    assert reasons["self"] == "symbolic link to a directory, not followed"
    sock.close()
    with pytest.raises(OSError, match="cannot read the books directory"):
        _core._collect_books(root + b"/ok.txt")
    with pytest.raises(OSError, match="missing"):
        _core._collect_books(root + b"/missing")


def test_read_book(tmp_path):
    data = bytes(range(256)) * 100
    (tmp_path / "b.txt").write_bytes(data)
    path = os.fsencode(tmp_path / "b.txt")
    assert _core._read_book(path, len(data)) == data
    with pytest.raises(ValueError, match=r"25600 bytes, over the limit of 25599 bytes"):
        _core._read_book(path, len(data) - 1)
    with pytest.raises(OSError, match="No such file"):
        _core._read_book(os.fsencode(tmp_path / "none.txt"), 10)
    os.mkfifo(tmp_path / "f.txt")
    previous = signal.signal(signal.SIGALRM, signal.default_int_handler)
    signal.alarm(20)  # a blocking open would raise KeyboardInterrupt here, not hang
    try:
        with pytest.raises(ValueError, match="a FIFO, not a regular file"):
            _core._read_book(os.fsencode(tmp_path / "f.txt"), 10)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
