#!/usr/bin/env python3
"""Indexing, end to end from book files: tomes beside tantivy, bm25s and SQLite FTS5.

Every row runs in a fresh Python process (so its peak RSS is its own) over
the same corpus directory of .txt books, and reports:

  MB/s       bytes of book files / wall seconds from the first file read to
             the index durable on disk (imports and interpreter start excluded)
  peak RSS   the process's ru_maxrss (the interpreter's ~20 MB included, alike
             for every row)
  index MB   bytes of every file the index left on disk
  docs       chunks (docs) indexed

Rows:
  tomes          tomes.index_corpus(books, out, threads=--threads, store_text=False|True)
                 (chunks of 1000 code points, overlap 100; no stopwords, no stemmer)
  tantivy        tantivy-py: one text field, index_option="freq", not stored;
                 writer(heap_size=--tantivy-heap, num_threads=--threads); the
                 chunks come from a Python chunker of the same sizes (fast_chunks)
  bm25s          bm25s.tokenize (no stopwords, no stemmer) + BM25(method="lucene").index
                 + save, over the same chunks
  sqlite-fts5    a contentless FTS5 table (content=''), one row per chunk, one transaction

The corpora come from bench/corpus/make_corpus.py (e.g. `--only zipf --zipf-size 200M`).

Peers read and decode files in Python exactly as tomes does (UTF-8 with
replacement); that time is part of their figures, as it is of tomes'.

    python bench/index.py --corpus build/corpora/real --rows tomes,tomes-text,tantivy,bm25s,sqlite-fts5
    python bench/index.py --corpus build/corpora/zipf-1G --rows tomes,tantivy
    python bench/index.py --rss-scaling build/corpora/zipf-200M build/corpora/zipf-1G build/corpora/zipf-4G

Two builds of tomes side by side (a change against the code before it): install
the other build in its own venv and name its interpreter; its rows are
"tomes@LABEL" (store_text off) and "tomes-text@LABEL" (on). --repeat runs the
rows that many times, interleaved, and ends with each row's median:

    python bench/index.py --corpus build/corpora/zipf-1G --rows tomes@before,tomes \\
        --python before=/tmp/venv-before/bin/python --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional

ROWS = ("tomes", "tomes-text", "tantivy", "bm25s", "sqlite-fts5")


def book_files(root: Path) -> List[Path]:
    return sorted((p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".md")),
                  key=lambda p: os.fsencode(p.relative_to(root)))


def fast_chunks(text: str, size: int = 1000, overlap: int = 100) -> Iterator[str]:
    """Chunks of about `size` characters cut at spaces, overlapping by about `overlap` (peers' input)."""
    n = len(text)
    start = 0
    while start < n:
        end = min(n, start + size)
        if end < n:
            cut = max(text.rfind(" ", start + 1, end), text.rfind("\n", start + 1, end))
            if cut > start:
                end = cut
        chunk = text[start:end].strip()
        if chunk:
            yield chunk
        if end >= n:
            break
        nxt = text.find(" ", max(start + 1, end - overlap), end)
        start = nxt + 1 if nxt > start else end


def read_chunks(root: Path) -> Iterator[str]:
    for path in book_files(root):
        yield from fast_chunks(path.read_bytes().decode("utf-8", errors="replace"))


def dir_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_row(row: str, corpus: Path, out: Path, threads: int, tantivy_heap: int) -> Dict[str, float]:
    started = time.perf_counter()
    docs = 0
    if row in ("tomes", "tomes-text"):
        import tomes

        report = tomes.index_corpus(corpus, out, threads=threads, store_text=row == "tomes-text")
        docs = report.chunks
    elif row == "tantivy":
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", stored=False, index_option="freq")
        out.mkdir(parents=True)
        index = tantivy.Index(builder.build(), path=str(out))
        writer = index.writer(heap_size=tantivy_heap, num_threads=threads)
        for chunk in read_chunks(corpus):
            writer.add_document(tantivy.Document(body=chunk))
            docs += 1
        writer.commit()
        writer.wait_merging_threads()
    elif row == "bm25s":
        import bm25s

        chunks = list(read_chunks(corpus))
        docs = len(chunks)
        tokens = bm25s.tokenize(chunks, stopwords=None, stemmer=None, show_progress=False)
        del chunks
        retriever = bm25s.BM25(method="lucene")
        retriever.index(tokens, show_progress=False)
        retriever.save(str(out))
    elif row == "sqlite-fts5":
        import sqlite3

        out.mkdir(parents=True)
        db = sqlite3.connect(str(out / "fts.db"))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE VIRTUAL TABLE chunks USING fts5(body, content='')")
        with db:
            for chunk in read_chunks(corpus):
                db.execute("INSERT INTO chunks(body) VALUES (?)", (chunk,))
                docs += 1
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
    else:
        raise SystemExit(f"unknown row {row!r}: expected one of {', '.join(ROWS)}")
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "index_bytes": dir_bytes(out),
        "docs": docs,
    }


def measure(row: str, corpus: Path, threads: int, tantivy_heap: int,
            pythons: Optional[Dict[str, str]] = None) -> Dict[str, float]:
    """Runs row in a child process: ROW@LABEL under the interpreter pythons[LABEL]."""
    base, _, label = row.partition("@")
    python = pythons[label] if label else sys.executable
    work = Path(tempfile.mkdtemp(prefix=f"bench-{base}-", dir=os.environ.get("TOMES_BENCH_TMP")))
    try:
        cmd = [python, __file__, "--child", base, "--corpus", str(corpus), "--out", str(work / "index"),
               "--threads", str(threads), "--tantivy-heap", str(tantivy_heap)]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"{row} failed:\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, help="a directory of .txt books")
    ap.add_argument("--rows", default=",".join(ROWS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tantivy-heap", type=int, default=128_000_000,
                    help="tantivy writer heap, bytes (default 128 MB, tantivy-py's own default)")
    ap.add_argument("--python", action="append", default=[], metavar="LABEL=PYTHON",
                    help="an interpreter with another tomes build, for rows named ROW@LABEL")
    ap.add_argument("--repeat", type=int, default=1, help="run the rows this many times, interleaved")
    ap.add_argument("--rss-scaling", type=Path, nargs="+", help="corpora for the tomes peak-RSS-vs-size table")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_row(args.child, args.corpus, args.out, args.threads, args.tantivy_heap)))
        return
    if args.rss_scaling:
        print("| corpus | MB | tomes MB/s | tomes peak RSS MB | index MB |")
        print("|---|---:|---:|---:|---:|")
        for corpus in args.rss_scaling:
            size = sum(p.stat().st_size for p in book_files(corpus))
            r = measure("tomes", corpus, args.threads, args.tantivy_heap)
            print(f"| {corpus.name} | {size / 1e6:,.0f} | {size / 1e6 / r['seconds']:.1f} | {r['rss_mb']:,.0f} | "
                  f"{r['index_bytes'] / 1e6:,.1f} |", flush=True)
        return
    if not args.corpus:
        ap.error("--corpus is required")
    size = sum(p.stat().st_size for p in book_files(args.corpus))
    print(f"corpus {args.corpus} : {len(book_files(args.corpus)):,} books, {size / 1e6:,.1f} MB; "
          f"{args.threads} threads")
    pythons = {}
    for spec in args.python:
        label, sep, python = spec.partition("=")
        if not sep or not label or not python:
            ap.error(f"--python expects LABEL=PYTHON, got {spec!r}")
        pythons[label] = python
    results = {}
    runs: Dict[str, List[float]] = {}
    print("| row | MB/s | peak RSS MB | index MB | docs | MB/s vs tantivy | RSS vs tantivy | bytes vs tantivy |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = args.rows.split(",")
    if "tantivy" in rows:  # the reference first, so every ratio can be printed as rows finish
        rows.remove("tantivy")
        rows.insert(0, "tantivy")
    for row in rows * args.repeat:
        base, _, label = row.partition("@")
        if base not in ROWS or (label and label not in pythons):
            raise SystemExit(f"unknown row {row!r}: expected one of {', '.join(ROWS)}, optionally @LABEL of --python")
        r = measure(row, args.corpus, args.threads, args.tantivy_heap, pythons)
        results[row] = r
        mbs = size / 1e6 / r["seconds"]
        ratios = ["-", "-", "-"]
        if "tantivy" in results and row != "tantivy":
            t = results["tantivy"]
            ratios = [f"{mbs / (size / 1e6 / t['seconds']):.2f}x", f"{r['rss_mb'] / t['rss_mb']:.2f}x",
                      f"{r['index_bytes'] / t['index_bytes']:.2f}x"]
        print(f"| {row} | {mbs:.1f} | {r['rss_mb']:,.0f} | {r['index_bytes'] / 1e6:,.1f} | {r['docs']:,} | "
              + " | ".join(ratios) + " |", flush=True)
        runs.setdefault(row, []).append(mbs)
    if args.repeat > 1:
        print("\n| row | MB/s of each run | median MB/s |\n|---|---|---:|")
        for row, speeds in runs.items():
            print(f"| {row} | {', '.join(f'{v:.1f}' for v in speeds)} | {statistics.median(speeds):.1f} |")


if __name__ == "__main__":
    main()
