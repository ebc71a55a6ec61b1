"""A writer session killed at any moment (SIGKILL) leaves the old generation
or the new one, never a mix, and the next writer cleans what it left.

Four sessions, each run in a child process on a copy of the same committed
index, and killed at random moments (after a random delay spread over the
session's measured duration, or once it has started writing its files):

- add:    ``w.add(folder)`` of many books, batch_size=3 (many segments), commit;
- delete: ``w.delete`` of half the books of an index of many segments, commit
          (a deletes file per segment);
- sync:   ``tomes.sync`` after touching, changing, removing and adding files;
- merge:  a commit that leaves 40+ small segments, some with most of their
          chunks deleted, for the merge policy to merge (merge=True).

After each kill the index opens and answers every query exactly as the old
generation or as the new one did (the new answers come from a run of the
same session to its end; compared as (book_id, chunk, score) of every hit,
since a merge renumbers doc ids), verify is clean, and a new writer session
takes the index, commits, and leaves no temporary, no unlisted segment and
no unlisted deletes file behind.
"""

from __future__ import annotations

import json
import os
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
from living_oracle import leftovers

WORDS = "whale ship sea captain ahab white sail ocean deep harpoon boat fish rope storm".split()
QUERIES = WORDS + ["whale ship", "sea* captain", "harpon", "ocean deep storm"]
OPTIONS = dict(chunk_size=120, chunk_overlap=20)


def book_text(rng: random.Random) -> str:
    n = rng.choice([5, 40, 200, 800])
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 60)) for _ in range(n))


def write_folder(root: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for i in range(count):
        path = root / f"d{i % 4}" / f"book{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(book_text(rng))


def answers(ix_dir: Path):
    """len, and every hit of every query as (book_id, chunk, score), sorted."""
    with tomes.open(ix_dir) as ix:
        out = [len(ix)]
        for q in QUERIES:
            hits = ix.search(q, k=len(ix) + 1, fuzzy=1 if q == "harpon" else 0)
            out.append(sorted(((h.book_id, h.chunk, h.score) for h in hits), key=lambda t: (-t[2], t[0], t[1])))
        return out


CHILD = textwrap.dedent("""
    import json, sys, tomes
    scenario, ix, arg = sys.argv[1], sys.argv[2], sys.argv[3]
    options = dict(chunk_size=120, chunk_overlap=20)
    def progress(books, total, done, all_bytes):
        print("progress", books, flush=True)
    print("start", flush=True)
    if scenario == "add":
        with tomes.writer(ix, batch_size=3, threads=2, progress=progress, **options) as w:
            w.add(arg)
    elif scenario == "delete":
        with tomes.writer(ix, threads=2, **options) as w:
            w.delete(json.loads(open(arg).read()))
    elif scenario == "sync":
        report = tomes.sync(arg, ix, batch_size=4, threads=2, progress=progress, **options)
    elif scenario == "merge":
        with tomes.writer(ix, batch_size=1, merge=True, threads=2, **options) as w:
            w.delete(json.loads(open(arg).read()))
            w.add_texts(["a new whale book", "a new ship book", "and a sea book"],
                        book_ids=["new/1.txt", "new/2.txt", "new/3.txt"])
        print("merged", w.report.segments_merged, flush=True)
    print("committed", flush=True)
""")


def prepare(tmp_path: Path, scenario: str) -> tuple:
    """(pristine index, the child's argument): the committed index every attempt starts from."""
    books = tmp_path / "books"
    pristine = tmp_path / "pristine"
    rng = random.Random(sum(map(ord, scenario)))
    if scenario == "add":
        write_folder(books, 30, seed=1)
        tomes.index_corpus(books, pristine, batch_size=5, **OPTIONS)
        new = tmp_path / "new"
        write_folder(new, 300, seed=2)
        for i in range(0, 300, 10):  # some replace books of the index, some are its twins
            src = books / f"d{i % 30 % 4}" / f"book{i % 30:04d}.txt"
            shutil.copy(src, new / f"d{i % 4}" / f"book{i:04d}.txt")
        return pristine, new
    if scenario in ("delete", "merge"):
        write_folder(books, 240 if scenario == "delete" else 60, seed=3)
        tomes.index_corpus(books, pristine, batch_size=6 if scenario == "delete" else 1, **OPTIONS)
        ids = sorted(str(p.relative_to(books)) for p in books.rglob("*.txt"))
        if scenario == "merge":  # a committed generation with deletions first
            with tomes.writer(pristine, merge=False) as w:
                w.delete(ids[::7])
            ids = [i for i in ids if i not in ids[::7]]
        victims = tmp_path / "victims.json"
        victims.write_text(json.dumps(sorted(rng.sample(ids, len(ids) // 2)) + ["unknown.txt"]))
        return pristine, victims
    assert scenario == "sync"
    write_folder(books, 200, seed=4)
    tomes.sync(books, pristine, batch_size=10, **OPTIONS)
    files = sorted(books.rglob("*.txt"))
    for i, path in enumerate(files):
        if i % 10 == 0:
            os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)  # touched, unchanged
        elif i % 10 == 1:
            path.write_text(book_text(rng))
        elif i % 10 == 2:
            path.unlink()
    write_folder(books / "more", 40, seed=5)
    return pristine, books


def run_child(script: Path, scenario: str, ix: Path, arg: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(script), scenario, str(ix), str(arg)], stdout=subprocess.PIPE,
                            text=True)


def writing_started(ix: Path) -> bool:
    """A temporary, or a segment or deletes file index.json does not list yet."""
    try:
        return bool(leftovers(ix))
    except (FileNotFoundError, ValueError):
        return False


@pytest.mark.parametrize("scenario", ["add", "delete", "sync", "merge"])
def test_sigkill_leaves_the_old_or_the_new_generation(tmp_path, scenario):
    pristine, arg = prepare(tmp_path, scenario)
    before = answers(pristine)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    # The session run to its end: the new generation, and how long it takes.
    done = tmp_path / "done"
    shutil.copytree(pristine, done)
    started = time.monotonic()
    finished = subprocess.run([sys.executable, str(script), scenario, str(done), str(arg)], capture_output=True,
                              text=True, check=True)
    duration = time.monotonic() - started
    assert finished.stdout.strip().endswith("committed")
    if scenario == "merge":
        merged = [line for line in finished.stdout.splitlines() if line.startswith("merged")]
        assert merged and int(merged[0].split()[1]) > 0, f"the merge policy merged nothing: {finished.stdout}"
    after = answers(done)
    assert after != before
    tomes.verify(done)
    rng = random.Random(sum(map(ord, scenario)))
    outcomes = {"old": 0, "new": 0}
    for attempt in range(10):
        ix = tmp_path / f"ix{attempt}"
        shutil.copytree(pristine, ix)
        proc = run_child(script, scenario, ix, arg)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "start"
        if attempt % 2 == 0:
            time.sleep(rng.random() * duration)
        else:  # once the session has written something of its own
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline and not writing_started(ix):
                time.sleep(0.0005)
            time.sleep(rng.random() * duration * 0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = answers(ix)
        assert now in (before, after), f"attempt {attempt}: the index answers as neither generation"
        outcomes["old" if now == before else "new"] += 1
        tomes.verify(ix)
        # The next writer takes the lock at once, cleans, and commits.
        with tomes.writer(ix) as w:
            w.add_texts(["the next writer's whale"], book_ids=["next.txt"])
        assert w.report.added == ["next.txt"]
        assert leftovers(ix) == []
        assert not [p for p in ix.rglob(".tmp*")]
        tomes.verify(ix)
        shutil.rmtree(ix)
    print(f"{scenario}: {outcomes} in 10 kills; the whole session takes {duration:.2f} s")
    assert outcomes["old"] > 0, outcomes
