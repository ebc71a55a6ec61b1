#!/usr/bin/env python3
"""Search, side by side: tomes beside tantivy, bm25s (numba) and SQLite FTS5.

One run measures every engine on the same chunks with the same queries, each
engine in its own Python process (its memory its own), one after the other:

    python bench/search.py --corpora /work/corpora --corpus all --out search.json
    python bench/search.py --corpora /work/corpora --corpus real --quick      # a smoke test

The interpreter running this script needs tomes, tantivy (0.27), bm25s,
numba and PyStemmer: `pip install tantivy==0.27.0 bm25s numba PyStemmer`.

Indexes. tomes indexes the corpus with `tomes index` defaults (chunks of 1000
code points overlapping by 100, no stopwords, no stemmer, text stored); each
peer then indexes the very same chunks, read back with `ix.text(doc_id)`, so
passages are identical and a peer's doc i is tomes' doc i (tantivy aside).
The row `tomes-optimized` (named in --engines) searches a copy of tomes'
index merged into one segment by `tomes optimize`: doc ids and answers are
the same, only the number of segments differs. The peers:

  tantivy      one text field, index_option="freq", tokenizer "default" (split
               on non-alphanumerics, drop tokens over 40 bytes, lowercase;
               "en_stem" if the tomes index stems English); writer of 256 MB,
               2 threads, tantivy's default merge policy; BM25 k1=1.2 b=0.75
               (fixed in tantivy)
  bm25s        BM25(method="lucene", k1=1.5, b=0.75, backend="numba") over the
               chunks' terms as tomes.analyze gives them (so its vocabulary
               and postings equal tomes', and its answers are an exact oracle)
  sqlite-fts5  a contentless FTS5 table (content=''), rowid = doc id, tokenizer
               "unicode61 remove_diacritics 2"; bm25() (k1=1.2 b=0.75, fixed)

Every index is cached under --cache (default CORPORA/bench-indexes), as
<corpus>/<engine>/<key>/ with a build.json holding its build time. tomes' key is
a hash of the index the installed tomes writes for a small fixed probe corpus
(a change to the writer rebuilds it); the peers' key is a fingerprint of the
chunks (their count and a sample of texts and spans), so they are rebuilt only
when the chunks change. The queries (bench/queries.py: 1000 plain queries of
1, 2, 3 and 5 terms over common/medium/rare bands of the index's own terms,
plus 200 one-typo queries for fuzzy search) are cached there too.

Figures (milliseconds of wall time around one call, one thread, after an
untimed warm-up pass over the same queries):

  top-10 / top-1000   p50, p99 and mean latency of one query, QPS = queries /
                      summed latency, and p50 by number of query terms. tomes:
                      ix.search(q, k); tantivy: index.parse_query(q, ["body"])
                      (OR of the terms) + searcher.search(query, k, count=False);
                      bm25s: retrieve([terms], k) (queries pre-split, outside the
                      timing); FTS5: MATCH '"a" OR "b"' ORDER BY rank LIMIT k
  batch QPS           all queries in one call, top-10: tomes search_batch(threads=
                      1|2), bm25s retrieve(n_threads=1|2); tantivy and FTS5 have
                      no batch call (blank). "(loop)" marks a tomes whose
                      search_batch takes no threads= yet (its own loop, 1 thread)
  fuzzy d=1 p50       the typo queries, top-10: tomes search(q, fuzzy=1); tantivy
                      a BooleanQuery of Should FuzzyTermQuery(distance=1,
                      transposition_cost_one=True) per term; the others have none
  query RSS MB        the process's peak resident set (VmHWM) over opening the
                      index and running every query, minus its resident set after
                      importing the engine (memory-mapped index pages count)
  open ms, index MB (tomes stores the chunks' text by default, the peers none:
  "without stored text" leaves tomes' text.bin out), build s (the cached
  build's wall time, on whatever the machine was doing then), segments

Ratios are tomes / peer: below 1 is better for tomes on latencies and memory,
above 1 on QPS. The answer check compares tomes' top-10 with bm25s' on a
sample of the queries: overlap@10 (shared ids / 10), the share of queries whose
hits are identical in order up to ties (ids may swap where scores agree within
1e-5 of the top score: bm25s sums float32), and the largest score difference
relative to the top score. Both index the same terms, so all three should be
exact but for ties.

Two builds of tomes side by side: install the other build in its own venv and
name its interpreter; its engine is "tomes@LABEL" and gets its own cached index
(built by that tomes), the queries and peers are shared:

    python bench/search.py --corpus real --engines tomes@before,tomes,tantivy \\
        --python before=/tmp/venv-before/bin/python
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import importlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from array import array
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import queries as qmod  # noqa: E402

CORPORA = ("zipf-1G", "real")
ENGINES = ("tomes", "tantivy", "bm25s", "sqlite-fts5")
# tomes with one query algorithm named (Index.search's algorithm=): the same
# index and answers, to compare the algorithms side by side; not run unless
# named in --engines (the "tomes" row is the default algorithm).
TOMES_ALGORITHMS = ("tomes-maxscore", "tomes-bmw", "tomes-exhaustive")
# tomes on a copy of its index merged into one segment (`tomes optimize`):
# the same chunks and answers; not run unless named in --engines.
TOMES_OPTIMIZED = "tomes-optimized"
PEER_BUILD_VERSION = 1  # bump when a peer's build settings change
TERM_COUNTS = (1, 2, 3, 5)


# ============================================================ child: building peer indexes

def book_text(path: Path) -> Optional[str]:
    """The book as tomes reads it when that is plain strict UTF-8 without a BOM, else None."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def tomes_chunks(index_dir: Path, books: Optional[Path] = None) -> Iterator[Tuple[int, str]]:
    """(doc id, text) of every chunk of a tomes index, in doc id order.

    ix.text() decompresses a block per call (about 0.4 ms a chunk), so when the
    books are at hand each book is read once and cut with chunk_info's spans,
    checked against ix.text() on the book's first and last chunks; a book that
    is not plain UTF-8, or that fails the check, is read with ix.text().
    """
    import tomes

    with tomes.open(index_dir) as ix:
        doc_id, n = 0, len(ix)
        while doc_id < n:
            book = ix.chunk_info(doc_id)[0]
            end = doc_id + 1
            while end < n and ix.chunk_info(end)[0] == book:
                end += 1
            text = book_text(books / book) if books is not None else None
            spans = [ix.chunk_info(i)[2:] for i in range(doc_id, end)]
            if text is None or any(text[spans[i - doc_id][0]:spans[i - doc_id][1]] != ix.text(i)
                                   for i in {doc_id, end - 1}):
                yield from ((i, ix.text(i)) for i in range(doc_id, end))
            else:
                yield from ((i, text[a:b]) for i, (a, b) in zip(range(doc_id, end), spans))
            doc_id = end


def index_stemmer(index_dir: Path) -> Optional[str]:
    import tomes

    with tomes.open(index_dir) as ix:
        return ix.stats().get("stemmer") or None


def build_tantivy(index_dir: Path, out: Path, books: Path) -> int:
    import tantivy

    tokenizer = "en_stem" if index_stemmer(index_dir) == "english" else "default"
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name=tokenizer, index_option="freq")
    out.mkdir(parents=True)
    index = tantivy.Index(builder.build(), path=str(out))
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    docs = 0
    for _, text in tomes_chunks(index_dir, books):
        writer.add_document(tantivy.Document(body=text))
        docs += 1
    writer.commit()
    writer.wait_merging_threads()
    return docs


def build_bm25s(index_dir: Path, out: Path, books: Path) -> int:
    import bm25s
    import tomes

    stemmer = index_stemmer(index_dir)
    vocab: Dict[str, int] = {}
    ids: List[array] = []
    for _, text in tomes_chunks(index_dir, books):
        ids.append(array("I", (vocab.setdefault(t, len(vocab)) for t in tomes.analyze(text, stemmer=stemmer))))
    retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75, backend="numba")
    retriever.index((ids, vocab), show_progress=False)
    retriever.save(str(out))
    return len(ids)


def build_fts5(index_dir: Path, out: Path, books: Path) -> int:
    import sqlite3

    out.mkdir(parents=True)
    db = sqlite3.connect(str(out / "fts.db"))
    db.execute("CREATE VIRTUAL TABLE chunks USING fts5(body, content='', "
               "tokenize='unicode61 remove_diacritics 2')")
    with db:
        db.executemany("INSERT INTO chunks(rowid, body) VALUES (?, ?)", tomes_chunks(index_dir, books))
    docs = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    db.close()
    return docs


BUILDERS = {"tantivy": build_tantivy, "bm25s": build_bm25s, "sqlite-fts5": build_fts5}


def fingerprint(index_dir: Path) -> Dict[str, object]:
    """The chunks' identity: their count, the analyzer, and a sample of spans and texts."""
    import tomes

    with tomes.open(index_dir) as ix:
        n, stats = len(ix), ix.stats()
        h = hashlib.sha1(json.dumps([n, stats.get("stemmer"), stats.get("stopwords")]).encode())
        for doc_id in range(0, n, max(1, n // 2000)):
            h.update(json.dumps(ix.chunk_info(doc_id)).encode())
            h.update(ix.text(doc_id).encode("utf-8", "surrogatepass"))
    return {"docs": n, "fingerprint": h.hexdigest()[:16]}


# ============================================================ child: searching

class TomesEngine:
    def __init__(self, path: Path, algorithm: Optional[str] = None) -> None:
        import tomes

        self.ix = tomes.open(path)
        self.note = ""
        # Only a named algorithm is passed: an older tomes takes no algorithm=.
        self.options = {"algorithm": algorithm} if algorithm else {}

    def search(self, q: str, k: int) -> object:
        return self.ix.search(q, k=k, **self.options)

    def answers(self, q: str, k: int) -> List[Tuple[int, float]]:
        return [(h.doc_id, h.score) for h in self.ix.search(q, k=k, **self.options)]

    def fuzzy(self, q: str, k: int) -> object:
        return self.ix.search(q, k=k, fuzzy=1, **self.options)

    def batch(self, qs: List[str], k: int, threads: int) -> object:
        try:
            return self.ix.search_batch(qs, k=k, threads=threads, **self.options)
        except TypeError:  # a tomes whose search_batch takes no threads= yet
            self.note = "(loop)"
            return self.ix.search_batch(qs, k=k) if threads == 1 else None

    def info(self) -> Dict[str, object]:
        return {"segments": self.ix.stats().get("segments")}


class TantivyEngine:
    def __init__(self, path: Path) -> None:
        import tantivy

        self.t = tantivy
        self.index = tantivy.Index.open(str(path))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def search(self, q: str, k: int) -> object:
        return self.searcher.search(self.index.parse_query(q, ["body"]), k, count=False)

    def fuzzy(self, q: str, k: int) -> object:
        t = self.t
        clauses = [(t.Occur.Should, t.Query.fuzzy_term_query(self.schema, "body", w, distance=1,
                                                             transposition_cost_one=True))
                   for w in q.split()]
        return self.searcher.search(t.Query.boolean_query(clauses), k, count=False)

    batch = None

    def info(self) -> Dict[str, object]:
        return {"segments": self.searcher.num_segments}


class Bm25sEngine:
    def __init__(self, path: Path) -> None:
        import bm25s

        self.r = bm25s.BM25.load(str(path), mmap=False, backend="numba", show_progress=False)
        self.note = ""

    def search(self, terms: List[str], k: int) -> object:
        return self.r.retrieve([terms], k=k, n_threads=1, show_progress=False)

    def answers(self, q: str, k: int) -> List[Tuple[int, float]]:
        docs, scores = self.search(q.split(), k)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def batch(self, qs: List[List[str]], k: int, threads: int) -> object:
        return self.r.retrieve(qs, k=k, n_threads=threads, show_progress=False)

    fuzzy = None

    def info(self) -> Dict[str, object]:
        return {"segments": 1}


class Fts5Engine:
    SQL = "SELECT rowid, bm25(chunks) FROM chunks WHERE chunks MATCH ? ORDER BY rank LIMIT ?"

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.db = sqlite3.connect(str(path / "fts.db"))

    def search(self, q: str, k: int) -> object:
        match = " OR ".join(f'"{t}"' for t in q.split())
        return self.db.execute(self.SQL, (match, k)).fetchall()

    batch = fuzzy = None

    def info(self) -> Dict[str, object]:
        return {"segments": 1}


ENGINE_CLASSES = {"tomes": TomesEngine, "tantivy": TantivyEngine, "bm25s": Bm25sEngine,
                  "sqlite-fts5": Fts5Engine}
IMPORTS = {"tomes": ["tomes"], "tantivy": ["tantivy"], "bm25s": ["bm25s", "numba"],
           "sqlite-fts5": ["sqlite3"]}
for _name in TOMES_ALGORITHMS:
    ENGINE_CLASSES[_name] = functools.partial(TomesEngine, algorithm=_name.split("-", 1)[1])
    IMPORTS[_name] = ["tomes"]
ENGINE_CLASSES[TOMES_OPTIMIZED] = TomesEngine
IMPORTS[TOMES_OPTIMIZED] = ["tomes"]


def proc_status_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> None:
    try:  # Linux 4.0+: "5" resets VmHWM to the current resident set
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def percentile(sorted_ms: Sequence[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    pos = (len(sorted_ms) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (pos - lo)


def latencies(call: Callable[[object], object], qs: Sequence[object]) -> List[float]:
    """Milliseconds of each call, after an untimed pass; Python's collector off (as timeit has it)."""
    for q in qs:
        call(q)
    out = []
    gc.collect()
    gc.disable()
    try:
        for q in qs:
            t0 = time.perf_counter_ns()
            call(q)
            out.append((time.perf_counter_ns() - t0) / 1e6)
    finally:
        gc.enable()
    return out


def summary(ms: List[float], nterms: Sequence[int]) -> Dict[str, object]:
    s = sorted(ms)
    by = {n: sorted(m for m, t in zip(ms, nterms) if t == n) for n in TERM_COUNTS}
    return {"p50": percentile(s, 0.5), "p99": percentile(s, 0.99), "mean": statistics.fmean(ms),
            "qps": len(ms) / (sum(ms) / 1e3), "p50_by_terms": {str(n): percentile(v, 0.5) for n, v in by.items()},
            "lat_ms": [round(m, 4) for m in ms]}


def batch_qps(engine, qs: List[object]) -> Dict[str, object]:
    out: Dict[str, object] = {}
    for threads in (1, 2):
        if engine.batch(qs, 10, threads) is None:  # warm-up (and numba's compilation)
            continue
        t0 = time.perf_counter()
        engine.batch(qs, 10, threads)
        out[str(threads)] = len(qs) / (time.perf_counter() - t0)
    return out


def evenly(rows: List[dict], n: int) -> List[dict]:
    if n >= len(rows):
        return rows
    return [rows[i * len(rows) // n] for i in range(n)]


def run_search(name: str, index: Path, queries_tsv: Path, n: int, n_fuzzy: int, n_check: int) -> Dict[str, object]:
    rows = qmod.load(queries_tsv)
    plain = evenly([r for r in rows if r["kind"] == "plain"], n)
    typos = evenly([r for r in rows if r["kind"] == "fuzzy"], n_fuzzy)
    qs, nterms = [r["query"] for r in plain], [r["nterms"] for r in plain]
    inputs = [q.split() for q in qs] if name == "bm25s" else qs  # bm25s takes terms, split untimed
    for module in IMPORTS[name]:
        importlib.import_module(module)
    reset_peak_rss()
    base = proc_status_mb("VmRSS")
    t0 = time.perf_counter()
    engine = ENGINE_CLASSES[name](index)
    result: Dict[str, object] = {"open_ms": (time.perf_counter() - t0) * 1e3, "queries": len(qs)}
    for k in (10, 1000):
        result[f"top{k}"] = summary(latencies(lambda q: engine.search(q, k), inputs), nterms)
    if engine.batch is not None:
        result["batch_qps"] = batch_qps(engine, inputs)
        result["batch_note"] = getattr(engine, "note", "")
    if engine.fuzzy is not None and typos:
        result["fuzzy"] = summary(latencies(lambda q: engine.fuzzy(q, 10), [r["query"] for r in typos]),
                                  [r["nterms"] for r in typos])
    if name in ("tomes", "bm25s", TOMES_OPTIMIZED) or name in TOMES_ALGORITHMS:
        result["answers"] = [engine.answers(r["query"], 10) for r in evenly(plain, n_check)]
    result.update(engine.info())
    result["rss_mb"] = proc_status_mb("VmHWM") - base
    return result


# ============================================================ parent: caches and children

def child(python: str, *args: str) -> Dict[str, object]:
    """Runs this script as a child under `python`; its last stdout line is JSON."""
    cmd = [python, __file__, *args]
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def probe_books(folder: Path) -> None:
    rng = random.Random(7)
    words = [f"w{a}{b}" for a in "abcdefghij" for b in "klmnopqrst"] + ["alpha", "beta", "gamma"]
    folder.mkdir(parents=True)
    for i in range(3):
        text = " ".join(rng.choice(words) for _ in range(30000))
        (folder / f"probe{i}.txt").write_text(text, encoding="utf-8")


def tomes_key(python: str, scratch: Path) -> str:
    """A hash of the index this tomes writes for a fixed probe corpus: a new writer, a new key."""
    work = scratch / f"probe-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        probe_books(work / "books")
        subprocess.run([python, "-m", "tomes", "index", "-q", str(work / "books"), str(work / "ix")],
                       check=True, capture_output=True)
        version = subprocess.run([python, "-m", "tomes", "--version"], check=True, capture_output=True,
                                 text=True).stdout.split()[1]
        h = hashlib.sha1()
        for p in sorted((work / "ix").rglob("*")):
            if p.is_file():
                h.update(p.relative_to(work / "ix").as_posix().encode() + p.read_bytes())
        return f"{version}-{h.hexdigest()[:12]}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def cached(final: Path, build: Callable[[Path], Dict[str, object]], what: str) -> Dict[str, object]:
    """final/build.json if there; else build(tmp) then rename tmp to final (so a killed build leaves nothing)."""
    meta = final / "build.json"
    if meta.exists():
        info = json.loads(meta.read_text())
        print(f"  cached {what}: {final} (built in {info['seconds']:.1f} s)", flush=True)
        return info
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    print(f"  building {what} ...", flush=True)
    info = build(tmp)
    info["index_bytes"] = dir_bytes(tmp)
    info["text_bytes"] = sum(p.stat().st_size for p in tmp.rglob("text.bin"))  # tomes' stored text
    (tmp / "build.json").write_text(json.dumps(info, indent=1))
    tmp.rename(final)
    print(f"  built {what} in {info['seconds']:.1f} s: {info['index_bytes'] / 1e6:,.1f} MB", flush=True)
    return info


def ensure_tomes(python: str, books: Path, cache: Path) -> Tuple[Path, Dict[str, object]]:
    key = tomes_key(python, cache)
    final = cache / "tomes" / key

    def build(tmp: Path) -> Dict[str, object]:
        t0 = time.perf_counter()
        subprocess.run([python, "-m", "tomes", "index", "-q", str(books), str(tmp / "index")],
                       check=True, stdout=subprocess.DEVNULL)
        info: Dict[str, object] = {"seconds": time.perf_counter() - t0, "key": key}
        info.update(child(python, "--child", "fingerprint", "--index", str(tmp / "index")))
        return info

    return final / "index", cached(final, build, f"tomes index {key}")


def ensure_tomes_optimized(python: str, ref: Path, ref_key: str, cache: Path) -> Tuple[Path, Dict[str, object]]:
    """A copy of the reference tomes index merged into one segment."""
    final = cache / "tomes" / f"{ref_key}-optimized"

    def build(tmp: Path) -> Dict[str, object]:
        shutil.copytree(ref, tmp / "index")
        t0 = time.perf_counter()
        subprocess.run([python, "-m", "tomes", "optimize", "-q", str(tmp / "index")],
                       check=True, stdout=subprocess.DEVNULL)
        info: Dict[str, object] = {"seconds": time.perf_counter() - t0, "key": f"{ref_key}-optimized"}
        info.update(child(python, "--child", "fingerprint", "--index", str(tmp / "index")))
        return info

    return final / "index", cached(final, build, f"tomes index {ref_key}, optimized")


def ensure_peer(engine: str, ref: Path, books: Path, fp: str, cache: Path) -> Tuple[Path, Dict[str, object]]:
    final = cache / engine / f"{fp}-v{PEER_BUILD_VERSION}"

    def build(tmp: Path) -> Dict[str, object]:
        return child(sys.executable, "--child", "build", "--engine", engine, "--index", str(ref),
                     "--books", str(books), "--out", str(tmp / "index"))

    return final / "index", cached(final, build, f"{engine} index")


def ensure_queries(ref: Path, fp: str, n: int, cache: Path) -> Path:
    size = max(1000, n)
    out = cache / "queries" / f"{fp}-v{qmod.VERSION}-s{qmod.SEED}-n{size}.tsv"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(Path(__file__).with_name("queries.py")), str(ref), str(out),
                        "--queries", str(size)], check=True)
    return out


# ============================================================ parent: the report

def same_up_to_ties(x: list, y: list, tol: float) -> bool:
    """Equal hit lists, but for ids swapped at scores equal within tol (bm25s sums float32)."""
    return len(x) == len(y) and all(dx == dy or abs(sx - sy) <= tol for (dx, sx), (dy, sy) in zip(x, y))


def overlap(a: List[list], b: List[list]) -> Dict[str, float]:
    """tomes' hits (a) against bm25s' (b), query by query."""
    shares, same, worst = [], 0, 0.0
    for x, y in zip(a, b):
        ix, iy = [d for d, _ in x], [d for d, _ in y]
        shares.append(len(set(ix) & set(iy)) / max(len(ix), len(iy), 1))
        top = max([s for _, s in x] + [1e-12])
        same += same_up_to_ties(x, y, 1e-5 * top)
        sy = dict(y)
        worst = max([worst] + [abs(s - sy[d]) / top for d, s in x if d in sy])
    return {"overlap@10": statistics.fmean(shares) if shares else float("nan"),
            "identical": same / max(len(shares), 1), "max_rel_score_diff": worst, "queries": len(shares)}


def metric_rows() -> List[Tuple[str, Callable[[dict], Optional[float]], str]]:
    rows = []
    for k in (10, 1000):
        for stat in ("p50", "p99", "mean"):
            rows.append((f"top-{k} {stat} ms", lambda r, k=k, s=stat: r.get(f"top{k}", {}).get(s), "{:.3f}"))
        rows.append((f"top-{k} QPS", lambda r, k=k: r.get(f"top{k}", {}).get("qps"), "{:,.0f}"))
        for n in TERM_COUNTS:
            rows.append((f"top-{k} p50 ms, {n} term{'s' * (n > 1)}",
                         lambda r, k=k, n=n: r.get(f"top{k}", {}).get("p50_by_terms", {}).get(str(n)), "{:.3f}"))
    rows += [("batch QPS, 1 thread", lambda r: r.get("batch_qps", {}).get("1"), "{:,.0f}"),
             ("batch QPS, 2 threads", lambda r: r.get("batch_qps", {}).get("2"), "{:,.0f}"),
             ("fuzzy d=1 p50 ms", lambda r: r.get("fuzzy", {}).get("p50"), "{:.3f}"),
             ("fuzzy d=1 p99 ms", lambda r: r.get("fuzzy", {}).get("p99"), "{:.3f}"),
             ("query RSS MB", lambda r: r.get("rss_mb"), "{:,.0f}"),
             ("open ms", lambda r: r.get("open_ms"), "{:,.1f}"),
             ("index MB", lambda r: r["build"]["index_bytes"] / 1e6, "{:,.1f}"),
             ("index MB without stored text", lambda r: (r["build"]["index_bytes"]
                                                         - r["build"].get("text_bytes", 0)) / 1e6, "{:,.1f}"),
             ("build s", lambda r: r["build"]["seconds"], "{:,.1f}"),
             ("segments", lambda r: r.get("segments"), "{}")]
    return rows


def table(results: Dict[str, dict]) -> str:
    names = list(results)
    main = "tomes" if "tomes" in names else names[0]
    others = [e for e in names if e != main]
    lines = ["| metric | " + " | ".join(names) + " | " + " | ".join(f"{main}/{e}" for e in others) + " |",
             "|---|" + "---:|" * (len(names) + len(others))]
    for label, get, fmt in metric_rows():
        vals = {e: get(results[e]) for e in names}
        if all(v is None for v in vals.values()):
            continue
        cells = [fmt.format(v) + (f" {results[e].get('batch_note')}" if "batch" in label and v is not None
                                   and results[e].get("batch_note") else "") if v is not None else ""
                 for e, v in vals.items()]
        ratios = [f"{vals[main] / vals[e]:.3g}x" if vals[main] is not None and vals[e] else "" for e in others]
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def run_corpus(corpus: str, args: argparse.Namespace, pythons: Dict[str, str]) -> Dict[str, object]:
    books, cache = args.corpora / corpus, args.cache / corpus
    print(f"\n## {corpus}: {books}\n", flush=True)
    ref, ref_info = ensure_tomes(sys.executable, books, cache)
    fp = ref_info["fingerprint"]
    qtsv = ensure_queries(ref, fp, args.queries, cache)
    print(f"  {ref_info['docs']:,} chunks; queries {qtsv}", flush=True)
    indexes = {}
    for engine in args.engines:
        base, _, label = engine.partition("@")
        if engine == "tomes" or engine in TOMES_ALGORITHMS:
            indexes[engine] = (ref, ref_info)
        elif engine == TOMES_OPTIMIZED:
            indexes[engine] = ensure_tomes_optimized(sys.executable, ref, ref_info["key"], cache)
        elif base == "tomes":
            indexes[engine] = ensure_tomes(pythons[label], books, cache)
        else:
            indexes[engine] = ensure_peer(base, ref, books, fp, cache)
    if args.build_only:
        return {"corpus": str(books), "docs": ref_info["docs"], "queries": str(qtsv),
                "builds": {e: info for e, (_, info) in indexes.items()}}
    results: Dict[str, dict] = {}
    for engine in args.engines:
        base, _, label = engine.partition("@")
        python = pythons[label] if label else sys.executable
        print(f"  searching with {engine} ...", flush=True)
        r = child(python, "--child", "search", "--engine", base, "--index", str(indexes[engine][0]),
                  "--queries-tsv", str(qtsv), "--queries", str(args.queries), "--fuzzy", str(args.fuzzy),
                  "--check", str(args.check))
        r["build"] = indexes[engine][1]
        results[engine] = r
    print("\n" + table(results), flush=True)
    check = {}
    if "bm25s" in results:
        for engine in (e for e in results
                       if e.partition("@")[0] == "tomes" or e in TOMES_ALGORITHMS or e == TOMES_OPTIMIZED):
            check[engine] = overlap(results[engine]["answers"], results["bm25s"]["answers"])
            c = check[engine]
            print(f"\n{engine} vs bm25s (lucene), top-10 of {c['queries']} queries: overlap@10 "
                  f"{c['overlap@10']:.3f}, identical up to ties {c['identical']:.1%}, max score diff "
                  f"{c['max_rel_score_diff']:.2e} of the top score", flush=True)
    return {"corpus": str(books), "docs": ref_info["docs"], "queries": str(qtsv), "engines": results,
            "check_vs_bm25s": check}


def parse_pythons(ap: argparse.ArgumentParser, specs: List[str]) -> Dict[str, str]:
    pythons = {}
    for spec in specs:
        label, sep, python = spec.partition("=")
        if not sep or not label or not python:
            ap.error(f"--python expects LABEL=PYTHON, got {spec!r}")
        pythons[label] = python
    return pythons


def default_corpora() -> Path:
    if os.environ.get("TOMES_CORPORA"):
        return Path(os.environ["TOMES_CORPORA"])
    repo = Path(__file__).resolve().parent.parent
    for candidate in (repo / "build" / "corpora", repo.parent / "corpora"):
        if candidate.is_dir():
            return candidate
    return repo / "build" / "corpora"


def run_child(args: argparse.Namespace) -> None:
    if args.child == "fingerprint":
        out = fingerprint(args.index)
    elif args.child == "build":
        t0 = time.perf_counter()
        docs = BUILDERS[args.engine](args.index, args.out, args.books)
        out = {"seconds": time.perf_counter() - t0, "docs": docs}
    else:
        out = run_search(args.engine, args.index, args.queries_tsv, args.queries, args.fuzzy, args.check)
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="all", help="zipf-1G, real or all (a folder under --corpora)")
    ap.add_argument("--corpora", type=Path, default=default_corpora(),
                    help="where the corpora are (default $TOMES_CORPORA, build/corpora or ../corpora)")
    ap.add_argument("--cache", type=Path, help="where built indexes go (default CORPORA/bench-indexes)")
    ap.add_argument("--engines", default=",".join(ENGINES),
                    help="comma-separated, ROW@LABEL for --python rows; tomes-maxscore, tomes-bmw and "
                    "tomes-exhaustive run one query algorithm each on the tomes index, tomes-optimized "
                    "searches a copy of it merged into one segment (tomes optimize)")
    ap.add_argument("--python", action="append", default=[], metavar="LABEL=PYTHON",
                    help="an interpreter with another tomes build, for engines named tomes@LABEL")
    ap.add_argument("--queries", type=int, default=1000, help="plain queries (default 1000)")
    ap.add_argument("--fuzzy", type=int, default=200, help="typo queries for fuzzy search (default 200)")
    ap.add_argument("--check", type=int, default=100, help="queries whose answers are compared (default 100)")
    ap.add_argument("--quick", action="store_true", help="50 queries, 20 fuzzy, 20 checked: a smoke test")
    ap.add_argument("--out", type=Path, help="write every figure (and each latency) here as JSON")
    ap.add_argument("--build-only", action="store_true",
                    help="build (or find) the cached indexes and queries, time nothing")
    ap.add_argument("--child", choices=("fingerprint", "build", "search"), help=argparse.SUPPRESS)
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    ap.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--queries-tsv", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--books", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return run_child(args)  # build: --out is the index to write
    if args.quick:
        args.queries, args.fuzzy, args.check = 50, 20, 20
    pythons = parse_pythons(ap, args.python)
    args.engines = args.engines.split(",")
    for engine in args.engines:
        base, _, label = engine.partition("@")
        known = base in ENGINES or (base in (*TOMES_ALGORITHMS, TOMES_OPTIMIZED) and not label)
        if not known or (label and label not in pythons) or (label and base != "tomes"):
            ap.error(f"unknown engine {engine!r}: expected {', '.join(ENGINES + TOMES_ALGORITHMS + (TOMES_OPTIMIZED,))}, "
                     "or tomes@LABEL of --python")
    args.cache = args.cache or args.corpora / "bench-indexes"
    corpora = CORPORA if args.corpus == "all" else args.corpus.split(",")
    report = {"argv": sys.argv, "engines": args.engines, "pythons": pythons, "corpora": {}}
    for corpus in corpora:
        report["corpora"][corpus] = run_corpus(corpus, args, pythons)
        if args.out:
            args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
