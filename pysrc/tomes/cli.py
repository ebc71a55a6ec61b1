"""The ``tomes`` command line (also ``python -m tomes``).

Commands grow with the library; today: ``analyze`` and ``demo``.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import sysconfig
import time
from pathlib import Path
from typing import List, Optional, Sequence

from tomes import _core
from tomes._analysis import STEMMERS, STOPWORD_LISTS, analyze
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


def _demo_files() -> List[Path]:
    """The Python standard library's sources: a corpus every machine has."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return sorted(p for p in stdlib.rglob("*.py") if "site-packages" not in p.parts)


def _cmd_demo(args: argparse.Namespace) -> int:
    files = _demo_files()
    if not files:
        print("demo: found no Python standard library sources to analyze", file=sys.stderr)
        return 1
    counts: collections.Counter = collections.Counter()
    total_bytes = 0
    seconds = 0.0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as error:
            print(f"demo: skipped {path}: {error}", file=sys.stderr)
            continue
        total_bytes += len(data)
        text = data.decode("utf-8", errors="replace")
        started = time.perf_counter()
        terms = analyze(text, stopwords="english", stemmer="english")
        seconds += time.perf_counter() - started
        counts.update(terms)
    print(f"analyzed {len(files):,} files of the Python standard library "
          f"({total_bytes / 1e6:.1f} MB) in {seconds:.2f} s of analysis "
          f"({total_bytes / 1e6 / max(seconds, 1e-9):.0f} MB/s on one thread, "
          "terms returned as Python lists)")
    print(f"{sum(counts.values()):,} terms, {len(counts):,} distinct "
          "(english stopwords and stemmer)")
    print("most frequent terms:")
    for term, n in counts.most_common(args.top):
        print(f"  {term:<20} {n:>10,}")
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

    p = commands.add_parser(
        "demo", help="analyze the Python standard library's sources and show the top terms")
    p.add_argument("--top", type=int, default=10, help="how many terms to show (default 10)")
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


if __name__ == "__main__":
    sys.exit(main())
