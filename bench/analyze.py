#!/usr/bin/env python3
"""Single-thread analysis throughput: tomes beside PyStemmer + a regex tokenizer.

Reads every book of the Debian documentation corpus (built by
bench/corpus/make_corpus.py into build/corpora/real) into memory, then times,
on one thread, best of --repeat runs:

  tomes core       the C++ analyzer producing each term and dropping it, as the
                   indexer consumes them: one stream (and stem cache) for all
                   books, as one indexing thread has for its batch
  tomes.analyze    the public function, one call per book, list[str] out
  regex (+ PyStemmer)
                   the usual Python recipe: re.findall(r"[^\\W_]+", casefold),
                   length 2..40, then Stemmer.stemWords; a speed reference only
                   (it knows nothing of marks or NFKD folding)

MB/s counts the UTF-8 bytes of the books. Ratios are against the peer row of
the same stemmer, from the same run.

Usage: python bench/analyze.py [--corpus DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import Stemmer

import tomes
from tomes import _core

WORD = re.compile(r"[^\W_]+")


def peer_terms(texts, stemmer):
    n = 0
    for text in texts:
        tokens = [t for t in WORD.findall(text.casefold()) if 2 <= len(t) <= 40]
        if stemmer is not None:
            tokens = stemmer.stemWords(tokens)
        n += len(tokens)
    return n


def best_of(repeat, fn):
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> int:
    corpora = os.environ.get("TOMES_CORPORA") or Path(__file__).resolve().parents[1] / "build" / "corpora"
    default_corpus = Path(corpora) / "real"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = sorted(args.corpus.glob("*.txt"))
    if not paths:
        print(f"no .txt books in {args.corpus}: run python bench/corpus/make_corpus.py --only real", file=sys.stderr)
        return 1

    started = time.perf_counter()
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in paths]
    read_seconds = time.perf_counter() - started
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(texts):,} books, {megabytes:.1f} MB; read + decode {megabytes / read_seconds:.0f} MB/s")
    print(f"tomes {tomes.__version__}, PyStemmer {Stemmer.version()}, Python {sys.version.split()[0]}, one thread\n")

    rows = []
    for stem in (None, "english"):
        analyzer = _core.Analyzer([], stem or "")
        peer_stemmer = Stemmer.Stemmer(stem) if stem else None
        peer_seconds, peer_n = best_of(args.repeat, lambda: peer_terms(texts, peer_stemmer))
        core_seconds, core_n = best_of(args.repeat, lambda: analyzer.count_terms(texts))
        api_seconds, api_n = best_of(
            args.repeat, lambda: sum(len(tomes.analyze(t, stemmer=stem)) for t in texts))
        assert core_n == api_n
        label = stem or "none"
        peer_name = "regex + PyStemmer" if stem else "regex"
        for name, seconds, n in (("tomes core", core_seconds, core_n),
                                 ("tomes.analyze (list[str])", api_seconds, api_n),
                                 (peer_name, peer_seconds, peer_n)):
            rows.append((label, name, megabytes / seconds, n, peer_seconds / seconds))

    print("| stemmer | what | MB/s | terms | vs peer |")
    print("|---|---|---:|---:|---:|")
    for label, name, mbps, n, ratio in rows:
        print(f"| {label} | {name} | {mbps:.1f} | {n:,} | {ratio:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
