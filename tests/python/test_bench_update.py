"""bench/update.py --smoke: the update benchmark runs end to end on a tiny corpus.

Timings are not checked (no timing assertions in tests); what the run did
is, against expectations computed here from the corpus it generated: the
chunk counts of tantivy's index after adding and deleting books (from
bench/index.py's chunker), tomes' live chunks after each change (from an
index built from scratch of the same books), the sync reports, and optimize
leaving one segment with the same answers. Skipped without tantivy.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tomes

tantivy = pytest.importorskip("tantivy")

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
import index as bench_index  # noqa: E402


def chunk_count(root: Path, ids) -> int:
    return sum(sum(1 for _ in bench_index.fast_chunks((root / i).read_bytes().decode("utf-8", "replace")))
               for i in ids)


def scratch_docs(corpus: Path, ids, where: Path) -> int:
    """Live chunks of an index built from scratch of the books `ids`, as the bench builds them."""
    books = where / "books"
    for book_id in ids:
        (books / book_id).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(corpus / book_id, books / book_id)
    tomes.index_corpus(books, where / "ix", store_text=False)
    with tomes.open(where / "ix") as ix:
        return len(ix)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("update")
    out = work / "update.json"
    subprocess.run([sys.executable, str(REPO / "bench" / "update.py"), "--smoke", "--work", str(work),
                    "--json", str(out), "--keep", "--quiet"], check=True, cwd=work)
    return json.loads(out.read_text()), work / "update-bench"


def test_tantivy_adds_and_deletes_the_chosen_books(run):
    result, work = run
    corpus, sets, steps = work / "corpus", result["sets"], result["steps"]
    every = [p.relative_to(corpus).as_posix() for p in bench_index.book_files(corpus)]
    assert len(every) == result["books"]
    assert all(len(sets[k]) == 1 for k in ("new", "deleted", "touched", "changed"))
    assert len({i for k in sets for i in sets[k]}) == 4  # disjoint
    total = chunk_count(corpus, every)
    assert steps["rebuild"]["tantivy"]["docs"] == total
    assert result["base"]["tantivy"]["docs"] == total - chunk_count(corpus, sets["new"])
    assert steps["add"]["tantivy"]["docs"] == total
    assert steps["delete"]["tantivy"]["docs"] == total - chunk_count(corpus, sets["deleted"])


def test_tomes_rebuild_optimize_and_search(run, tmp_path):
    result, work = run
    corpus, steps = work / "corpus", result["steps"]
    every = [p.relative_to(corpus).as_posix() for p in bench_index.book_files(corpus)]
    assert steps["rebuild"]["tomes"]["docs"] == scratch_docs(corpus, every, tmp_path / "all")
    assert result["build20"]["segments"] == 20
    opt = steps["optimize"]["tomes"]
    assert (opt["segments_before"], opt["segments"]) == (20, 1)
    assert opt["docs"] == result["build20"]["docs"]
    searched = result["search"]
    assert {"tomes, 20 segments", "tomes, 1 segment (optimized)", "tantivy rebuild",
            "tantivy after add+delete"} <= set(searched)
    assert searched["tomes, 20 segments"]["segments"] == 20
    assert searched["tomes, 1 segment (optimized)"]["segments"] == 1
    checked = len(searched["tomes, 20 segments"]["answers"])
    assert checked > 0 and result["optimize_same_answers"] == checked


@pytest.mark.skipif(not hasattr(tomes, "writer"), reason="this tomes has no writer session")
def test_tomes_add_delete_sync(run, tmp_path):
    result, work = run
    corpus, sets, steps = work / "corpus", result["sets"], result["steps"]
    assert result["writer"]
    every = [p.relative_to(corpus).as_posix() for p in bench_index.book_files(corpus)]
    assert steps["add"]["tomes"]["docs"] == steps["rebuild"]["tomes"]["docs"]
    assert steps["add"]["tomes"]["report"]["added"] == 1
    live = [i for i in every if i not in sets["deleted"]]
    assert steps["delete"]["tomes"]["docs"] == scratch_docs(corpus, live, tmp_path / "live")
    assert steps["delete"]["tomes"]["report"]["deleted"] == 1
    nothing = steps["sync, nothing changed"]["tomes"]["report"]
    touched = steps["sync after touching 1 %"]["tomes"]["report"]
    changed = steps["sync after changing 1 %"]["tomes"]["report"]
    for report in (nothing, touched):
        assert (report["added"], report["replaced"], report["deleted"]) == (0, 0, 0)
        assert report["unchanged"] == len(live)
    assert (changed["added"], changed["replaced"], changed["deleted"]) == (0, 1, 0)
    assert changed["unchanged"] == len(live) - 1
