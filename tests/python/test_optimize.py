"""tomes.optimize: merging segments.

The oracle is independent of the merger: segments are in global doc-id
order, so the merge of adjacent segments must be byte for byte the segment
``index_corpus`` writes for the same books in one batch (meta.json included:
a segment does not record where index.json places it; the books are copied
with their mtimes, which books.bin records). Search
results (ids, scores, books) are equal before and after; verify is clean; a
held lock is refused; a reader opened before keeps working; a SIGKILL at any
moment leaves the old or the new generation. With deleted books (a writer
session's delete), optimize drops them: the result is byte for byte a build
of the live books alone, and the answers (scores, books, chunks) stay.
"""

from __future__ import annotations

import fcntl
import json
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import tomes
from tomes import cli

WORDS = ("whale ship sea captain Ahab naïve Straße ΣΊΣΥΦΟΣ 42 ﬁre the of fish fishes running runs ocean "
         "harpoon").split()
QUERIES = WORDS + ["whale ship sea", "captain ahab 7", "fish 12 13 14", "run*", "ocaen"]


def write_corpus(root: Path, rng: random.Random) -> None:
    """Random books (a few long ones, several text and postings blocks),
    exact duplicates of earlier books, an empty and a binary file (skipped)."""
    (root / "sub").mkdir(parents=True)
    texts = []
    for b in range(rng.randint(3, 25)):
        n = rng.randint(20000, 40000) if rng.random() < 0.1 else rng.randint(0, 400)
        words = []
        for _ in range(n):
            w = rng.choice(WORDS) + (str(rng.randint(0, 49)) if rng.random() < 0.3 else "")
            words.append(w + rng.choice([" ", " ", " ", ", ", "\n\n"]))
        text = "".join(words)
        if texts and rng.random() < 0.15:
            text = rng.choice(texts)  # a duplicate
        texts.append(text)
        (root / ("sub" if b % 3 == 0 else "") / f"book{b}.txt").write_text(text, encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "sub" / "binary.txt").write_bytes(b"\x00\x01\x02\xff\x00 binary")


def random_settings(rng: random.Random) -> dict:
    chunk = rng.randint(20, 320)
    return dict(chunk_size=chunk, chunk_overlap=rng.randint(0, chunk // 2 - 1),
                stopwords=rng.choice([None, "english", ["of", "the"]]), stemmer=rng.choice([None, "english"]),
                store_text=rng.random() < 0.7)


def manifest(ix: Path) -> dict:
    return json.loads((ix / "index.json").read_text())


def segment_dirs(ix: Path) -> list:
    return [ix / s["name"] for s in manifest(ix)["segments"]]


def files(segment: Path) -> dict:
    return {p.name: p.read_bytes() for p in segment.iterdir()}


def assert_same_segment(a: Path, b: Path) -> None:
    fa, fb = files(a), files(b)
    assert sorted(fa) == sorted(fb)
    for name in fa:
        assert fa[name] == fb[name], name


def search_all(ix) -> list:
    return [[(h.doc_id, h.score, h.book_id, h.chunk) for h in ix.search(q, k=30, fuzzy=1 if q == "ocaen" else 0)]
            for q in QUERIES]


def answers(ix_dir: Path):
    with tomes.open(ix_dir) as ix:
        return len(ix), search_all(ix)


def located_answers(ix_dir: Path):
    """answers() without doc ids: a merge that drops deleted chunks renumbers."""
    count, results = answers(ix_dir)
    return count, [[hit[1:] for hit in hits] for hits in results]


def delete_some(ix: Path, rng: random.Random) -> list:
    """Deletes a random share of the books (never all) in one writer commit,
    without merging; returns the live book ids in doc order."""
    with tomes.open(ix) as reader:  # nothing deleted yet: doc ids 0 .. len - 1
        ids = list(dict.fromkeys(reader.chunk_info(d)[0] for d in range(len(reader))))
    share = rng.uniform(0.05, 0.8)
    gone = set([i for i in ids if rng.random() < share][:len(ids) - 1])
    if gone:
        with tomes.writer(ix, merge=False) as w:
            w.delete(sorted(gone))
    return [i for i in ids if i not in gone]


def dir_listing(ix: Path) -> set:
    return {p.name for p in ix.iterdir()}


@pytest.mark.parametrize("seed", range(10))
def test_optimize_equals_a_one_batch_build(tmp_path, seed):
    rng = random.Random(seed)
    write_corpus(tmp_path / "books", rng)
    settings = random_settings(rng)
    tomes.index_corpus(tmp_path / "books", tmp_path / "many", batch_size=rng.randint(1, 4), **settings)
    tomes.index_corpus(tmp_path / "books", tmp_path / "one", batch_size=10**6, **settings)
    before = answers(tmp_path / "many")
    count = len(manifest(tmp_path / "many")["segments"])
    report = tomes.optimize(tmp_path / "many", threads=rng.choice([None, 1, 2]))
    assert (report.segments_before, report.segments_after, report.merged) == (count, 1, count > 1)
    [merged], [one] = segment_dirs(tmp_path / "many"), segment_dirs(tmp_path / "one")
    assert_same_segment(merged, one)
    assert report.bytes_after == manifest(tmp_path / "one")["segments"][0]["bytes"]
    assert report.bytes_after == sum(p.stat().st_size for p in merged.iterdir())
    assert answers(tmp_path / "many") == before == answers(tmp_path / "one")
    tomes.verify(tmp_path / "many")
    # Only the committed segment stays, and the lock file.
    assert dir_listing(tmp_path / "many") == {"index.json", ".tomes.lock", merged.name}


@pytest.mark.parametrize("seed", range(6))
def test_max_segments_each_merged_run_equals_a_build_of_its_books(tmp_path, seed):
    rng = random.Random(100 + seed)
    write_corpus(tmp_path / "books", rng)
    settings = random_settings(rng)
    ix = tmp_path / "ix"
    tomes.index_corpus(tmp_path / "books", ix, batch_size=rng.randint(1, 3), **settings)
    old = manifest(ix)
    before = answers(ix)
    max_segments = rng.randint(1, 4)
    report = tomes.optimize(ix, max_segments=max_segments)
    now = manifest(ix)
    assert len(now["segments"]) == min(max_segments, len(old["segments"])) == report.segments_after
    assert (now["generation"] > old["generation"]) == (len(old["segments"]) > max_segments) == report.merged
    old_names = {s["name"] for s in old["segments"]}
    with tomes.open(ix) as reader:
        for i, seg in enumerate(now["segments"]):
            if seg["name"] in old_names:
                continue
            books = sorted({reader.chunk_info(d)[0] for d in range(seg["base_doc_id"],
                                                                      seg["base_doc_id"] + seg["num_docs"])})
            sub = tmp_path / f"sub{i}"
            for book in books:
                (sub / "books" / book).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(tmp_path / "books" / book, sub / "books" / book)  # mtime kept
            tomes.index_corpus(sub / "books", sub / "ix", batch_size=10**6, **settings)
            [alone] = segment_dirs(sub / "ix")
            assert_same_segment(ix / seg["name"], alone)
    assert answers(ix) == before
    tomes.verify(ix)


@pytest.mark.parametrize("seed", range(5))
def test_optimize_after_deletions_equals_a_build_of_the_live_books(tmp_path, seed):
    rng = random.Random(300 + seed)
    write_corpus(tmp_path / "books", rng)
    settings = random_settings(rng)
    ix = tmp_path / "ix"
    tomes.index_corpus(tmp_path / "books", ix, batch_size=rng.randint(1, 4), **settings)
    live = delete_some(ix, rng)
    before = located_answers(ix)
    report = tomes.optimize(ix, threads=rng.choice([None, 1, 2]))
    assert report.segments_after == 1
    for book in live:
        (tmp_path / "live" / book).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(tmp_path / "books" / book, tmp_path / "live" / book)  # mtime kept
    tomes.index_corpus(tmp_path / "live", tmp_path / "one", batch_size=10**6, **settings)
    [merged], [one] = segment_dirs(ix), segment_dirs(tmp_path / "one")
    assert_same_segment(merged, one)
    assert located_answers(ix) == before == located_answers(tmp_path / "one")
    assert manifest(ix)["segments"][0]["deleted_docs"] == 0
    with tomes.open(ix) as reader:
        assert reader.stats()["deleted_docs"] == 0 and len(reader) == before[0]
    tomes.verify(ix)
    assert dir_listing(ix) == {"index.json", ".tomes.lock", merged.name}
    # Within max_segments already: still rewritten, so nothing deleted stays.
    tomes.index_corpus(tmp_path / "books", tmp_path / "again", batch_size=2, **settings)
    delete_some(tmp_path / "again", rng)
    count = len(manifest(tmp_path / "again")["segments"])
    had_deletions = any(s["deleted_docs"] for s in manifest(tmp_path / "again")["segments"])
    expected = located_answers(tmp_path / "again")
    assert tomes.optimize(tmp_path / "again", max_segments=count).merged == had_deletions
    assert not any(s["deleted_docs"] for s in manifest(tmp_path / "again")["segments"])
    assert len(manifest(tmp_path / "again")["segments"]) == count
    assert located_answers(tmp_path / "again") == expected


def test_thread_count_changes_no_byte(tmp_path):
    write_corpus(tmp_path / "books", random.Random(7))
    for name, threads in (("a", 1), ("b", 2)):
        tomes.index_corpus(tmp_path / "books", tmp_path / name, batch_size=2, chunk_size=100, chunk_overlap=10)
        tomes.optimize(tmp_path / name, threads=threads)
    [a], [b] = segment_dirs(tmp_path / "a"), segment_dirs(tmp_path / "b")
    assert_same_segment(a, b)


def test_within_max_segments_is_left_untouched(tmp_path):
    write_corpus(tmp_path / "books", random.Random(8))
    tomes.index_corpus(tmp_path / "books", tmp_path / "ix", batch_size=3)
    before = (tmp_path / "ix" / "index.json").read_bytes()
    count = len(manifest(tmp_path / "ix")["segments"])
    report = tomes.optimize(tmp_path / "ix", max_segments=count)
    assert not report.merged and report.segments_after == count
    assert (tmp_path / "ix" / "index.json").read_bytes() == before


def test_a_held_lock_is_refused_at_once(tmp_path):
    write_corpus(tmp_path / "books", random.Random(9))
    tomes.index_corpus(tmp_path / "books", tmp_path / "ix", batch_size=1)
    before = (tmp_path / "ix" / "index.json").read_bytes()
    with open(tmp_path / "ix" / ".tomes.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another writer, as the kernel sees it
        with pytest.raises(OSError, match="another writer"):
            tomes.optimize(tmp_path / "ix")
    assert (tmp_path / "ix" / "index.json").read_bytes() == before


def test_argument_errors(tmp_path):
    write_corpus(tmp_path / "books", random.Random(10))
    tomes.index_corpus(tmp_path / "books", tmp_path / "ix", batch_size=1)
    with pytest.raises(TypeError, match="max_segments"):
        tomes.optimize(tmp_path / "ix", "1")
    with pytest.raises(TypeError, match="max_segments"):
        tomes.optimize(tmp_path / "ix", True)
    with pytest.raises(ValueError, match="max_segments"):
        tomes.optimize(tmp_path / "ix", 0)
    with pytest.raises(ValueError, match="threads"):
        tomes.optimize(tmp_path / "ix", threads=0)
    with pytest.raises(TypeError, match="progress"):
        tomes.optimize(tmp_path / "ix", progress="yes")
    with pytest.raises(TypeError, match="index_dir"):
        tomes.optimize(3)
    with pytest.raises(FileNotFoundError):
        tomes.optimize(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError):
        tomes.optimize(tmp_path / "books")


def test_an_exception_in_progress_keeps_the_old_generation(tmp_path):
    write_corpus(tmp_path / "books", random.Random(11))
    tomes.index_corpus(tmp_path / "books", tmp_path / "ix", batch_size=1)
    before = (tmp_path / "ix" / "index.json").read_bytes()
    listing = dir_listing(tmp_path / "ix")

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tomes.optimize(tmp_path / "ix", progress=interrupt)
    assert (tmp_path / "ix" / "index.json").read_bytes() == before
    assert dir_listing(tmp_path / "ix") == listing
    tomes.verify(tmp_path / "ix")
    seen = []
    tomes.optimize(tmp_path / "ix", progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0


@pytest.mark.parametrize("victim", ["postings_docs.bin", "postings_freqs.bin", "text.bin", "terms.fst"])
def test_a_damaged_segment_is_refused_and_nothing_is_committed(tmp_path, victim):
    write_corpus(tmp_path / "books", random.Random(15))
    tomes.index_corpus(tmp_path / "books", tmp_path / "ix", batch_size=2)
    before = (tmp_path / "ix" / "index.json").read_bytes()
    listing = dir_listing(tmp_path / "ix")
    path = segment_dirs(tmp_path / "ix")[-1] / victim
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(tomes.CorruptIndexError, match=victim.replace(".", r"\.")):
        tomes.optimize(tmp_path / "ix")
    assert (tmp_path / "ix" / "index.json").read_bytes() == before
    assert dir_listing(tmp_path / "ix") == listing


def test_a_reader_opened_before_keeps_searching(tmp_path):
    write_corpus(tmp_path / "books", random.Random(12))
    tomes.index_corpus(tmp_path / "books", tmp_path / "ix", batch_size=1)
    before = answers(tmp_path / "ix")
    old_dirs = segment_dirs(tmp_path / "ix")
    with tomes.open(tmp_path / "ix") as reader:
        tomes.optimize(tmp_path / "ix")
        assert not any(d.exists() for d in old_dirs)  # removed under the reader
        assert (len(reader), search_all(reader)) == before
        with_text = [reader.text(d) for d in range(min(len(reader), 5))]
    with tomes.open(tmp_path / "ix") as fresh:
        assert [fresh.text(d) for d in range(min(len(fresh), 5))] == with_text


def test_cli_optimize(tmp_path, capsys):
    write_corpus(tmp_path / "books", random.Random(13))
    tomes.index_corpus(tmp_path / "books", tmp_path / "ix", batch_size=1)
    assert cli.main(["optimize", str(tmp_path / "ix"), "--max-segments", "2", "-q", "--threads", "1"]) == 0
    assert "into 2" in capsys.readouterr().out
    assert len(manifest(tmp_path / "ix")["segments"]) == 2
    assert cli.main(["optimize", str(tmp_path / "ix"), "--max-segments", "2", "-q"]) == 0
    assert "nothing to merge" in capsys.readouterr().out
    assert cli.main(["optimize", str(tmp_path / "ix")]) == 0  # with the progress bar
    captured = capsys.readouterr()
    assert "into 1" in captured.out and "merging" in captured.err
    assert len(manifest(tmp_path / "ix")["segments"]) == 1
    assert cli.main(["optimize", str(tmp_path / "nothing"), "-q"]) == 1
    assert "error" in capsys.readouterr().err


OPTIMIZER = textwrap.dedent("""
    import sys, tomes
    print("start", flush=True)
    tomes.optimize(sys.argv[1], threads=2)
    print("committed", flush=True)
""")


@pytest.mark.parametrize("deletions", [False, True])
def test_sigkill_at_any_moment_leaves_the_old_or_the_new_generation(tmp_path, deletions):
    rng = random.Random(14)
    books = tmp_path / "books"
    books.mkdir()
    for i in range(300):
        text = " ".join(rng.choice(WORDS) + str(rng.randint(0, 999)) for _ in range(rng.randint(50, 3000)))
        (books / f"book{i:04d}.txt").write_text(text)
    pristine = tmp_path / "pristine"
    tomes.index_corpus(books, pristine, batch_size=3, chunk_size=120, chunk_overlap=20)
    if deletions:  # the merge drops them, and doc ids move: compare without them
        delete_some(pristine, rng)
    same = located_answers if deletions else answers
    old_json = (pristine / "index.json").read_bytes()
    before = same(pristine)
    # How long one optimize takes here, to spread the kills over it.
    timed = tmp_path / "timed"
    shutil.copytree(pristine, timed)
    started = time.monotonic()
    tomes.optimize(timed, threads=2)
    duration = time.monotonic() - started
    new_json = (timed / "index.json").read_bytes()
    script = tmp_path / "optimizer.py"
    script.write_text(OPTIMIZER)
    outcomes = {"old": 0, "new": 0}
    for attempt in range(16):
        ix = tmp_path / f"ix{attempt}"
        shutil.copytree(pristine, ix)
        proc = subprocess.Popen([sys.executable, str(script), str(ix)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "start"
        if attempt % 2 == 0:
            time.sleep(rng.random() * duration * 1.2)
        else:
            # Inside the merge: once its temporary segment exists.
            deadline = time.monotonic() + 30
            while proc.poll() is None and time.monotonic() < deadline and \
                    not any(p.name.startswith(".tmp-segment") for p in ix.iterdir()):
                time.sleep(0.0005)
            time.sleep(rng.random() * duration * 0.8)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        committed = (ix / "index.json").read_bytes()
        # The same generation as one of the two, never a mix: the manifest
        # is the old one or the new one byte for byte (the new one names the
        # same segments as the timed run: names depend only on the index).
        assert committed in (old_json, new_json)
        outcomes["old" if committed == old_json else "new"] += 1
        assert same(ix) == before
        tomes.verify(ix)
        # The next writer cleans what the killed one left, and can merge.
        tomes.optimize(ix)
        assert dir_listing(ix) == {"index.json", ".tomes.lock", manifest(ix)["segments"][0]["name"]}
        assert same(ix) == before
        shutil.rmtree(ix)
    assert outcomes["old"] > 0
