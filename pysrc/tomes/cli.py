"""The ``tomes`` command line (also ``python -m tomes``).

Commands: ``index``, ``search``, ``info``, ``verify``, ``optimize``,
``analyze`` and ``demo``. Errors print one line on stderr and exit with status 1 (2 for bad
usage, as argparse does; 130 after Ctrl-C, which leaves an index as it was).
``tomes index`` also exits with 1 when it found no book it could index.

Output that a terminal cannot encode (``PYTHONIOENCODING=ascii``) is written
with backslash escapes instead of failing. File names are shown as their
bytes decoded from UTF-8, undecodable bytes as ``\\xff``; with ``--json``
they keep Python's surrogate escapes (``"\\udcff"``), so
``os.fsencode(json.loads(line)[0]["book_id"])`` is the file name's bytes.
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
from tomes._optimize import optimize
from tomes._writer import sync
from tomes._snippet import BOLD, GUILLEMETS, QueryTerms, index_analyzer, make_snippet
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


def _display_name(path: str) -> str:
    """A book id or path for people: its bytes as UTF-8, an undecodable byte as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _human_bytes(size: int) -> str:
    """``12.3 MB``: decimal units, as the indexing report's MB/s."""
    if size < 1000:
        return f"{size} bytes"
    value = size / 1000
    for unit in ("kB", "MB", "GB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:,.1f} TB"


def _snippet(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


#: Files listed by ``tomes index`` (skipped, duplicates, not UTF-8) without ``-v``.
REPORT_LIST_LIMIT = 10


def _encoding_choice(value: str) -> str:
    """--encoding's canonical name (aliases such as iso-8859-1 accepted), or argparse's error."""
    try:
        return _encoding_arg(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _print_invalid_utf8(report, encoding: str, verbose: bool = False) -> None:
    """The books that were not valid UTF-8, and what to do about them."""
    n = report.invalid_utf8
    if not n or encoding not in ("utf-8", "auto"):
        return  # with a fixed single-byte codec every book was read as asked
    if encoding == "auto":
        print(f"{n:,} book(s) were not valid UTF-8 and were read as Windows-1252")
    else:
        print(f"{n:,} book(s) were not valid UTF-8 (bad bytes indexed as U+FFFD); if they are Latin-1 or "
              f"Windows-1252, index again with --encoding auto")
    books = [_display_name(book) for book in report.invalid_utf8_books]
    _print_list(books, None if verbose else REPORT_LIST_LIMIT)


def _print_report(report, verbose: bool = False) -> None:
    print(f"indexed {report.books:,} books into {report.chunks:,} chunks, {report.segments} segment(s), "
          f"{report.bytes_read / 1e6:,.1f} MB in {report.seconds:.2f} s "
          f"({report.bytes_read / 1e6 / max(report.seconds, 1e-9):,.1f} MB/s)")
    _print_skips(report, verbose)


def _print_skips(report, verbose: bool) -> None:
    """The duplicates and skipped files of an IndexReport or CommitReport."""
    limit = None if verbose else REPORT_LIST_LIMIT
    if report.duplicates:
        print(f"{len(report.duplicates):,} duplicate(s) skipped:")
        _print_list([f"{_display_name(path)}: same text as {_display_name(first)}"
                     for path, first in report.duplicates], limit)
    if report.skipped:
        print(f"{len(report.skipped):,} file(s) skipped:")
        _print_list([f"{_display_name(path)}: {reason}" for path, reason in report.skipped], limit)


def _print_list(lines: Sequence[str], limit: Optional[int]) -> None:
    for line in lines[:limit]:
        print(f"  {line}")
    if limit is not None and len(lines) > limit:
        print(f"  ... and {len(lines) - limit:,} more (tomes index -v lists them all)")


def _index_args_error(args: argparse.Namespace) -> Optional[str]:
    """What is wrong with books_dir or index_dir, found before any progress bar is drawn; None if nothing."""
    if not os.path.isdir(args.books_dir):
        what = "a file" if os.path.lexists(args.books_dir) else "nothing there"
        return f"{args.books_dir}: expected a directory of books, got {what}"
    if args.update and args.overwrite:
        return "--update and --overwrite exclude each other"
    if not args.overwrite and not args.update and os.path.lexists(os.path.join(args.index_dir, "index.json")):
        return (f"{args.index_dir}: already holds an index (index.json); pass --update to bring it in line with "
                f"{args.books_dir}, or --overwrite to replace it")
    if args.checksum and not args.update:
        return "--checksum goes with --update"
    return None


def _print_sync_report(report, verbose: bool) -> None:
    print(f"added {len(report.added):,}, replaced {len(report.replaced):,}, deleted {len(report.deleted):,}, "
          f"unchanged {len(report.unchanged):,} book(s) in {report.seconds:.2f} s; the index holds "
          f"{report.books:,} books, {report.chunks:,} chunks, {report.segments} segment(s) "
          f"(generation {report.generation})")
    _print_skips(report, verbose)
    if report.merge_error:
        print(f"warning: merging segments after the commit failed: {report.merge_error}", file=sys.stderr)


def _cmd_update(args: argparse.Namespace) -> int:
    # Only the options given: an existing index keeps its own, and a
    # different one given is an error naming it.
    given = {name: value for name, value in (("chunk_size", args.chunk_size), ("chunk_overlap", args.chunk_overlap),
                                             ("stopwords", args.stopwords), ("stemmer", args.stemmer))
             if value is not None}
    if args.no_text:
        given["store_text"] = False
    report = sync(args.books_dir, args.index_dir, checksum=args.checksum, threads=args.threads,
                  batch_size=args.batch_size, encoding=args.encoding, timeout=args.wait,
                  progress=not args.quiet, **given)
    _print_sync_report(report, args.verbose)
    return 0


def _cmd_index(args: argparse.Namespace) -> int:
    error = _index_args_error(args)
    if error is not None:
        print(f"tomes index: error: {error}", file=sys.stderr)
        return 1
    if args.update:
        return _cmd_update(args)
    report = index_corpus(
        args.books_dir, args.index_dir, chunk_size=1000 if args.chunk_size is None else args.chunk_size,
        chunk_overlap=100 if args.chunk_overlap is None else args.chunk_overlap,
        batch_size=args.batch_size, stopwords=args.stopwords, stemmer=args.stemmer, threads=args.threads,
        store_text=not args.no_text, progress=not args.quiet, mode="overwrite" if args.overwrite else "create",
        encoding=args.encoding)
    _print_report(report, verbose=args.verbose)
    _print_invalid_utf8(report, args.encoding, verbose=args.verbose)
    if report.books == 0:
        print(f"tomes index: error: no book could be indexed under {args.books_dir} (expected .txt, .md, .html, "
              f".htm, .epub or .pdf files with words in them); the index written to {args.index_dir} is empty", file=sys.stderr)
        return 1
    return 0


def _snippet_marks():
    """Bold on a terminal (unless NO_COLOR is set), else «» around matches."""
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return BOLD
    return GUILLEMETS


def _print_hits(ix, hits, query: Optional[QueryTerms] = None, analyzer=None) -> None:
    """One line per hit, then (when the index stores text) a snippet of its
    chunk around the query's words (tomes/_snippet.py), or, without a query,
    the chunk's first characters."""
    # Not ix.stats()["store_text"]: stats() counts the distinct terms, a merge
    # of every segment's dictionary (seconds on an index of hundreds of segments).
    store_text = True
    marks = _snippet_marks()
    for rank, hit in enumerate(hits, 1):
        print(f"{rank:>3}. {hit.score:8.4f}  {_display_name(hit.book_id)}  chunk {hit.chunk}  [{hit.start}:{hit.end}]")
        if not store_text:
            continue
        try:
            text = ix.text(hit.doc_id)
        except CorruptIndexError:
            raise
        except ValueError:  # the index keeps no text (store_text=False)
            store_text = False
            continue
        shown = _snippet(text) if query is None else make_snippet(text, query, analyzer, marks=marks)
        print(f"       {shown}")


def _cmd_search(args: argparse.Namespace) -> int:
    with open_index(args.index_dir) as ix:
        # Only when asked, so that the CLI runs against an Index.search that
        # predates the keyword.
        extra = {"transpositions": True} if args.transpositions else {}
        hits = ix.search(args.query, k=args.k, fuzzy=args.fuzzy, **extra)
        if args.json:
            print(json.dumps([{"book_id": h.book_id, "chunk": h.chunk, "doc_id": h.doc_id, "score": h.score,
                               "start": h.start, "end": h.end} for h in hits]))
        else:
            analyzer = index_analyzer(args.index_dir)
            _print_hits(ix, hits, QueryTerms(args.query, analyzer, args.fuzzy, args.transpositions), analyzer)
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    with open_index(args.index_dir) as ix:
        stats = ix.stats()
    if args.json:
        print(json.dumps(stats))
        return 0
    width = max(map(len, stats))
    for key, value in stats.items():
        if key == "avgdl":
            shown = f"{value:,.2f}"
        elif key == "bytes":
            shown = _human_bytes(value) + ("" if value < 1000 else f" ({value:,} bytes)")
        elif isinstance(value, int) and not isinstance(value, bool) and key != "generation":
            shown = f"{value:,}"
        else:
            shown = str(value)
        print(f"{key:<{width}}  {shown}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    try:
        stats = verify(args.index_dir)
    except CorruptIndexError as error:
        print(f"tomes verify: DAMAGED: {error}", file=sys.stderr)
        return 1
    print(f"ok: {stats['segments']} segment(s), {stats['chunks']:,} chunks, {stats['bytes']:,} bytes checked")
    return 0


def _cmd_optimize(args: argparse.Namespace) -> int:
    report = optimize(args.index_dir, args.max_segments, threads=args.threads, progress=not args.quiet,
                      timeout=args.wait)
    if not report.merged:
        print(f"already {report.segments_before} segment(s) (at most {args.max_segments}): nothing to merge")
        return 0
    print(f"merged {report.segments_before} segments into {report.segments_after}: "
          f"{report.bytes_before:,} -> {report.bytes_after:,} bytes in {report.seconds:.1f} s")
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
        analyzer = index_analyzer(work / "index")
        with open_index(work / "index") as ix:
            for query, fuzzy in DEMO_QUERIES:
                started = time.perf_counter()
                hits = ix.search(query, k=args.top, fuzzy=fuzzy)
                ms = (time.perf_counter() - started) * 1000
                print(f"\nsearch {query!r}" + (f" (fuzzy={fuzzy})" if fuzzy else "") + f": {ms:.1f} ms")
                _print_hits(ix, hits, QueryTerms(query, analyzer, fuzzy), analyzer)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tomes", description="Passage-level BM25 search over collections of books.")
    parser.add_argument("--version", action="version", version=_version_line())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser(
        "analyze", help="print the terms of a text as the index sees them, one a line",
        description="Print the terms tomes indexes and searches for a text, one a line, in text order. "
                    "Tokens are the maximal runs of letters, marks and numbers; each is case-folded "
                    "(Straße -> strasse), dropped if it is a stopword, stemmed, stripped of accents and "
                    "compatibility forms (café -> cafe, ½ -> 12), and kept if 2 to 40 characters long.")
    p.add_argument("text", nargs="*", help="the text; standard input when absent")
    p.add_argument("--stopwords", choices=STOPWORD_LISTS, default=None)
    p.add_argument("--stemmer", choices=STEMMERS, default=None)
    p.set_defaults(run=_cmd_analyze)

    p = commands.add_parser("index", help="index the books under BOOKS_DIR into INDEX_DIR")
    p.add_argument("books_dir", help="a folder of books (.txt .md .html .htm .epub, and .pdf "
                   "with tomes[pdf]), searched recursively")
    p.add_argument("index_dir", help="where the index goes (created if missing)")
    p.add_argument("--chunk-size", type=int, default=None,
                   help="code points per chunk (0: whole books; default 1000)")
    p.add_argument("--chunk-overlap", type=int, default=None, help="default 100")
    p.add_argument("--batch-size", type=int, default=1000, help="books per segment at most")
    p.add_argument("--stopwords", choices=STOPWORD_LISTS, default=None)
    p.add_argument("--stemmer", choices=STEMMERS, default=None)
    p.add_argument("--threads", type=int, default=None, help="default: all cores")
    p.add_argument("--no-text", action="store_true", help="do not store the chunks' text")
    p.add_argument("--overwrite", action="store_true", help="replace an existing index")
    p.add_argument("--update", action="store_true",
                   help="bring an existing index (or a new one) in line with BOOKS_DIR in one commit: new and "
                        "changed files added, vanished ones deleted, files with the same size and mtime not "
                        "read (tomes.sync)")
    p.add_argument("--checksum", action="store_true",
                   help="with --update: read every file and compare texts instead of sizes and mtimes")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="with --update: wait up to SECONDS while another writer holds the index")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("-v", "--verbose", action="store_true",
                   help=f"list every skipped, duplicate and non-UTF-8 file "
                        f"(default: the first {REPORT_LIST_LIMIT} of each)")
    p.add_argument("--encoding", type=_encoding_choice, default="utf-8",
                   help="how books without a byte order mark are read: utf-8 (bad bytes become U+FFFD), "
                        "auto (UTF-8 if valid, else Windows-1252), latin-1 or cp1252")
    p.set_defaults(run=_cmd_index)

    p = commands.add_parser(
        "search", help="search an index",
        description="Print the best chunks for a query, best first: score, book, chunk number and its span "
                    "in code points, then (when the index stores text) a snippet of about 160 characters "
                    "around the chunk's best-matching words. Matching words are shown in bold on a "
                    "terminal and between \u00ab\u00bb otherwise (or with NO_COLOR set); \u2026 marks text "
                    "cut off.")
    p.add_argument("index_dir", help="a folder holding a tomes index (index.json)")
    p.add_argument("query", help="words to search for; a word ending in * is a prefix (whal*)")
    p.add_argument("-k", type=int, default=10, help="number of hits (default 10)")
    p.add_argument("--fuzzy", type=int, default=0, choices=(0, 1, 2),
                   help="also match terms within this many edits (inserted, deleted or substituted "
                        "characters) of each query term (default 0)")
    p.add_argument("--transpositions", action="store_true",
                   help="with --fuzzy, a swap of two adjacent characters counts as one edit (wahle finds "
                        "whale at --fuzzy 1)")
    p.add_argument("--json", action="store_true",
                   help="print the hits as JSON (ASCII; a file name's undecodable bytes as \\udc80-\\udcff "
                        "escapes, which os.fsencode turns back into the bytes)")
    p.set_defaults(run=_cmd_search)

    p = commands.add_parser("info", help="print an index's statistics and settings")
    p.add_argument("index_dir", help="a folder holding a tomes index (index.json)")
    p.add_argument("--json", action="store_true", help="print the statistics as JSON, exact numbers")
    p.set_defaults(run=_cmd_info)

    p = commands.add_parser("verify", help="check every checksum of an index (exit 1 if damaged)")
    p.add_argument("index_dir", help="a folder holding a tomes index (index.json)")
    p.set_defaults(run=_cmd_verify)

    p = commands.add_parser("optimize", help="merge an index's segments (search results do not change)")
    p.add_argument("index_dir", help="a folder holding a tomes index (index.json)")
    p.add_argument("--max-segments", type=int, default=1, help="segments to leave at most (default 1)")
    p.add_argument("--threads", type=int, default=None, help="default: all cores")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait up to SECONDS while another writer holds the index")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_cmd_optimize)

    p = commands.add_parser(
        "demo", help="index the Python standard library's sources as books, then search them")
    p.add_argument("--top", type=int, default=3, help="hits per query (default 3)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_cmd_demo)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    # A character stdout cannot encode becomes an escape, not a crash mid-output.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
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
    except KeyboardInterrupt:
        # index_corpus has rolled its run back by now: an index stays as it was.
        print(f"tomes {args.command}: interrupted" + ("; the index is as it was before"
                                                      if args.command in ("index", "optimize") else ""),
              file=sys.stderr)
        return 130
    except (OSError, ValueError, TypeError) as error:
        print(f"tomes {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
