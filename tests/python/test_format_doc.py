"""docs/FORMAT.md, run: its worked examples are rebuilt with tomes and compared
byte for byte with the document, and its section 9 reader is executed and
compared with tomes.open. The document cannot drift from what tomes writes.

What is checked (the words after a fence's backticks say what a block is):

- section 2: the self-checksum snippet, run on real index.json and meta.json;
- section 5: the postings example, built as a real segment of one-chunk books
  (the example's postings and doc lengths, parsed from the prose), against
  the region tables and the small examples of the prose;
- section 6: the ``hexrows`` block of the FST example against
  ``tomes.Fst.build`` of the map the prose gives, plus the lookup and the
  smallest file;
- section 8: the books and options of the ``sh`` block are indexed; every
  ``xxd`` dump, ``json`` file, the ``text sizes`` block, every table of
  offsets and bytes, the chunk/term/entry tables and every quoted CRC are
  compared with the files; the variants the prose describes (threads,
  store_text=False, batch_size=1, English stopwords) are built too;
- section 9: the reader is exec'd and run on the section 8 index and on bigger
  indexes (several segments, skip tables, multi-block texts; store_text on
  and off), against terms, postings, chunk_info and text of tomes.open.

A failure names the section and the first differing byte, row or line.
The test suite runs against the installed package, from outside the source
tree, so the document is found relative to this file.
"""

from __future__ import annotations

import ast
import json
import os
import random
import re
import shutil
import struct
import zlib
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

import tomes

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "FORMAT.md"
DOC_NAME = "docs/FORMAT.md"

BINARY_FILES = ("terms.fst", "offsets.bin", "postings_docs.bin", "postings_freqs.bin",
                "doc_lengths.bin", "chunks.bin", "text.bin", "books.bin")


# --- reading the document ------------------------------------------------------


def fail(where: str, message: str) -> None:
    pytest.fail(f"{DOC_NAME} {where}: {message}", pytrace=False)


def first_difference(a: bytes, b: bytes) -> int:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def check_bytes(where: str, documented: bytes, actual: bytes, base: int = 0) -> None:
    """Fail naming the first differing byte (offsets counted from ``base``)."""
    if documented == actual:
        return
    i = first_difference(documented, actual)
    if i < min(len(documented), len(actual)):
        fail(where, f"first difference at byte {base + i} (0x{base + i:x}): the doc has "
                    f"{documented[i]:02x}, tomes writes {actual[i]:02x} "
                    f"(doc {documented[i:i + 8].hex(' ')} ..., tomes {actual[i:i + 8].hex(' ')} ...)")
    fail(where, f"the doc gives {len(documented)} bytes from {base}, tomes writes {len(actual)} "
                f"(equal up to byte {base + i})")


def short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + " ..."


def check_equal(where: str, documented: object, actual: object, said: str = "the doc says") -> None:
    if documented == actual:
        return
    if isinstance(documented, (list, tuple)) and isinstance(actual, (list, tuple)) and len(documented) == len(actual):
        i = next(i for i, (x, y) in enumerate(zip(documented, actual)) if x != y)
        if isinstance(documented[i], (list, tuple)) and isinstance(actual[i], (list, tuple)):
            check_equal(f"{where}, item {i}", documented[i], actual[i], said)
        fail(where, f"first difference at item {i}: {said} {short(documented[i])}, tomes gives {short(actual[i])}")
    fail(where, f"{said} {short(documented)}, tomes gives {short(actual)}")


class Block:
    """A fenced code block: its info string's language, words and key=value attributes."""

    def __init__(self, info: str, lines: List[Tuple[int, str]]):
        words = info.split()
        self.lang = words[0] if words else ""
        self.words = set(words[1:])
        self.attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        self.lines = lines  # (1-based line number, text)
        self.line = lines[0][0] if lines else 0

    @property
    def text(self) -> str:
        return "".join(text + "\n" for _, text in self.lines)

    def compile(self):
        """The block as Python code whose tracebacks give docs/FORMAT.md's own line numbers."""
        return compile("\n" * (self.line - 1) + self.text, str(DOC_PATH), "exec")


class Part:
    """A run of the document's lines (a section or subsection)."""

    def __init__(self, title: str, lines: List[Tuple[int, str]]):
        self.title = title
        self.lines = lines

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)

    def subsection(self, title: str) -> "Part":
        """The ``### title`` subsection, up to the next ``###``."""
        return heading_span(self.lines, lambda text: text.strip() == "### " + title, "### ",
                            f"{self.title}, {title}", f"{DOC_NAME} {self.title}: no subsection '### {title}'")

    def subsections(self) -> List["Part"]:
        return [self.subsection(text[4:].strip()) for _, text in self.lines if text.startswith("### ")]

    def blocks(self, lang: Optional[str] = None) -> List[Block]:
        out, info, body = [], None, []
        for number, text in self.lines:
            if info is None and text.startswith("```"):
                info, body = text[3:], []
            elif info is not None and text.startswith("```"):
                out.append(Block(info, body))
                info = None
            elif info is not None:
                body.append((number, text))
        return [b for b in out if lang is None or b.lang == lang]

    def block(self, lang: str, *words: str) -> Block:
        found = [b for b in self.blocks(lang) if set(words) <= b.words]
        if len(found) != 1:
            raise AssertionError(f"{DOC_NAME} {self.title}: expected one ```{lang} {' '.join(words)} block, "
                                 f"found {len(found)}")
        return found[0]

    def tables(self) -> List["Table"]:
        """The tables, each with the paragraph just before it."""
        out, rows, paragraph, before = [], [], [], ""
        outside, blank = True, True
        for number, text in self.lines:
            if text.startswith("```"):
                outside = not outside
            if outside and text.startswith("|"):
                if not rows:
                    before = " ".join(paragraph)
                rows.append((number, text))
                continue
            if rows:
                out.append(Table(before, rows))
                rows = []
            if text.strip():
                paragraph = [text.strip()] if blank else paragraph + [text.strip()]
            blank = not text.strip()
        if rows:
            out.append(Table(before, rows))
        return out

    def table_after(self, anchor: str) -> "Table":
        for table in self.tables():
            if anchor in table.before:
                return table
        raise AssertionError(f"{DOC_NAME} {self.title}: no table after a line with {anchor!r}")

    def search(self, pattern: str, flags: int = 0) -> re.Match:
        match = re.search(pattern, self.text, flags)
        if match is None:
            raise AssertionError(f"{DOC_NAME} {self.title}: the test expects text matching {pattern!r}")
        return match


def split_cells(line: str) -> List[str]:
    """A table row's cells; a | inside backticks is not a separator."""
    cells, cell, quoted = [], "", False
    for ch in line.strip().strip("|"):
        if ch == "`":
            quoted = not quoted
        if ch == "|" and not quoted:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += ch
    cells.append(cell.strip())
    return cells


class Table:
    def __init__(self, before: str, rows: List[Tuple[int, str]]):
        self.before = before
        self.header = split_cells(rows[0][1])
        self.rows = [(number, dict(zip(self.header, split_cells(text)))) for number, text in rows[2:]]


def heading_span(lines, is_start, next_heading: str, title: str, missing: str) -> "Part":
    """The lines from the first that is_start accepts up to the next line
    starting with next_heading (or the end), as a Part named title."""
    start = None
    for i, (_, text) in enumerate(lines):
        if start is None and is_start(text):
            start = i
        elif start is not None and text.startswith(next_heading):
            return Part(title, lines[start:i])
    if start is None:
        raise AssertionError(missing)
    return Part(title, lines[start:])


class Doc:
    def __init__(self, path: Path):
        self.lines = list(enumerate(path.read_text(encoding="utf-8").split("\n"), start=1))

    def section(self, number: int) -> Part:
        return heading_span(self.lines, lambda text: text.startswith(f"## {number}. "), "## ",
                            f"section {number}", f"{DOC_NAME}: no section '## {number}. '")


@pytest.fixture(scope="module")
def doc() -> Doc:
    assert DOC_PATH.is_file(), f"{DOC_PATH} not found (the tests read the source tree's docs/)"
    return Doc(DOC_PATH)


def hex_bytes(text: str) -> bytes:
    """The bytes of the backticked hex groups in a cell: `01 00` `ff` -> 01 00 ff."""
    return bytes.fromhex("".join(re.findall(r"`([0-9a-f]{2}(?: [0-9a-f]{2})*)`", text)).replace(" ", ""))


def ints(text: str) -> List[int]:
    return [int(x) for x in re.findall(r"\d+", text)]


XXD_LINE = re.compile(r"^\s*(?:(?P<name>\S+)\s+)?(?P<offset>[0-9a-f]{8}): (?P<hex>.{39})  (?P<ascii>.*)$")


def parse_xxd(block: Block, where: str) -> Dict[str, Tuple[int, bytes, List[int]]]:
    """{file: (first offset, bytes, line numbers)} of an xxd dump, checking its offsets and ASCII column."""
    out: Dict[str, Tuple[int, bytearray, List[int]]] = {}
    name = block.attrs.get("file")
    for number, text in block.lines:
        match = XXD_LINE.match(text)
        if match is None:
            fail(f"{where} (line {number})", f"not an xxd line: {text!r}")
        name = match["name"] or name
        if name is None:
            fail(f"{where} (line {number})", "the dump names no file (file= or a name before the offset)")
        data = bytes.fromhex(match["hex"].replace(" ", ""))
        offset = int(match["offset"], 16)
        start, got, numbers = out.setdefault(name, (offset, bytearray(), []))
        if offset != start + len(got) or (got and len(got) % 16):
            fail(f"{where} (line {number})", f"{name}: offset 0x{offset:08x} does not follow the previous line")
        ascii_column = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in data)
        if match["ascii"].rstrip() != ascii_column.rstrip():
            fail(f"{where} (line {number})", f"{name}: the ASCII column {match['ascii']!r} does not match "
                                             f"the bytes (expected {ascii_column!r})")
        got += data
        numbers.append(number)
    return {k: (start, bytes(data), numbers) for k, (start, data, numbers) in out.items()}


# --- section 2: the self-checksum snippet --------------------------------------


def test_section2_checksum_snippet(doc, example_index):
    """The snippet accepts real index.json and meta.json, and refuses a changed byte."""
    snippet = doc.section(2).subsection("The self-checksum of `index.json` and `meta.json`").block("python")
    code = snippet.compile()
    ix, _ = example_index
    for path in (ix / "index.json", next(ix.glob("segment_*")) / "meta.json"):
        try:
            exec(code, {"json": json, "zlib": zlib, "open": open, "path": str(path)})
        except AssertionError as e:
            raise AssertionError(f"{DOC_NAME} section 2 (line {snippet.line}): the checksum snippet refuses "
                                 f"{path.name} that tomes wrote") from e
        damaged = path.parent / (path.name + ".damaged")
        data = bytearray(path.read_bytes())
        at = data.index(b'"format_version": ') + len(b'"format_version": ')
        data[at] = ord("9") if data[at] != ord("9") else ord("8")
        damaged.write_bytes(bytes(data))
        with pytest.raises(AssertionError):
            exec(code, {"json": json, "zlib": zlib, "open": open, "path": str(damaged)})
        damaged.unlink()


def test_section1_older_segment_format_is_refused(doc, example_index, tmp_path):
    """Section 1's history: a segment of format version 2 is refused, with the advice to rebuild."""
    doc.section(1).search(r"tomes reads only segment version 3 and index version 2: opening an index\s+"
                          r"whose segments are version 2 raises `CorruptIndexError` saying the index was\s+"
                          r"written by an older tomes format and must be rebuilt \(run `tomes index`\s+"
                          r"again\)")
    ix, _ = example_index
    old = tmp_path / "ix"
    shutil.copytree(ix, old)
    meta = next(old.glob("segment_*")) / "meta.json"
    text = meta.read_bytes().replace(b'"format_version": 3', b'"format_version": 2')
    key = text.rfind(b'"crc32"')  # the self-checksum of section 2, made again
    meta.write_bytes(text[:key] + b'"crc32": %d\n}\n' % zlib.crc32(text[:key]))
    with pytest.raises(tomes.CorruptIndexError, match=r"segment format version 2, this tomes reads version 3: "
                       r"the index was written by an older tomes format and must be rebuilt \(run `tomes index` "
                       r"again\)"):
        tomes.open(old)
    # and an index.json of index format version 1
    older = tmp_path / "ix1"
    shutil.copytree(ix, older)
    manifest = older / "index.json"
    text = manifest.read_bytes().replace(b'"format_version": 2', b'"format_version": 1')
    key = text.rfind(b'"crc32"')
    manifest.write_bytes(text[:key] + b'"crc32": %d\n}\n' % zlib.crc32(text[:key]))
    with pytest.raises(tomes.CorruptIndexError, match=r"index format version 1, this tomes reads version 2: "
                       r"the index was written by an older tomes and must be rebuilt"):
        tomes.open(older)


# --- section 5: the postings example -------------------------------------------


def write_one_chunk_books(books: Path, contents: List[str]) -> None:
    books.mkdir()
    for doc_id, text in enumerate(contents):
        (books / f"{doc_id:05d}.txt").write_text(text, encoding="utf-8")


def term_entries(segment: Path) -> List[Tuple[int, int, int, int, int]]:
    """Per ordinal (doc_offset, doc_len, freq_offset, freq_len, doc_count), decoded from offsets.bin as
    section 4 lays it out: 24-byte block headers (one per 32 terms, then the end header), then per block
    records of doc_width + freq_width + count_width bits (starts relative to the block's, doc_count - 1)."""
    num_terms = json.loads((segment / "meta.json").read_text())["num_terms"]
    data = (segment / "offsets.bin").read_bytes()[:-16]
    blocks = -(-num_terms // 32)
    heads = [struct.unpack_from("<QQIBBBB", data, 24 * k) for k in range(blocks + 1)]
    assert all(h[6] == 0 for h in heads) and heads[-1][3:] == (0, 0, 0, 0)
    packed = data[24 * (blocks + 1):]
    assert heads[-1][2] == len(packed)
    starts = []  # (doc_start, freq_start, doc_count) per ordinal, then the end
    for k in range(blocks):
        doc_start, freq_start, packed_start, wd, wf, wc, _ = heads[k]
        bits = "".join(format(b, "08b")[::-1] for b in packed[packed_start:heads[k + 1][2]])  # bit p = p % 8 of p / 8
        field = lambda at, w: int(bits[at:at + w][::-1] or "0", 2)
        for i in range(min(32, num_terms - 32 * k)):
            at = i * (wd + wf + wc)
            starts.append((doc_start + field(at, wd), freq_start + field(at + wd, wf), field(at + wd + wf, wc) + 1))
    starts.append(heads[-1][:2] + (0,))
    return [(d, starts[o + 1][0] - d, f, starts[o + 1][1] - f, n) for o, (d, f, n) in enumerate(starts[:-1])]


def term_regions(segment: Path, term: str) -> Tuple[bytes, bytes, int]:
    """The docs region, freqs region and doc_count of a term, found through terms.fst and offsets.bin."""
    ordinal = tomes.Fst.open(segment / "terms.fst")[term.encode()]
    doc_offset, doc_len, freq_offset, freq_len, count = term_entries(segment)[ordinal]
    docs = (segment / "postings_docs.bin").read_bytes()[:-16]
    freqs = (segment / "postings_freqs.bin").read_bytes()[:-16]
    return docs[doc_offset:doc_offset + doc_len], freqs[freq_offset:freq_offset + freq_len], count


def region_table(part: Part, anchor: str) -> bytes:
    """The bytes of an ``| offset | bytes (hex) | meaning |`` table, checking its offsets and stated size."""
    table = part.table_after(anchor)
    size = int(re.search(r"(\d+) bytes", table.before)[1])
    out = b""
    for number, row in table.rows:
        if int(row["offset"]) != len(out):
            fail(f"{part.title} (line {number})", f"offset {row['offset']}, but the rows before give {len(out)}")
        out += hex_bytes(row["bytes (hex)"])
    if len(out) != size:
        fail(f"{part.title}", f"'{table.before}' but the table holds {len(out)} bytes")
    return out


def test_section5_postings_example(doc, tmp_path):
    """The example's term, and the two small ones of the prose, in a real segment."""
    part = doc.section(5).subsection("Worked example (postings)")
    text = part.text
    match = part.search(r"a segment of (\d+) docs with (\d+) postings")
    num_docs, count = int(match[1]), int(match[2])
    match = part.search(r"docs 0, 2, 4, \.\.\., (\d+) \((\d+) postings, each with frequency 1\)")
    postings = {d: 1 for d in range(0, int(match[1]) + 1, 2)}
    assert len(postings) == int(match[2])
    postings.update({int(d): int(f) for d, f in re.findall(r"^- doc (\d+) with frequency (\d+)", text, re.M)})
    check_equal(f"{part.title}: the number of postings", count, len(postings))
    match = part.search(r"Every doc has length (\d+), except (.*?)\.\s", re.S)
    lengths = [int(match[1])] * num_docs
    for d, length in re.findall(r"doc (\d+)\s+\((?:length )?(\d+)\)", match[2]):
        lengths[int(d)] = int(length)
    # the two small terms of the prose: "Docs 5, 6, 1000 with frequencies 1, 1, 2 are ... the docs
    # region `..` ... the freqs region `..`"
    small = re.findall(r"[Dd]ocs\s+([\d,\s]+?)\s+with\s+frequencies\s+([\d,\s]+?)\s+are\s.*?the\s+docs\s+region\s+"
                       r"`([0-9a-f\s]+)`.*?the\s+freqs\s+region\s+`([0-9a-f\s]+)`", text, re.S)
    assert len(small) == 2, f"{DOC_NAME} {part.title}: expected the two small examples, found {small}"
    terms = {"xx": postings}
    for name, (docs, freqs, _, _) in zip(("yy", "zz"), small):
        terms[name] = dict(zip(ints(docs), ints(freqs)))
    # Each doc is a book of one chunk: the terms' occurrences, a term of its own (equal books
    # would be indexed once), then a filler term up to its length.
    contents = []
    for d in range(num_docs):
        words = [t for t, p in terms.items() for _ in range(p.get(d, 0))] + [f"q{d:05d}"]
        if len(words) > lengths[d]:
            fail(part.title, f"doc {d} has length {lengths[d]} but holds {len(words) - 1} occurrences of the terms")
        contents.append(" ".join(words + ["ff"] * (lengths[d] - len(words))))
    write_one_chunk_books(tmp_path / "books", contents)
    report = tomes.index_corpus(tmp_path / "books", tmp_path / "ix", chunk_size=0, chunk_overlap=0,
                                batch_size=num_docs, threads=2)
    assert (report.chunks, report.segments) == (num_docs, 1)
    with tomes.open(tmp_path / "ix") as ix:
        for term, p in terms.items():  # the segment holds what the example says
            docs, freqs = ix.postings(term)
            assert dict(zip(docs.tolist(), freqs.tolist())) == p, term
    segment = tmp_path / "ix" / json.loads((tmp_path / "ix" / "index.json").read_text())["segments"][0]["name"]

    docs_region, freqs_region, n = term_regions(segment, "xx")
    check_bytes(f"{part.title}, the postings_docs.bin region table",
                region_table(part, "`postings_docs.bin` region"), docs_region)
    check_bytes(f"{part.title}, the postings_freqs.bin region table",
                region_table(part, "`postings_freqs.bin` region"), freqs_region)
    assert n == count
    for name, (docs, freqs, docs_hex, freqs_hex) in zip(("yy", "zz"), small):
        docs_region, freqs_region, _ = term_regions(segment, name)
        check_bytes(f"{part.title}, the docs region of docs {docs}", bytes.fromhex(docs_hex), docs_region)
        check_bytes(f"{part.title}, the freqs region of docs {docs}", bytes.fromhex(freqs_hex), freqs_region)


# --- section 6: the FST example ------------------------------------------------


def test_section6_fst_example(doc):
    part = doc.section(6).subsection("Worked example (FST)")
    match = part.search(r"The map `(\{.*?\})` builds to these (\d+) bytes")
    mapping = ast.literal_eval(match[1])
    block = part.block("hexrows")
    documented = b""
    for number, text in block.lines:
        offset, rest = text.split(None, 1)
        tokens = rest.split()
        row = bytes.fromhex("".join(t for t in tokens[:next(
            (i for i, t in enumerate(tokens) if not re.fullmatch(r"[0-9a-f]{2}", t)), len(tokens))]))
        if int(offset) != len(documented):
            fail(f"{part.title} (line {number})", f"offset {offset}, but the rows before give {len(documented)}")
        span = re.search(r"\[(\d+),(\d+)\) addr (\d+)", rest)
        end = len(documented) + len(row)
        if span and (int(span[1]), int(span[2]), int(span[3])) != (len(documented), end, end):
            fail(f"{part.title} (line {number})", f"{span[0]!r} does not match the row's bytes")
        documented += row
    check_equal(f"{part.title}: the size", int(match[2]), len(documented))
    fst = tomes.Fst.build(sorted(mapping.items()))
    check_bytes(f"{part.title} (line {block.line})", documented, fst.to_bytes())
    match = part.search(r"Looking up `(\w+)`.*The value is [\d +]*= (\d+)\.", re.S)
    check_equal(f"{part.title}: looking up {match[1]}", int(match[2]), fst[match[1].encode()])
    match = doc.section(6).search(r"The smallest valid file is (\d+) bytes")
    check_equal("section 6: the smallest file", int(match[1]), len(tomes.Fst.build([]).to_bytes()))


# --- section 8: a whole index of two books -------------------------------------


def example_recipe(doc: Doc) -> Tuple[Dict[str, bytes], dict]:
    """The books and the index_corpus options of section 8's sh block."""
    return example_recipe_with_mtimes(doc)[:2]


def example_recipe_with_mtimes(doc: Doc) -> Tuple[Dict[str, bytes], dict, Dict[str, int]]:
    """The books, the index_corpus options and the books' mtimes (seconds) of section 8's sh block."""
    block = doc.section(8).block("sh")
    books, options, mtimes = {}, None, {}
    for _, text in block.lines:
        match = re.fullmatch(r"printf '(.*)' > books/(\S+)", text)
        if match:
            books[match[2]] = match[1].encode("ascii").decode("unicode_escape").encode("latin-1")
        match = re.fullmatch(r"touch -d @(\d+) (.*)", text)
        if match:
            for path in match[2].split():
                mtimes[path.removeprefix("books/")] = int(match[1])
        match = re.search(r"tomes\.index_corpus\('books', 'ix'(.*?)\)\)", text)
        if match:
            call = ast.parse(f"f(None{match[1]})", mode="eval").body
            options = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    assert books and options is not None, f"{DOC_NAME} section 8 (line {block.line}): no books or no index_corpus"
    return books, options, mtimes


def build_example(doc: Doc, root: Path, **changes) -> Tuple[Path, tomes.IndexReport]:
    books, options, mtimes = example_recipe_with_mtimes(doc)
    (root / "books").mkdir(parents=True)
    for name, data in books.items():
        (root / "books" / name).write_bytes(data)
        if name in mtimes:  # books.bin records each file's mtime
            os.utime(root / "books" / name, ns=(mtimes[name] * 10**9, mtimes[name] * 10**9))
    report = tomes.index_corpus(root / "books", root / "ix", **{**options, **changes})
    return root / "ix", report


@pytest.fixture(scope="module")
def example_index(doc, tmp_path_factory) -> Tuple[Path, tomes.IndexReport]:
    return build_example(doc, tmp_path_factory.mktemp("section8"))


@pytest.fixture(scope="module")
def example_segment(example_index) -> Path:
    ix, _ = example_index
    return ix / json.loads((ix / "index.json").read_text())["segments"][0]["name"]


def test_section8_report_and_sizes(doc, example_index, example_segment):
    part = doc.section(8)
    ix, report = example_index
    match = part.search(r"`IndexReport\(([^`]*?), \.\.\.\)`: one segment,\s+`ix/(segment_\w+)`")
    for key, value in re.findall(r"(\w+)=(\d+)", match[1]):
        check_equal(f"{part.title}: IndexReport.{key}", int(value), getattr(report, key))
    check_equal(f"{part.title}: the segment", match[2], example_segment.name)
    block = part.block("text", "sizes")
    sizes = {name: int(size) for name, size in re.findall(r"(\S+) (\d+)", block.text)}
    actual = {path.name: path.stat().st_size for path in example_segment.iterdir()}
    for name in sorted(set(sizes) | set(actual)):
        check_equal(f"{part.title}, file sizes (line {block.line}): {name}", sizes.get(name), actual.get(name))


def test_section8_dumps(doc, example_segment):
    """Every xxd dump of section 8 is the file's bytes, up to its end; every binary file is dumped whole."""
    whole = set()
    dumps = [(part, block) for part in doc.section(8).subsections() for block in part.blocks("xxd")]
    assert len(dumps) >= 7
    for part, block in dumps:
        where = f"{part.title}, xxd dump"
        for name, (start, documented, numbers) in parse_xxd(block, where).items():
            actual = (example_segment / name).read_bytes()[start:]
            line = numbers[min(first_difference(documented, actual), len(documented) - 1) // 16]
            check_bytes(f"{part.title}, xxd dump of {name} (line {line})", documented,
                        actual[:len(documented)], base=start)
            actual = (example_segment / name).read_bytes()
            if start + len(documented) != len(actual):
                fail(f"{where} (line {numbers[-1]})",
                     f"{name}: the dump ends at {start + len(documented)}, the file at {len(actual)}")
            if start == 0:
                whole.add(name)
    missing = set(BINARY_FILES) - whole
    assert not missing, f"{DOC_NAME} section 8: no whole dump of {sorted(missing)}"


def test_section8_json_files(doc, example_index, example_segment):
    ix, _ = example_index
    part = doc.section(8)
    blocks = part.blocks("json")
    assert {b.attrs.get("file") for b in blocks} == {"meta.json", "index.json"}
    for block in blocks:
        name = block.attrs["file"]
        actual = ((ix if name == "index.json" else example_segment) / name).read_text(encoding="utf-8")
        if block.text != actual:
            documented_lines, actual_lines = block.text.split("\n"), actual.split("\n")
            i = next(i for i in range(max(len(documented_lines), len(actual_lines)))
                     if documented_lines[i:i + 1] != actual_lines[i:i + 1])
            fail(f"{part.title}, {name} (line {block.line + i})",
                 f"the doc has {documented_lines[i:i + 1]}, tomes writes {actual_lines[i:i + 1]}")
    meta = part.subsection("`meta.json`")
    data = (example_segment / "meta.json").read_bytes()
    match = meta.search(r"The file is (\d+) bytes\. The key `\"crc32\"` of the last member starts at\s+offset "
                        r"(\d+), and `zlib\.crc32` of bytes \[0, (\d+)\) is (\d+)\.")
    key = data.rindex(b'"crc32"')
    check_equal(f"{meta.title}: the file's size, the key's offset and the CRC",
                tuple(int(x) for x in match.groups()), (len(data), key, key, zlib.crc32(data[:key])))


def test_section8_byte_tables(doc, example_segment):
    """Every `| offset | bytes | ...` table under a file's subsection gives that file's bytes."""
    checked = 0
    for part in doc.section(8).subsections():
        name = re.fullmatch(r"### `([\w.]+)`", part.lines[0][1])
        if not name:
            continue
        for table in part.tables():
            if table.header[:2] != ["offset", "bytes"]:
                continue
            data = (example_segment / name[1]).read_bytes()
            for number, row in table.rows:
                offset, documented = int(row["offset"]), hex_bytes(row["bytes"])
                actual = data[offset:offset + len(documented)]
                if "..." not in row["bytes"]:  # else a prefix: `78 01 0b c9 ...` (41 bytes)
                    following = [int(r["offset"]) for n, r in table.rows if n > number]
                    if following and following[0] != offset + len(documented):
                        fail(f"{part.title} (line {number})", f"{len(documented)} bytes from {offset}, "
                                                              f"but the next row is at {following[0]}")
                check_bytes(f"{part.title} (line {number})", documented, actual, base=offset)
                checked += 1
    assert checked >= 15


def packed_columns(data: bytes, at: int, rows: int, columns: int) -> Tuple[List[List[int]], int]:
    """Section 4's packed columns, decoded from scratch: (rows of values, offset after the table)."""
    header = 4 + 9 * columns
    blocks = (rows + 127) // 128
    packed, out = at + header * blocks, []
    for k in range(blocks):
        start = struct.unpack_from("<I", data, at + header * k)[0]
        fields = [struct.unpack_from("<QB", data, at + header * k + 4 + 9 * c) for c in range(columns)]
        n = min(128, rows - 128 * k)
        bit = 8 * (packed + start)
        for _ in range(n):
            row = []
            for base, width in fields:
                value = sum(((data[(bit + i) // 8] >> ((bit + i) % 8)) & 1) << i for i in range(width))
                row.append(base + value)
                bit += width
            out.append(row)
        end = packed + start + (n * sum(w for _, w in fields) + 7) // 8
    return out, (end if blocks else packed)


def chunk_tables(chunks: bytes) -> Tuple[List[List[int]], int, List[List[int]], int]:
    """chunks.bin's spans and book entries, and where each table starts."""
    num_chunks, num_books, _, columns = struct.unpack_from("<IIII", chunks)
    spans, at = packed_columns(chunks, 16, num_chunks, columns)
    at += 4 * columns // 2 * ((num_chunks + 127) // 128)
    books, _ = packed_columns(chunks, at, num_books, columns // 2 + 2)
    return spans, 16, books, at


def test_section8_chunks(doc, example_index, example_segment):
    """The table of the five chunks, and the decoded spans and book entries of chunks.bin."""
    ix, _ = example_index
    part = doc.section(8)
    packed = int.from_bytes((example_segment / "doc_lengths.bin").read_bytes()[1:-16], "little")
    width = (example_segment / "doc_lengths.bin").read_bytes()[0]  # one partial block (section 4)
    lengths = [(packed >> (width * d)) & ((1 << width) - 1) for d in range(5)]
    chunks = (example_segment / "chunks.bin").read_bytes()[:-16]
    spans, _, books, books_at = chunk_tables(chunks)
    book_names = sorted(example_recipe(doc)[0])
    sub = part.subsection("`chunks.bin`")
    span_rows = {int(row["doc"]): row for _, row in sub.table_after("row by row").rows}
    with tomes.open(ix) as index:
        table = part.table_after("The five chunks")
        assert len(table.rows) == len(index) == len(span_rows)
        for number, row in table.rows:
            d = int(row["doc"])
            where = f"{part.title}, chunk table (line {number})"
            book, chunk, start, end = index.chunk_info(d)
            check_equal(where, (row["book"].strip("`"), int(row["chunk"]), ints(row["code points"])),
                        (book, chunk, [start, end]))
            check_equal(where, row["text"].strip("`"), index.text(d))
            check_equal(where, re.sub(r"\(.*\)", "", row["terms"]).split(), tomes.analyze(index.text(d)))
            check_equal(where, int(row["dl"]), lengths[d])
            spans_row = span_rows[d]
            where = f"{sub.title}, spans (line {number})"
            check_equal(where, [int(spans_row[k]) for k in ("overlap", "length", "byte_overlap", "byte_length")],
                        spans[d])
            check_equal(where, [int(spans_row[k]) for k in ("start", "end")], [start, end])
            check_equal(where, [int(spans_row[k]) for k in ("byte_start", "byte_end")], ints(row["bytes"]))
            # The stored values give the spans as the prose says.
            first = chunk == 0
            previous = span_rows.get(d - 1)
            check_equal(where, int(spans_row["start"]),
                        spans[d][0] if first else int(previous["end"]) - spans[d][0])
            check_equal(where, int(spans_row["byte_start"]),
                        spans[d][2] if first else int(previous["byte_end"]) - spans[d][2])
        check_equal(f"{sub.title}: book entries", books,
                    [[0, len(book_names[0]), 3, 1], [0, len(book_names[1]), 2, 1]])
    check_equal(f"{sub.title}: the book table's offset", books_at, 74)


def test_section8_terms_and_postings(doc, example_index, example_segment):
    ix, _ = example_index
    part = doc.section(8)
    entries = term_entries(example_segment)
    fst = tomes.Fst.open(example_segment / "terms.fst")
    sub = part.subsection("`offsets.bin`")
    table = sub.table_after("The entries it gives")
    check_equal(f"{sub.title}: the entries", len(table.rows), len(entries))
    for number, row in table.rows:
        where = f"{sub.title} (line {number})"
        ordinal, term = int(row["ordinal (term)"].split()[0]), re.search(r"`(\w+)`", row["ordinal (term)"])[1]
        check_equal(where, ordinal, fst[term.encode()])
        fields = ("doc_offset", "doc_len", "freq_offset", "freq_len", "doc_count")
        check_equal(where, tuple(int(row[k]) for k in fields), entries[ordinal])
    words = dict(re.findall(r"(\d+) `(\w+)`", part.search(r"get the ordinals\s+(.*?)\.", re.S)[1]))
    check_equal(f"{part.title}: the ordinals", {int(k): v for k, v in words.items()},
                {v: k.decode() for k, v in fst.items()})

    sub = part.subsection("`postings_docs.bin` and `postings_freqs.bin`")
    docs = (example_segment / "postings_docs.bin").read_bytes()
    freqs = (example_segment / "postings_freqs.bin").read_bytes()
    with tomes.open(ix) as index:
        table = sub.tables()[0]
        for number, row in table.rows:
            where = f"{sub.title} (line {number})"
            term = row["term"].strip("`")
            for column, data in (("docs region", docs), ("freqs region", freqs)):
                start, end = ints(row[column])[:2]
                check_bytes(f"{where}, {column}", hex_bytes(row[column]), data[start:end], base=start)
            d, f = index.postings(term)
            check_equal(f"{where}, doc ids", [ints(x)[-1] for x in row["doc ids"].split(", ")], d.tolist())
            check_equal(f"{where}, frequencies", ints(row["frequencies"]), f.tolist())
        check_equal(f"{sub.title}: terms", [row["term"].strip("`") for _, row in table.rows],
                    [t for t, _ in index.terms()])


def test_section8_crcs(doc, example_segment):
    """Every CRC-32 quoted in section 8 as 0x........ is a footer CRC or a whole-file CRC of the segment."""
    known = {}
    for name in BINARY_FILES:
        data = (example_segment / name).read_bytes()
        known[zlib.crc32(data)] = f"{name} (whole file)"
        known[struct.unpack("<I", data[-4:])[0]] = f"{name} (footer)"
    part = doc.section(8)
    quoted = 0
    for number, text in part.lines:
        for value in re.findall(r"`0x([0-9a-f]{8})`", text):
            if int(value, 16) not in known:
                fail(f"{part.title} (line {number})", f"0x{value} is no CRC-32 of the segment's files")
            quoted += 1
    assert quoted >= 6


def test_section8_variants(doc, tmp_path, example_index, example_segment):
    """What the prose says of threads=, store_text=False, batch_size=1 and English stopwords."""
    part = doc.section(8)
    ix, _ = example_index
    # "The same command with any `threads=` gives the same bytes."
    part.search(r"The same command with any `threads=` gives the same bytes")
    for threads in (1, 3):
        other, _ = build_example(doc, tmp_path / f"threads{threads}", threads=threads)
        for path in sorted(ix.rglob("*")):
            if path.is_file():
                check_bytes(f"{part.title}: threads={threads}, {path.relative_to(ix)}",
                            path.read_bytes(), (other / path.relative_to(ix)).read_bytes())

    # store_text=False: 2 span columns, the rows, the file's size.
    sub = part.subsection("`chunks.bin`")
    match = sub.search(r"With `store_text=False` the spans have 2 columns: the header ends\s+`([0-9a-f\s]+)`,.*?"
                       r"block header is 4 \+ 9 x 2 bytes and the rows (\d+)\s+bits \(`([0-9a-f\s]+)`\),"
                       r".*?the\s+file\s+is\s+(\d+)\s+bytes", re.S)
    other, _ = build_example(doc, tmp_path / "no_text", store_text=False)
    seg = next(other.glob("segment_*"))
    chunks = (seg / "chunks.bin").read_bytes()
    where = f"{sub.title}, store_text=False"
    check_bytes(where, bytes.fromhex(match[1]), chunks[12:16], base=12)
    rows = bytes.fromhex(match[3])
    check_equal(where, int(match[2]) * len(rows) // 8, len(rows))
    check_bytes(where, rows, chunks[16 + 4 + 9 * 2:16 + 4 + 9 * 2 + len(rows)], base=16 + 4 + 9 * 2)
    check_equal(where, int(match[4]), len(chunks))
    with tomes.open(ix) as index:
        spans = chunk_tables(chunks[:-16])[0]
        check_equal(where, [row[1] for row in spans], [index.chunk_info(d)[3] - index.chunk_info(d)[2]
                                                         for d in range(len(index))])
    assert not (seg / "text.bin").exists()

    # batch_size=1: one segment per book.
    sub = part.subsection("`index.json`")
    claimed = re.findall(r"`(segment_\d+_\d+)`\s+with\s+`base_doc_id`\s+(\d+)\s+and\s+`num_docs`\s+(\d+)", sub.text)
    assert len(claimed) == 2
    other, _ = build_example(doc, tmp_path / "batch1", batch_size=1)
    segments = json.loads((other / "index.json").read_text())["segments"]
    check_equal(f"{sub.title}, batch_size=1", [(n, int(b), int(d)) for n, b, d in claimed],
                [(s["name"], s["base_doc_id"], s["num_docs"]) for s in segments])

    # stopwords="english": the named list and its entries.
    match = sub.search(r"With `stopwords=\"english\"`, `stopwords` would be `\"english\"` and\s+"
                       r"`stopword_entries` Snowball's (\d+) words")
    other, _ = build_example(doc, tmp_path / "english", stopwords="english")
    analyzer = json.loads((other / "index.json").read_text())["analyzer"]
    entries = analyzer["stopword_entries"]
    check_equal(f"{sub.title}, stopwords='english'", ("english", int(match[1])), (analyzer["stopwords"], len(entries)))
    assert entries == sorted(set(entries), key=lambda w: w.encode())


# --- section 9: the reader ------------------------------------------------------


@pytest.fixture(scope="module")
def reader(doc) -> dict:
    block = doc.section(9).block("python")
    namespace: dict = {"__name__": "format_doc_reader"}
    exec(block.compile(), namespace)
    return namespace


def compare_reader(reader: dict, index_dir: Path) -> int:
    """Fail naming the first term or doc where the section 9 reader and tomes.open disagree."""
    where = f"section 9, the reader on {index_dir.parent.name}/{index_dir.name}"
    said = "the reader gives"
    manifest = json.loads((index_dir / "index.json").read_text())
    analysis = manifest["analyzer"]
    inverted: Dict[str, Tuple[List[int], List[int]]] = {}
    lengths: Dict[int, int] = {}
    chunks: Dict[int, tuple] = {}
    try:
        segments = list(reader["read_index"](str(index_dir)))
    except Exception as e:
        raise AssertionError(f"{DOC_NAME} {where}: the reader raised {e!r} "
                             "(its traceback gives the doc's lines)") from e
    for name, terms, seg_lengths, seg_chunks in segments:
        seg = index_dir / name
        # its FST decoder against tomes.Fst
        data = (seg / "terms.fst").read_bytes()
        check_equal(f"{where}, {name}: fst_items", reader["fst_items"](data),
                    list(tomes.Fst.from_bytes(data).items()), said)
        for term, (docs, freqs) in terms.items():
            merged = inverted.setdefault(term, ([], []))
            merged[0].extend(docs)
            merged[1].extend(freqs)
        lengths.update(seg_lengths)
        chunks.update(seg_chunks)
    with tomes.open(index_dir) as ix:
        terms = list(ix.terms())
        if [t for t, _ in terms] != sorted(inverted, key=lambda t: t.encode("utf-8", "surrogateescape")):
            missing = sorted(set(inverted) ^ {t for t, _ in terms})
            fail(where, f"the terms differ: {missing[:5]}")
        for term, df in terms:
            docs, freqs = ix.postings(term)
            check_equal(f"{where}, doc ids of {term!r}", inverted[term][0], docs.tolist(), said)
            check_equal(f"{where}, frequencies of {term!r}", inverted[term][1], freqs.tolist(), said)
            check_equal(f"{where}, doc frequency of {term!r}", len(docs), df)
        check_equal(f"{where}: number of chunks", len(chunks), len(ix), said)
        for doc_id, (book, chunk, start, end, text) in sorted(chunks.items()):
            check_equal(f"{where}, chunk_info({doc_id})", (book, chunk, start, end), ix.chunk_info(doc_id), said)
            if manifest["store_text"]:
                check_equal(f"{where}, text({doc_id})", text, ix.text(doc_id), said)
                analyzed = tomes.analyze(text, stopwords=analysis["stopword_entries"] or None,
                                         stemmer=analysis["stemmer"])
                check_equal(f"{where}, the length of doc {doc_id} (its analyzed text)", lengths[doc_id],
                            len(analyzed), said)
            else:
                check_equal(f"{where}, text({doc_id}) without store_text", text, None, said)
        check_equal(f"{where}: total length", sum(lengths.values()), ix.stats()["total_length"], said)
    return len(chunks)


def test_section9_reader_on_section8(reader, example_index):
    ix, _ = example_index
    assert compare_reader(reader, ix) == 5


def write_corpus(books: Path) -> None:
    """Books that give several segments, terms of more than 128 postings in a segment
    (skip tables, full blocks, packed and varint tails), a book of several text blocks,
    non-ASCII text and names, and subdirectories."""
    rng = random.Random(20240610)
    common = ["whale", "sea", "ship", "the", "of", "and", "captain", "harpoon", "boat", "sailing", "sailors"]
    rare = [f"w{i}x" for i in range(400)] + ["café", "naïve", "Straße", "ÉCOLE", "日本語", "ação"]

    def text(words: int) -> str:
        out = []
        for i in range(words):
            out.append(rng.choice(common) if rng.random() < 0.6 else rng.choice(rare))
            if i % 11 == 10:
                out[-1] += rng.choice([".", ",", ";", "!"])
        return " ".join(out) + "\n"

    books.mkdir()
    (books / "big.txt").write_text(text(24000), encoding="utf-8")  # about 150 KB: three text blocks
    (books / "sub").mkdir()
    (books / "sub" / "deep").mkdir()
    for i in range(7):
        (books / "sub" / f"b{i}.txt").write_text(text(rng.randrange(5, 900)), encoding="utf-8")
    (books / "sub" / "deep" / "notes.md").write_text("# Notes\n\n" + text(300), encoding="utf-8")
    (books / "ünï çödé.txt").write_text(text(200), encoding="utf-8")
    (books / "tiny.txt").write_text("Whale.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    books = tmp_path_factory.mktemp("corpus") / "books"
    write_corpus(books)
    return books


@pytest.mark.parametrize("options", [
    dict(store_text=True, batch_size=3),
    dict(store_text=False, batch_size=4, stopwords="english", stemmer="english"),
    dict(store_text=True, batch_size=1000, chunk_size=0, stopwords="english", stemmer="english"),
], ids=["text-3-per-segment", "no-text-english", "text-one-chunk-per-book"])
def test_section9_reader_on_bigger_indexes(reader, corpus, tmp_path, options):
    options = {"chunk_size": 400, "chunk_overlap": 60, "threads": 2, **options}
    if options["chunk_size"] == 0:
        options["chunk_overlap"] = 0
    report = tomes.index_corpus(corpus, tmp_path / "ix", **options)
    manifest = json.loads((tmp_path / "ix" / "index.json").read_text())
    if options["batch_size"] < 10:
        assert report.segments >= 3
    # the index has what the reader must handle: skip tables, and a book in several text blocks
    with tomes.open(tmp_path / "ix") as ix:
        first = manifest["segments"][0]
        biggest = max(len(ix.postings(t)[0][ix.postings(t)[0] < first["num_docs"]]) for t, _ in ix.terms())
        assert biggest > 128 or options["chunk_size"] == 0
    if options["store_text"]:
        seg = tmp_path / "ix" / first["name"]
        assert struct.unpack("<Q", (seg / "text.bin").read_bytes()[-24:-16])[0] >= 3
    assert compare_reader(reader, tmp_path / "ix") == report.chunks


# --- section 4: the deletes file example ----------------------------------------


def test_section4_deletes_example(doc, example_index, tmp_path):
    """Deleting b.txt from the section 8 index writes exactly the deletes file section 4 shows,
    and index.json records what the prose says."""
    part = doc.section(4).subsection("`deletes_<G>.bin` (only when books of the segment are deleted)")
    block = part.block("hexrows")
    name = next(iter(block.words))
    documented = b""
    for number, text in block.lines:
        offset, rest = text.split(None, 1)
        tokens = rest.split()
        row = bytes.fromhex("".join(tokens[:next(
            (i for i, t in enumerate(tokens) if not re.fullmatch(r"[0-9a-f]{2}", t)), len(tokens))]))
        if int(offset) != len(documented):
            fail(f"{part.title} (line {number})", f"offset {offset}, but the rows before give {len(documented)}")
        documented += row
    ix, _ = example_index
    changed = tmp_path / "ix"
    shutil.copytree(ix, changed)
    with tomes.writer(changed, merge=False) as w:
        w.delete(["b.txt"])
    manifest = json.loads((changed / "index.json").read_text())
    seg = manifest["segments"][0]
    check_equal(f"{part.title}: the file's name", name, seg["deletes"])
    check_bytes(f"{part.title} (line {block.line})", documented, (changed / seg["name"] / name).read_bytes())
    for key, value in re.findall(r'`"(\w+)": (\d+)`', part.text):
        check_equal(f"{part.title}: index.json's {key}", int(value), seg[key])
    match = part.search(r"`total_docs` becomes (\d+), `total_books` (\d+) and\s+`total_length` (\d+)")
    check_equal(f"{part.title}: the totals", tuple(int(x) for x in match.groups()),
                (manifest["total_docs"], manifest["total_books"], manifest["total_length"]))
    with tomes.open(changed) as index:
        assert "cafe" not in [t for t, _ in index.terms()]
        assert len(index) == 3
        stats = index.stats()
        assert (stats["chunks"], stats["books"], stats["deleted_docs"], stats["total_length"]) == (3, 1, 2, 11)
        assert stats["terms"] == 4  # cafe is gone
        for doc_id in (3, 4):
            with pytest.raises(ValueError, match=f"doc_id {doc_id} is a deleted chunk \\(its book was deleted or "
                                                 f"replaced\\)"):
                index.chunk_info(doc_id)
            with pytest.raises(ValueError, match=f"doc_id {doc_id} is a deleted chunk"):
                index.text(doc_id)
        with pytest.raises(ValueError, match="out of range"):
            index.chunk_info(5)
        assert index.chunk_info(2) == ("a.txt", 2, 24, 43)
        assert [h.book_id for h in index.search("whale ship", k=10)] == ["a.txt"] * 3


def test_section9_reader_on_an_index_with_deletions(reader, corpus, tmp_path):
    """The reader skips deleted books' chunks and postings, as tomes.open does."""
    tomes.index_corpus(corpus, tmp_path / "ix", chunk_size=400, chunk_overlap=60, batch_size=3, threads=2)
    with tomes.writer(tmp_path / "ix", merge=False) as w:
        w.delete(["big.txt", "sub/b2.txt", "tiny.txt"])
    manifest = json.loads((tmp_path / "ix" / "index.json").read_text())
    assert sum(s["deleted_docs"] for s in manifest["segments"]) > 0
    assert compare_reader(reader, tmp_path / "ix") == manifest["total_docs"]
