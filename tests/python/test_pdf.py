"""PDF books (SPEC 2): the text layer through pypdfium2, pages in order.

The PDFs are written here with fpdf2, so their text is known independently
of the reader: each page holds one line, and a word found on no other page.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import tomes
from tomes import _core, _pdf

fpdf = pytest.importorskip("fpdf")
pytest.importorskip("pypdfium2")

NOT_INSTALLED = "PDF support is not installed (pip install 'tomes[pdf]')"


def make_pdf(path: Path, pages, user_password=None) -> None:
    """A PDF with one line of text per page (None: a blank page)."""
    pdf = fpdf.FPDF()
    pdf.set_font("helvetica", size=12)
    for line in pages:
        pdf.add_page()
        if line is not None:
            pdf.cell(0, 10, line)
    if user_password is not None:
        pdf.set_encryption(owner_password="owner", user_password=user_password)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


def unique_word(book: int, page: int) -> str:
    return f"zeta{chr(97 + book)}{chr(97 + page)}word"


def book_pages(book: int, pages: int = 4):
    return [f"Page text {unique_word(book, p)} of the book" for p in range(pages)]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def tree_bytes(root: Path) -> dict:
    """Every file under root: relative path -> bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def all_hits(ix, words):
    return {w: [(h.book_id, h.chunk, h.start, h.end) for h in ix.search(w, k=100)] for w in words}


# --- text: words in the right book, pages in order ------------------------------------------------------------------


def test_each_page_word_is_found_in_its_book_and_the_text_has_the_pages_in_order(tmp_path):
    books = tmp_path / "books"
    for b in range(3):
        make_pdf(books / f"book{b}.pdf", book_pages(b))
    report = tomes.index_corpus(books, tmp_path / "ix", chunk_size=0, threads=2)
    assert report.skipped == []
    assert report.books == 3
    with tomes.open(tmp_path / "ix") as ix:
        for b in range(3):
            for p in range(4):
                hits = ix.search(unique_word(b, p))
                assert [h.book_id for h in hits] == [f"book{b}.pdf"]
                # One chunk per book: its text is the whole book, pages joined by "\n".
                assert ix.text(hits[0].doc_id) == "\n".join(book_pages(b))


def test_a_long_pdf_is_chunked_like_text_and_its_chunks_cover_the_pages_in_order(tmp_path):
    pages = book_pages(5, pages=20)
    make_pdf(tmp_path / "books" / "long.pdf", pages)
    tomes.index_corpus(tmp_path / "books", tmp_path / "ix", chunk_size=100, chunk_overlap=0)
    expected = "\n".join(pages)
    with tomes.open(tmp_path / "ix") as ix:
        chunks = [ix.chunk_info(d) for d in range(len(ix))]
        assert [c[1] for c in chunks] == list(range(len(ix)))
        assert chunks[0][2] == 0 and chunks[-1][3] == len(expected)
        for d, (_, _, start, end) in enumerate(chunks):
            assert ix.text(d) == expected[start:end]
            if d > 0:  # in order, each from where the last ended (what lies between is blank)
                assert chunks[d - 1][2] < start and expected[chunks[d - 1][3]:start].strip() == ""
        for p in range(20):
            (hit,) = ix.search(unique_word(5, p))
            assert expected[hit.start:hit.end] == ix.text(hit.doc_id)
            assert unique_word(5, p) in ix.text(hit.doc_id)


# --- damaged, encrypted, empty: skipped with a reason, the run goes on ----------------------------------------------


def test_damaged_encrypted_and_empty_pdfs_are_skipped_with_their_reasons(tmp_path):
    books = tmp_path / "books"
    make_pdf(books / "good.pdf", book_pages(0))
    (books / "garbage.pdf").write_bytes(os.urandom(4096))
    whole = (books / "good.pdf").read_bytes()
    (books / "truncated.pdf").write_bytes(whole[: len(whole) // 3])
    (books / "empty-file.pdf").write_bytes(b"")
    make_pdf(books / "locked.pdf", book_pages(1), user_password="secret")
    make_pdf(books / "blank.pdf", [None, None, None])
    write(books / "plain.txt", "a plain whale")
    report = tomes.index_corpus(books, tmp_path / "ix", threads=2)
    assert dict(report.skipped) == {
        "garbage.pdf": "not a readable PDF (pdfium: data format error)",
        "truncated.pdf": "not a readable PDF (pdfium: data format error)",
        "empty-file.pdf": "not a readable PDF (pdfium: data format error)",
        "locked.pdf": "encrypted PDF: needs a password",
        "blank.pdf": "empty text",
    }
    assert report.books == 2
    with tomes.open(tmp_path / "ix") as ix:
        assert [h.book_id for h in ix.search("whale")] == ["plain.txt"]
        assert [h.book_id for h in ix.search(unique_word(0, 3))] == ["good.pdf"]
        assert ix.search(unique_word(1, 0)) == []  # the locked book's words


def test_an_encrypted_pdf_without_a_user_password_is_read(tmp_path):
    # An owner password alone restricts editing, not reading: PDFium opens it.
    make_pdf(tmp_path / "books" / "owner-only.pdf", book_pages(2), user_password="")
    report = tomes.index_corpus(tmp_path / "books", tmp_path / "ix", chunk_size=0)
    assert report.skipped == []
    with tomes.open(tmp_path / "ix") as ix:
        assert ix.text(0) == "\n".join(book_pages(2))


def test_an_exception_inside_extraction_becomes_a_skip_reason(tmp_path, monkeypatch):
    make_pdf(tmp_path / "books" / "a.pdf", book_pages(0))
    make_pdf(tmp_path / "books" / "b.pdf", book_pages(1))
    real = _pdf._text_of

    def failing(pdfium, path, cap):
        if path.endswith(b"a.pdf"):
            raise RuntimeError("pdfium said no /secret/path")
        return real(pdfium, path, cap)

    monkeypatch.setattr(_pdf, "_text_of", failing)
    report = tomes.index_corpus(tmp_path / "books", tmp_path / "ix")
    assert report.skipped == [("a.pdf", "not a readable PDF (pypdfium2: RuntimeError)")]
    assert report.books == 1


def test_the_bridge_turns_what_a_reader_gives_into_reasons(tmp_path):
    # The C++ side converts whatever the callable does: bytes are text, a str
    # is a reason, an Exception or another type becomes a reason too.
    books = tmp_path / "books"
    for name in ("bytes", "reason", "raises", "number"):
        (books / f"{name}.pdf").parent.mkdir(parents=True, exist_ok=True)
        (books / f"{name}.pdf").write_bytes(b"%PDF-1.4")

    def reader(path, cap):
        name = os.path.basename(path)
        assert isinstance(path, bytes) and cap == 256 << 20
        if name == b"bytes.pdf":
            return "caf\u00e9 text".encode("utf-8")
        if name == b"reason.pdf":
            return "a reason of the reader"
        if name == b"raises.pdf":
            raise ValueError("no")
        return 42

    options = _core.IndexOptions()
    options.parse.max_text_bytes = 256 << 20
    raw = _core.index_corpus(os.fsencode(books), os.fsencode(tmp_path / "ix"), options, None, reader)
    assert sorted(raw["skipped"]) == [
        (b"number.pdf", "not a readable PDF (the reader returned int)"),
        (b"raises.pdf", "not a readable PDF (ValueError)"),
        (b"reason.pdf", "a reason of the reader"),
    ]
    with tomes.open(tmp_path / "ix") as ix:
        assert ix.text(0) == "caf\u00e9 text"


@pytest.mark.parametrize("code, reason", [
    (1, "not a readable PDF (pdfium: unknown error)"),
    (2, "not a readable PDF (pdfium: file access error)"),
    (3, "not a readable PDF (pdfium: data format error)"),
    (4, "encrypted PDF: needs a password"),
    (5, "encrypted PDF: unsupported security scheme"),
    (6, "not a readable PDF (pdfium: page not found or content error)"),
    (99, "not a readable PDF (pdfium: error 99)"),
])
def test_each_pdfium_load_error_has_its_reason(tmp_path, monkeypatch, code, reason):
    # fpdfview.h's FPDF_ERR_* codes; most cannot be provoked with a file.
    import pypdfium2

    raw = pypdfium2.raw
    assert [raw.FPDF_ERR_UNKNOWN, raw.FPDF_ERR_FILE, raw.FPDF_ERR_FORMAT, raw.FPDF_ERR_PASSWORD,
            raw.FPDF_ERR_SECURITY, raw.FPDF_ERR_PAGE] == [1, 2, 3, 4, 5, 6]
    monkeypatch.setattr(pypdfium2.raw, "FPDF_LoadDocument", lambda path, password: None)
    monkeypatch.setattr(pypdfium2.raw, "FPDF_GetLastError", lambda: code)
    assert _pdf.read_pdf(b"/nonexistent.pdf", 1000) == reason


def test_a_page_that_cannot_be_loaded_or_read_skips_the_book(tmp_path, monkeypatch):
    import pypdfium2

    path = os.fsencode(tmp_path / "a.pdf")
    make_pdf(tmp_path / "a.pdf", book_pages(0))

    def fail(*args):
        raise pypdfium2.PdfiumError("Failed to load page.")

    with monkeypatch.context() as m:
        m.setattr(pypdfium2.PdfPage, "get_textpage", fail)
        assert _pdf.read_pdf(path, 1000) == "not a readable PDF (pdfium: a page's text could not be read)"
    with monkeypatch.context() as m:
        m.setattr(pypdfium2.PdfDocument, "__getitem__", fail)
        assert _pdf.read_pdf(path, 1000) == "not a readable PDF (pdfium: a page could not be loaded)"
    assert _pdf.read_pdf(path, 1000) == "\n".join(book_pages(0)).encode()


def test_a_broken_pypdfium2_install_is_a_reason_too(tmp_path):
    fake = tmp_path / "site" / "pypdfium2"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise OSError('libpdfium.so: cannot open shared object file')\n")
    make_pdf(tmp_path / "books" / "a.pdf", book_pages(0))
    result = run_python("""
        import sys
        sys.path.insert(0, sys.argv[1])
        import tomes
        report = tomes.index_corpus(sys.argv[2], sys.argv[3])
        print(report.skipped)
    """, str(tmp_path / "site"), str(tmp_path / "books"), str(tmp_path / "ix"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('a.pdf', 'PDF support failed to load (pypdfium2: OSError)')]"


# --- the cap ---------------------------------------------------------------------------------------------------------


def test_the_text_cap_refuses_a_pdf_whose_pages_pass_it(tmp_path, monkeypatch):
    pages = book_pages(0)
    size = len("\n".join(pages).encode("utf-8"))
    path = tmp_path / "books" / "a.pdf"
    make_pdf(path, pages)
    # The reader itself: exactly at the cap is read, one byte under it is refused.
    assert _pdf.read_pdf(os.fsencode(path), size) == "\n".join(pages).encode("utf-8")
    assert _pdf.read_pdf(os.fsencode(path), size - 1) == f"the text is larger than the cap of {size - 1} bytes"
    # Through index_corpus (the cap is tomes._index.MAX_BOOK_TEXT).
    monkeypatch.setattr(tomes._index, "MAX_BOOK_TEXT", size - 1)
    report = tomes.index_corpus(tmp_path / "books", tmp_path / "ix")
    assert report.skipped == [("a.pdf", f"the text is larger than the cap of {size - 1} bytes")]
    monkeypatch.setattr(tomes._index, "MAX_BOOK_TEXT", size)
    report = tomes.index_corpus(tmp_path / "books", tmp_path / "ix", mode="overwrite")
    assert report.skipped == [] and report.books == 1


# --- without pypdfium2 -----------------------------------------------------------------------------------------------


def run_python(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=timeout)


def test_without_pypdfium2_pdfs_are_skipped_naming_the_extra(tmp_path):
    make_pdf(tmp_path / "books" / "a.pdf", book_pages(0))
    (tmp_path / "books" / "b.pdf").write_bytes(b"garbage")
    write(tmp_path / "books" / "c.txt", "whale")
    result = run_python("""
        import sys
        sys.modules["pypdfium2"] = None  # import pypdfium2 raises ImportError
        import tomes
        report = tomes.index_corpus(sys.argv[1], sys.argv[2], threads=2)
        for path, reason in report.skipped:
            print(path, reason, sep="|")
        print("books", report.books)
    """, str(tmp_path / "books"), str(tmp_path / "ix"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"a.pdf|{NOT_INSTALLED}", f"b.pdf|{NOT_INSTALLED}", "books 1"]


def test_the_reason_without_pypdfium2_is_the_cores_without_a_pdf_source(tmp_path):
    # The core's own reason (no reader passed) and _pdf's are the same words.
    (tmp_path / "books").mkdir()
    (tmp_path / "books" / "a.pdf").write_bytes(b"%PDF")
    raw = _core.index_corpus(os.fsencode(tmp_path / "books"), os.fsencode(tmp_path / "ix"), _core.IndexOptions(),
                             None, None)
    assert raw["skipped"] == [(b"a.pdf", NOT_INSTALLED)]
    assert _pdf.NOT_INSTALLED == NOT_INSTALLED


def test_pypdfium2_is_imported_only_when_a_pdf_is_met(tmp_path):
    write(tmp_path / "text" / "a.txt", "whale")
    make_pdf(tmp_path / "pdf" / "a.pdf", book_pages(0))
    result = run_python("""
        import sys
        import tomes
        print("pypdfium2" in sys.modules)
        tomes.index_corpus(sys.argv[1] + "/text", sys.argv[1] + "/ix1")
        print("pypdfium2" in sys.modules)
        tomes.index_corpus(sys.argv[1] + "/pdf", sys.argv[1] + "/ix2")
        print("pypdfium2" in sys.modules)
    """, str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "True"]


# --- threads ---------------------------------------------------------------------------------------------------------


def mixed_corpus(books: Path, n: int = 12) -> list:
    words = []
    for b in range(n):
        if b % 3 == 0:
            write(books / f"b{b:02d}.txt", f"plain book {unique_word(b, 0)} whale ship {b}")
            words.append(unique_word(b, 0))
        else:
            make_pdf(books / f"b{b:02d}.pdf", book_pages(b, pages=3))
            words += [unique_word(b, p) for p in range(3)]
    (books / "broken.pdf").write_bytes(b"%PDF-1.7 broken")
    return words + ["whale", "page", "book", "zeta*"]


def test_a_mixed_corpus_gives_the_same_index_with_two_threads_as_with_one(tmp_path):
    words = mixed_corpus(tmp_path / "books")
    one = tomes.index_corpus(tmp_path / "books", tmp_path / "ix1", threads=1, chunk_size=20, chunk_overlap=5)
    two = tomes.index_corpus(tmp_path / "books", tmp_path / "ix2", threads=2, chunk_size=20, chunk_overlap=5)
    assert one.skipped == two.skipped == [("broken.pdf", "not a readable PDF (pdfium: data format error)")]
    assert (one.books, one.chunks) == (two.books, two.chunks) == (12, one.chunks)
    with tomes.open(tmp_path / "ix1") as ix1, tomes.open(tmp_path / "ix2") as ix2:
        assert all_hits(ix1, words) == all_hits(ix2, words)
        assert [ix1.text(d) for d in range(len(ix1))] == [ix2.text(d) for d in range(len(ix2))]
    assert tree_bytes(tmp_path / "ix1") == tree_bytes(tmp_path / "ix2")


def test_other_books_keep_parsing_while_a_pdf_is_read(tmp_path, monkeypatch):
    # a.pdf's reader waits until z.pdf's reader is called: with two threads
    # that happens only if the other thread parses every .txt book between
    # them meanwhile (books are claimed in path order), so the bridge holds
    # neither the GIL nor a lock of the core while a PDF is read.
    books = tmp_path / "books"
    make_pdf(books / "a.pdf", book_pages(0))
    for i in range(20):
        write(books / f"m{i:02d}.txt", f"text book {i} whale")
    make_pdf(books / "z.pdf", book_pages(1))
    z_called = threading.Event()
    waited = []
    real = _pdf.read_pdf

    def reader(path, cap):
        if path.endswith(b"a.pdf"):
            waited.append(z_called.wait(timeout=60))
        else:
            z_called.set()
        return real(path, cap)

    monkeypatch.setattr(_pdf, "read_pdf", reader)
    report = tomes.index_corpus(books, tmp_path / "ix", threads=2)
    assert waited == [True]
    assert report.books == 22 and report.skipped == []


# --- Ctrl-C ----------------------------------------------------------------------------------------------------------

INTERRUPTED_RUN = """
    import sys, time
    import tomes
    from tomes import _pdf
    real = _pdf._text_of

    def slow(pdfium, path, cap):  # under _pdf's lock, as PDFium is
        time.sleep(0.05)
        return real(pdfium, path, cap)

    _pdf._text_of = slow
    books, ix, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    reported = []

    def progress(*args):
        if not reported:
            print("started", flush=True)
        reported.append(args)

    try:
        tomes.index_corpus(books, ix, threads=threads, progress=progress, mode="overwrite")
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        # The lock is free again and the next run reads PDFs.
        _pdf._text_of = real
        report = tomes.index_corpus(sys.argv[4], ix + "-after", threads=threads)
        print("after", report.books, report.skipped, flush=True)
        sys.exit(130)
    print("finished", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGINT delivered to the child")
@pytest.mark.parametrize("threads", [1, 2])
def test_ctrl_c_while_pdfs_are_read_stops_the_run_and_leaves_the_index_as_it_was(tmp_path, threads):
    books = tmp_path / "books"
    make_pdf(books / "one.pdf", book_pages(0))
    for i in range(1, 120):  # 120 PDFs at 50 ms each: 6 s of work, one at a time
        (books / f"p{i:03d}.pdf").write_bytes((books / "one.pdf").read_bytes())  # duplicates, read all the same
        write(books / f"t{i:03d}.txt", f"text {i}")
    small = tmp_path / "small"
    make_pdf(small / "s.pdf", book_pages(3))
    ix = tmp_path / "ix"
    tomes.index_corpus(small, ix)
    before = tree_bytes(ix)
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(INTERRUPTED_RUN), str(books), str(ix),
                             str(threads), str(small)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "started\n"
        time.sleep(0.3)  # well inside the 6 s of PDFs
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert out.splitlines() == ["interrupted", "after 1 []"], (out, err)
    assert tree_bytes(ix) == before
