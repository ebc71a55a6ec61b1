"""tomes.writer and tomes.sync as a user meets them: what each call does to
the live books, what the reports say, and the errors for wrong arguments.

The expectations are hand-written per case (the model of the whole living
index, against from-scratch builds, is test_living_index.py's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import tomes


def live_books(ix_dir: Path) -> dict:
    """book_id -> number of chunks, from the index's own answers."""
    books: dict = {}
    with tomes.open(ix_dir) as ix:
        for term, _ in ix.terms():
            docs, _ = ix.postings(term)
            for doc in docs:
                book, chunk, _, _ = ix.chunk_info(int(doc))
                books[book] = max(books.get(book, 0), chunk + 1)
    return books


def test_texts_add_replace_delete_and_the_reports(tmp_path):
    ix = tmp_path / "ix"
    with tomes.writer(ix) as w:
        w.add_texts(["the white whale", "a ship at sea"], book_ids=["moby", "ship"])
    assert w.report.added == ["moby", "ship"] and w.report.books == 2 and w.report.generation == 1
    with tomes.writer(ix) as w:
        w.add_texts(["the white whale"], book_ids=["moby"])           # same text: unchanged
        w.add_texts(["the grey whale"], book_ids=["ship"])            # replaced
        w.add_texts(["the white whale"], book_ids=["copy"])           # a live book's text: duplicate
        w.delete(["nobody"])
    r = w.report
    assert (r.added, r.replaced, r.deleted, r.unchanged) == ([], ["ship"], [], ["moby"])
    assert r.duplicates == [("copy", "moby")] and r.not_found == ["nobody"]
    with tomes.open(ix) as index:
        assert sorted(h.book_id for h in index.search("whale")) == ["moby", "ship"]
        assert index.search("sea") == []
        assert len(index) == 2
    with tomes.writer(ix) as w:
        w.delete("moby")
    assert w.report.deleted == ["moby"] and w.report.books == 1
    assert live_books(ix) == {"ship": 1}


def test_commit_inside_a_session_and_a_failure_discards_the_rest(tmp_path):
    ix = tmp_path / "ix"
    with pytest.raises(RuntimeError):
        with tomes.writer(ix) as w:
            w.add_texts(["first words"], book_ids=["a"])
            first = w.commit()
            w.add_texts(["second words"], book_ids=["b"])
            raise RuntimeError("boom")
    assert first.added == ["a"]
    assert live_books(ix) == {"a": 1}
    with tomes.writer(ix) as w:
        w.add_texts(["third words"], book_ids=["c"])
        w.rollback()
        w.delete("a")
    assert w.report.deleted == ["a"] and w.report.added == []
    with tomes.open(ix) as index:
        assert len(index) == 0 and index.search("words") == []


def test_files_folders_ids_and_metadata(tmp_path):
    books = tmp_path / "books"
    (books / "sub").mkdir(parents=True)
    (books / "one.txt").write_text("alpha beta")
    (books / "sub" / "two.md").write_text("beta gamma")
    (books / "skip.bin").write_bytes(b"not a book")
    single = tmp_path / "single.txt"
    single.write_text("delta epsilon")
    other = tmp_path / "other.txt"
    other.write_text("zeta eta")
    sidecar = tmp_path / "meta.jsonl"
    sidecar.write_text(json.dumps({"book_id": "sub/two.md", "author": "X", "year": 1900}) + "\n")
    ix = tmp_path / "ix"
    with tomes.writer(ix) as w:
        w.add(books, metadata=sidecar)
        w.add(single)
        w.add([other], book_ids=["renamed.txt"], metadata={"renamed.txt": {"n": [1, 2]}})
    assert sorted(w.report.added) == ["one.txt", "renamed.txt", "single.txt", "sub/two.md"]
    with tomes.open(ix) as index:
        assert index.metadata("sub/two.md") == {"author": "X", "year": 1900}
        assert index.metadata("renamed.txt") == {"n": [1, 2]}
        assert index.metadata("one.txt") == {}
        with pytest.raises(KeyError):
            index.metadata("skip.bin")
        assert {h.book_id for h in index.search("beta")} == {"one.txt", "sub/two.md"}


def test_settings_come_from_the_index_and_a_conflict_is_an_error(tmp_path):
    ix = tmp_path / "ix"
    with tomes.writer(ix, chunk_size=50, chunk_overlap=10, stemmer="english") as w:
        w.add_texts(["sailing ships"], book_ids=["a"])
    with tomes.open(ix) as index:
        assert index.stats()["chunk_size"] == 50 and index.stats()["stemmer"] == "english"
        assert [h.book_id for h in index.search("sail")] == ["a"]
    with pytest.raises(ValueError, match="chunk_size=50"):
        tomes.writer(ix, chunk_size=60)
    with pytest.raises(ValueError, match="stemmer"):
        tomes.writer(ix, stemmer=None if False else "portuguese")
    with tomes.writer(ix, chunk_size=50) as w:  # the same value is fine
        w.add_texts(["more sailing"], book_ids=["b"])
    assert w.report.added == ["b"]


@pytest.mark.parametrize("call, error", [
    (lambda w: w.add_texts("one string", book_ids=["a"]), TypeError),
    (lambda w: w.add_texts(["x"], book_ids=["a", "b"]), ValueError),
    (lambda w: w.add_texts(["x"], book_ids=[""]), ValueError),
    (lambda w: w.add_texts([b"x"], book_ids=["a"]), TypeError),
    (lambda w: w.add_texts(["x"], book_ids=["a"], metadata=[[1]]), TypeError),
    (lambda w: w.add_texts(["x"], book_ids=["a"], metadata=[{"f": float("nan")}]), ValueError),
    (lambda w: w.add_texts(["x"], book_ids=["a"], metadata=[{"f": object()}]), ValueError),
    (lambda w: w.add("/no/such/path.txt"), FileNotFoundError),
    (lambda w: w.add(42), TypeError),
    (lambda w: w.delete(7), TypeError),
])
def test_bad_arguments_are_clear_errors_and_change_nothing(tmp_path, call, error):
    ix = tmp_path / "ix"
    with tomes.writer(ix) as w:
        w.add_texts(["kept text"], book_ids=["kept"])
    with tomes.writer(ix) as w:
        with pytest.raises(error):
            call(w)
    assert live_books(ix) == {"kept": 1}


def test_a_file_that_is_not_a_book_is_refused_by_name(tmp_path):
    odd = tmp_path / "data.csv"
    odd.write_text("a,b")
    with tomes.writer(tmp_path / "ix") as w:
        with pytest.raises(ValueError, match="data.csv: not a book"):
            w.add(odd)


def test_writer_options_are_checked():
    with pytest.raises(TypeError):
        tomes.writer("x", timeout="soon")
    with pytest.raises(ValueError):
        tomes.writer("x", timeout=-1)
    with pytest.raises(TypeError):
        tomes.writer("x", merge="yes")
    with pytest.raises(ValueError):
        tomes.writer("x", batch_size=0)


def test_a_closed_writer_says_so(tmp_path):
    w = tomes.writer(tmp_path / "ix")
    w.close()
    with pytest.raises(ValueError, match="closed"):
        w.add_texts(["x"], book_ids=["a"])


def test_a_held_lock_is_index_locked_error_at_once_or_after_timeout(tmp_path):
    ix = tmp_path / "ix"
    with tomes.writer(ix):
        with pytest.raises(tomes.IndexLockedError, match="another writer"):
            tomes.writer(ix)
        started = time.monotonic()
        with pytest.raises(OSError):
            tomes.writer(ix, timeout=0.3)
        assert time.monotonic() - started >= 0.25


def test_a_waiting_writer_gets_the_lock_when_it_is_released(tmp_path):
    ix = tmp_path / "ix"
    first = tomes.writer(ix)
    threading.Timer(0.2, first.close).start()
    with tomes.writer(ix, timeout=30) as second:
        second.add_texts(["after the wait"], book_ids=["w"])
    assert second.report.added == ["w"]


def test_sync_follows_a_folder(tmp_path):
    books, ix = tmp_path / "books", tmp_path / "ix"
    books.mkdir()
    (books / "a.txt").write_text("whale one")
    (books / "b.txt").write_text("whale two")
    (books / "c.txt").write_text("whale one")  # a.txt's text
    r = tomes.sync(books, ix)
    assert (r.added, r.duplicates) == (["a.txt", "b.txt"], [("c.txt", "a.txt")])
    with tomes.writer(ix) as w:
        w.add_texts(["whale three"], book_ids=["from-python"])
    os.utime(books / "b.txt", ns=(10**18, 10**18))  # touched, same text
    (books / "d.txt").write_text("whale four")
    os.remove(books / "a.txt")  # c.txt, its twin, is now the one to keep
    r = tomes.sync(books, ix)
    assert sorted(r.added) == ["c.txt", "d.txt"]
    assert sorted(r.deleted) == ["a.txt", "from-python"]
    assert r.unchanged == ["b.txt"] and r.replaced == []
    (books / "b.txt").write_text("whale two changed")
    r = tomes.sync(books, ix)
    assert r.replaced == ["b.txt"] and sorted(r.unchanged) == ["c.txt", "d.txt"]
    assert tomes.sync(books, ix, checksum=True).unchanged == ["b.txt", "c.txt", "d.txt"]
    assert live_books(ix) == {"b.txt": 1, "c.txt": 1, "d.txt": 1}


def test_sync_equals_index_corpus_of_the_folder(tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    words = "whale ship sea sail boat harpoon captain deep".split()
    for i in range(40):
        (books / f"b{i:02d}.txt").write_text(" ".join(words[(i * j) % 8] for j in range(30 + i)))
    tomes.sync(books, tmp_path / "ix", chunk_size=80, chunk_overlap=10, batch_size=7)
    for i in range(0, 40, 5):
        (books / f"b{i:02d}.txt").write_text("new words " + words[i % 8] * 3)
    for i in range(1, 40, 9):
        os.remove(books / f"b{i:02d}.txt")
    (books / "zz.txt").write_text((books / "b02.txt").read_text())  # a duplicate
    tomes.sync(books, tmp_path / "ix", batch_size=7)
    tomes.index_corpus(books, tmp_path / "fresh", chunk_size=80, chunk_overlap=10)
    with tomes.open(tmp_path / "ix") as a, tomes.open(tmp_path / "fresh") as b:
        assert len(a) == len(b) and a.stats()["avgdl"] == b.stats()["avgdl"]
        for q in words + ["wh*", "sai*"]:
            got = sorted((-h.score, h.book_id, h.chunk) for h in a.search(q, k=100))
            want = sorted((-h.score, h.book_id, h.chunk) for h in b.search(q, k=100))
            assert got == want, q


def test_cli_index_update(tmp_path):
    books, ix = tmp_path / "books", tmp_path / "ix"
    books.mkdir()
    (books / "a.txt").write_text("whale")
    run = lambda *args: subprocess.run([sys.executable, "-m", "tomes", *args], capture_output=True, text=True)  # noqa: E731
    assert run("index", str(books), str(ix), "-q").returncode == 0
    refused = run("index", str(books), str(ix), "-q")
    assert refused.returncode == 1 and "--update" in refused.stderr
    (books / "b.txt").write_text("ship")
    done = run("index", str(books), str(ix), "--update", "-q")
    assert done.returncode == 0 and "added 1, replaced 0, deleted 0, unchanged 1" in done.stdout
    conflict = run("index", str(books), str(ix), "--update", "--chunk-size", "5", "-q")
    assert conflict.returncode == 1 and "chunk_size=1000" in conflict.stderr
    both = run("index", str(books), str(ix), "--update", "--overwrite")
    assert both.returncode == 1 and "exclude" in both.stderr


def test_a_session_used_from_two_threads_refuses_the_second_call(tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    for i in range(4):
        (books / f"b{i}.txt").write_text(f"whale number {i}")
    inside, release = threading.Event(), threading.Event()

    def progress(*_):
        inside.set()
        release.wait(10)

    w = tomes.writer(tmp_path / "ix", progress=progress)
    adder = threading.Thread(target=w.add, args=(books,))
    adder.start()
    assert inside.wait(10)
    with pytest.raises(RuntimeError, match="another thread"):
        w.delete(["b0.txt"])
    release.set()
    adder.join()
    w.commit()
    w.close()
    assert w.report.added == ["b0.txt", "b1.txt", "b2.txt", "b3.txt"]


def test_the_merge_policy_keeps_segments_few_and_reports_what_it_rewrote(tmp_path):
    # Ten small commits make ten segments of the lowest level: the tenth
    # commit's merge joins them (docs/ARCHITECTURE.md, "Merging segments").
    ix = tmp_path / "ix"
    for i in range(10):
        with tomes.writer(ix) as w:
            w.add_texts([f"whale number {i}"], book_ids=[f"b{i}"])
        assert (w.report.segments, w.report.segments_merged) == ((i + 1, 0) if i < 9 else (1, 10))
    with tomes.open(ix) as index:
        assert len(index) == 10 and len(index.search("whale", k=20)) == 10
    with tomes.writer(ix, merge=False) as w:
        w.add_texts(["one more whale"], book_ids=["b10"])
    assert (w.report.segments, w.report.segments_merged) == (2, 0)
