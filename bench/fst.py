#!/usr/bin/env python3
"""The term dictionary beside its peers: tomes.Fst, ducer.Map and marisa-trie.

Two data sets, each a list of (key bytes, ordinal) pairs sorted unique by
bytes, made once in memory before anything is timed:

  vocab      the terms of the Debian documentation corpus: the first column
             of build/corpora/vocab.tsv (built by bench/corpus/make_corpus.py),
             UTF-8
  synthetic  --synthetic N keys (default 5,000,000) that look like index
             terms, made from a fixed seed: vocabulary terms drawn Zipf-wise
             by frequency rank and inflected (+s, +ing, ...), compounded
             (term + term), or numbered (term + 12); bare numbers, hex ids and
             random lowercase strings; plus the vocabulary itself. Making them
             is not timed

Rows, all built from the same in-memory list, and queried on one thread:

  tomes.Fst          tomes.Fst.build(pairs), in memory (the caller's thread
                     converts the pairs in batches while a second thread
                     builds: the one row that uses two threads)
  ducer.Map          ducer.Map.build(":memory:", pairs), BurntSushi's fst crate
  marisa BinaryTrie  marisa_trie.BinaryTrie(keys): a size and lookup reference
                     only: marisa assigns its own ids, so it is not the same map
                     (its get gives marisa's id, checked distinct, not ours)
  marisa RecordTrie  marisa_trie.RecordTrie("<I", (str key, (ordinal,))): the
                     same map, the ordinal stored beside each key

Columns (the --repeat rounds of builds, and then of gets, go round the rows in
turn, so that on a shared machine each row meets the same disturbances):

  build ms   best of --repeat builds from the list
  bytes      the built structure: len(fst.to_bytes()), len of the buffer
             ducer returns, len(trie.tobytes())
  get/s      exact lookups of every key, in one shuffled order (fixed seed),
             list(map(structure.__getitem__, keys)), best of --repeat; every
             answer is checked to be the key's ordinal
  fuzzy d=1, d=2 p50/p99 ms
             --queries terms (default 200), each a key (fixed seed) with one
             random edit (a code point inserted, deleted or replaced); each
             query's time is its best of --repeat; tomes: fst.fuzzy(term, d)

ducer 1.2.0 has no Levenshtein automaton (its Automaton offers str,
subsequence, hamming_subsequence, and union/intersection/complement/
starts_with over them; the fst crate's Levenshtein is not exposed). If a later
ducer has Automaton.levenshtein(term, d), it is used for both distances, its
construction counted in each query's time. Otherwise ducer's d=1 is what a
ducer user can write: the union of Automaton.str over every one-edit variant
of the term's bytes (the dictionary's byte alphabet inserted or substituted at
each position, each byte deleted), balanced, and one m.search of it,
materialized; making the variants and the automaton is counted. It costs about
a second a query, so it runs on the first --peer-queries (default 20) queries,
once each, and is marked *: p50/max. Its edits are on bytes, tomes' on code
points: they agree wherever the term and the key are ASCII, which is what is
compared; d=2 would need ~(2 n |alphabet|)^2 variants: "-". marisa has no fuzzy: "-".

Correctness, checked while timing: every get; for --check queries per
distance (default 20) tomes' fuzzy result equals a reference (a Python
Levenshtein walk over the sorted keys, code points, with the same distances
and ordinals); tomes' d=1 keys equal ducer's (ASCII terms and keys) on the
queries ducer ran. Disagreements are printed with an example and make the exit
status 1.

Targets: tomes' build time and bytes at most ducer's, on both data sets
(the ratio line, from the same run).

Usage: python bench/fst.py [--vocab PATH] [--synthetic N] [--repeat N]
                           [--queries N] [--peer-queries N] [--check N]
                           [--only vocab|synthetic]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from bisect import bisect_left
from pathlib import Path

import numpy as np

import tomes

try:
    import ducer
except ImportError:
    ducer = None
try:
    import marisa_trie
except ImportError:
    marisa_trie = None

SEED = 20240611
EDIT_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
SUFFIXES = ["s", "es", "ed", "ing", "er", "ers", "ly", "ness", "ation", "ations", "able", "ize",
            "ized", "izes", "ment", "ments", "al", "ity", "less", "ful", "ish", "ist", "ism", "d"]
MAX_KEY_BYTES = 48


# ------------------------------------------------------------------ data sets

def read_vocab(path: Path) -> list:
    """The terms of vocab.tsv in file order (most frequent first), as str."""
    terms = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            term = line.split("\t", 1)[0].rstrip("\n")
            if term:
                terms.append(term)
    return terms


def sorted_unique(a):
    """np.unique by sorting (its hashing path is slow for byte strings)."""
    a = np.sort(a)
    keep = np.ones(len(a), dtype=bool)
    keep[1:] = a[1:] != a[:-1]
    return a[keep]


def synthetic_keys(vocab: list, n: int, seed: int) -> list:
    """n unique UTF-8 keys that look like index terms, sorted by bytes."""
    rng = np.random.default_rng(seed)
    words = [t.encode("utf-8") for t in vocab]
    ranks = np.arange(1, len(words) + 1, dtype=np.float64)
    zipf = 1.0 / ranks ** 0.9
    zipf /= zipf.sum()
    suffixes = [s.encode() for s in SUFFIXES]
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)

    def term(k):
        return rng.choice(len(words), size=k, p=zipf).tolist()

    def numbers(k):  # small numbers most often: 10**U(0, 6)
        return np.floor(10.0 ** rng.uniform(0, 6, size=k)).astype(np.int64).tolist()

    def random_strings(k, alphabet, lo, hi):
        lengths = rng.integers(lo, hi + 1, size=k)
        raw = alphabet[rng.integers(0, len(alphabet), size=(k, hi))].tobytes()
        return [raw[i * hi:i * hi + length] for i, length in enumerate(lengths.tolist())]

    parts = {"compound": 0.27, "inflected": 0.22, "numbered": 0.14,  # share of each kind
             "number": 0.07, "hex": 0.08, "random": 0.22}
    # A fixed-width array sorts and dedupes fast; no key holds a NUL, so the padding is safe.
    unique = sorted_unique(np.array([w for w in words if len(w) <= MAX_KEY_BYTES], dtype=f"S{MAX_KEY_BYTES}"))
    while len(unique) < n:
        k = int((n - len(unique)) * 1.4) + 1000
        counts = {name: int(k * share) for name, share in parts.items()}
        batch = []
        a, b = term(counts["compound"]), term(counts["compound"])
        batch += [words[x] + words[y] for x, y in zip(a, b)]
        sfx = rng.integers(0, len(suffixes), size=counts["inflected"]).tolist()
        batch += [words[x] + suffixes[s] for x, s in zip(term(counts["inflected"]), sfx)]
        batch += [words[x] + b"%d" % v
                  for x, v in zip(term(counts["numbered"]), numbers(counts["numbered"]))]
        batch += [b"%d" % v for v in numbers(counts["number"])]
        batch += random_strings(counts["hex"], hexdigits, 6, 16)
        batch += random_strings(counts["random"], letters, 2, 14)
        batch = [key for key in batch if len(key) <= MAX_KEY_BYTES]
        unique = sorted_unique(np.concatenate([unique, np.array(batch, dtype=unique.dtype)]))
    if len(unique) > n:
        unique = unique[np.sort(rng.choice(len(unique), size=n, replace=False))]
    return unique.tolist()


def fuzzy_queries(keys: list, count: int, seed: int) -> list:
    """count terms: a key (fixed seed) with one code point inserted, deleted or replaced."""
    rng = random.Random(seed)
    out = []
    for index in rng.sample(range(len(keys)), count):
        word = keys[index].decode("utf-8")
        op = rng.choice(("insert", "delete", "replace"))
        if len(word) < 2:
            op = "insert"
        at = rng.randrange(len(word) + (op == "insert"))
        c = rng.choice(EDIT_CHARS)
        if op == "insert":
            word = word[:at] + c + word[at:]
        elif op == "delete":
            word = word[:at] + word[at + 1:]
        else:
            word = word[:at] + c + word[at + 1:]
        out.append(word.encode("utf-8"))
    return out


# ------------------------------------------------------------------ reference

def reference_fuzzy(words: list, term: str, distance: int) -> list:
    """(key, ordinal, distance) within distance of term, in code points.

    words are the keys decoded, sorted (code point order is UTF-8 byte order);
    the walk visits the implicit trie of the sorted list with one Levenshtein
    row per prefix, skipping a prefix's range with bisect once its row exceeds
    distance.
    """
    n = len(term)
    out = []
    stack = [(0, len(words), 0, list(range(n + 1)))]
    while stack:
        lo, hi, depth, row = stack.pop()
        if len(words[lo]) == depth:
            if row[n] <= distance:
                out.append((words[lo], lo, row[n]))
            lo += 1
        while lo < hi:
            word = words[lo]
            c = word[depth]
            nxt = bisect_left(words, word[:depth] + chr(ord(c) + 1), lo, hi)
            new = [row[0] + 1]
            for j in range(1, n + 1):
                new.append(min(row[j] + 1, new[j - 1] + 1, row[j - 1] + (term[j - 1] != c)))
            if min(new) <= distance:
                stack.append((lo, nxt, depth + 1, new))
            lo = nxt
    return sorted((w.encode("utf-8"), i, d) for w, i, d in out)


# ------------------------------------------------------------------ ducer fuzzy

def one_edit_variants(term: bytes, alphabet: list) -> set:
    out = {term}
    for i in range(len(term) + 1):
        head, tail = term[:i], term[i:]
        for c in alphabet:
            out.add(head + c + tail)
        if tail:
            rest = tail[1:]
            out.add(head + rest)
            for c in alphabet:
                out.add(head + c + rest)
    return out


def ducer_fuzzy(m, term: bytes, distance: int, alphabet: list) -> list:
    automaton_cls = ducer.Automaton
    if hasattr(automaton_cls, "levenshtein"):
        return list(m.search(automaton_cls.levenshtein(term, distance)))
    assert distance == 1
    automata = [automaton_cls.str(v) for v in one_edit_variants(term, alphabet)]
    while len(automata) > 1:  # balanced: union() nests, and modifies its receiver
        automata = [automata[i].union(automata[i + 1]) if i + 1 < len(automata) else automata[i]
                    for i in range(0, len(automata), 2)]
    return list(m.search(automata[0]))


def ducer_distances():
    return (1, 2) if ducer is not None and hasattr(ducer.Automaton, "levenshtein") else (1,)


# ------------------------------------------------------------------ timing

def query_latencies(repeat, queries, fn):
    """Each query's best time over repeat runs, in ms, and the last answers."""
    best = [float("inf")] * len(queries)
    answers = [None] * len(queries)
    for _ in range(repeat):
        for i, q in enumerate(queries):
            started = time.perf_counter()
            answers[i] = fn(q)
            best[i] = min(best[i], time.perf_counter() - started)
    return [s * 1e3 for s in best], answers


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(np.ceil(p / 100 * len(ordered))) - 1))]


def latency_cell(ms, marked=False):
    if not ms:
        return "-"
    if marked:
        return f"{percentile(ms, 50):.2f} / {max(ms):.2f}*"
    return f"{percentile(ms, 50):.3f} / {percentile(ms, 99):.3f}"


# ------------------------------------------------------------------ one data set

class Problems:
    def __init__(self):
        self.lines = []

    def add(self, line):
        self.lines.append(line)
        print(f"  DISAGREEMENT: {line}", file=sys.stderr, flush=True)


def timed(fn):
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        result = fn()
        return time.perf_counter() - started, result
    finally:
        gc.enable()


class Row:
    """One library: how to build it, measure it, and look every key up."""

    def __init__(self, label, build, size, getter, get_keys, check):
        self.label, self.build, self.size, self.getter = label, build, size, getter
        self.get_keys, self.check = get_keys, check
        self.built = None
        self.build_s = self.get_s = float("inf")
        self.cells = {1: "-", 2: "-"}


def run_set(name, keys, args, problems):
    pairs = [(k, i) for i, k in enumerate(keys)]
    n = len(pairs)
    total_bytes = sum(map(len, keys))
    print(f"## {name}: {n:,} keys, {total_bytes / 1e6:.1f} MB of key bytes, "
          f"mean {total_bytes / n:.1f} bytes\n", flush=True)

    order = list(range(n))
    random.Random(SEED + 1).shuffle(order)
    get_keys = [keys[i] for i in order]
    words = [k.decode("utf-8") for k in keys]
    queries = fuzzy_queries(keys, args.queries, SEED + 2)

    def check_ordinals(got):
        if got != order:
            bad = next(i for i, (g, o) in enumerate(zip(got, order)) if g != o)
            return f"[{get_keys[bad]!r}] = {got[bad]}, not {order[bad]}"
        return None

    rows = [Row("tomes.Fst", lambda: tomes.Fst.build(pairs), lambda f: len(f.to_bytes()),
                lambda f: f.__getitem__, get_keys, check_ordinals)]
    if ducer is not None:
        def build_ducer():
            buf = ducer.Map.build(":memory:", pairs)
            return buf, ducer.Map(buf)
        rows.append(Row("ducer.Map", build_ducer, lambda built: len(built[0]),
                        lambda built: built[1].__getitem__, get_keys, check_ordinals))
    if marisa_trie is not None:
        get_words = [words[i] for i in order]
        records = [(w, (i,)) for i, w in enumerate(words)]
        expected_records = [[(i,)] for i in order]
        rows.append(Row("marisa BinaryTrie (own ids)", lambda: marisa_trie.BinaryTrie(keys),
                        lambda t: len(t.tobytes()), lambda t: t.__getitem__, get_keys,
                        lambda got: None if len(set(got)) == n else
                        f": {len(set(got)):,} distinct ids for {n:,} keys"))
        rows.append(Row('marisa RecordTrie "<I"', lambda: marisa_trie.RecordTrie("<I", records),
                        lambda t: len(t.tobytes()), lambda t: t.__getitem__, get_words,
                        lambda got: None if got == expected_records else ": gets are not the ordinals"))

    # Builds, then gets, with the repeats interleaved across the rows: on a
    # shared machine every row sees the same disturbances.
    sizes = {}
    for _ in range(args.repeat):
        for row in rows:
            row.built = None
            seconds, row.built = timed(row.build)
            row.build_s = min(row.build_s, seconds)
    for row in rows:
        sizes[row.label] = row.size(row.built)
    print(f"  built: {', '.join(f'{r.label} {r.build_s * 1e3:,.0f} ms' for r in rows)}",
          file=sys.stderr, flush=True)
    for round_ in range(args.repeat):
        for row in rows:
            seconds, got = timed(lambda: list(map(row.getter(row.built), row.get_keys)))
            row.get_s = min(row.get_s, seconds)
            if round_ == 0:
                trouble = row.check(got)
                if trouble:
                    problems.add(f"{name}: {row.label}{trouble}")
            del got
    print("  gets done", file=sys.stderr, flush=True)

    # fuzzy: tomes on every query, checked against the reference walk
    fst = rows[0].built
    tomes_fuzzy, lat = {}, {}
    for d in (1, 2):
        lat[d], tomes_fuzzy[d] = query_latencies(args.repeat, queries, lambda q: fst.fuzzy(q, d))
        rows[0].cells[d] = latency_cell(lat[d])
    checked = 0
    for d in (1, 2):
        for q, answer in list(zip(queries, tomes_fuzzy[d]))[:args.check]:
            expected = reference_fuzzy(words, q.decode("utf-8"), d)
            checked += 1
            if sorted(answer) != expected:
                extra = sorted(set(answer) - set(expected))[:3]
                missing = sorted(set(expected) - set(answer))[:3]
                problems.add(f"{name}: tomes fuzzy({q!r}, {d}) differs from the reference: "
                             f"extra {extra}, missing {missing}")
    print(f"  tomes fuzzy checked against the reference walk on {checked} queries",
          file=sys.stderr, flush=True)

    # fuzzy: ducer
    ducer_row = next((r for r in rows if r.label == "ducer.Map"), None)
    native = ducer is not None and hasattr(ducer.Automaton, "levenshtein")
    if ducer_row is not None:
        m = ducer_row.built[1]
        alphabet = [bytes([b]) for b in sorted({b for k in keys for b in k})]
        for d in ducer_distances():
            peer_queries = queries if native else queries[:args.peer_queries]
            ms, answers = query_latencies(args.repeat if native else 1, peer_queries,
                                          lambda q: ducer_fuzzy(m, q, d, alphabet))
            ducer_row.cells[d] = latency_cell(ms, marked=not native)
            compare_with_ducer(name, d, peer_queries, tomes_fuzzy[d], answers, native, problems)

    print("| library | build ms | bytes | get/s | fuzzy d=1 p50/p99 ms | fuzzy d=2 p50/p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row.label} | {row.build_s * 1e3:,.0f} | {sizes[row.label]:,} | {n / row.get_s:,.0f} "
              f"| {row.cells[1]} | {row.cells[2]} |")
    print()
    if ducer_row is not None:
        tomes_row = rows[0]
        build_ratio = tomes_row.build_s / ducer_row.build_s
        bytes_ratio = sizes[tomes_row.label] / sizes[ducer_row.label]
        verdict = "met" if build_ratio <= 1 and bytes_ratio <= 1 else "MISSED"
        print(f"tomes/ducer: build {build_ratio:.2f}x, bytes {bytes_ratio:.2f}x, "
              f"get/s {ducer_row.get_s / tomes_row.get_s:.2f}x "
              f"(targets build <= 1, bytes <= 1: {verdict})")
        if not native:
            print(f"* ducer {ducer.__version__} has no Levenshtein automaton: d=1 is a union of "
                  f"Automaton.str over all one-edit byte variants, one search, on the first "
                  f"{min(args.peer_queries, len(queries))} queries once each: p50 / max")
    print(flush=True)
    for row in rows:
        row.built = None


def compare_with_ducer(name, d, queries, tomes_answers, ducer_answers, native, problems):
    """tomes' keys equal ducer's: all of them with a native Levenshtein, else the ASCII ones."""
    compared = 0
    for q, mine, theirs in zip(queries, tomes_answers, ducer_answers):
        if not native and not q.isascii():
            continue
        compared += 1
        mine_keys = {k for k, _, _ in mine}
        theirs_keys = {k for k, _ in theirs}
        if not native:
            mine_keys = {k for k in mine_keys if k.isascii()}
            theirs_keys = {k for k in theirs_keys if k.isascii()}
        if mine_keys != theirs_keys:
            problems.add(f"{name}: fuzzy({q!r}, {d}): tomes only {sorted(mine_keys - theirs_keys)[:3]}, "
                         f"ducer only {sorted(theirs_keys - mine_keys)[:3]}")
        mine_values = {k: v for k, v, _ in mine}
        for k, v in theirs:
            if k in mine_values and mine_values[k] != v:
                problems.add(f"{name}: fuzzy({q!r}, {d}): {k!r} is {mine_values[k]} in tomes, {v} in ducer")
                break
    print(f"  tomes and ducer fuzzy d={d} compared on {compared} queries", file=sys.stderr, flush=True)


def main() -> int:
    corpora = os.environ.get("TOMES_CORPORA") or Path(__file__).resolve().parents[1] / "build" / "corpora"
    default_vocab = Path(corpora) / "vocab.tsv"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=Path, default=default_vocab)
    parser.add_argument("--synthetic", type=int, default=5_000_000, help="synthetic keys (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200, help="fuzzy query terms per data set")
    parser.add_argument("--peer-queries", type=int, default=20,
                        help="of those, how many ducer answers without a Levenshtein automaton")
    parser.add_argument("--check", type=int, default=20,
                        help="fuzzy answers per distance checked against the reference walk")
    parser.add_argument("--only", choices=("vocab", "synthetic"))
    args = parser.parse_args()
    if not args.vocab.is_file():
        print(f"no vocabulary at {args.vocab}: run python scripts/fetch_test_data.py "
              f"(or python bench/corpus/make_corpus.py --only vocab)", file=sys.stderr)
        return 1
    for module, package in ((ducer, "ducer"), (marisa_trie, "marisa-trie")):
        if module is None:
            print(f"{package} is not installed (pip install {package}): its rows are skipped",
                  file=sys.stderr)

    vocab = read_vocab(args.vocab)
    versions = [f"tomes {tomes.__version__}"]
    if ducer is not None:
        versions.append(f"ducer {ducer.__version__}")
    if marisa_trie is not None:
        from importlib.metadata import version
        versions.append(f"marisa-trie {version('marisa-trie')}")
    print(f"{', '.join(versions)}, Python {sys.version.split()[0]}, queries on one thread; "
          f"best of {args.repeat}\n")

    problems = Problems()
    if args.only in (None, "vocab"):
        run_set("vocab", sorted({t.encode("utf-8") for t in vocab}), args, problems)
    if args.only in (None, "synthetic") and args.synthetic > 0:
        started = time.perf_counter()
        keys = synthetic_keys(vocab, args.synthetic, SEED)
        print(f"(synthetic keys made in {time.perf_counter() - started:.1f} s, not timed)",
              file=sys.stderr, flush=True)
        run_set("synthetic", keys, args, problems)
    if problems.lines:
        print(f"{len(problems.lines)} disagreement(s); the first: {problems.lines[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
