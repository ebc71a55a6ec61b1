"""An index is never lost or corrupted: killed writers, damaged files.

- A writer killed with SIGKILL at any point leaves the previous index opening
  and answering exactly as before; the next run cleans what it left.
- Flipped or truncated bytes in any file of an index are reported by verify
  (CorruptIndexError naming the file) and make open/search raise
  CorruptIndexError or answer, never crash.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import tomes

WORDS = "whale ship sea captain ahab white sail ocean deep harpoon boat fish".split()


def write_books(root: Path, count: int, seed: int, words: int = 300) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text = " ".join(rng.choice(WORDS) + rng.choice(["", "s", "ing"]) for _ in range(rng.randint(5, words)))
        (root / f"book{i:04d}.txt").write_text(text)


def answers(ix_dir: Path):
    with tomes.open(ix_dir) as ix:
        return [[(h.doc_id, h.score, h.book_id) for h in ix.search(q, k=20)] for q in WORDS], len(ix)


WRITER = textwrap.dedent("""
    import sys, tomes
    def progress(books, total, done, all_bytes):
        print(books, flush=True)
    tomes.index_corpus(sys.argv[1], sys.argv[2], mode="overwrite", batch_size=3, chunk_size=120,
                       chunk_overlap=20, threads=2, progress=progress)
    print("committed", flush=True)
""")


def test_sigkill_at_any_point_leaves_the_previous_index_intact(tmp_path):
    old_books, new_books, ix_dir = tmp_path / "old", tmp_path / "new", tmp_path / "ix"
    write_books(old_books, 20, seed=1)
    write_books(new_books, 400, seed=2)
    tomes.index_corpus(old_books, ix_dir, chunk_size=120, chunk_overlap=20)
    before = answers(ix_dir)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    rng = random.Random(9)
    kills = 0
    for attempt in range(8):
        # Kill after a random amount of progress (or a random delay).
        target = rng.choice([0, 1, 10, 50, 150, 300])
        proc = subprocess.Popen([sys.executable, str(script), str(new_books), str(ix_dir)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        finished = False
        for line in proc.stdout:
            if line.strip() == "committed":
                finished = True
                break
            if int(line) >= target:
                time.sleep(rng.random() * 0.05)
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if finished:
            continue  # it won the race: the new index is committed, fine but not this test's point
        kills += 1
        assert answers(ix_dir) == before
        tomes.verify(ix_dir)
    assert kills >= 4
    # The next writer cleans what the killed ones left behind.
    report = tomes.index_corpus(new_books, ix_dir, mode="overwrite", batch_size=50)
    names = sorted(p.name for p in ix_dir.iterdir())
    assert not [n for n in names if n.startswith(".tmp")]
    assert [n for n in names if n.startswith("segment_")] == [
        f"segment_{report_generation(ix_dir):06d}_{i:06d}" for i in range(report.segments)]
    assert answers(ix_dir)[1] == report.chunks


def report_generation(ix_dir: Path) -> int:
    with tomes.open(ix_dir) as ix:
        return ix.stats()["generation"]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    books = tmp_path_factory.mktemp("books")
    write_books(books, 12, seed=3, words=400)
    ix_dir = tmp_path_factory.mktemp("ix") / "ix"
    tomes.index_corpus(books, ix_dir, chunk_size=200, chunk_overlap=20, batch_size=6)
    files = sorted(p for p in ix_dir.rglob("*") if p.is_file() and p.name != ".tomes.lock")
    return ix_dir, files


def exercise(ix_dir: Path) -> None:
    """Open and use a possibly damaged index: any outcome but a crash is fine."""
    try:
        with tomes.open(ix_dir) as ix:
            for query in ("whale", "ship sea", "fish*", "captian"):
                for hit in ix.search(query, k=5, fuzzy=1 if query == "captian" else 0):
                    ix.text(hit.doc_id)
                    ix.chunk_info(hit.doc_id)
            list(ix.terms("s"))
            ix.postings("whale")
    except tomes.CorruptIndexError:
        pass


def test_every_flipped_byte_is_reported_by_verify(small_index, tmp_path):
    ix_dir, files = small_index
    rng = random.Random(11)
    checked = 0
    for path in files:
        original = path.read_bytes()
        positions = sorted({0, len(original) - 1, len(original) // 2} | {rng.randrange(len(original)) for _ in range(6)})
        for pos in positions:
            damaged = bytearray(original)
            damaged[pos] ^= 1 << rng.randrange(8)
            path.write_bytes(bytes(damaged))
            try:
                with pytest.raises(tomes.CorruptIndexError) as caught:
                    tomes.verify(ix_dir)
                name = path.name
                assert name in str(caught.value), (path, pos, str(caught.value))
                exercise(ix_dir)
                checked += 1
            finally:
                path.write_bytes(original)
    assert checked >= 8 * len(files)
    tomes.verify(ix_dir)


def test_every_truncation_is_reported(small_index):
    ix_dir, files = small_index
    for path in files:
        original = path.read_bytes()
        for size in sorted({0, 1, len(original) // 3, len(original) - 16, len(original) - 1}):
            if size < 0 or size >= len(original):
                continue
            path.write_bytes(original[:size])
            try:
                with pytest.raises(tomes.CorruptIndexError):
                    tomes.verify(ix_dir)
                exercise(ix_dir)
            finally:
                path.write_bytes(original)
    tomes.verify(ix_dir)


def test_a_missing_file_is_reported(small_index):
    ix_dir, files = small_index
    for path in files:
        if path.name == "index.json":
            continue
        original = path.read_bytes()
        path.unlink()
        try:
            with pytest.raises(tomes.CorruptIndexError, match=path.name):
                tomes.open(ix_dir)
        finally:
            path.write_bytes(original)
