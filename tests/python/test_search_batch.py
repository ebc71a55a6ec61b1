"""Index.search_batch (C++, over a TBB arena) against Index.search, and
one Index shared by many Python threads.

- every row of search_batch equals search() of that query (ids, and scores
  rounded to float32), whatever the thread count, on a multi-segment corpus
  with many queries (prefix, fuzzy, unknown and empty ones among them);
- padding, widths, the empty batch, and the threads argument;
- 8 threads calling search and 4 calling search_batch on one Index agree
  with one thread; close() during a batch leaves the batch its reader;
- Ctrl-C stops a long batch promptly with KeyboardInterrupt.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import List

import numpy as np
import pytest

import tomes

WORDS = ("whale ship sea captain ahab ishmael harpoon white sail boat ocean deep "
         "naïve café straße fish fishes fishing the of and a to in is was").split()


def write_books(root: Path, rng: random.Random, count: int) -> None:
    for i in range(count):
        words = [rng.choice(WORDS) if rng.random() < 0.85 else rng.choice(["kraken", "whales", "wahle"])
                 for _ in range(rng.randint(1, 500))]
        (root / f"book{i:03d}.txt").write_text(" ".join(words), encoding="utf-8")


def make_queries(rng: random.Random, count: int) -> List[str]:
    queries = ["", " , ", "unknownword", "WHALE", "fish*", "whal* ship", "the of"]
    while len(queries) < count:
        terms = [rng.choice(WORDS) for _ in range(rng.randint(1, 5))]
        if rng.random() < 0.1:
            terms[0] = terms[0][:3] + "*"
        queries.append(" ".join(terms))
    return queries


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    books = root / "books"
    books.mkdir()
    write_books(books, random.Random(12), 60)
    report = tomes.index_corpus(books, root / "ix", chunk_size=200, chunk_overlap=20, batch_size=7)
    assert report.segments > 1
    return root / "ix"


@pytest.fixture(scope="module")
def ix(corpus):
    with tomes.open(corpus) as index:
        yield index


QUERIES = make_queries(random.Random(7), 400)


def expected_rows(ix: tomes.Index, queries: List[str], k: int, **options):
    width = min(k, len(ix))
    ids = np.full((len(queries), width), -1, dtype=np.int64)
    scores = np.full((len(queries), width), np.nan, dtype=np.float32)
    for row, query in enumerate(queries):
        for col, hit in enumerate(ix.search(query, k=k, **options)):
            ids[row, col] = hit.doc_id
            scores[row, col] = hit.score
    return ids, scores


def assert_same(got, want):
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])  # nan == nan here


@pytest.mark.parametrize("threads", [1, 2, 4, None])
@pytest.mark.parametrize("k, options", [(10, {}), (3, {"k1": 0.8, "b": 0.3}), (25, {"fuzzy": 1}),
                                        (7, {"fuzzy": 2, "transpositions": True})])
def test_each_row_equals_search(ix, threads, k, options):
    got = ix.search_batch(QUERIES, k=k, threads=threads, **options)
    assert got[0].dtype == np.int64 and got[1].dtype == np.float32
    assert got[0].shape == got[1].shape == (len(QUERIES), k)
    assert got[0].flags.c_contiguous and got[1].flags.c_contiguous
    assert_same(got, expected_rows(ix, QUERIES, k, **options))


def test_rows_are_padded_with_minus_one_and_nan(ix):
    ids, scores = ix.search_batch(["kraken", "nothinghere", "whale"], k=len(ix))
    kraken = len(ix.search("kraken", k=len(ix)))
    assert 0 < kraken < len(ix)
    assert (ids[0, :kraken] >= 0).all() and (ids[0, kraken:] == -1).all()
    assert not np.isnan(scores[0, :kraken]).any() and np.isnan(scores[0, kraken:]).all()
    assert (ids[1] == -1).all() and np.isnan(scores[1]).all()


def test_k_bigger_than_the_index_is_as_wide_as_the_index(ix):
    ids, scores = ix.search_batch(QUERIES[:50], k=10**12, threads=2)
    assert ids.shape == scores.shape == (50, len(ix))
    assert_same((ids, scores), expected_rows(ix, QUERIES[:50], len(ix)))


def test_empty_batch_and_zero_width(ix):
    for threads in (None, 1, 3):
        ids, scores = ix.search_batch([], k=5, threads=threads)
        assert ids.shape == scores.shape == (0, 5)
        assert ids.dtype == np.int64 and scores.dtype == np.float32
    ids, scores = ix.search_batch(iter(["whale", "ship"]), k=0)
    assert ids.shape == scores.shape == (2, 0)


@pytest.mark.parametrize(
    "value, error, message",
    [
        (0, ValueError, "threads must be between 1 and 4096, got 0"),
        (-2, ValueError, "threads must be between 1 and 4096, got -2"),
        (2.0, TypeError, "threads must be an integer (int or numpy integer), got float 2.0"),
        ("2", TypeError, "threads must be an integer (int or numpy integer), got str '2'"),
        (True, TypeError, "threads must be an integer, got bool True"),
    ],
)
def test_bad_threads(ix, value, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        ix.search_batch(["whale"], threads=value)


def test_threads_of_any_integer_type(ix):
    assert_same(ix.search_batch(QUERIES[:20], threads=np.int64(2)), ix.search_batch(QUERIES[:20], threads=1))


def test_bad_transpositions(ix):
    for search in (ix.search, lambda q, **kw: ix.search_batch([q], **kw)):
        with pytest.raises(TypeError, match=r"^transpositions must be a bool, got int 1$"):
            search("whale", fuzzy=1, transpositions=1)


def test_option_errors_come_before_any_search(ix):
    with pytest.raises(ValueError, match=r"^fuzzy must be between 0 and 2, got 3"):
        ix.search_batch(QUERIES, fuzzy=3, threads=2)


def run_threads(count, target):
    results = [None] * count
    errors = []

    def body(i):
        try:
            results[i] = target(i)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_eight_python_threads_searching_agree_with_one(ix):
    def answers(order):
        return {q: [(h.doc_id, h.score, h.book_id) for h in ix.search(q, k=10)] for q in order}

    want = answers(QUERIES)
    got = run_threads(8, lambda i: answers(random.Random(i).sample(QUERIES, len(QUERIES))))
    for answer in got:
        assert answer == want


def test_four_python_threads_batching_agree_with_one(ix):
    want = ix.search_batch(QUERIES, k=10, threads=1)
    for got in run_threads(4, lambda i: ix.search_batch(QUERIES, k=10, threads=1 + i % 2)):
        assert_same(got, want)


def test_close_from_another_thread_during_a_batch(corpus):
    index = tomes.open(corpus)
    queries = QUERIES * 25
    want = index.search_batch(queries[:len(QUERIES)], k=10, fuzzy=1)
    started = threading.Event()
    times = {}

    def batch(_):
        started.set()
        answer = index.search_batch(queries, k=10, fuzzy=1, threads=2)
        times["returned"] = time.monotonic()
        return answer

    def close_soon():
        started.wait()
        time.sleep(0.01)
        index.close()
        times["closed"] = time.monotonic()

    closer = threading.Thread(target=close_soon)
    closer.start()
    [got] = run_threads(1, batch)
    closer.join()
    assert times["closed"] < times["returned"], "the batch ended before close(): make it longer"
    # The batch kept the reader it began with: every row is right.
    for start in range(0, len(queries), len(QUERIES)):
        assert_same((got[0][start:start + len(QUERIES)], got[1][start:start + len(QUERIES)]), want)
    with pytest.raises(ValueError, match="the index is closed"):
        index.search_batch(["whale"])


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGINT delivered to this process")
def test_ctrl_c_stops_a_long_batch(ix):
    queries = ["whale ship sea captain fish* wahle"] * 2_000
    began = time.monotonic()
    ix.search_batch(queries[:200], k=10, fuzzy=2, threads=1)
    per_query = (time.monotonic() - began) / 200
    # Long enough that finishing it would take at least 20 s.
    queries = queries * max(1, int(20 / (per_query * len(queries))) + 1)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    began = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            ix.search_batch(queries, k=10, fuzzy=2, threads=2)
    finally:
        timer.cancel()
    assert time.monotonic() - began < 5, "the batch did not stop promptly"
    # The index still works.
    assert_same(ix.search_batch(QUERIES[:20], k=10), expected_rows(ix, QUERIES[:20], 10))


def test_transpositions_make_an_adjacent_swap_one_edit(tmp_path):
    """"wahle" is 2 Levenshtein edits from "whale" but 1 with transpositions
    (optimal string alignment); "ca" is 3 from "abc" even so (OSA never edits
    a substring twice), so fuzzy=2 with transpositions does not find it."""
    books = tmp_path / "books"
    books.mkdir()
    (books / "a.txt").write_text("the white whale")
    (books / "b.txt").write_text("abc")
    tomes.index_corpus(books, tmp_path / "ix")
    with tomes.open(tmp_path / "ix") as ix:
        assert ix.search("wahle", fuzzy=1) == []
        assert [h.book_id for h in ix.search("wahle", fuzzy=1, transpositions=True)] == ["a.txt"]
        assert [h.book_id for h in ix.search("wahle", fuzzy=2)] == ["a.txt"]
        assert ix.search("ca", fuzzy=2, transpositions=True) == []
        ids, _ = ix.search_batch(["wahle", "whale"], fuzzy=1, transpositions=True)
        assert ids[:, 0].tolist() == [0, 0]
        with pytest.raises(ValueError, match="algorithm must be one of 'default'"):
            ix.search("whale", algorithm="fast")
        with pytest.raises(TypeError, match="algorithm must be a str"):
            ix.search_batch(["whale"], algorithm=None)
