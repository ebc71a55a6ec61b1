"""Issue 11: binary files are skipped, and books in Latin-1 / Windows-1252 can be read.

Expectations come from outside the core: CPython's own codecs
(``bytes.decode``), control characters counted by ``unicodedata``-free
Python over the decoded ``str``, and hand-made book files.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tomes
from tomes import _core

BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# The controls the binary rule counts (parse/binary_text.h), as a Python set.
CONTROLS = {chr(c) for c in [*range(0x01, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)] if c != 0x85}


def random_bytes(seed: int, n: int) -> bytes:
    return random.Random(seed).randbytes(n)


def python_decode(b: bytes, encoding: str) -> str:
    """The contract of encoding= in CPython's words."""
    if b.startswith(BOMS[0]):
        return b[3:].decode("utf-8", "replace")
    if b[:2] in BOMS[1:]:
        return b.decode("utf-16", "replace")
    if encoding == "auto":
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return b.decode("cp1252", "replace")
    return b.decode(encoding, "replace")


def book_ids(index_dir) -> set:
    with tomes.open(index_dir) as ix:
        return {ix.chunk_info(d)[0] for d in range(len(ix))}


# --- 1. binary content --------------------------------------------------------

def write_must_index_books(books) -> dict:
    """Books SPEC 2 calls text, each with a word found nowhere else."""
    prose = "Call me Ishmael. Some years ago, never mind how long, I thought I would sail about.\n"
    damaged = bytearray((prose * 40).encode())
    for i in range(50, len(damaged), 600):
        damaged[i] = 0xFF
    files = {
        "utf16le.txt": b"\xff\xfe" + ("utf16lebook " + prose * 30).encode("utf-16-le"),
        "utf16be.txt": b"\xfe\xff" + ("utf16bebook " + prose * 30).encode("utf-16-be"),
        "cjk_utf16.txt": b"\xff\xfe" + ("cjkutf16book " + "これは日本語の文章です。中文文本。\n" * 40).encode("utf-16-le"),
        "cjk.txt": ("cjkbook " + "これは日本語の文章です。中文文本。한국어 문장.\n" * 40).encode(),
        "damaged.txt": b"damagedbook " + bytes(damaged),
        "latin1.txt": ("latinbook " + "café à la crème, naïve façade " * 40).encode("latin-1"),
        "nul.txt": b"nulbook\0" + b"whale\0ship\0sea\0" * 200,
    }
    for name, data in files.items():
        (books / name).write_bytes(data)
    return files


def test_random_bytes_are_skipped_and_text_is_kept(tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    (books / "binary.txt").write_bytes(random_bytes(11, 40_000))
    files = write_must_index_books(books)
    for encoding in ("utf-8", "auto", "latin-1", "cp1252"):
        index_dir = tmp_path / f"ix-{encoding}"
        report = tomes.index_corpus(books, index_dir, encoding=encoding)
        skipped = {p.rsplit("/", 1)[-1]: reason for p, reason in report.skipped}
        # UTF-8 CJK read as Latin-1 is garbage too: half its continuation
        # bytes (80-9F) become C1 controls.
        binary = {"binary.txt", "cjk.txt"} if encoding == "latin-1" else {"binary.txt"}
        assert set(skipped) == binary, (encoding, skipped)
        for name in binary:
            assert skipped[name].startswith("binary content: "), skipped
        assert book_ids(index_dir) == set(files) - binary, encoding
    with tomes.open(tmp_path / "ix-utf-8") as ix:
        for word, book in [("utf16lebook", "utf16le.txt"), ("cjkbook", "cjk.txt"), ("nulbook", "nul.txt"),
                           ("damagedbook", "damaged.txt"), ("latinbook", "latin1.txt")]:
            assert [h.book_id for h in ix.search(word)] == [book]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("encoding", ["utf-8", "auto", "latin-1", "cp1252"])
def test_census_of_random_bytes_against_python(seed, encoding):
    data = random_bytes(seed, 4096)
    text = python_decode(data, encoding)
    code_points, controls, replacements, reason = _core._text_census(text)
    assert (code_points, controls, replacements) == (
        len(text), sum(c in CONTROLS for c in text), text.count("\ufffd"))
    assert reason is not None and reason.startswith("binary content: ")


@settings(max_examples=500)
@given(text=st.text(max_size=200))
def test_census_equals_python_counts(text):
    text = text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates: a book's text never has them
    code_points, controls, replacements, reason = _core._text_census(text)
    assert code_points == len(text)
    assert controls == sum(c in CONTROLS for c in text)
    assert replacements == text.count("\ufffd")
    evidence = controls + replacements
    expected_binary = evidence >= 8 and (controls >= 0.05 * len(text) or evidence >= 0.30 * len(text))
    assert (reason is not None) == expected_binary


# --- 2. encodings -------------------------------------------------------------

ENCODING_NAMES = [("utf-8", "utf-8"), ("auto", "auto"), ("latin-1", "latin-1"), ("iso-8859-1", "latin-1"),
                  ("cp1252", "cp1252"), ("windows-1252", "cp1252")]


@settings(max_examples=1500)
@given(prefix=st.sampled_from([b"", *BOMS, b"\xef\xbb", b"\xff"]), body=st.binary(max_size=64),
       name=st.sampled_from([n for n, _ in ENCODING_NAMES]))
def test_decode_equals_python_codecs(prefix, body, name):
    b = prefix + body
    codec = {"utf-8": "utf-8", "auto": "auto", "latin-1": "latin-1", "iso-8859-1": "latin-1",
             "cp1252": "cp1252", "windows-1252": "cp1252"}[name]
    assert _core._decode_text(b, name) == python_decode(b, codec)


def test_every_byte_in_each_single_byte_codec():
    every = bytes(range(256))
    for codec in ("latin-1", "cp1252"):
        assert _core._decode_text(every, codec) == every.decode(codec, "replace")
    assert _core._decode_text(every, "auto") == every.decode("cp1252", "replace")


def test_auto_reads_valid_utf8_as_utf8():
    text = "café — 中文 — naïve"
    assert _core._decode_text(text.encode(), "auto") == text
    assert _core._decode_text(text.encode("cp1252", "replace"), "auto") == text.encode("cp1252", "replace").decode(
        "cp1252")


def write_latin1_books(books):
    books.mkdir()
    (books / "gutenberg.txt").write_bytes("The café served crème brûlée \u2014 “naïve” façade.".encode("cp1252"))
    (books / "modern.txt").write_text("A modern café, in UTF-8.", encoding="utf-8")
    (books / "bom.txt").write_bytes("\ufeffcafé with a BOM".encode("utf-8"))


def test_latin1_books_are_garbled_by_default_and_counted(tmp_path):
    write_latin1_books(tmp_path / "b")
    report = tomes.index_corpus(tmp_path / "b", tmp_path / "ix")
    assert report.invalid_utf8 == 1
    assert report.invalid_utf8_books == ["gutenberg.txt"]
    with tomes.open(tmp_path / "ix") as ix:
        [hit] = [h for h in ix.search("served")]
        assert ix.text(hit.doc_id) == (b"The caf\xe9 served cr\xe8me br\xfbl\xe9e \x97 \x93na\xefve\x94 fa\xe7ade."
                                       .decode("utf-8", "replace"))


@pytest.mark.parametrize("encoding", ["auto", "cp1252", "windows-1252", "CP1252"])
def test_encoding_reads_windows_1252_books(tmp_path, encoding):
    write_latin1_books(tmp_path / "b")
    report = tomes.index_corpus(tmp_path / "b", tmp_path / "ix", encoding=encoding)
    assert report.invalid_utf8 == 1  # the bytes were not UTF-8, whatever they were read as
    with tomes.open(tmp_path / "ix") as ix:
        texts = {ix.chunk_info(d)[0]: ix.text(d) for d in range(len(ix))}
        assert texts["gutenberg.txt"] == "The café served crème brûlée \u2014 “naïve” façade."
        assert texts["bom.txt"] == "café with a BOM"  # the BOM wins
        if encoding == "auto":
            assert texts["modern.txt"] == "A modern café, in UTF-8."
        assert {h.book_id for h in ix.search("café")} >= {"gutenberg.txt", "bom.txt"}


def test_latin1_encoding_keeps_c1_bytes(tmp_path):
    books = tmp_path / "b"
    books.mkdir()
    (books / "a.txt").write_bytes(b"caf\xe9 \x93quoted\x94 ok")
    tomes.index_corpus(books, tmp_path / "ix", encoding="iso-8859-1")
    with tomes.open(tmp_path / "ix") as ix:
        assert ix.text(0) == b"caf\xe9 \x93quoted\x94 ok".decode("latin-1")


def test_encoding_argument_is_validated(tmp_path):
    (tmp_path / "b").mkdir()
    with pytest.raises(ValueError, match="encoding 'koi8-r'.*'utf-8', 'auto'"):
        tomes.index_corpus(tmp_path / "b", tmp_path / "ix", encoding="koi8-r")
    with pytest.raises(ValueError, match="encoding 'no-such-codec'"):
        tomes.index_corpus(tmp_path / "b", tmp_path / "ix", encoding="no-such-codec")
    with pytest.raises(TypeError, match="encoding must be a str"):
        tomes.index_corpus(tmp_path / "b", tmp_path / "ix", encoding=None)
    options = _core.IndexOptions()
    assert options.parse.encoding == "utf-8"
    options.parse.encoding = "ISO-8859-1"
    assert options.parse.encoding == "latin-1"
    with pytest.raises(ValueError, match="unknown encoding"):
        options.parse.encoding = "koi8-r"


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "tomes", *args], capture_output=True, text=True, check=False)


def test_cli_encoding_and_invalid_utf8_hint(tmp_path):
    write_latin1_books(tmp_path / "b")
    result = run_cli("index", str(tmp_path / "b"), str(tmp_path / "ix"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "1 book(s) were not valid UTF-8" in result.stdout
    assert "--encoding auto" in result.stdout
    assert "gutenberg.txt" in result.stdout
    result = run_cli("index", str(tmp_path / "b"), str(tmp_path / "ix2"), "--quiet", "--encoding", "auto")
    assert result.returncode == 0, result.stderr
    assert "read as Windows-1252" in result.stdout
    result = run_cli("search", str(tmp_path / "ix2"), "brûlée")
    assert "gutenberg.txt" in result.stdout
    result = run_cli("index", str(tmp_path / "b"), str(tmp_path / "ix3"), "--quiet", "--encoding", "koi8-r")
    assert result.returncode == 2
    assert "unknown encoding 'koi8-r'" in result.stderr
