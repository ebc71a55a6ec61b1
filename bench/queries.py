#!/usr/bin/env python3
"""Benchmark queries drawn from a tomes index's own vocabulary, deterministic.

Built the way bench/corpus/make_corpus.py's `build_queries` builds its
queries.tsv, but from the index being searched rather than from the Debian
corpus's vocab.tsv, so every query hits the corpus it is run on:

  vocabulary  the index's terms (`ix.terms()`) matching [a-z]{2,20} (so tomes,
              tantivy, bm25s and SQLite FTS5 tokenize them alike) and, if the
              index stems, only those the stemmer leaves unchanged; ranked by
              doc_freq (highest first, then term order)
  bands       common = ranks [0, 500), medium = [500, 20000), rare = [20000, end)
              with doc_freq >= 3 (make_corpus keeps collection frequency >= 3)
  plain       n queries (1000 by default): 20% of 1 term, 30% of 2, 30% of 3, 20%
              of 5; each term from a band drawn at random, distinct terms,
              distinct queries
  fuzzy       one term of a 1-3 term query misspelled once (substitution,
              deletion or insertion after its first letter) into a word that
              is not an index term, as make_corpus does

Written as make_corpus's TSV: qid, kind (plain|fuzzy), nterms, bands, query,
intended (the unmisspelled query, for fuzzy rows).

    python bench/queries.py INDEX_DIR OUT.tsv [--queries 1000] [--fuzzy 200] [--seed 20261124]
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

SEED = 20261124  # make_corpus.py's
BANDS = {"common": (0, 500), "medium": (500, 20000), "rare": (20000, None)}
VERSION = 1  # bump when the queries built from the same index change
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def vocabulary(index_dir: Path) -> Tuple[List[Tuple[str, int]], set]:
    """([(term, df)] usable in queries, best-ranked first; every index term)."""
    import tomes

    with tomes.open(index_dir) as ix:
        stemmer = ix.stats().get("stemmer") or None
        terms = list(ix.terms())
    every = {t for t, _ in terms}
    ok = [(t, df) for t, df in terms if re.fullmatch(r"[a-z]{2,20}", t)]
    if stemmer:
        ok = [(t, df) for t, df in ok if tomes.analyze(t, stemmer=stemmer) == [t]]
    ok.sort(key=lambda p: (-p[1], p[0]))
    return ok, every


def band_terms(vocab: Sequence[Tuple[str, int]]) -> Dict[str, List[str]]:
    bands = {}
    for name, (lo, hi) in BANDS.items():
        sel = vocab[lo:hi]
        if name == "rare":
            sel = [(t, df) for t, df in sel if df >= 3]
        if not sel:
            raise SystemExit(f"the index has no {name!r} query terms ({len(vocab)} usable terms)")
        bands[name] = [t for t, _ in sel]
    return bands


def plan(n: int) -> List[int]:
    """Term counts of n queries: make_corpus's 200x1, 300x2, 300x3, 200x5 per 1000."""
    counts = [round(n * 0.2), round(n * 0.3), round(n * 0.3)]
    counts.append(n - sum(counts))
    return [t for t, c in zip((1, 2, 3, 5), counts) for _ in range(c)]


def plain_queries(bands: Dict[str, List[str]], rng: random.Random, n: int) -> List[Tuple[int, str, str]]:
    rows, seen = [], set()
    for nterms in plan(n):
        while True:
            names = [rng.choice(list(BANDS)) for _ in range(nterms)]
            terms: List[str] = []
            for b in names:
                t = rng.choice(bands[b])
                while t in terms:
                    t = rng.choice(bands[b])
                terms.append(t)
            query = " ".join(terms)
            if query not in seen:
                break
        seen.add(query)
        rows.append((nterms, ",".join(names), query))
    return rows


def misspell(word: str, rng: random.Random) -> str:
    op, k = rng.choice(["sub", "del", "ins"]), rng.randrange(1, len(word))  # keep the first letter
    if op == "sub":
        return word[:k] + rng.choice(LETTERS.replace(word[k], "")) + word[k + 1:]
    if op == "del":
        return word[:k] + word[k + 1:]
    return word[:k] + rng.choice(LETTERS) + word[k:]


def fuzzy_queries(bands: Dict[str, List[str]], every: set, rng: random.Random,
                  n: int) -> List[Tuple[int, str, str, str]]:
    rows = []
    for _ in range(n):
        nterms = rng.choice([1, 1, 2, 2, 3])
        names = [rng.choice(["medium", "rare", "common"]) for _ in range(nterms)]
        terms = [rng.choice(bands[b]) for b in names]
        j = rng.randrange(nterms)
        names[j] = rng.choice(["medium", "rare"])
        pool = bands[names[j]][:5000] if names[j] == "rare" else bands[names[j]]
        while True:
            t = rng.choice(pool)
            if len(t) < 5:
                continue
            m = misspell(t, rng)
            if m not in every:
                break
        terms[j] = t
        typo = list(terms)
        typo[j] = m
        rows.append((nterms, ",".join(names), " ".join(typo), " ".join(terms)))
    return rows


def build(index_dir: Path, out: Path, n: int = 1000, n_fuzzy: int = 200, seed: int = SEED) -> None:
    vocab, every = vocabulary(index_dir)
    bands = band_terms(vocab)
    rng = random.Random(seed)
    lines = ["qid\tkind\tnterms\tbands\tquery\tintended"]
    for i, (nterms, names, q) in enumerate(plain_queries(bands, rng, n)):
        lines.append(f"q{i:04d}\tplain\t{nterms}\t{names}\t{q}\t")
    for i, (nterms, names, q, intended) in enumerate(fuzzy_queries(bands, every, rng, n_fuzzy)):
        lines.append(f"f{i:03d}\tfuzzy\t{nterms}\t{names}\t{q}\t{intended}")
    tmp = out.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(out)


def load(path: Path) -> List[Dict[str, object]]:
    """The rows of a queries TSV as dicts (nterms as int)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    rows = [dict(zip(head, line.split("\t"))) for line in lines[1:] if line]
    for row in rows:
        row["nterms"] = int(row["nterms"])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index_dir", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--fuzzy", type=int, default=200)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    build(args.index_dir, args.out, args.queries, args.fuzzy, args.seed)


if __name__ == "__main__":
    main()
