"""index_corpus -> open -> search, end to end, against independent oracles.

- postings of every term == a brute-force inversion of the chunk texts, each
  analyzed by reference.analyze (SPEC 3 in plain Python);
- search top-k and scores == an exhaustive numpy BM25 and bm25s
  (method="lucene") on the same tokens;
- doc ids follow (book path bytes, chunk) order; spans cut the book's text;
- the files are byte-identical whatever the thread count;
- modes, the lock, bad arguments, bad files.
"""

from __future__ import annotations

import math
import os
import random
import socket
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import pytest

import reference
import tomes

WORDS = ("whale ship sea captain ahab ishmael harpoon white sail boat ocean deep "
         "naïve café résumé straße ΣΊΣΥΦΟΣ ﬁre æther 42 1851 über fish fishes fishing "
         "the of and a to in is was").split()
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", ", ", ". ", "; ", "\t", " — ", "\u3000", "!\n"]


def random_text(rng: random.Random, words: int) -> str:
    out = []
    for _ in range(words):
        out.append(rng.choice(WORDS) if rng.random() < 0.9 else "".join(rng.choice("abcdefgh") for _ in range(rng.randint(1, 60))))
        out.append(rng.choice(SEPARATORS))
    return "".join(out)


def write_books(root: Path, rng: random.Random, count: int, max_words: int = 400) -> Dict[str, str]:
    texts = {}
    for i in range(count):
        depth = rng.randint(0, 2)
        parts = [f"d{rng.randint(0, 3)}" for _ in range(depth)] + [f"book{i:03d}{rng.choice(['.txt', '.md', '.TXT'])}"]
        rel = "/".join(parts)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = random_text(rng, rng.randint(0, max_words))
        path.write_text(text, encoding="utf-8")
        texts[rel] = text
    return texts


def oracle_docs(ix: tomes.Index, texts: Dict[str, str], stopwords=(), stemmer=None) -> List[List[str]]:
    """The analyzed terms of every chunk, by doc id, from the spans the index reports."""
    docs = []
    for doc_id in range(len(ix)):
        book, chunk, start, end = ix.chunk_info(doc_id)
        docs.append(reference.analyze(texts[book][start:end], stopwords, stemmer))
    return docs


def exhaustive_bm25(docs: List[List[str]], query_terms: List[str], k1: float, b: float) -> np.ndarray:
    n = len(docs)
    dl = np.array([len(d) for d in docs], dtype=np.float64)
    avgdl = dl.mean()
    counts = [Counter(d) for d in docs]
    scores = np.zeros(n)
    for term in dict.fromkeys(query_terms):
        tf = np.array([c.get(term, 0) for c in counts], dtype=np.float64)
        df = np.count_nonzero(tf)
        if df == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        scores += idf * tf / (tf + k1 * (1 - b + b * dl / avgdl))
    return scores


def check_top_k(hits: List[tomes.Hit], scores: np.ndarray, k: int) -> None:
    """hits are the k best of scores (ties by lower doc id), with the same scores."""
    order = sorted((i for i in range(len(scores)) if scores[i] > 0), key=lambda i: (-scores[i], i))[:k]
    assert len(hits) == len(order)
    for hit, want in zip(hits, order):
        assert hit.score == pytest.approx(scores[hit.doc_id], rel=1e-12, abs=1e-12)
        assert hit.score == pytest.approx(scores[want], rel=1e-12, abs=1e-12)
    for a, b in zip(hits, hits[1:]):
        assert (a.score, -a.doc_id) >= (b.score, -b.doc_id) or math.isclose(a.score, b.score, rel_tol=1e-12)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(1851)
    root = tmp_path_factory.mktemp("books")
    texts = write_books(root, rng, 60)
    ix_dir = tmp_path_factory.mktemp("ix") / "index"
    report = tomes.index_corpus(root, ix_dir, chunk_size=200, chunk_overlap=30, batch_size=7, threads=2)
    return root, texts, ix_dir, report


def test_report_counts_books_and_chunks(corpus):
    root, texts, ix_dir, report = corpus
    nonempty = [rel for rel, t in texts.items() if reference.analyze(t)]
    assert report.books == len(nonempty)
    assert report.segments <= math.ceil(60 / 7)
    with tomes.open(ix_dir) as ix:
        assert len(ix) == report.chunks
        assert ix.stats()["books"] == report.books
        assert ix.stats()["segments"] == report.segments
    skipped = {p for p, _ in report.skipped}  # relative to root, as book ids are
    assert skipped == {rel for rel in texts if rel not in nonempty}


def test_doc_ids_follow_book_path_bytes_then_chunk(corpus):
    root, texts, ix_dir, report = corpus
    with tomes.open(ix_dir) as ix:
        infos = [ix.chunk_info(d) for d in range(len(ix))]
    keys = [(os.fsencode(book), chunk) for book, chunk, _, _ in infos]
    assert keys == sorted(keys)
    for (book, chunk, _, _), (book2, chunk2, _, _) in zip(infos, infos[1:]):
        assert chunk2 == (chunk + 1 if book2 == book else 0)


def test_chunks_respect_spec_4(corpus):
    root, texts, ix_dir, report = corpus
    with tomes.open(ix_dir) as ix:
        by_book = defaultdict(list)
        for d in range(len(ix)):
            book, chunk, start, end = ix.chunk_info(d)
            by_book[book].append((start, end))
            assert ix.text(d) == texts[book][start:end]
    for book, spans in by_book.items():
        text = texts[book]
        for start, end in spans:
            assert 0 < end - start <= 200
            assert not text[start].isspace() and not text[end - 1].isspace()
        for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
            assert s1 < s2 and e2 > e1
            assert max(0, e1 - s2) <= 30


def test_postings_equal_brute_force_inversion(corpus):
    root, texts, ix_dir, report = corpus
    with tomes.open(ix_dir) as ix:
        docs = oracle_docs(ix, texts)
        inverted: Dict[str, List[Tuple[int, int]]] = defaultdict(list)
        for doc_id, terms in enumerate(docs):
            for term, tf in sorted(Counter(terms).items()):
                inverted[term].append((doc_id, tf))
        listed = dict(ix.terms())
        assert set(listed) == set(inverted)
        for term, postings in inverted.items():
            ids, tfs = ix.postings(term)
            assert ids.dtype == np.uint32 and tfs.dtype == np.uint32
            assert list(zip(ids.tolist(), tfs.tolist())) == postings, term
            assert listed[term] == len(postings)
        assert ix.stats()["total_length"] == sum(len(d) for d in docs)
        assert all(len(d) > 0 for d in docs)  # chunks without terms are dropped


@pytest.mark.parametrize("k1,b", [(1.5, 0.75), (1.2, 0.0), (0.9, 1.0), (3.0, 0.3)])
def test_search_equals_exhaustive_bm25(corpus, k1, b):
    root, texts, ix_dir, report = corpus
    rng = random.Random(7)
    with tomes.open(ix_dir) as ix:
        docs = oracle_docs(ix, texts)
        for _ in range(40):
            query = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
            k = rng.choice([1, 3, 10, 1000])
            hits = ix.search(query, k=k, k1=k1, b=b)
            check_top_k(hits, exhaustive_bm25(docs, reference.analyze(query), k1, b), k)


def test_search_equals_bm25s(corpus):
    bm25s = pytest.importorskip("bm25s")
    root, texts, ix_dir, report = corpus
    with tomes.open(ix_dir) as ix:
        docs = oracle_docs(ix, texts)
        retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
        retriever.index(docs, show_progress=False)
        for query in ["whale ship", "straße ΣΊΣΥΦΟΣ", "fire aether", "fish fishes", "naive cafe 1851"]:
            terms = list(dict.fromkeys(reference.analyze(query)))
            terms = [t for t in terms if t in retriever.vocab_dict]
            want = retriever.get_scores(terms) if terms else np.zeros(len(docs))
            hits = ix.search(query, k=len(docs))
            assert len(hits) == int(np.count_nonzero(want))
            for hit in hits:
                assert hit.score == pytest.approx(float(want[hit.doc_id]), rel=1e-5)


def test_prefix_and_fuzzy_terms_follow_spec_7(corpus):
    root, texts, ix_dir, report = corpus
    with tomes.open(ix_dir) as ix:
        docs = oracle_docs(ix, texts)
        vocab = dict(ix.terms())
        # prefix: up to 64 expansions by doc_freq, then term order; a chunk
        # takes the best of them; a one-letter prefix is ignored.
        expansions = sorted((t for t in vocab if t.startswith("fi")), key=lambda t: (-vocab[t], t))[:64]
        best = np.zeros(len(docs))
        for term in expansions:
            best = np.maximum(best, exhaustive_bm25(docs, [term], 1.5, 0.75))
        check_top_k(ix.search("Fi*", k=20), best, 20)
        assert ix.search("f*") == []
        # fuzzy: "whalf" is 1 edit from "whale"
        want = np.zeros(len(docs))
        near = [t for t in vocab if levenshtein(t, "whalf") <= 1]
        assert "whale" in near
        for term in near:
            want = np.maximum(want, exhaustive_bm25(docs, [term], 1.5, 0.75))
        check_top_k(ix.search("whalf", k=15, fuzzy=1), want, 15)
        assert ix.search("whalf", k=5) == []


def levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def test_stopwords_and_stemmer_are_the_index_s_own(tmp_path):
    rng = random.Random(3)
    books = tmp_path / "books"
    books.mkdir()
    texts = write_books(books, rng, 12)
    tomes.index_corpus(books, tmp_path / "ix", stopwords="english", stemmer="english", chunk_size=150,
                       chunk_overlap=20)
    stop = tomes._core.builtin_stopwords("english")
    with tomes.open(tmp_path / "ix") as ix:
        docs = oracle_docs(ix, texts, stop, "english")
        for query in ["the fishing whales", "ships and captains"]:
            terms = reference.analyze(query, stop, "english")
            check_top_k(ix.search(query, k=50), exhaustive_bm25(docs, terms, 1.5, 0.75), 50)
        assert ix.stats()["stemmer"] == "english" and ix.stats()["stopwords"] == "english"
        assert dict(ix.terms("fish")) .keys() == {"fish"}


def file_bytes(index_dir: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(index_dir)): p.read_bytes() for p in sorted(index_dir.rglob("*"))
            if p.is_file() and p.name != ".tomes.lock"}


def test_output_is_byte_identical_whatever_the_thread_count(tmp_path, corpus):
    root, texts, ix_dir, report = corpus
    outputs = []
    for threads in (1, 2, 3):
        out = tmp_path / f"ix{threads}"
        tomes.index_corpus(root, out, chunk_size=200, chunk_overlap=30, batch_size=7, threads=threads)
        outputs.append(file_bytes(out))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0] == file_bytes(ix_dir)


def test_duplicates_are_decided_in_book_order_and_their_text_is_not_stored(tmp_path):
    # Copies within a batch and across batches; the first book (in path
    # byte order) with a text wins. Oracle: a dict over the sorted paths.
    rng = random.Random(11)
    books = tmp_path / "b"
    books.mkdir()
    texts = {}
    for i in range(26):
        name = f"book{i:03d}.txt"
        texts[name] = texts[f"book{rng.randrange(i):03d}.txt"] if i >= 3 and i % 4 == 3 else random_text(rng, rng.randint(50, 300))
        (books / name).write_text(texts[name], encoding="utf-8")
    first_with = {}
    expected_duplicates = []
    for name in sorted(texts):
        if texts[name] in first_with:
            expected_duplicates.append((name, first_with[texts[name]]))
        else:
            first_with[texts[name]] = name
    kept = sorted(first_with.values())
    outputs = []
    for threads in (1, 2):
        out = tmp_path / f"ix{threads}"
        report = tomes.index_corpus(books, out, chunk_size=120, chunk_overlap=20, batch_size=5, threads=threads)
        assert [(os.path.basename(a), os.path.basename(b)) for a, b in report.duplicates] == expected_duplicates
        assert report.books == len(kept)
        with tomes.open(out) as ix:
            seen = []
            for doc_id in range(len(ix)):
                book, chunk, start, end = ix.chunk_info(doc_id)
                assert ix.text(doc_id) == texts[book][start:end]
                if not seen or seen[-1] != book:
                    seen.append(book)
            assert seen == kept
        assert tomes.verify(out)["chunks"] == report.chunks
        outputs.append(file_bytes(out))
    assert outputs[0] == outputs[1]


def test_stored_text_changed_behind_the_writer_is_an_error_not_a_damaged_segment(tmp_path):
    # With store_text, a batch's text waits in its segment's temporary
    # directory for the writer. The progress callback runs after a batch is
    # parsed and before the writer takes it: another process appending to
    # the file then must make the run fail, naming the file, and commit
    # nothing.
    books = tmp_path / "b"
    books.mkdir()
    write_books(books, random.Random(3), 12)
    out = tmp_path / "ix"

    def tamper(*progress):
        for text_file in out.glob(".tmp-segment_*/text.bin"):
            with open(text_file, "ab") as f:
                f.write(b"x")
        return True

    with pytest.raises(OSError, match="text.bin"):
        tomes.index_corpus(books, out, batch_size=4, threads=1, progress=tamper)
    assert not (out / "index.json").exists()
    assert sorted(p.name for p in out.iterdir() if p.name != ".tomes.lock") == []


def test_chunk_size_zero_makes_one_chunk_per_book(tmp_path):
    books = tmp_path / "b"
    books.mkdir()
    (books / "a.txt").write_text("  first words\n\n and more  \n")
    tomes.index_corpus(books, tmp_path / "ix", chunk_size=0)
    with tomes.open(tmp_path / "ix") as ix:
        assert len(ix) == 1
        assert ix.chunk_info(0) == ("a.txt", 0, 2, 24)
        assert ix.text(0) == "first words\n\n and more"


def test_modes_and_lock(tmp_path):
    books = tmp_path / "b"
    books.mkdir()
    (books / "a.txt").write_text("whale")
    ix_dir = tmp_path / "ix"
    tomes.index_corpus(books, ix_dir)
    with pytest.raises(OSError, match="already holds an index"):
        tomes.index_corpus(books, ix_dir)
    (books / "b.txt").write_text("ship")
    with tomes.open(ix_dir) as old:
        report = tomes.index_corpus(books, ix_dir, mode="overwrite")
        assert report.books == 2
        # The old generation still answers until closed.
        assert [h.book_id for h in old.search("whale")] == ["a.txt"]
    with tomes.open(ix_dir) as ix:
        assert len(ix) == 2 and ix.stats()["generation"] == 2
    assert sorted(p.name for p in ix_dir.iterdir() if p.name.startswith("segment_")) == ["segment_000002_000000"]
    import fcntl
    with open(ix_dir / ".tomes.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(OSError, match="another writer"):
            tomes.index_corpus(books, ix_dir, mode="overwrite")


def test_bad_arguments_name_what_is_accepted(tmp_path):
    books = tmp_path / "b"
    books.mkdir()
    cases = [
        (dict(chunk_size=-1), ValueError, "chunk_size"),
        (dict(chunk_size=10, chunk_overlap=10), ValueError, "chunk_overlap"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(batch_bytes=0), ValueError, "batch_bytes"),
        (dict(threads=0), ValueError, "threads"),
        (dict(mode="append"), ValueError, "'create', 'overwrite'"),
        (dict(stemmer="klingon"), ValueError, "english"),
        (dict(stopwords="klingon"), ValueError, "english"),
        (dict(progress="yes"), TypeError, "progress"),
        (dict(store_text=1), TypeError, "store_text"),
    ]
    for kwargs, error, words in cases:
        with pytest.raises(error, match=words):
            tomes.index_corpus(books, tmp_path / "ix", **kwargs)
    with pytest.raises(OSError, match="not a directory"):
        tomes.index_corpus(tmp_path / "missing", tmp_path / "ix")
    with pytest.raises(FileNotFoundError, match="no tomes index"):
        tomes.open(tmp_path / "nothing")


def test_bad_files_are_skipped_with_a_reason(tmp_path):
    books = tmp_path / "b"
    books.mkdir()
    (books / "good.txt").write_text("a good whale book")
    (books / "empty.txt").write_text("")
    (books / "blank.md").write_text(" \n\t ")
    (books / "punct.txt").write_text("!!! ... ???")
    (books / "garbage.txt").write_bytes(bytes(range(256)) * 4)
    (books / "latin1.txt").write_bytes("caf\xe9 whale".encode("latin-1"))
    (books / "utf16.txt").write_bytes(b"\xff\xfe" + "whale in utf-16".encode("utf-16-le"))
    (books / "dir.txt").mkdir()
    os.mkfifo(books / "fifo.txt")
    (books / "dangling.txt").symlink_to(books / "nowhere.txt")
    (books / "loop.txt").symlink_to(books / "loop.txt")
    (books / "link.txt").symlink_to(books / "good.txt")
    (books / "subdir").mkdir()
    (books / "subdir" / "up").symlink_to(books, target_is_directory=True)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(books / "sock.txt"))
    report = tomes.index_corpus(books, tmp_path / "ix", progress=lambda *a: None)
    sock.close()
    skipped = {os.path.basename(p): reason for p, reason in report.skipped}
    assert set(skipped) >= {"empty.txt", "blank.md", "punct.txt", "dir.txt", "fifo.txt", "dangling.txt", "loop.txt",
                            "sock.txt"}
    for reason in skipped.values():
        assert reason
    duplicates = [(os.path.basename(a), os.path.basename(b)) for a, b in report.duplicates]
    assert duplicates in ([("link.txt", "good.txt")], [("good.txt", "link.txt")])
    with tomes.open(tmp_path / "ix") as ix:
        books_found = {ix.chunk_info(d)[0] for d in range(len(ix))}
        assert {"latin1.txt", "utf16.txt"} <= books_found
        hit = ix.search("utf")[0]
        assert ix.text(hit.doc_id) == "whale in utf-16"
        latin = [d for d in range(len(ix)) if ix.chunk_info(d)[0] == "latin1.txt"][0]
        assert ix.text(latin) == "caf\ufffd whale"


def test_core_index_options_are_records_with_the_cores_defaults(tmp_path):
    options = tomes._core.IndexOptions()
    assert (options.parse.chunk_size, options.parse.chunk_overlap, options.parse.store_text) == (1000, 100, True)
    assert (options.batch_size, options.batch_bytes, options.threads, options.overwrite) == (1000, 256 << 20, 0, False)
    assert (options.stopwords_name, options.stopwords, options.stemmer) == ("", [], "")
    # options.parse is the nested record itself, not a copy.
    options.parse.chunk_size = 0
    options.stemmer = "english"
    assert (options.parse.chunk_size, options.stemmer) == (0, "english")
    books = tmp_path / "b"
    books.mkdir()
    (books / "a.txt").write_text("The whales sailing. " * 100)
    raw = tomes._core.index_corpus(os.fsencode(books), os.fsencode(tmp_path / "ix"), options, None)
    assert (raw["books"], raw["chunks"]) == (1, 1)
    with tomes.open(tmp_path / "ix") as ix:
        assert ix.stats()["stemmer"] == "english"
        assert [hit.book_id for hit in ix.search("whale")] == ["a.txt"]


def test_progress_callback_sees_every_book_and_can_cancel(tmp_path):
    books = tmp_path / "b"
    books.mkdir()
    write_books(books, random.Random(5), 30)
    seen = []
    tomes.index_corpus(books, tmp_path / "ix", batch_size=4, progress=lambda *a: seen.append(a))
    total_bytes = sum(p.stat().st_size for p in books.rglob("*") if p.is_file())
    assert seen[-1] == (30, 30, total_bytes, total_bytes)

    class Stop(Exception):
        pass

    def stop(*args):
        raise Stop()

    with pytest.raises(Stop):
        tomes.index_corpus(books, tmp_path / "ix2", batch_size=4, progress=stop)
    assert not (tmp_path / "ix2" / "index.json").exists()
    assert not [p for p in (tmp_path / "ix2").iterdir() if p.name.startswith("segment_")]

    # Cancelled midway, with segments written and begun (store_text puts the
    # text in a segment's temporary directory as books are parsed): nothing
    # of the run is left behind.
    def stop_later(books_done, *rest):
        if books_done >= 13:
            raise Stop()
        return True

    for store_text in (True, False):
        out = tmp_path / f"ix3-{store_text}"
        with pytest.raises(Stop):
            tomes.index_corpus(books, out, batch_size=4, threads=1, store_text=store_text, progress=stop_later)
        assert sorted(p.name for p in out.iterdir() if p.name != ".tomes.lock") == []
