#!/usr/bin/env python3
"""PDFs in the pipeline: do they overlap with the parsing of other books?

PDFium is not thread-safe, so tomes reads PDFs one at a time (a lock in
tomes/_pdf.py), from whichever parsing thread meets one, holding the GIL
only while Python runs; the other threads keep parsing plain text meanwhile.
This measures it on a mixed corpus made from the real books:

  text    --text-books .txt books of /work/corpora/real (a seeded sample of
          those of at least --min-text-bytes)
  pdf     --pdf-books PDFs written with fpdf2 from other real books (their
          first --pdf-chars characters, Latin-1, core font)
  mixed   both, hard links named so that PDFs and text books alternate in
          path order (the order parsing threads claim books in)

Each corpus is indexed with --threads threads (store_text on, defaults
otherwise), --repeat times, interleaved; the table gives the fastest run
of each (the machine may be shared) and the least CPU time (all threads:
on a loaded machine, CPU time shows the work where wall time shows the
neighbours), and for the mixed corpus the sum and
the max of the other two, and the bound two cores allow: the text's work
spread over both cores beside the PDFs' serial reading,
max(pdf, (text_cpu + pdf) / threads) with text_cpu = the text corpus's
time on one thread.

    python bench/pdf_pipeline.py                  # corpus in /tmp/tomes-pdf-bench
    python bench/pdf_pipeline.py --repeat 5 --work /tmp/pdfbench
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import time
from pathlib import Path

import tomes
from tomes import _pdf


def make_pdf(text: str, path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    # The core fonts are Latin-1: anything else becomes "?".
    pdf.multi_cell(0, 5, text.encode("latin-1", "replace").decode("latin-1"))
    pdf.output(str(path))


def build_corpus(args: argparse.Namespace) -> Path:
    work = Path(args.work)
    stamp = work / f"stamp-{args.text_books}-{args.pdf_books}-{args.pdf_chars}-{args.min_text_bytes}-{args.seed}"
    if stamp.exists():
        return work
    shutil.rmtree(work, ignore_errors=True)
    real = Path(args.real)
    names = sorted(p.name for p in real.iterdir() if p.suffix == ".txt")
    big = [n for n in names if (real / n).stat().st_size >= args.min_text_bytes]
    rng = random.Random(args.seed)
    text_names = rng.sample(big, args.text_books)
    rest = [n for n in names if n not in set(text_names) and (real / n).stat().st_size >= args.pdf_chars]
    pdf_names = rng.sample(rest, args.pdf_books)
    for d in ("text", "pdf", "mixed"):
        (work / d).mkdir(parents=True)
    for n in text_names:
        shutil.copyfile(real / n, work / "text" / n)
    t0 = time.perf_counter()
    for n in pdf_names:
        text = (real / n).read_text(encoding="utf-8", errors="replace")[: args.pdf_chars]
        make_pdf(text, work / "pdf" / (n[:-4] + ".pdf"))
    print(f"made {args.pdf_books} PDFs in {time.perf_counter() - t0:.1f} s")
    # Mixed: one PDF after every len(text)/len(pdf) text books.
    step = max(1, args.text_books // max(1, args.pdf_books))
    order = []
    pdfs = sorted((work / "pdf").iterdir())
    for i, n in enumerate(sorted(text_names)):
        order.append(work / "text" / n)
        if i % step == step - 1 and pdfs:
            order.append(pdfs.pop(0))
    order += pdfs
    for i, src in enumerate(order):
        os.link(src, work / "mixed" / f"{i:04d}-{src.name}")
    stamp.write_text("")
    return work


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def index_seconds(books: Path, threads: int) -> tuple:
    """(wall seconds, CPU seconds of every thread, report) of indexing books."""
    out = books.parent / f"ix-{books.name}"
    c0, t0 = cpu_seconds(), time.perf_counter()
    report = tomes.index_corpus(books, out, threads=threads, mode="overwrite")
    return time.perf_counter() - t0, cpu_seconds() - c0, report


def lock_times(books: Path, threads: int) -> tuple:
    """(seconds the PDF lock was held, seconds threads waited for it, PDFs)
    over one indexing of books: read_pdf and _text_of (called under the lock)
    wrapped with clocks."""
    entered, held, waited = {}, [], []
    read_pdf, text_of = _pdf.read_pdf, _pdf._text_of

    def timed_read(path: bytes, cap: int):
        entered[path] = time.perf_counter()
        return read_pdf(path, cap)

    def timed_text_of(pdfium, path: bytes, cap: int):
        t0 = time.perf_counter()
        waited.append(t0 - entered[path])
        try:
            return text_of(pdfium, path, cap)
        finally:
            held.append(time.perf_counter() - t0)

    _pdf.read_pdf, _pdf._text_of = timed_read, timed_text_of
    try:
        index_seconds(books, threads)
    finally:
        _pdf.read_pdf, _pdf._text_of = read_pdf, text_of
    return sum(held), sum(waited), len(held)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", default="/work/corpora/real")
    parser.add_argument("--work", default="/tmp/tomes-pdf-bench")
    parser.add_argument("--text-books", type=int, default=200)
    parser.add_argument("--min-text-bytes", type=int, default=50_000)
    parser.add_argument("--pdf-books", type=int, default=50)
    parser.add_argument("--pdf-chars", type=int, default=60_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    work = build_corpus(args)
    corpora = ["text", "pdf", "mixed"]
    pdfs = sorted((work / "pdf").iterdir())
    # Warm-up (imports pypdfium2, fills the page cache).
    for name in corpora:
        index_seconds(work / name, args.threads)
    rows = corpora + ["text@1", "read_pdf"]
    best = {name: float("inf") for name in rows}
    cpu = {name: float("inf") for name in rows}
    reports = {}
    for _ in range(args.repeat):
        for name in corpora:
            seconds, used, reports[name] = index_seconds(work / name, args.threads)
            best[name], cpu[name] = min(best[name], seconds), min(cpu[name], used)
        seconds, used, _ = index_seconds(work / "text", 1)
        best["text@1"], cpu["text@1"] = min(best["text@1"], seconds), min(cpu["text@1"], used)
        c0, t0 = cpu_seconds(), time.perf_counter()
        for p in pdfs:
            _pdf.read_pdf(os.fsencode(p), 256 << 20)
        best["read_pdf"] = min(best["read_pdf"], time.perf_counter() - t0)
        cpu["read_pdf"] = min(cpu["read_pdf"], cpu_seconds() - c0)

    def mb(name: str) -> float:
        return sum(p.stat().st_size for p in (work / name).iterdir()) / 1e6

    print(f"\nthreads={args.threads}, fastest of {args.repeat} runs (cpus: {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.2f})\n")
    print(f"{'corpus':<34}{'books':>7}{'file MB':>9}{'wall s':>9}{'CPU s':>9}")
    for name in corpora:
        r = reports[name]
        books = r.books + len(r.skipped) + len(r.duplicates)
        print(f"{name:<34}{books:>7}{mb(name):>9.1f}{best[name]:>9.3f}{cpu[name]:>9.3f}")
    print(f"{'text, 1 thread':<34}{'':>7}{'':>9}{best['text@1']:>9.3f}{cpu['text@1']:>9.3f}")
    print(f"{'PDFs read in a loop (read_pdf)':<34}{len(pdfs):>7}{mb('pdf'):>9.1f}{best['read_pdf']:>9.3f}"
          f"{cpu['read_pdf']:>9.3f}")
    text, pdf, mixed = best["text"], best["pdf"], best["mixed"]
    bound = max(pdf, (best["text@1"] + pdf) / args.threads)
    print(f"\nmixed {mixed:.3f} s   text + pdf {text + pdf:.3f} s   max(text, pdf) {max(text, pdf):.3f} s   "
          f"two-core bound {bound:.3f} s")
    print(f"mixed / (text + pdf) = {mixed / (text + pdf):.2f}   mixed / bound = {mixed / bound:.2f}")
    held, waited, calls = lock_times(work / "mixed", args.threads)
    print(f"mixed, one more run with the PDF reader timed: {calls} PDFs, the lock held {held:.3f} s, "
          f"threads waiting for it {waited:.3f} s in all")
    for name in corpora:
        if reports[name].skipped:
            print(f"{name}: skipped {reports[name].skipped[:3]}")


if __name__ == "__main__":
    main()
