#!/usr/bin/env python3
"""Updating an index in place: tomes beside tantivy, adding, deleting, syncing, merging.

One run over one corpus of .txt books (zipf-1G for the figures), every step
in a fresh Python process (so its peak RSS is its own), tomes and tantivy on
the same books and the same changes:

    python bench/update.py --corpus /work/corpora/zipf-1G --work /tmp/update-work --json update.json
    python bench/update.py --smoke --work /tmp/update-smoke      # a tiny generated corpus, seconds

Set-up (untimed). The corpus is copied under WORK/update-bench (hard links
where the file system allows, copies of the books the run will modify, so
the corpus itself is never touched) and a seeded choice (--seed) picks four
disjoint sets of 1 % of the books each (--share): "new" books (left out of
the base index, added in step 3), "deleted" ones (step 4), "touched" ones
(step 5: a new mtime, the same bytes) and "changed" ones (step 5: a line
appended). The base is the other 99 % (the deleted, touched and changed
books included).

Every index: chunks of 1000 code points overlapping by 100, no stopwords,
no stemmer, tomes with store_text=False (tantivy stores no text). tantivy:
tantivy-py, a "body" text field (index_option="freq", not stored) as
bench/index.py has it, plus a "book_id" field (tokenizer "raw", indexed,
not stored) so that a book can be deleted by term; its chunks come from
bench/index.py's Python chunker; writer(heap_size=--tantivy-heap,
num_threads=--threads), tantivy's default merge policy.

Steps (wall seconds of the operation, imports excluded; peak RSS = the
process's ru_maxrss, the interpreter's ~20-30 MB included, alike for both):

  1. full rebuild   the whole corpus: bench/index.py's tomes row
                    (tomes.index_corpus); tantivy: every chunk, commit,
                    wait_merging_threads
  2. add 1 %        to a committed index of the base books: tomes
                    `with tomes.writer(ix) as w: w.add(files, book_ids=ids)`
                    (ids relative to the corpus root, as index_corpus names
                    them; the commit and the merges the policy runs
                    included); tantivy: add_document of their chunks, commit,
                    wait_merging_threads. Target: <= 3 % of the rebuild
  3. delete 1 %     tomes `w.delete(ids)` and the commit; tantivy
                    delete_documents_by_term("book_id", id) per book, commit,
                    wait_merging_threads. Target: < 1 s
  4. search         both indexes as steps 2-3 left them (their own segment
                    counts), and tantivy's full rebuild
  5. sync           tomes.sync(corpus copy, ix) with the deleted books gone
                    from the copy: nothing changed; after touching 1 %
                    (os.utime, content unchanged); after changing 1 %
                    (a line appended). tantivy has no sync ("-")
  6. optimize       tomes.optimize(ix) of a tomes index of the copy built
                    with about 20 segments (index_corpus with batch_size =
                    books / 20): MB/s = index bytes before / seconds. Target:
                    peak RSS <= the rebuild's. tantivy-py 0.27 exposes no
                    merge call (IndexWriter has add_document, commit,
                    delete_*, rollback, garbage_collect_files,
                    wait_merging_threads): its segments are what its merge
                    policy leaves
  7. search         tomes at ~20 segments and at 1 (after optimize): the
                    answers of the checked queries must be the same

Search figures are bench/search.py's (its run_search, each row in its own
process): 1000 queries of 1, 2, 3 and 5 terms from bench/queries.py, built
from the tomes full rebuild (200 one-typo queries for fuzzy search), p50 and
p99 of one query, top-10 and top-1000, batch QPS on 1 and 2 threads (tomes
only). --smoke writes its own few queries from the generated vocabulary.

A busy machine moves every figure; the ratios within one run are what counts.
Measured figures: docs/ARCHITECTURE.md, "Measured", "Updates".
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
import index as bindex  # noqa: E402  (book_files, fast_chunks, dir_bytes, the tomes rebuild row)
import queries as qmod  # noqa: E402
import search as bsearch  # noqa: E402  (run_search, metric_rows)

SEED = 20261206
SMOKE_BOOKS = 120


# ============================================================ child: one step each

def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tomes_state(index_dir: str) -> Dict[str, object]:
    import tomes

    with tomes.open(index_dir) as ix:
        stats = ix.stats()
        return {"docs": len(ix), "books": stats["books"], "segments": stats["segments"],
                "index_bytes": bindex.dir_bytes(Path(index_dir))}


def tantivy_state(index_dir: str) -> Dict[str, object]:
    import tantivy

    searcher = tantivy.Index.open(index_dir).searcher()
    return {"docs": searcher.num_docs, "segments": searcher.num_segments,
            "index_bytes": bindex.dir_bytes(Path(index_dir))}


def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, index_option="freq")
    builder.add_text_field("book_id", stored=False, tokenizer_name="raw", index_option="basic")
    return builder.build()


def tantivy_add(writer, root: Path, ids: Sequence[str]) -> int:
    """Adds every chunk of the books `ids` (paths relative to root) as a document; returns their count."""
    import tantivy

    docs = 0
    for book_id in ids:
        text = (root / book_id).read_bytes().decode("utf-8", errors="replace")
        for chunk in bindex.fast_chunks(text):
            writer.add_document(tantivy.Document(body=chunk, book_id=book_id))
            docs += 1
    return docs


def report_counts(report: object) -> Dict[str, int]:
    """A CommitReport / SyncReport as counts: the length of each list field, ints as they are."""
    if dataclasses.is_dataclass(report):
        items = {f.name: getattr(report, f.name) for f in dataclasses.fields(report)}
    elif hasattr(report, "_asdict"):
        items = report._asdict()
    else:
        items = dict(vars(report))
    out = {}
    for name, value in items.items():
        if isinstance(value, (list, tuple, set, frozenset, dict)):
            out[name] = len(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            out[name] = value
    return out


def step_tomes(op: str, spec: Dict[str, object]) -> Dict[str, object]:
    import tomes

    index, books, threads = spec["index"], Path(spec["books"]), spec["threads"]
    out: Dict[str, object] = {}
    started = time.perf_counter()
    if op == "rebuild":
        row = bindex.run_row("tomes", books, Path(index), threads, 0)
        out["seconds"] = row["seconds"]
    elif op == "build":  # set-up, or the ~20-segment index for optimize
        tomes.index_corpus(books, index, threads=threads, store_text=False,
                           batch_size=spec.get("batch_size", 1000))
    elif op == "add":
        ids = spec["ids"]
        with tomes.writer(index, threads=threads) as w:
            w.add([books / i for i in ids], book_ids=list(ids))
        out["report"] = report_counts(w.report)
    elif op == "delete":
        with tomes.writer(index, threads=threads) as w:
            w.delete(list(spec["ids"]))
        out["report"] = report_counts(w.report)
    elif op == "sync":
        out["report"] = report_counts(tomes.sync(books, index, threads=threads))
    elif op == "optimize":
        before = bindex.dir_bytes(Path(index))
        started = time.perf_counter()
        report = tomes.optimize(index, threads=threads)
        out["bytes_before"] = before
        out["segments_before"] = report.segments_before
    else:
        raise SystemExit(f"unknown tomes step {op!r}")
    out.setdefault("seconds", time.perf_counter() - started)
    out["rss_mb"] = peak_rss_mb()
    out.update(tomes_state(index))
    return out


def step_tantivy(op: str, spec: Dict[str, object]) -> Dict[str, object]:
    import tantivy

    index, books, threads, heap = spec["index"], Path(spec["books"]), spec["threads"], spec["heap"]
    started = time.perf_counter()
    if op in ("rebuild", "build"):
        Path(index).mkdir(parents=True)
        ix = tantivy.Index(tantivy_schema(), path=index)
    else:
        ix = tantivy.Index.open(index)
    writer = ix.writer(heap_size=heap, num_threads=threads)
    if op in ("rebuild", "build", "add"):
        ids = spec["ids"] if op == "add" else [p.relative_to(books).as_posix() for p in bindex.book_files(books)]
        tantivy_add(writer, books, ids)
    elif op == "delete":
        for book_id in spec["ids"]:
            writer.delete_documents_by_term("book_id", book_id)
    else:
        raise SystemExit(f"unknown tantivy step {op!r}")
    writer.commit()
    writer.wait_merging_threads()
    out: Dict[str, object] = {"seconds": time.perf_counter() - started, "rss_mb": peak_rss_mb()}
    out.update(tantivy_state(index))
    return out


def run_child(args: argparse.Namespace) -> None:
    spec = json.loads(args.spec)
    engine, _, op = args.child.partition(":")
    if engine == "search":
        out = bsearch.run_search(op, Path(spec["index"]), Path(spec["queries"]), spec["n"], spec["fuzzy"],
                                 spec["check"])
    elif engine == "tomes":
        out = step_tomes(op, spec)
    elif engine == "tantivy":
        out = step_tantivy(op, spec)
    else:
        raise SystemExit(f"unknown child {args.child!r}")
    print(json.dumps(out))


# ============================================================ parent: set-up

def link_or_copy(src: Path, dst: Path, copy: bool) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not copy:
        try:
            os.link(src, dst)
            return
        except OSError:  # another file system, or links not allowed: a copy
            pass
    shutil.copy2(src, dst)  # keeps the mtime, to the nanosecond


def choose(ids: List[str], share: float, seed: int) -> Dict[str, List[str]]:
    """Four disjoint seeded samples of share * len(ids) books each (at least one)."""
    n = max(1, round(len(ids) * share))
    if 4 * n > len(ids):
        raise SystemExit(f"{len(ids)} books are too few for four sets of {n}")
    picks = random.Random(seed).sample(ids, 4 * n)
    return {name: sorted(picks[i * n:(i + 1) * n], key=os.fsencode)
            for i, name in enumerate(("new", "deleted", "touched", "changed"))}


def materialize(corpus: Path, work: Path, ids: List[str], sets: Dict[str, List[str]]) -> None:
    """work/books: every book; work/base: all but the new ones (links to work/books' files)."""
    modified = set(sets["touched"]) | set(sets["changed"])
    new = set(sets["new"])
    for book_id in ids:
        link_or_copy(corpus / book_id, work / "books" / book_id, copy=book_id in modified)
        if book_id not in new:
            link_or_copy(work / "books" / book_id, work / "base" / book_id, copy=False)


def smoke_corpus(root: Path, n_books: int, seed: int) -> List[str]:
    """n_books distinct books of Zipfian words; returns the vocabulary, most frequent first."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab: List[str] = []
    seen = set()
    while len(vocab) < 3000:
        word = "".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    weights = [1.0 / (r + 1) for r in range(len(vocab))]
    root.mkdir(parents=True)
    for i in range(n_books):
        words = rng.choices(vocab, weights=weights, k=rng.randint(1500, 4000))
        lines = [" ".join(words[j:j + 12]) for j in range(0, len(words), 12)]
        (root / f"book_{i:04d}.txt").write_text(f"book {i}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return vocab


def smoke_queries(vocab: List[str], out: Path, n: int, n_fuzzy: int, seed: int) -> None:
    """A queries TSV in bench/queries.py's layout, over the smoke vocabulary's common and medium words."""
    rng = random.Random(seed)
    bands = {"common": vocab[:50], "medium": vocab[50:1500]}
    every = set(vocab)
    lines = ["qid\tkind\tnterms\tbands\tquery\tintended"]
    for i, nterms in enumerate(qmod.plan(n)):
        names = [rng.choice(list(bands)) for _ in range(nterms)]
        terms = list(dict.fromkeys(rng.choice(bands[b]) for b in names))
        lines.append(f"q{i:04d}\tplain\t{len(terms)}\t{','.join(names)}\t{' '.join(terms)}\t")
    for i in range(n_fuzzy):
        word = rng.choice([w for w in bands["medium"] if len(w) >= 5])
        typo = qmod.misspell(word, rng)
        while typo in every:
            typo = qmod.misspell(word, rng)
        lines.append(f"f{i:03d}\tfuzzy\t1\tmedium\t{typo}\t{word}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ============================================================ parent: steps in children

def child(op: str, **spec: object) -> Dict[str, object]:
    """Runs one step in a fresh interpreter; its last stdout line is JSON."""
    cmd = [sys.executable, __file__, "--child", op, "--spec", json.dumps(spec, default=str)]
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"step {op} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def has_writer() -> bool:
    """Whether the installed tomes has the writer session (tomes.writer, sync)."""
    probe = subprocess.run([sys.executable, "-c", "import tomes; print(hasattr(tomes, 'writer') "
                            "and hasattr(tomes, 'sync'))"], capture_output=True, text=True, check=True)
    return probe.stdout.strip() == "True"


def touch(paths: Sequence[Path]) -> None:
    for path in paths:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def append_line(paths: Sequence[Path]) -> None:
    for path in paths:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("\nA line appended by bench/update.py, so that the book changed.\n")


def run_steps(args: argparse.Namespace, work: Path, corpus: Path, ids: List[str],
              sets: Dict[str, List[str]], queries: Optional[Path]) -> Dict[str, object]:
    books, base = work / "books", work / "base"
    common = {"threads": args.threads, "heap": args.tantivy_heap}
    writer = has_writer()
    r: Dict[str, object] = {"writer": writer, "steps": {}, "search": {}}
    steps, search = r["steps"], r["search"]

    def log(msg: str) -> None:
        if not args.quiet:
            print(f"  {msg}", flush=True)

    def searched(name: str, engine: str, index: Path) -> None:
        log(f"search: {name}")
        search[name] = child(f"search:{engine}", index=index, queries=queries, n=args.queries,
                             fuzzy=args.fuzzy, check=args.check)

    log("full rebuild: tomes, tantivy")
    steps["rebuild"] = {"tomes": child("tomes:rebuild", index=work / "rebuild-tomes", books=books, **common),
                        "tantivy": child("tantivy:rebuild", index=work / "rebuild-tantivy", books=books,
                                         **common)}
    if queries is None:
        queries = work / "queries.tsv"
        subprocess.run([sys.executable, str(Path(__file__).with_name("queries.py")), str(work / "rebuild-tomes"),
                        str(queries), "--queries", str(max(args.queries, 1000))], check=True)
    log("base indexes (untimed)")
    tomes_ix, tantivy_ix = work / "tomes", work / "tantivy"
    r["base"] = {"tomes": child("tomes:build", index=tomes_ix, books=base, **common),
                 "tantivy": child("tantivy:build", index=tantivy_ix, books=base, **common)}
    steps["add"] = {"tantivy": child("tantivy:add", index=tantivy_ix, books=books, ids=sets["new"], **common)}
    steps["delete"] = {"tantivy": child("tantivy:delete", index=tantivy_ix, books=books, ids=sets["deleted"],
                                        **common)}
    if writer:
        log("add, delete: tomes")
        steps["add"]["tomes"] = child("tomes:add", index=tomes_ix, books=books, ids=sets["new"], **common)
        steps["delete"]["tomes"] = child("tomes:delete", index=tomes_ix, books=books, ids=sets["deleted"],
                                         **common)
        searched("tomes after add+delete", "tomes", tomes_ix)
    searched("tantivy after add+delete", "tantivy", tantivy_ix)
    searched("tantivy rebuild", "tantivy", work / "rebuild-tantivy")
    for book_id in sets["deleted"]:
        (books / book_id).unlink()
    if writer:
        log("sync: tomes")
        steps["sync, nothing changed"] = {"tomes": child("tomes:sync", index=tomes_ix, books=books, **common)}
        touch([books / i for i in sets["touched"]])
        steps["sync after touching 1 %"] = {"tomes": child("tomes:sync", index=tomes_ix, books=books, **common)}
        append_line([books / i for i in sets["changed"]])
        steps["sync after changing 1 %"] = {"tomes": child("tomes:sync", index=tomes_ix, books=books, **common)}
    else:
        append_line([books / i for i in sets["changed"]])
    log("optimize: tomes")
    opt_ix = work / "tomes-20"
    live = len(ids) - len(sets["deleted"])
    r["build20"] = child("tomes:build", index=opt_ix, books=books, batch_size=math.ceil(live / args.segments),
                         **common)
    searched(f"tomes, {r['build20']['segments']} segments", "tomes", opt_ix)
    steps["optimize"] = {"tomes": child("tomes:optimize", index=opt_ix, books=books, **common)}
    searched("tomes, 1 segment (optimized)", "tomes", opt_ix)
    return r


# ============================================================ parent: the report

# The fields of a CommitReport / SyncReport shown in the table (all are in --json).
REPORT_NOTES = ("added", "replaced", "deleted", "unchanged", "not_found", "duplicates", "skipped",
                "segments_merged")


def fmt(value: Optional[float], spec: str = "{:,.2f}") -> str:
    return "-" if value is None else spec.format(value)


def target_note(step: str, r: Dict[str, dict], rebuild: Dict[str, dict]) -> str:
    t = r.get("tomes")
    if t is None:
        return ""
    if step == "add":
        share = t["seconds"] / rebuild["tomes"]["seconds"]
        return f"{share:.1%} of rebuild (target <= 3 %: {'met' if share <= 0.03 else 'missed'})"
    if step == "delete":
        return f"target < 1 s: {'met' if t['seconds'] < 1 else 'missed'}"
    if step == "optimize":
        peak = rebuild["tomes"]["rss_mb"]
        mbs = t["bytes_before"] / 1e6 / t["seconds"]
        return (f"{mbs:,.0f} MB/s of index; peak <= rebuild's {peak:,.0f} MB: "
                f"{'met' if t['rss_mb'] <= peak else 'missed'}")
    if "report" in t:
        return ", ".join(f"{k} {t['report'][k]:,}" for k in REPORT_NOTES if t["report"].get(k))
    return ""


def books(n: int) -> str:
    return f"{n:,} book{'s' * (n != 1)}"


def steps_table(result: Dict[str, object]) -> str:
    steps, sets = result["steps"], result["sets"]
    n, size = len(sets["new"]), result["corpus_bytes"]
    names = {"rebuild": f"full rebuild ({result['books']:,} books, {size / 1e6:,.0f} MB)",
             "add": f"add {books(n)} to {books(result['books'] - n)}", "delete": f"delete {books(n)}",
             "optimize": f"optimize {result.get('build20', {}).get('segments', '?')} segments -> 1"}
    lines = ["| step | tomes s | tomes peak RSS MB | tantivy s | tantivy peak RSS MB | tomes/tantivy s "
             "| segments after (tomes, tantivy) | docs after (tomes, tantivy) | notes |",
             "|---|---:|---:|---:|---:|---:|---|---|---|"]
    for step, r in steps.items():
        t, v = r.get("tomes"), r.get("tantivy")
        ratio = f"{t['seconds'] / v['seconds']:.3g}x" if t and v else "-"
        lines.append(f"| {names.get(step, step)} | {fmt(t and t['seconds'], '{:,.3f}')} "
                     f"| {fmt(t and t['rss_mb'], '{:,.0f}')} | {fmt(v and v['seconds'], '{:,.3f}')} "
                     f"| {fmt(v and v['rss_mb'], '{:,.0f}')} | {ratio} "
                     f"| {fmt(t and t['segments'], '{}')}, {fmt(v and v['segments'], '{}')} "
                     f"| {fmt(t and t['docs'], '{:,}')}, {fmt(v and v['docs'], '{:,}')} "
                     f"| {target_note(step, r, steps['rebuild'])} |")
    return "\n".join(lines)


SEARCH_METRICS = ("top-10 p50 ms", "top-10 p99 ms", "top-10 mean ms", "top-1000 p50 ms", "top-1000 p99 ms",
                  "batch QPS, 1 thread", "batch QPS, 2 threads", "fuzzy d=1 p50 ms", "fuzzy d=1 p99 ms",
                  "query RSS MB", "segments")


def search_table(search: Dict[str, dict]) -> str:
    names = list(search)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for label, get, spec in bsearch.metric_rows():
        if label not in SEARCH_METRICS:
            continue
        cells = []
        for name in names:
            try:
                value = get(search[name])
            except KeyError:
                value = None
            cells.append(spec.format(value) if value is not None else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def same_answers(a: List[list], b: List[list]) -> int:
    """How many checked queries have the same hits with the same scores (order among equal scores free)."""
    return sum(sorted(map(tuple, x), key=lambda h: (-h[1], h[0])) == sorted(map(tuple, y), key=lambda h: (-h[1], h[0]))
               for x, y in zip(a, b))


def summary(result: Dict[str, object]) -> str:
    out = [steps_table(result), "", search_table(result["search"])]
    opt = [v for k, v in result["search"].items() if k.startswith("tomes,")]
    if len(opt) == 2 and "answers" in opt[0]:
        same = same_answers(opt[0]["answers"], opt[1]["answers"])
        result["optimize_same_answers"] = same
        out.append(f"\ntomes before and after optimize: the same top-10 (ids and scores) on {same} of "
                   f"{len(opt[0]['answers'])} checked queries")
    if not result["writer"]:
        out.append("\nthis tomes has no writer session (tomes.writer, tomes.sync): its add, delete and sync "
                   "cells are \"-\"")
    return "\n".join(out)


# ============================================================ main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, help="a directory of .txt books (zipf-1G for the figures)")
    ap.add_argument("--work", type=Path, required=False, help="scratch directory: WORK/update-bench is "
                    "created, and removed at the end unless --keep")
    ap.add_argument("--smoke", action="store_true", help="a tiny generated corpus, a few queries: seconds")
    ap.add_argument("--share", type=float, default=0.01, help="share of the books in each changed set (0.01)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--segments", type=int, default=20, help="segments of the index optimize merges (20)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tantivy-heap", type=int, default=128_000_000,
                    help="tantivy writer heap, bytes (default 128 MB, as bench/index.py)")
    ap.add_argument("--queries", type=int, default=1000, help="plain queries (default 1000)")
    ap.add_argument("--fuzzy", type=int, default=200, help="typo queries (default 200)")
    ap.add_argument("--check", type=int, default=100, help="queries whose answers are compared (default 100)")
    ap.add_argument("--json", type=Path, help="write every figure here as JSON")
    ap.add_argument("--keep", action="store_true", help="keep WORK/update-bench")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return run_child(args)
    if not args.work:
        ap.error("--work is required")
    if not args.smoke and not args.corpus:
        ap.error("--corpus or --smoke is required")
    work = args.work.resolve() / "update-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    queries = None
    if args.smoke:
        args.queries, args.fuzzy, args.check = min(args.queries, 40), min(args.fuzzy, 10), min(args.check, 20)
        corpus = work / "corpus"
        vocab = smoke_corpus(corpus, SMOKE_BOOKS, args.seed)
        queries = work / "queries.tsv"
        smoke_queries(vocab, queries, args.queries, args.fuzzy, args.seed)
    else:
        corpus = args.corpus.resolve()
    ids = [p.relative_to(corpus).as_posix() for p in bindex.book_files(corpus)]
    sets = choose(ids, args.share, args.seed)
    materialize(corpus, work, ids, sets)
    size = sum((corpus / i).stat().st_size for i in ids)
    if not args.quiet:
        print(f"corpus {corpus}: {len(ids):,} books, {size / 1e6:,.1f} MB; {len(sets['new'])} books per "
              f"changed set; {args.threads} threads; work {work}", flush=True)
    result: Dict[str, object] = {"argv": sys.argv, "corpus": str(corpus), "books": len(ids), "corpus_bytes": size,
                                 "sets": sets, "threads": args.threads}
    try:
        result.update(run_steps(args, work, corpus, ids, sets, queries))
        print("\n" + summary(result), flush=True)
        if args.json:
            args.json.write_text(json.dumps(result, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
