"""Oracles for a changing index (test_living_index, test_living_durability).

- ``expected_chunks``: the chunks of a set of books as SPEC 4 and SPEC 3 make
  them, computed in Python (reference_chunks, reference), by (book_id, chunk).
- ``live_chunks``: what an open index holds, read back doc id by doc id
  (deleted doc ids raise, as documented, and are skipped).
- ``check_top_k``: a hit list against a full ranking, exact or within a
  relative tolerance, ties at the k-th score in any order.
- ``build_from_scratch``: index_corpus of a folder holding exactly the books.
- ``leftovers``: what a clean index directory must not hold.

Nothing here calls a writer session: the oracles are independent of it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import reference
import tomes
from reference_chunks import chunk_spans
from search_model import REL, SearchModel

Key = Tuple[str, int]  # (book_id, chunk)


def stop_entries(stopwords) -> Tuple[str, ...]:
    if stopwords is None:
        return ()
    if isinstance(stopwords, str):
        return tuple(tomes._core.builtin_stopwords(stopwords))
    return tuple(stopwords)


def expected_chunks(books: Dict[str, str], chunk_size: int, overlap: int) -> Dict[Key, Tuple[int, int]]:
    """(book_id, chunk) -> (start, end) for every chunk of every book."""
    out = {}
    for book_id, text in books.items():
        for n, span in enumerate(chunk_spans(text, chunk_size, overlap)):
            out[(book_id, n)] = span
    return out


def search_model(books: Dict[str, str], chunk_size: int, overlap: int, stopwords,
                 stemmer: Optional[str]) -> Tuple[SearchModel, List[Key]]:
    """The brute-force BM25 model of the books, and the key of each of its docs."""
    stop = stop_entries(stopwords)
    keys, docs = [], []
    for (book_id, n), (start, end) in sorted(expected_chunks(books, chunk_size, overlap).items()):
        keys.append((book_id, n))
        docs.append(reference.analyze(books[book_id][start:end], stop, stemmer))
    return SearchModel(docs, stop, stemmer), keys


def model_ranking(model: SearchModel, keys: Sequence[Key], query: str, fuzzy: int) -> List[Tuple[Key, float]]:
    """Every matching chunk with its model score, best first."""
    if not keys:
        return []
    scores = model.scores(query, fuzzy=fuzzy)
    ranked = [(keys[d], float(scores[d])) for d in range(len(keys)) if scores[d] > 0]
    ranked.sort(key=lambda p: (-p[1], p[0]))
    return ranked


def live_chunks(ix: tomes.Index) -> Dict[Key, Tuple[int, int, int]]:
    """(book_id, chunk) -> (start, end, doc_id) of every live doc of an open index.

    Doc ids range over [0, chunks + deleted_docs); a deleted one raises
    ValueError naming it (ARCHITECTURE: doc ids after changes).
    """
    stats = ix.stats()
    end = stats["chunks"] + stats["deleted_docs"]
    out = {}
    deleted = 0
    for doc in range(end):
        try:
            book_id, chunk, start, stop = ix.chunk_info(doc)
        except ValueError as e:
            assert "deleted" in str(e), f"doc {doc}: {e}"
            deleted += 1
            try:
                ix.text(doc)
            except ValueError as e:
                assert "deleted" in str(e), f"text({doc}): {e}"
            else:
                raise AssertionError(f"text({doc}) of a deleted chunk answered")
            continue
        assert (book_id, chunk) not in out, f"doc {doc}: {(book_id, chunk)} twice"
        out[(book_id, chunk)] = (start, stop, doc)
    assert deleted == stats["deleted_docs"]
    return out


def hit_keys(hits) -> List[Tuple[Key, float]]:
    return [((h.book_id, h.chunk), h.score) for h in hits]


def _close(x: float, y: float, rel: float) -> bool:
    return x == y if rel == 0 else abs(x - y) <= rel * max(abs(x), abs(y))


def check_top_k(got: List[Tuple[Key, float]], ranking: List[Tuple[Key, float]], k: int, rel: float,
                what: str) -> None:
    """got (a top-k, best first) is a top k of ranking (every match, best first).

    rel == 0: scores bit for bit, and every chunk scoring above the k-th
    score is in got; chunks at exactly the k-th score may be any of them.
    rel > 0 (a model in float64 summed in another order): the same within rel.
    """
    want = min(k, len(ranking))
    assert len(got) == want, f"{what}: {len(got)} hits, expected {want} (of {len(ranking)} matches)"
    if not got:
        return
    scores = dict(ranking)
    keys = [key for key, _ in got]
    assert len(set(keys)) == len(keys), f"{what}: a chunk twice: {keys}"
    for i in range(len(got) - 1):
        assert got[i][1] >= got[i + 1][1], f"{what}: hits {i}, {i + 1} out of order: {got[i]}, {got[i + 1]}"
    for key, score in got:
        assert key in scores, f"{what}: {key} (score {score!r}) does not match the query"
        assert _close(score, scores[key], rel), f"{what}: {key} scored {score!r}, expected {scores[key]!r}"
    bar = ranking[want - 1][1]
    for key, score in ranking:
        if score > bar and not _close(score, bar, rel):
            assert key in keys, f"{what}: {key} (score {score!r}) missing; k-th score {bar!r}; got {got}"
    for key in keys:
        assert scores[key] >= bar or _close(scores[key], bar, rel), (
            f"{what}: {key} (score {scores[key]!r}) is below the k-th score {bar!r}")


def write_books(folder: Path, books: Dict[str, str]) -> None:
    """Each book as the file named by its id (ids are relative paths)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for book_id, text in books.items():
        path = folder / book_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def build_from_scratch(books: Dict[str, str], folder: Path, index_dir: Path, **options) -> None:
    """index_corpus of a folder holding exactly these books."""
    write_books(folder, books)
    tomes.index_corpus(folder, index_dir, mode="overwrite", threads=1, **options)


def listed_names(index_dir: Path) -> Tuple[set, Dict[str, str]]:
    """index.json's segment names, and each one's deletes file ("" for none)."""
    manifest = json.loads((index_dir / "index.json").read_text())
    return {s["name"] for s in manifest["segments"]}, {s["name"]: s.get("deletes", "") for s in manifest["segments"]}


def leftovers(index_dir: Path) -> List[str]:
    """Entries a committed index with no writer open must not hold: temporaries,
    segment directories index.json does not list, deletes files it does not
    name, temporaries inside segments."""
    segments, deletes = listed_names(index_dir)
    found = []
    for entry in os.listdir(index_dir):
        if entry in ("index.json", ".tomes.lock") or entry in segments:
            continue
        found.append(entry)
    for name in segments:
        for entry in os.listdir(index_dir / name):
            if entry.startswith(".tmp") or (entry.startswith("deletes_") and entry != deletes[name]):
                found.append(f"{name}/{entry}")
    return sorted(found)


__all__ = ["REL", "Key", "build_from_scratch", "check_top_k", "expected_chunks", "hit_keys", "leftovers",
           "live_chunks", "model_ranking", "search_model", "stop_entries", "write_books"]
