"""The EPUB reader (cpp/parse/epub.h) against independent expectations.

- Real books of the Debian docs corpus, split into chapters and written by
  bench/corpus/epub_writer.py with everything but the spine shuffled, then
  re-packed again by epub_fixtures.repack (ZIP64 and data-descriptor variants
  too): the same terms as their .txt twins (twin_text).
- The two EPUBs Debian ships, read by tomes.index_corpus: the same terms as
  a reference made of zipfile + xml.etree (container, OPF, spine) +
  html_reference.reference_text per chapter.
- Hostile archives written byte by byte by epub_fixtures.raw_zip: each gives
  the reason epub.h documents, in a subprocess whose peak memory growth is
  measured and whose time is bounded (a crash or a hang fails the test).
- End to end: index_corpus over a folder of EPUBs finds their words, and
  lists the refused ones in report.skipped with their reasons.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

import tomes
from epub_fixtures import (RawMember, chapter, container, deflate_raw, opf, raw_zip, reference_chapters, repack,
                           simple_epub_members)
from tomes import _core

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "corpus"))
from epub_writer import make_epub, twin_text  # noqa: E402

BOOKS = ["devref_best-pkging-practices.txt", "bash_bash-reference-manual.txt", "devil_devils-dictionary.txt",
         "debref_debian-reference.txt"]
DEBIAN_EPUBS = ["developers-reference/usr/share/developers-reference/developers-reference.epub",
                "debian-policy/usr/share/doc/debian-policy/policy.epub"]


def terms(text: str):
    return tomes.analyze(text)


def reason_of(path: Path, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        _core.epub_text(str(path), **kwargs)
    return str(info.value)


def split_chapters(text: str, n: int):
    blocks = text.split("\n\n")
    size = max(1, len(blocks) // n)
    return [(f"Chapter {i // size + 1}", "\n\n".join(blocks[i:i + size])) for i in range(0, len(blocks), size)]


def book_chapters(corpus_real: Path, name: str, n: int = 12):
    text = (corpus_real / name).read_text(encoding="utf-8", errors="replace")
    return split_chapters(text, n)


# --- (1) generated EPUBs equal their .txt twins ------------------------------------------------


@pytest.mark.parametrize("name", BOOKS)
def test_generated_epub_terms_equal_the_twin(corpus_real, tmp_path, name):
    chapters = book_chapters(corpus_real, name)
    assert len(chapters) >= 10
    expected = terms(twin_text(chapters))
    plain, shuffled = tmp_path / "plain.epub", tmp_path / "shuffled.epub"
    make_epub(plain, name, chapters)
    make_epub(shuffled, name, chapters, shuffle_seed=len(name))
    assert terms(_core.epub_text(str(plain))) == expected
    assert terms(_core.epub_text(str(shuffled))) == expected
    # Re-packed again: new names, ids, zip and manifest order; ZIP64 local
    # extras; a stream with data descriptors.
    for seed, variant in [(1, {}), (2, {"zip64": True}), (3, {"descriptors": True}),
                          (4, {"zip64": True, "descriptors": True})]:
        again = tmp_path / f"again{seed}.epub"
        repack(shuffled, again, seed, **variant)
        with zipfile.ZipFile(again) as z:  # the variant is what it says
            infos = z.infolist()
            assert all(bool(i.flag_bits & 8) == bool(variant.get("descriptors")) for i in infos)
            assert [i.filename for i in infos] != [i.filename for i in zipfile.ZipFile(shuffled).infolist()]
        assert terms(_core.epub_text(str(again))) == expected, variant


def test_the_corpus_builders_epubs_repacked_equal_their_twins(corpus_epub, tmp_path):
    """make_corpus.py's EPUB corpus: a sample of its books, each re-packed
    again (names, ids, zip and manifest order shuffled; one in two with ZIP64
    extras and data descriptors), gives its .txt twin's terms."""
    books = sorted((corpus_epub / "books").glob("*.epub"))
    assert len(books) >= 100
    for i, book in enumerate(books[::max(1, len(books) // 24)]):
        twin = (corpus_epub / "twins" / (book.stem + ".txt")).read_text(encoding="utf-8")
        again = tmp_path / f"{i}.epub"
        repack(book, again, seed=i, zip64=bool(i % 2), descriptors=bool(i % 2))
        assert terms(_core.epub_text(str(book))) == terms(twin), book.name
        assert terms(_core.epub_text(str(again))) == terms(twin), book.name


def test_repack_leaves_only_the_spine(tmp_path):
    chapters = [("", f"word{i} " * 3) for i in range(30)]
    make_epub(tmp_path / "a.epub", "t", chapters)
    repack(tmp_path / "a.epub", tmp_path / "b.epub", 5)
    with zipfile.ZipFile(tmp_path / "a.epub") as a, zipfile.ZipFile(tmp_path / "b.epub") as b:
        assert set(a.namelist()) != set(b.namelist())
        assert b.namelist()[0] == "mimetype"
        assert sorted(a.read(n) for n in a.namelist() if n.endswith(".xhtml")) == \
            sorted(b.read(n) for n in b.namelist() if n.endswith(".xhtml"))
    assert [m for _, m in reference_chapters(tmp_path / "b.epub")] == \
        [m for _, m in reference_chapters(tmp_path / "a.epub")]
    assert terms(_core.epub_text(str(tmp_path / "b.epub"))) == terms(twin_text(chapters))


# --- (2) the EPUBs Debian ships -----------------------------------------------------------------


def debian_reference_text(path: Path) -> str:
    html_reference = pytest.importorskip("html_reference")  # tests/python/html_reference.py (the HTML branch)
    return "\n".join(html_reference.reference_text(data.decode("utf-8", "replace"),
                                                   xhtml=media_type == "application/xhtml+xml")
                     for media_type, data in reference_chapters(path))


def test_debian_epubs_repacked_give_the_same_text(debian_pkgroot, tmp_path):
    for rel in DEBIAN_EPUBS:
        src = debian_pkgroot / rel
        text = _core.epub_text(str(src))
        assert len(terms(text)) > 20000
        for seed, variant in [(11, {}), (12, {"zip64": True}), (13, {"descriptors": True})]:
            dst = tmp_path / f"{seed}.epub"
            repack(src, dst, seed, **variant)
            assert _core.epub_text(str(dst)) == text


def test_debian_epubs_indexed_with_their_full_text(debian_pkgroot, tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    expected = {}
    for rel in DEBIAN_EPUBS:
        src = debian_pkgroot / rel
        shutil.copy(src, books / src.name)
        expected[src.name] = terms(debian_reference_text(src))
        assert terms(_core.epub_text(str(src))) == expected[src.name]
    report = tomes.index_corpus(books, tmp_path / "ix", chunk_size=0)
    assert report.skipped == [] and report.books == 2
    ix = tomes.open(tmp_path / "ix")
    got = {ix.chunk_info(d)[0]: terms(ix.text(d)) for d in range(len(ix))}
    assert got == expected
    assert ix.search("lintian", k=2)[0].book_id in expected


# --- (3) hostile archives -------------------------------------------------------------------------

CHILD = r"""
import json, resource, sys
from tomes import _core
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    text = _core.epub_text(sys.argv[1], int(sys.argv[2]))
    result = {"text": text}
except ValueError as e:
    result = {"reason": str(e)}
result["growth_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps(result))
"""


def isolated(path: Path, cap: int = 256 << 20) -> dict:
    """epub_text in a subprocess: its result and peak RSS growth; a crash or a hang fails."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(cap)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


MiB = 1 << 20


def zeros_deflated(mib: int):
    """(raw deflate stream, CRC-32) of mib MiB of zeros, made fast: one MiB
    deflated and ended with a full flush (so the next block needs no
    history), repeated, then an empty final block. Python's zlib agrees it
    inflates to exactly that (test_the_bomb_stream_is_what_it_says)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(MiB)) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(bytes(MiB), crc)
    return block * mib + b"\x03\x00", crc


def test_the_bomb_stream_is_what_it_says():
    stream, crc = zeros_deflated(64)
    d = zlib.decompressobj(-15)
    assert d.decompress(stream) == bytes(64 * MiB) and d.eof and zlib.crc32(bytes(64 * MiB)) == crc


def bomb_members(claimed_size: int) -> list:
    """A one-chapter EPUB whose chapter is 1 GiB of zeros, deflated (about 1 MB)."""
    stream, crc = zeros_deflated(1024)
    members = simple_epub_members([("c0.xhtml", "x")])
    members[-1] = RawMember(b"OEBPS/c0.xhtml", compressed=stream, claimed_size=claimed_size,
                            claimed_crc=crc, zip64_extra=True)
    return members


def test_zip_bomb_of_1_gib_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "bomb.epub"
    raw_zip(path, bomb_members(1 << 30))
    assert path.stat().st_size < 2 * MiB
    r = isolated(path)
    assert r["reason"] == "zip bomb: member OEBPS/c0.xhtml inflates more than 100 times its size"
    assert r["growth_kb"] < 32 * 1024
    # The same stream with a size that passes the ratio: inflating stops one
    # byte past it.
    raw_zip(path, bomb_members(50 * MiB))
    r = isolated(path)
    assert r["reason"] == "damaged zip member OEBPS/c0.xhtml: longer than its declared size"
    assert r["growth_kb"] < 160 * 1024
    # And a cap below that size: refused before a byte is inflated.
    r = isolated(path, 10 * MiB)
    assert r["reason"] == f"zip member OEBPS/c0.xhtml is larger than the cap of {10 * MiB} bytes"
    assert r["growth_kb"] < 32 * 1024


def test_a_chapter_claiming_4_gib(tmp_path):
    members = simple_epub_members([("a.xhtml", "alpha"), ("b.xhtml", "bravo")])
    members[-1].claimed_size = 4 << 30
    members[-1].zip64_extra = True
    raw_zip(tmp_path / "claims.epub", members, zip64_end=True)
    r = isolated(tmp_path / "claims.epub")
    assert r["reason"] == "zip bomb: member OEBPS/b.xhtml inflates more than 100 times its size"
    assert r["growth_kb"] < 32 * 1024


def test_overlapping_members(tmp_path):
    # Three chapters whose entries share one local header and stream (the
    # overlapping-files bomb), and one whose size runs over the next header.
    members = simple_epub_members([("a.xhtml", "alpha"), ("b.xhtml", "bravo"), ("c.xhtml", "charlie")])
    first = sum(30 + len(m.name) + len(deflate_raw(m.data) if m.method == 8 else m.data) for m in members[:3])
    members[4].claimed_offset = first
    members[5].claimed_offset = first
    raw_zip(tmp_path / "shared.epub", members)
    assert reason_of(tmp_path / "shared.epub") == "zip bomb: overlapping members"
    members = simple_epub_members([("a.xhtml", "alpha"), ("b.xhtml", "bravo")])
    members[3].compressed = deflate_raw(members[3].data)
    raw_zip(tmp_path / "ok.epub", members)
    assert terms(_core.epub_text(str(tmp_path / "ok.epub"))) == ["alpha", "bravo"]
    # Python's zipfile, an independent reader, agrees the valid one is valid.
    with zipfile.ZipFile(tmp_path / "ok.epub") as z:
        assert z.testzip() is None


def test_truncated_archive_at_many_cut_points(tmp_path):
    members = simple_epub_members([(f"c{i}.xhtml", f"word{i} " * 50) for i in range(5)])
    raw_zip(tmp_path / "full.epub", members)
    data = (tmp_path / "full.epub").read_bytes()
    cut_path = tmp_path / "cut.epub"
    for cut in sorted(set(range(0, len(data), 7)) | set(range(len(data) - 60, len(data)))):
        cut_path.write_bytes(data[:cut])
        assert reason_of(cut_path) == "not a zip archive", cut
    cut_path.write_bytes(data)
    assert terms(_core.epub_text(str(cut_path))) == terms(" ".join(f"word{i} " * 50 for i in range(5)))


def test_traversal_and_absolute_names_stay_inside_the_archive(tmp_path):
    members = simple_epub_members([("good.xhtml", "wgood")])
    members[2] = RawMember(b"OEBPS/content.opf", opf(
        [("up", "../../../etc/passwd"), ("abs", "/etc/passwd"), ("g", "good.xhtml"), ("pct", "%2e%2e/%2e%2e/x")],
        ["up", "abs", "pct", "g"]))
    members += [RawMember(b"../../../etc/passwd", chapter("wtraversal")),
                RawMember(b"/etc/passwd", chapter("wabsolute"))]
    raw_zip(tmp_path / "t.epub", members)
    assert terms(_core.epub_text(str(tmp_path / "t.epub"))) == ["wgood"]
    only = simple_epub_members([("x.xhtml", "x")])
    only[2] = RawMember(b"OEBPS/content.opf", opf([("up", "../../../etc/passwd")], ["up"]))
    raw_zip(tmp_path / "up.epub", only + [RawMember(b"../../../etc/passwd", chapter("wtraversal"))])
    assert reason_of(tmp_path / "up.epub") == "EPUB chapter ../../../etc/passwd escapes the archive root"
    only[2] = RawMember(b"OEBPS/content.opf", opf([("abs", "/etc/passwd")], ["abs"]))
    raw_zip(tmp_path / "abs.epub", only + [RawMember(b"/etc/passwd", chapter("wabsolute"))])
    assert reason_of(tmp_path / "abs.epub") == "EPUB chapter /etc/passwd not in the archive"
    # A container pointing above the root.
    bad = simple_epub_members([("x.xhtml", "x")])
    bad[1] = RawMember(b"META-INF/container.xml", container(b"../../etc/passwd"))
    raw_zip(tmp_path / "root.epub", bad)
    assert reason_of(tmp_path / "root.epub") == "EPUB package path escapes the archive root"


def test_encrypted_and_bzip2_chapters(tmp_path):
    members = simple_epub_members([("a.xhtml", "walpha"), ("b.xhtml", "wbravo")])
    members[3].flags = 1
    raw_zip(tmp_path / "enc.epub", members)
    assert terms(_core.epub_text(str(tmp_path / "enc.epub"))) == ["wbravo"]
    members[4].flags = 1
    raw_zip(tmp_path / "enc-all.epub", members)
    assert reason_of(tmp_path / "enc-all.epub") == "encrypted zip member OEBPS/a.xhtml"
    # bzip2, written by Python's zipfile.
    path = tmp_path / "bz.epub"
    with zipfile.ZipFile(path, "w") as z:
        for m in simple_epub_members([("a.xhtml", "walpha"), ("b.xhtml", "wbravo")]):
            method = zipfile.ZIP_BZIP2 if m.name == b"OEBPS/a.xhtml" else zipfile.ZIP_DEFLATED
            z.writestr(zipfile.ZipInfo(m.name.decode(), (2020, 1, 1, 0, 0, 0)), m.data, compress_type=method)
    assert terms(_core.epub_text(str(path))) == ["wbravo"]
    with zipfile.ZipFile(path, "w") as z:
        for m in simple_epub_members([("a.xhtml", "walpha")]):
            z.writestr(zipfile.ZipInfo(m.name.decode(), (2020, 1, 1, 0, 0, 0)), m.data,
                       compress_type=zipfile.ZIP_BZIP2)
    assert reason_of(path) == "zip member META-INF/container.xml uses unsupported compression (bzip2)"


LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) if i > 1 else b"&lol;"
                                                            for _ in range(10))) for i in range(1, 10))
          + b'<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')


def test_billion_laughs_and_xxe_are_not_expanded(tmp_path):
    # In the OPF's prolog, with valid items: read as usual.
    members = simple_epub_members([("a.xhtml", "walpha")], prolog=LAUGHS)
    raw_zip(tmp_path / "opf.epub", members)
    r = isolated(tmp_path / "opf.epub")
    assert terms(r["text"]) == ["walpha"] and r["growth_kb"] < 32 * 1024
    # Entities in the hrefs: not expanded, so no such member.
    members[2] = RawMember(b"OEBPS/content.opf", opf([("a", "&lol9;"), ("b", "&xxe;")], ["a", "b"], LAUGHS))
    raw_zip(tmp_path / "href.epub", members)
    assert isolated(tmp_path / "href.epub")["reason"] == "EPUB chapter &lol9; not in the archive"
    # In container.xml: the full-path an entity reference, left as it is.
    members = simple_epub_members([("a.xhtml", "walpha")])
    members[1] = RawMember(b"META-INF/container.xml", b'<?xml version="1.0"?>\n' + LAUGHS +
                           b'<container><rootfiles><rootfile full-path="&lol9;&xxe;" '
                           b'media-type="application/oebps-package+xml"/></rootfiles></container>')
    raw_zip(tmp_path / "container.epub", members)
    r = isolated(tmp_path / "container.epub")
    assert r["reason"] == "EPUB package &lol9;&xxe; not in the archive" and r["growth_kb"] < 32 * 1024


def test_ten_thousand_members_in_spine_order(tmp_path):
    n = 10000
    chapters = [(f"t/c{i}.xhtml", f"w{i}") for i in range(n)]
    members = simple_epub_members(chapters)
    spine = list(range(n))[::-1]
    members[2] = RawMember(b"OEBPS/content.opf", opf([(f"c{i}", h) for i, (h, _) in enumerate(chapters)],
                                                     [f"c{i}" for i in spine]))
    raw_zip(tmp_path / "many.epub", members)
    assert terms(_core.epub_text(str(tmp_path / "many.epub"))) == [f"w{i}" for i in spine]


def test_a_chapter_named_200000_times_is_read_once(tmp_path):
    members = simple_epub_members([("a.xhtml", "wone wtwo")])
    members[2] = RawMember(b"OEBPS/content.opf", opf([("a", "a.xhtml")], ["a"] * 200000))
    raw_zip(tmp_path / "rep.epub", members)
    r = isolated(tmp_path / "rep.epub")
    assert terms(r["text"]) == ["wone", "wtwo"] * 200000
    r = isolated(tmp_path / "rep.epub", 1 << 20)
    assert r["reason"] == f"the text is larger than the cap of {1 << 20} bytes"


def test_missing_pieces(tmp_path):
    members = simple_epub_members([("a.xhtml", "walpha"), ("b.xhtml", "wbravo")])
    raw_zip(tmp_path / "x.epub", [m for m in members if m.name != b"META-INF/container.xml"])
    assert reason_of(tmp_path / "x.epub") == "EPUB without META-INF/container.xml"
    raw_zip(tmp_path / "x.epub", [m for m in members if m.name != b"OEBPS/content.opf"])
    assert reason_of(tmp_path / "x.epub") == "EPUB package OEBPS/content.opf not in the archive"
    raw_zip(tmp_path / "x.epub", [m for m in members if m.name != b"OEBPS/a.xhtml"])
    assert terms(_core.epub_text(str(tmp_path / "x.epub"))) == ["wbravo"]
    raw_zip(tmp_path / "x.epub", members[:3])
    assert reason_of(tmp_path / "x.epub") == "EPUB chapter a.xhtml not in the archive"
    members[2] = RawMember(b"OEBPS/content.opf", opf([("a", "a.xhtml")], ["nope", "a"]))
    raw_zip(tmp_path / "x.epub", members)
    assert terms(_core.epub_text(str(tmp_path / "x.epub"))) == ["walpha"]
    members[2] = RawMember(b"OEBPS/content.opf", opf([("a", "a.xhtml")], []))
    raw_zip(tmp_path / "x.epub", members)
    assert reason_of(tmp_path / "x.epub") == "EPUB spine is empty"


def test_damaged_chapter_crc(tmp_path):
    members = simple_epub_members([("a.xhtml", "walpha"), ("b.xhtml", "wbravo")])
    members[4].claimed_crc = zlib.crc32(members[4].data) ^ 0xFFFF
    raw_zip(tmp_path / "crc.epub", members)
    assert reason_of(tmp_path / "crc.epub") == "damaged zip member OEBPS/b.xhtml: CRC mismatch"
    with zipfile.ZipFile(tmp_path / "crc.epub") as z:  # Python's zipfile agrees
        assert z.testzip() == "OEBPS/b.xhtml"


def test_not_a_zip_and_io_errors(tmp_path):
    (tmp_path / "t.epub").write_text("whale " * 100)
    assert reason_of(tmp_path / "t.epub") == "not a zip archive"
    with pytest.raises(OSError, match="cannot open"):
        _core.epub_text(str(tmp_path / "missing.epub"))


# --- end to end ------------------------------------------------------------------------------------


def test_index_corpus_over_a_folder_of_epubs(tmp_path):
    books = tmp_path / "books"
    (books / "sub").mkdir(parents=True)
    make_epub(books / "moby.epub", "Moby", [("1", "Call me Ishmael."), ("2", "The white whale.")], shuffle_seed=3)
    make_epub(books / "sub" / "pride.EPUB", "Pride", [("1", "It is a truth universally acknowledged.")])
    raw_zip(books / "bomb.epub", bomb_members(1 << 30))
    overlap = simple_epub_members([("a.xhtml", "x"), ("b.xhtml", "y")])
    overlap[4].claimed_offset = 0
    raw_zip(books / "overlap.epub", overlap)
    enc = simple_epub_members([("a.xhtml", "secret")])
    enc[3].flags = 1
    raw_zip(books / "enc.epub", enc)
    (books / "junk.epub").write_bytes(b"PK\x03\x04" + bytes(100))
    report = tomes.index_corpus(books, tmp_path / "ix")
    assert report.books == 2
    assert sorted(report.skipped) == [
        ("bomb.epub", "zip bomb: member OEBPS/c0.xhtml inflates more than 100 times its size"),
        ("enc.epub", "encrypted zip member OEBPS/a.xhtml"),
        ("junk.epub", "not a zip archive"),
        ("overlap.epub", "zip bomb: overlapping members"),
    ]
    ix = tomes.open(tmp_path / "ix")
    assert [h.book_id for h in ix.search("ishmael")] == ["moby.epub"]
    assert [h.book_id for h in ix.search("universally")] == ["sub/pride.EPUB"]
