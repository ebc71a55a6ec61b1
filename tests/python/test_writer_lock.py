"""One writer at a time, and readers keep their generation.

- A second ``tomes.writer`` (or ``tomes.sync``, ``tomes.optimize``) on an
  index whose lock is held raises ``tomes.IndexLockedError``, an OSError, at
  once with the default timeout=0; with ``timeout=0.5`` only after waiting
  (at least 0.4 s: no upper bound is asserted, the machine may be busy);
  when the first writer lets go during the wait, the second gets the lock.
  The holder may be another process (flock) or a session of this one.
- A reader opened before commits (adds, deletes, replaces, merges,
  optimize) answers as its generation did until it is closed, its texts
  included; a reader opened after sees the new one.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import tomes

TEXTS = {
    "moby.txt": "Call me Ishmael. The white whale and the sea, the ship and its captain. " * 5,
    "old/man.txt": "The old man and the sea: a fish, a boat, a harpoon and sharks. " * 4,
    "typee.txt": "Typee: an island, a valley, a whaler left behind. " * 6,
}
QUERIES = ["whale", "sea", "the ship", "fish*", "harpon", "island valley"]


def make_index(ix: Path) -> None:
    with tomes.writer(ix, chunk_size=80, chunk_overlap=10, batch_size=1) as w:
        w.add_texts(list(TEXTS.values()), book_ids=list(TEXTS), metadata=[{"n": i} for i in range(len(TEXTS))])


def answers(ix: tomes.Index):
    out = [len(ix), ix.stats()["books"]]
    for q in QUERIES:
        out.append([(h.book_id, h.chunk, h.doc_id, h.score, ix.text(h.doc_id)) for h in
                    ix.search(q, k=50, fuzzy=1 if q == "harpon" else 0)])
    return out


def test_a_second_writer_is_refused_at_once(tmp_path):
    make_index(tmp_path / "ix")
    with tomes.writer(tmp_path / "ix"):
        with pytest.raises(tomes.IndexLockedError) as caught:
            tomes.writer(tmp_path / "ix")
        assert isinstance(caught.value, OSError)
        assert "another writer" in str(caught.value)
        with pytest.raises(tomes.IndexLockedError):
            tomes.sync(tmp_path, tmp_path / "ix")
        with pytest.raises(tomes.IndexLockedError):
            tomes.optimize(tmp_path / "ix")
    # Released on leaving the block: the next one gets it.
    with tomes.writer(tmp_path / "ix") as w:
        w.delete("moby.txt")
    assert w.report.deleted == ["moby.txt"]


HOLDER = textwrap.dedent("""
    import sys, time, tomes
    w = tomes.writer(sys.argv[1])
    print("held", flush=True)
    sys.stdin.readline()   # until the test says so
    w.close()
    print("released", flush=True)
    time.sleep(60)         # the process lives on: the lock went with close()
""")


def test_a_lock_held_by_another_process_is_waited_for_then_refused(tmp_path):
    make_index(tmp_path / "ix")
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "ix")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(tomes.IndexLockedError, match="0.5"):
            tomes.writer(tmp_path / "ix", timeout=0.5)
        assert time.monotonic() - started >= 0.4
        with pytest.raises(tomes.IndexLockedError):
            tomes.writer(tmp_path / "ix")
        proc.stdin.write("go\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "released"
        with tomes.writer(tmp_path / "ix") as w:  # the holder is alive, its lock is not
            w.delete(["typee.txt"])
        assert w.report.deleted == ["typee.txt"]
    finally:
        proc.kill()
        proc.wait()


def test_a_writer_waiting_gets_the_lock_when_the_holder_lets_go(tmp_path):
    make_index(tmp_path / "ix")
    first = tomes.writer(tmp_path / "ix")
    first.add_texts(["the first writer's whale"], book_ids=["first.txt"])
    got = {}

    def second() -> None:
        try:
            started = time.monotonic()
            with tomes.writer(tmp_path / "ix", timeout=60) as w:
                got["waited"] = time.monotonic() - started
                # the first writer's book, if this session began after its commit, is live: a twin
                w.add_texts(["the second writer's ship", "the first writer's whale"],
                            book_ids=["second.txt", "twin.txt"])
            got["report"] = w.report
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            got["error"] = e

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)  # the second is waiting (it cannot have the lock: the first holds it)
    assert thread.is_alive(), got
    report = first.commit()
    first.close()
    thread.join(120)
    assert not thread.is_alive()
    assert "error" not in got, got.get("error")
    assert got["waited"] >= 0.4
    # It saw the first writer's commit: its session began after it.
    assert got["report"].generation > report.generation
    assert got["report"].added == ["second.txt"]
    assert got["report"].duplicates == [("twin.txt", "first.txt")]
    with tomes.open(tmp_path / "ix") as ix:
        assert ix.stats()["books"] == len(TEXTS) + 2


def test_a_reader_keeps_its_generation_until_it_closes(tmp_path):
    ix_dir = tmp_path / "ix"
    make_index(ix_dir)
    reader = tomes.open(ix_dir)
    before = answers(reader)
    assert before[1] == 3
    with tomes.writer(ix_dir, batch_size=1) as w:
        w.delete(["moby.txt"])
        w.add_texts(["A whale of a new book about the sea and a ship. " * 3, "Typee again, a whale valley."],
                    book_ids=["new.txt", "typee.txt"])
        w.commit()
        assert answers(reader) == before
        w.add_texts(["and a fish"], book_ids=["fish.txt"])
    assert answers(reader) == before
    tomes.optimize(ix_dir)  # merges: the reader's segment directories are removed
    assert answers(reader) == before
    if hasattr(reader, "metadata"):
        assert reader.metadata("moby.txt") == {"n": 0}
    with tomes.open(ix_dir) as fresh:
        now = answers(fresh)
        assert now != before
        assert {h.book_id for h in fresh.search("whale sea ship fish", k=100)} == {
            "new.txt", "typee.txt", "fish.txt", "old/man.txt"}
        if hasattr(fresh, "metadata"):
            with pytest.raises(KeyError):
                fresh.metadata("moby.txt")
    reader.close()
    with tomes.open(ix_dir) as again:
        assert answers(again) == now
