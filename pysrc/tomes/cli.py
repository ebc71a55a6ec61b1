"""The ``tomes`` command line (also ``python -m tomes``).

Commands: ``index``, ``search``, ``info``, ``verify``, ``analyze`` and
``demo``. Errors print one line on stderr and exit with status 1 (2 for bad
usage, as argparse does).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

from tomes import _core
from tomes._analysis import STEMMERS, STOPWORD_LISTS, analyze
from tomes._core import CorruptIndexError
from tomes._index import _encoding_arg, index_corpus, open as open_index, verify
from tomes._version import __version__


def _version_line() -> str:
    info = _core.build_info()
    return (f"tomes {__version__} (oneTBB {info['tbb']}, zlib {info['zlib']}, "
            f"Unicode {info['unicode']})")


def _cmd_analyze(args: argparse.Namespace) -> int:
    text = " ".join(args.text) if args.text else sys.stdin.read()
    for term in analyze(text, stopwords=args.stopwords, stemmer=args.stemmer):
        print(term)
    return 0


def _snippet(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def _encoding_choice(value: str) -> str:
    """--encoding's canonical name (aliases such as iso-8859-1 accepted), or argparse's error."""
    try:
        return _encoding_arg(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _print_invalid_utf8(report, encoding: str) -> None:
    """The books that were not valid UTF-8, and what to do about them."""
    n = report.invalid_utf8
    if not n or encoding not in ("utf-8", "auto"):
        return  # with a fixed single-byte codec every book was read as asked
    if encoding == "auto":
        print(f"{n:,} book(s) were not valid UTF-8 and were read as Windows-1252")
    else:
        print(f"{n:,} book(s) were not valid UTF-8 (bad bytes indexed as U+FFFD); if they are Latin-1 or "
              f"Windows-1252, index again with --encoding auto")
    for book in report.invalid_utf8_books[:5]:
        print(f"  {book}")
    if n > 5:
        print(f"  ... and {n - 5:,} more")


def _print_report(report) -> None:
    print(f"indexed {report.books:,} books into {report.chunks:,} chunks, {report.segments} segment(s), "
          f"{report.bytes_read / 1e6:,.1f} MB in {report.seconds:.2f} s "
          f"({report.bytes_read / 1e6 / max(report.seconds, 1e-9):,.1f} MB/s)")
    if report.duplicates:
        print(f"{len(report.duplicates):,} duplicate(s) skipped")
    if report.skipped:
        print(f"{len(report.skipped):,} file(s) skipped:")
        for path, reason in report.skipped[:20]:
            print(f"  {path}: {reason}")
        if len(report.skipped) > 20:
            print(f"  ... and {len(report.skipped) - 20:,} more")


def _cmd_index(args: argparse.Namespace) -> int:
    report = index_corpus(
        args.books_dir, args.index_dir, chunk_size=args.chunk_size, chunk_overlap=args.chunk_overlap,
        batch_size=args.batch_size, stopwords=args.stopwords, stemmer=args.stemmer, threads=args.threads,
        store_text=not args.no_text, progress=not args.quiet, mode="overwrite" if args.overwrite else "create",
        encoding=args.encoding)
    _print_report(report)
    _print_invalid_utf8(report, args.encoding)
    return 0


def _print_hits(ix, hits) -> None:
    store_text = ix.stats()["store_text"]
    for rank, hit in enumerate(hits, 1):
        print(f"{rank:>3}. {hit.score:8.4f}  {hit.book_id}  chunk {hit.chunk}  [{hit.start}:{hit.end}]")
        if store_text:
            print(f"       {_snippet(ix.text(hit.doc_id))}")


def _cmd_search(args: argparse.Namespace) -> int:
    with open_index(args.index_dir) as ix:
        hits = ix.search(args.query, k=args.k, fuzzy=args.fuzzy)
        if args.json:
            print(json.dumps([{"book_id": h.book_id, "chunk": h.chunk, "doc_id": h.doc_id, "score": h.score,
                               "start": h.start, "end": h.end} for h in hits], ensure_ascii=False))
        else:
            _print_hits(ix, hits)
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    with open_index(args.index_dir) as ix:
        stats = ix.stats()
    if args.json:
        print(json.dumps(stats))
    else:
        for key, value in stats.items():
            print(f"{key:<16} {value}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    try:
        stats = verify(args.index_dir)
    except CorruptIndexError as error:
        print(f"tomes verify: DAMAGED: {error}", file=sys.stderr)
        return 1
    print(f"ok: {stats['segments']} segment(s), {stats['chunks']:,} chunks, {stats['bytes']:,} bytes checked")
    return 0


def _demo_books(books: Path) -> int:
    """Writes the Python standard library's sources as .txt books; returns how many."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    count = 0
    for path in sorted(stdlib.rglob("*.py")):
        if "site-packages" in path.parts or "test" in path.parts or "tests" in path.parts:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        target = books / path.relative_to(stdlib).with_suffix(".txt")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += 1
    return count


# (query, fuzzy): the misspelling finds "asynchronous" within one edit.
DEMO_QUERIES = (("regular expression pattern", 0), ("thread lock acquire", 0), ("socket connect timeout", 0),
                ("parse json", 0), ("pars* decod*", 0), ("asyncronous", 1))


def _cmd_demo(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="tomes-demo-"))
    try:
        books = work / "books"
        count = _demo_books(books)
        if count == 0:
            print("demo: found no Python standard library sources to index", file=sys.stderr)
            return 1
        print(f"demo: the Python standard library's {count:,} modules, written out as books in {books}")
        report = index_corpus(books, work / "index", stopwords="english", stemmer="english",
                              progress=not args.quiet)
        _print_report(report)
        with open_index(work / "index") as ix:
            for query, fuzzy in DEMO_QUERIES:
                started = time.perf_counter()
                hits = ix.search(query, k=args.top, fuzzy=fuzzy)
                ms = (time.perf_counter() - started) * 1000
                print(f"\nsearch {query!r}" + (f" (fuzzy={fuzzy})" if fuzzy else "") + f": {ms:.1f} ms")
                _print_hits(ix, hits)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tomes", description="Passage-level BM25 search over collections of books.")
    parser.add_argument("--version", action="version", version=_version_line())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("analyze", help="print the terms of a text (SPEC 3), one a line")
    p.add_argument("text", nargs="*", help="the text; standard input when absent")
    p.add_argument("--stopwords", choices=STOPWORD_LISTS, default=None)
    p.add_argument("--stemmer", choices=STEMMERS, default=None)
    p.set_defaults(run=_cmd_analyze)

    p = commands.add_parser("index", help="index the books under BOOKS_DIR into INDEX_DIR")
    p.add_argument("books_dir")
    p.add_argument("index_dir")
    p.add_argument("--chunk-size", type=int, default=1000, help="code points per chunk (0: whole books)")
    p.add_argument("--chunk-overlap", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=1000, help="books per segment at most")
    p.add_argument("--stopwords", choices=STOPWORD_LISTS, default=None)
    p.add_argument("--stemmer", choices=STEMMERS, default=None)
    p.add_argument("--threads", type=int, default=None, help="default: all cores")
    p.add_argument("--no-text", action="store_true", help="do not store the chunks' text")
    p.add_argument("--overwrite", action="store_true", help="replace an existing index")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--encoding", type=_encoding_choice, default="utf-8",
                   help="how books without a byte order mark are read: utf-8 (bad bytes become U+FFFD), "
                        "auto (UTF-8 if valid, else Windows-1252), latin-1 or cp1252")
    p.set_defaults(run=_cmd_index)

    p = commands.add_parser("search", help="search an index")
    p.add_argument("index_dir")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=10, help="number of hits (default 10)")
    p.add_argument("--fuzzy", type=int, default=0, choices=(0, 1, 2))
    p.add_argument("--json", action="store_true", help="print the hits as JSON")
    p.set_defaults(run=_cmd_search)

    p = commands.add_parser("info", help="print an index's statistics and settings")
    p.add_argument("index_dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_cmd_info)

    p = commands.add_parser("verify", help="check every checksum of an index (exit 1 if damaged)")
    p.add_argument("index_dir")
    p.set_defaults(run=_cmd_verify)

    p = commands.add_parser(
        "demo", help="index the Python standard library's sources as books, then search them")
    p.add_argument("--top", type=int, default=3, help="hits per query (default 3)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_cmd_demo)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.run(args))
    except BrokenPipeError:
        # The reader went away (`tomes analyze ... | head`): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (OSError, ValueError, TypeError) as error:
        print(f"tomes {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
