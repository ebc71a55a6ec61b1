"""A living index against a model, after every step of random sessions.

A hypothesis state machine drives one index through random sequences of:
add (a folder, or files with book_ids), add_texts (with metadata, an id
sometimes twice), replace (either of those on a live id), delete (live,
buffered and unknown ids), commit, leaving the block (a commit), rollback,
abort (an exception inside ``with tomes.writer(...)``), sync (of a folder the
machine keeps: new, changed, touched-but-unchanged, removed and duplicated
files), merge (sessions with ``merge=True`` and ``batch_size=1``: many
segments for the merge policy) and ``tomes.optimize``.

The model (living_model.SessionModel) says which books are live and what
each commit's report lists. After every step the committed index is checked
against it:

- its live chunks, read doc id by doc id (deleted ids raise), are exactly
  the model's books chunked by SPEC 4 (reference_chunks), with their text;
  ``len(ix)`` and ``stats()["books"]`` agree; ``ix.metadata`` of every live
  book is its metadata, a KeyError for a book gone;
- random queries (plain, prefix ``ab*``, fuzzy=1; k in 1..100) give the
  (book_id, chunk, score) of an index built from scratch from the live
  books (index_corpus of a folder holding exactly them), bit for bit, ties
  at the k-th score aside; and the scores of the brute-force BM25
  (search_model.SearchModel over reference.analyze) within 1e-9;
- verify is clean and, with no writer open, nothing is left over.

TOMES_STATEFUL_EXAMPLES=N runs N examples (default 25); under CI=true they
are derandomized; TOMES_NO_SHRINK=1 reports a failure without shrinking it.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import tomes
from living_model import SessionModel, Stamp, folder_rule, meta_json
from living_oracle import (REL, build_from_scratch, check_top_k, expected_chunks, hit_keys, leftovers,
                           live_chunks, model_ranking, search_model)

EXAMPLES = int(os.environ.get("TOMES_STATEFUL_EXAMPLES", "25"))
CI = bool(os.environ.get("CI"))

# Valid relative paths ending in .txt; "a.txt" < "a/b.txt" in byte order ('.' < '/').
IDS = ["a.txt", "a/b.txt", "a/c.txt", "a-b.txt", "b.txt", "c/a.txt", "c/d/e.txt", "d.txt", "e.txt", "f.txt",
       "g/h.txt", "h.txt", "i.txt", "j.txt", "k/l.txt", "m.txt", "n.txt", "o.txt", "é.txt", "z/ß ü.txt"]
UNKNOWN = ["zz.txt", "a", "a/b", "nothing/here.txt"]
ROOTS = ["whale", "ship", "sea", "captain", "ocean", "harpoon", "sail", "boat", "rope", "deep", "storm", "wind"]
WORDS = [r + s for r in ROOTS for s in ("", "s", "er", "ing")] + [
    "the", "of", "and", "ab", "abc", "abd", "abe", "abcd", "abba", "abbot", "a", "I", "12", "42", "Café", "naïve",
    "Straße", "ÆRØ"]
CONFIGS = [
    dict(chunk_size=120, chunk_overlap=20),
    dict(chunk_size=120, chunk_overlap=0, stopwords="english", stemmer="english"),
    dict(chunk_size=0, chunk_overlap=0),
]
_WEIGHTS = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(WORDS))))


def make_text(seed: int) -> str:
    """A few to a few hundred words of a small Zipf-skewed vocabulary (never empty)."""
    rng = random.Random(seed)
    n = rng.choice([1, 3, 12, 40, 120, 300]) + rng.randint(0, 6)
    words = rng.choices(WORDS, cum_weights=_WEIGHTS, k=n)
    seps = rng.choices([" ", " ", " ", " ", "\n", ". ", "\n\n"], k=n)
    return "".join(w + s for w, s in zip(words, seps)).strip() or "whale"


class Boom(Exception):
    """Raised inside a with block: the session must discard what it did not commit."""


class LivingIndex(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="tomes-living-"))
        self.ix = self.root / "ix"
        self.folder = self.root / "folder"  # the one sync keeps
        self.folder.mkdir()
        self.model = SessionModel()
        self.w: Optional[tomes.Writer] = None
        self.folder_books: Dict[str, Tuple[str, Stamp]] = {}
        self.texts_seen: List[str] = []
        self.clock = itertools.count(1)
        self.stages = itertools.count()
        self.last_checked: Optional[bytes] = None
        self.options: dict = {}
        self.merging = False

    def teardown(self) -> None:
        if self.w is not None:
            self.w.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- helpers ------------------------------------------------------------

    def write_file(self, path: Path, text: str) -> Stamp:
        """Writes text with a fresh mtime (a rewrite is always seen as one)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        ns = 1_600_000_000_000_000_000 + next(self.clock) * 1_000_000
        os.utime(path, ns=(ns, ns))
        return (len(data), ns)

    def open_options(self) -> dict:
        """The index's options, for a session: all of them, to create it or,
        the same again, to an existing one (which must accept them)."""
        return dict(self.options)

    def draw_text(self, data) -> str:
        if self.texts_seen and data.draw(st.integers(0, 3), label="reuse") == 0:
            text = data.draw(st.sampled_from(self.texts_seen), label="duplicate text")
        else:
            text = make_text(data.draw(st.integers(0, 2**32 - 1), label="text seed"))
            self.texts_seen.append(text)
        return text

    def draw_meta(self, data) -> Optional[dict]:
        return data.draw(st.one_of(st.none(), st.fixed_dictionaries({"n": st.integers(0, 3)}),
                                   st.just({"title": "Moby-Dick", "tags": ["sea", "é"]})), label="metadata")

    def session(self, data) -> tomes.Writer:
        if self.w is None:
            batch_size = data.draw(st.sampled_from([1, 2, 3, 1000]), label="batch_size")
            merge = data.draw(st.booleans(), label="merge")
            self.w = tomes.writer(self.ix, batch_size=batch_size, merge=merge, threads=data.draw(
                st.sampled_from([1, 2]), label="threads"), **self.open_options())
            self.model.reset()
            self.model.batch_size = batch_size
            self.merging = merge
        return self.w

    def check_report(self, report: tomes.CommitReport, what: str) -> None:
        expected = self.model.commit()
        event(f"{what}: merged segments" if report.segments_merged else f"{what}: no merge")
        if expected.duplicates:
            event("a duplicate reported")
        if expected.replaced:
            event("a book replaced")
        assert report.merge_error == "", f"{what}: {report.merge_error}"
        if not self.merging:
            assert report.segments_merged == 0
        for name in ("added", "replaced", "deleted", "unchanged"):
            got = getattr(report, name)
            assert len(set(got)) == len(got), f"{what}: an id twice in {name}: {got}"
            assert sorted(got) == getattr(expected, name), (
                f"{what}: report.{name} {sorted(got)} != expected {getattr(expected, name)}; {report}")
        assert report.not_found == expected.not_found, f"{what}: not_found {report.not_found} != {expected.not_found}"
        assert sorted(report.duplicates) == expected.duplicates, (
            f"{what}: duplicates {sorted(report.duplicates)} != expected {expected.duplicates}; {report}")
        assert report.skipped == [], f"{what}: skipped {report.skipped}"
        books = self.model.committed_texts()
        assert report.books == len(books)
        assert report.chunks == len(expected_chunks(books, self.options["chunk_size"],
                                                     self.options["chunk_overlap"]))

    def close_session(self) -> None:
        """Leaves the block normally: a commit."""
        if self.w is not None:
            w, self.w = self.w, None
            w.__exit__(None, None, None)
            assert w.report is not None
            self.check_report(w.report, "leaving the block")

    # -- rules --------------------------------------------------------------

    @initialize(config=st.sampled_from(CONFIGS))
    def configure(self, config: dict) -> None:
        self.options = dict(config)

    @rule(data=st.data())
    def add_files(self, data) -> None:
        w = self.session(data)
        ids = data.draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=4, unique=True), label="file ids")
        texts = [self.draw_text(data) for _ in ids]
        metas = {i: self.draw_meta(data) for i in ids} if data.draw(st.booleans(), label="with metadata") else {}
        stage = self.root / f"stage{next(self.stages)}"
        stamps = {i: self.write_file(stage / i, t) for i, t in zip(ids, texts)}
        given = {i: (t, meta_json(metas.get(i)), stamps[i]) for i, t in zip(ids, texts)}
        metadata = {i: m for i, m in metas.items() if m is not None} or None
        if data.draw(st.booleans(), label="as a folder"):
            w.add(stage, metadata=metadata)
        else:
            w.add([stage / i for i in ids], book_ids=ids, metadata=metadata)
        self.model.add_files([(i, *given[i]) for i in ids])

    @rule(data=st.data())
    def add_texts(self, data) -> None:
        w = self.session(data)
        ids = data.draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=4), label="text ids")
        texts = [self.draw_text(data) for _ in ids]
        metas = [self.draw_meta(data) for _ in ids]
        if data.draw(st.booleans(), label="metadata=None") and all(m is None for m in metas):
            w.add_texts(texts, book_ids=ids)
        else:
            w.add_texts(texts, book_ids=ids, metadata=metas)
        self.model.add_texts([(i, t, meta_json(m)) for i, t, m in zip(ids, texts, metas)])

    @rule(data=st.data())
    def replace(self, data) -> None:
        """add or add_texts of a live id with a new text."""
        live = sorted(self.model.live)
        if not live:
            return
        w = self.session(data)
        book_id = data.draw(st.sampled_from(live), label="replaced id")
        text = self.draw_text(data)
        if data.draw(st.booleans(), label="as a file"):
            stage = self.root / f"stage{next(self.stages)}"
            stamp = self.write_file(stage / "book.txt", text)
            w.add(stage / "book.txt", book_ids=[book_id])
            self.model.add_files([(book_id, text, "", stamp)])
        else:
            w.add_texts([text], book_ids=[book_id])
            self.model.add_texts([(book_id, text, "")])

    @rule(data=st.data())
    def delete(self, data) -> None:
        w = self.session(data)
        known = sorted(set(self.model.live) | set(self.model.buffer) | set(self.model.committed))
        pool = st.sampled_from(known) if known else st.sampled_from(UNKNOWN)
        ids = data.draw(st.lists(st.one_of(pool, pool, st.sampled_from(UNKNOWN + IDS)), min_size=1, max_size=4),
                        label="deleted ids")
        w.delete(ids[0] if len(ids) == 1 and data.draw(st.booleans(), label="one str") else ids)
        self.model.delete(ids)

    @precondition(lambda self: self.w is not None)
    @rule()
    def commit(self) -> None:
        """A commit; a reader opened before it keeps answering as its generation did."""
        assert self.w is not None
        reader = tomes.open(self.ix) if self.model.exists else None
        before = reader_snapshot(reader)
        report = self.w.commit()
        assert self.w.report is report
        self.check_report(report, "commit")
        assert reader_snapshot(reader) == before, "a reader opened before the commit changed"
        if reader is not None:
            reader.close()

    @precondition(lambda self: self.w is not None)
    @rule()
    def leave_block(self) -> None:
        self.close_session()

    @precondition(lambda self: self.w is not None)
    @rule()
    def rollback(self) -> None:
        assert self.w is not None
        self.w.rollback()
        self.model.reset()

    @rule(data=st.data())
    def abort(self, data) -> None:
        """An exception inside the block: what was not committed is discarded."""
        if self.w is not None:
            w, self.w = self.w, None
            w.__exit__(Boom, Boom(), None)
            self.model.reset()
            return
        with pytest.raises(Boom):
            with tomes.writer(self.ix, batch_size=data.draw(st.sampled_from([1, 1000]), label="batch_size"),
                              **self.open_options()) as w:
                w.add_texts([self.draw_text(data)], book_ids=[data.draw(st.sampled_from(IDS), label="id")])
                w.delete(sorted(self.model.committed)[:2])
                if data.draw(st.booleans(), label="add a folder too"):
                    w.add(self.folder)
                raise Boom()
        self.model.reset()

    @rule(data=st.data())
    def sync(self, data) -> None:
        self.close_session()
        for _ in range(data.draw(st.integers(0, 4), label="folder changes")):
            self.change_folder(data)
        metadata = {}
        if self.folder_books and data.draw(st.integers(0, 3), label="sync metadata") == 0:
            some = data.draw(st.lists(st.sampled_from(sorted(self.folder_books)), max_size=3, unique=True))
            metadata = {i: {"synced": len(i)} for i in some}
        self.model.reset()
        batch_size = data.draw(st.sampled_from([1, 2, 1000]), label="batch_size")
        self.merging = data.draw(st.booleans(), label="merge")
        checksum = data.draw(st.integers(0, 3), label="checksum") == 0
        report = tomes.sync(self.folder, self.ix, metadata=metadata or None, batch_size=batch_size, checksum=checksum,
                            merge=self.merging, threads=data.draw(st.sampled_from([1, 2]), label="threads"),
                            **self.open_options())
        self.model.sync(self.folder_books, {i: meta_json(m) for i, m in metadata.items()}, checksum)
        self.check_report(report, "sync")
        # The index holds exactly the folder's books, as index_corpus keeps them.
        folder = {i: text for i, (text, _) in self.folder_books.items()}
        assert self.model.committed_texts() == folder_rule(folder)

    def change_folder(self, data) -> None:
        kind = data.draw(st.sampled_from(["new", "change", "touch", "remove", "duplicate"]), label="change")
        present = sorted(self.folder_books)
        if kind in ("change", "touch", "remove") and not present:
            kind = "new"
        if kind == "new" or kind == "duplicate":
            book_id = data.draw(st.sampled_from(IDS), label="folder id")
            if kind == "duplicate" and present:
                text = self.folder_books[data.draw(st.sampled_from(present), label="twin")][0]
            else:
                text = self.draw_text(data)
            self.folder_books[book_id] = (text, self.write_file(self.folder / book_id, text))
        elif kind == "change":
            book_id = data.draw(st.sampled_from(present), label="changed id")
            text = self.draw_text(data)
            self.folder_books[book_id] = (text, self.write_file(self.folder / book_id, text))
        elif kind == "touch":
            book_id = data.draw(st.sampled_from(present), label="touched id")
            text = self.folder_books[book_id][0]
            self.folder_books[book_id] = (text, self.write_file(self.folder / book_id, text))
        else:
            book_id = data.draw(st.sampled_from(present), label="removed id")
            (self.folder / book_id).unlink()
            del self.folder_books[book_id]

    @rule(data=st.data())
    def merge(self, data) -> None:
        """A session that writes one segment per book and runs the merge policy."""
        self.close_session()
        self.w = tomes.writer(self.ix, batch_size=1, merge=True, **self.open_options())
        self.model.reset()
        self.model.batch_size = 1
        self.merging = True
        live = sorted(self.model.live)
        for _ in range(data.draw(st.integers(1, 12), label="texts")):
            replace = live and data.draw(st.booleans(), label="replace")
            book_id = data.draw(st.sampled_from(live if replace else IDS), label="id")
            text = self.draw_text(data)
            self.w.add_texts([text], book_ids=[book_id])
            self.model.add_texts([(book_id, text, "")])
        if live and data.draw(st.booleans(), label="delete too"):
            gone = data.draw(st.lists(st.sampled_from(live), max_size=3, unique=True), label="deleted")
            self.w.delete(gone)
            self.model.delete(gone)
        report = self.w.commit()
        self.check_report(report, "merge")
        self.close_session()

    @rule(data=st.data())
    def optimize(self, data) -> None:
        if self.w is not None:
            if self.model.exists:
                with pytest.raises(tomes.IndexLockedError):
                    tomes.optimize(self.ix)
            self.close_session()
        if not self.model.exists:
            return
        max_segments = data.draw(st.integers(1, 4), label="max_segments")
        tomes.optimize(self.ix, max_segments=max_segments, threads=data.draw(st.sampled_from([1, 2])))
        with tomes.open(self.ix) as ix:
            stats = ix.stats()
            assert stats["segments"] <= max_segments
            assert stats["deleted_docs"] == 0, "optimize leaves no deleted chunk"

    # -- the check after every step -------------------------------------------

    @invariant()
    def index_equals_the_model(self) -> None:
        if not self.model.exists:
            assert not (self.ix / "index.json").exists()
            return
        manifest = (self.ix / "index.json").read_bytes()
        if self.w is None:
            assert leftovers(self.ix) == []
        if manifest == self.last_checked:
            return  # nothing committed since the last check
        tomes.verify(self.ix)
        books = self.model.committed_texts()
        chunk_size, overlap = self.options["chunk_size"], self.options["chunk_overlap"]
        spans = expected_chunks(books, chunk_size, overlap)
        with tomes.open(self.ix) as ix:
            assert ix.stats()["books"] == len(books)
            assert len(ix) == len(spans)
            live = live_chunks(ix)
            assert {key: (s, e) for key, (s, e, _) in live.items()} == spans
            for (book_id, _), (start, end, doc) in live.items():
                assert ix.text(doc) == books[book_id][start:end]
            if hasattr(ix, "metadata"):
                for book_id, version in self.model.committed.items():
                    assert ix.metadata(book_id) == (json_loads(version.meta)), book_id
                for book_id in set(IDS) - set(books):
                    with pytest.raises(KeyError):
                        ix.metadata(book_id)
            self.compare_searches(ix, books)
        self.last_checked = manifest

    def compare_searches(self, ix: tomes.Index, books: Dict[str, str]) -> None:
        rng = random.Random(len(books) * 7919 + len(ix))
        queries = [(rng.choice(WORDS), 0), (" ".join(rng.choices(WORDS, k=3)), 0), ("ab*", 0),
                   (rng.choice(ROOTS)[:3] + "* " + rng.choice(WORDS), 0), ("whalr sae", 1), (rng.choice(WORDS), 1)]
        if not books:
            for query, fuzzy in queries:
                assert ix.search(query, k=10, fuzzy=fuzzy) == []
            return
        scratch = self.root / "scratch"
        build_from_scratch(books, self.root / "scratch-books", scratch, **self.options)
        model, keys = search_model(books, self.options["chunk_size"], self.options["chunk_overlap"],
                                   self.options.get("stopwords"), self.options.get("stemmer"))
        with tomes.open(scratch) as sx:
            assert len(sx) == len(ix)
            self.compare_statistics(ix, sx)
            everything = len(ix) + 1
            for query, fuzzy in queries:
                what = f"query={query!r} fuzzy={fuzzy}"
                full = hit_keys(ix.search(query, k=everything, fuzzy=fuzzy))
                truth = hit_keys(sx.search(query, k=everything, fuzzy=fuzzy))
                assert sorted(full, key=lambda p: (-p[1], p[0])) == sorted(truth, key=lambda p: (-p[1], p[0])), (
                    f"{what}: every hit of the living index != the from-scratch build's")
                ranking = model_ranking(model, keys, query, fuzzy)
                check_top_k(full, ranking, everything, REL, f"{what} (all) vs the model")
                for k in (rng.randint(1, 100), rng.randint(1, 5)):
                    hits = hit_keys(ix.search(query, k=k, fuzzy=fuzzy))
                    check_top_k(hits, sorted(truth, key=lambda p: (-p[1], p[0])), k, 0.0,
                                f"{what} k={k} vs from scratch")
                    check_top_k(hits, ranking, k, REL, f"{what} k={k} vs the model")

    @staticmethod
    def compare_statistics(ix: tomes.Index, sx: tomes.Index) -> None:
        """N, avgdl, every term's live df and live postings: those of the from-scratch build."""
        a, b = ix.stats(), sx.stats()
        for name in ("books", "chunks", "terms", "total_length", "avgdl"):
            assert a[name] == b[name], f"stats()[{name!r}]: {a[name]!r}, from scratch {b[name]!r}"
        terms = list(ix.terms())
        assert terms == list(sx.terms()), "terms() (live doc freqs) differ from the from-scratch build's"
        for term, _ in terms[:: max(1, len(terms) // 6)]:
            docs, freqs = ix.postings(term)
            sdocs, sfreqs = sx.postings(term)
            got = sorted((ix.chunk_info(int(d))[:2], int(f)) for d, f in zip(docs, freqs))
            want = sorted((sx.chunk_info(int(d))[:2], int(f)) for d, f in zip(sdocs, sfreqs))
            assert got == want, f"postings({term!r}) differ from the from-scratch build's"
            assert len(docs) == dict(terms)[term]


def reader_snapshot(ix: Optional[tomes.Index]):
    """What a reader answers: len, and the hits, texts and chunk_info of a few queries."""
    if ix is None:
        return None
    out: list = [len(ix), ix.stats()["books"]]
    for query in ("whale sea", "ab*", "ship"):
        out.append([(h.book_id, h.chunk, h.doc_id, h.score, ix.text(h.doc_id), ix.chunk_info(h.doc_id))
                    for h in ix.search(query, k=20)])
    return out


def json_loads(text: str) -> dict:
    return json.loads(text) if text else {}


#: TOMES_NO_SHRINK=1: report a failure as found, without hypothesis's (minutes long) shrinking.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + ([] if os.environ.get("TOMES_NO_SHRINK") else [Phase.shrink])
LivingIndex.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=15, deadline=None, derandomize=CI, phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
TestLivingIndex = LivingIndex.TestCase


@pytest.mark.parametrize("config", CONFIGS)
def test_the_same_options_again_are_accepted(tmp_path, config):
    """A session on an existing index may pass the options it was built with."""
    with tomes.writer(tmp_path / "ix", **config) as w:
        w.add_texts(["the white whale"], book_ids=["a.txt"])
    with tomes.writer(tmp_path / "ix", **config) as w:
        w.add_texts(["the sea"], book_ids=["b.txt"])
    assert tomes.sync(tmp_path / "ix", tmp_path / "ix", **config).deleted == ["a.txt", "b.txt"]


# Cases the state machine found, pinned as plain tests.

def test_a_replace_by_another_live_book_s_text_is_reported_as_a_duplicate(tmp_path):
    """SPEC 2 against the live index: the new text of a.txt is c.txt's, so it is
    left out (a.txt keeps its text) and the report says so."""
    with tomes.writer(tmp_path / "ix") as w:
        w.add_texts(["the white whale", "the old man and the sea"], book_ids=["a.txt", "c.txt"])
    with tomes.writer(tmp_path / "ix") as w:
        w.add_texts(["the old man and the sea"], book_ids=["a.txt"])
    assert (w.report.added, w.report.replaced, w.report.unchanged) == ([], [], [])
    assert w.report.duplicates == [("a.txt", "c.txt")]
    with tomes.open(tmp_path / "ix") as ix:
        assert [ix.text(h.doc_id) for h in ix.search("whale")] == ["the white whale"]


def test_sync_drops_a_file_that_became_the_twin_of_a_smaller_path(tmp_path):
    """After sync the index equals index_corpus of the folder: b.txt, now a copy
    of a.txt, is a duplicate there, so its old text must not stay searchable."""
    books = tmp_path / "books"
    books.mkdir()
    (books / "a.txt").write_text("the white whale")
    (books / "b.txt").write_text("the old man and the sea")
    assert tomes.sync(books, tmp_path / "ix").added == ["a.txt", "b.txt"]
    (books / "b.txt").write_text("the white whale")
    report = tomes.sync(books, tmp_path / "ix")
    assert report.deleted == ["b.txt"]
    assert report.duplicates == [("b.txt", "a.txt")]
    tomes.index_corpus(books, tmp_path / "scratch")
    with tomes.open(tmp_path / "ix") as ix, tomes.open(tmp_path / "scratch") as sx:
        assert ix.stats()["books"] == sx.stats()["books"] == 1
        assert ix.search("sea") == sx.search("sea") == []
