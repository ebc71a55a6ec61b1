"""Property tests: ``Index.search`` equals a brute-force SPEC 7 model, exactly.

Search is being rewritten with block-max pruning (issue 12); whatever it
skips, its answers must stay those of an exhaustive evaluation. The oracle is
search_model.SearchModel (plain Python and numpy, no call into the core),
built from the chunk terms of generated books: each book is words from a
Zipf-skewed vocabulary joined by separators, every word one token, so a
chunk's terms are those of the words inside its span (``chunk_info``), each
analyzed by reference.analyze (SPEC 3 in plain Python). The model's postings
are checked against ``ix.postings`` once per index, then every search is
compared with it (search_model.check_hits: scores to 1e-9 relative, ids
exactly except inside near-ties, true ties by lower doc id).

The indexes (built once per module) have many segments (``batch_size=1``:
one book each; ``batch_bytes``), big books whose common terms have hundreds
to thousands of postings in one segment (blocks of 128 are crossed many
times), chunks of very different lengths, and different stopwords and
stemmers. Queries: 1 to 8 tokens, common, rare, unknown, repeated,
stopwords, mixed case, accents, prefix terms (some with more than 64
expansions), fuzzy 0/1/2 (some with more than 64 candidates), k from 1 to
past the number of chunks, k1 in [0.1, 3], b in [0, 1]. Also: search_batch
equals search, 8 Python threads agree with one, and check_hits itself
rejects wrong answers.

About 25 s on 2 cores. Under CI=true the examples are derandomized;
TOMES_PROPS_SCALE=N runs N times more of them (a longer hunt by hand).
"""

from __future__ import annotations

import bisect
import itertools
import os
import random
import threading
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference
import tomes
from search_model import MAX_EXPANSIONS, SearchModel, check_hits, parse_query

CI = bool(os.environ.get("CI"))
#: TOMES_PROPS_SCALE=20 runs 20 times more hypothesis examples (a longer hunt, by hand).
SCALE = int(os.environ.get("TOMES_PROPS_SCALE", "1"))

SEPARATORS = [" "] * 12 + ["  ", "\n", "\n\n", ", ", ". ", "; ", "\t", " — ", "\u3000", "!\n", " (", ") ",
                           " \"", "-", "'"]
# Words whose analysis is special: case, accents, ligatures, stems, numbers, too short, too long.
SPECIAL_WORDS = ["the", "The", "THE", "and", "AND", "of", "to", "in", "is", "was", "it", "that", "a", "I",
                 "Café", "café", "CAFE", "cafe", "naïve", "NAIVE", "Straße", "STRASSE", "ﬁsh", "FISH",
                 "Ærø", "ações", "acoes", "quilométricas", "Ünïcödé", "42", "1851", "½", "12",
                 "x" * 41, "y" * 40, "z", "ΣΊΣΥΦΟΣ", "σίσυφος"]
ROOTS = ["whal", "ship", "sail", "fish", "harpoon", "captain", "ocean", "deep", "boat", "rope", "run", "gener"]
SUFFIXES = ["", "e", "es", "er", "ers", "ing", "ed", "s", "ly", "ness", "ings", "ous", "ously", "ation"]


def vocabulary(rng: random.Random) -> List[str]:
    """Surface words (each one token), in Zipf rank order: rank 0 is the most common."""
    words = list(SPECIAL_WORDS)
    words += [r + s for r in ROOTS for s in SUFFIXES]
    words += ["pre" + "".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 4))) for _ in range(160)]
    words += [a + b for a in "abcdefgh" for b in "abcdefgh"]  # fuzzy neighbourhoods of > 64 terms
    words += ["".join(rng.choice("abcdefgh") for _ in range(3)) for _ in range(120)]
    words += ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 14)))
              for _ in range(250)]
    words += ["".join(rng.choice("qwrtzx") for _ in range(rng.randint(25, 39))) for _ in range(20)]
    words = list(dict.fromkeys(words))
    rng.shuffle(words)
    return words


class Book:
    """A generated book: its text and its words' (start, end, word), in text order."""

    def __init__(self, rng: random.Random, vocab: Sequence[str], cum_weights: Sequence[float], n_words: int,
                 long_words: float, long_vocab: Sequence[str]) -> None:
        chosen = rng.choices(vocab, cum_weights=cum_weights, k=n_words)
        parts, spans, pos = [], [], 0
        for word in chosen:
            if rng.random() < long_words:  # long rare words: chunks of few terms
                word = rng.choice(long_vocab)
            sep = rng.choice(SEPARATORS)
            parts.append(word)
            spans.append((pos, pos + len(word), word))
            pos += len(word)
            parts.append(sep)
            pos += len(sep)
        self.text = "".join(parts)
        self.starts = [s for s, _, _ in spans]
        self.spans = spans


def write_corpus(root: Path, seed: int, sizes: Sequence[int]) -> Tuple[Dict[str, Book], List[str]]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    cum_weights = list(itertools.accumulate(1.0 / (r + 1) ** 1.07 for r in range(len(vocab))))
    long_vocab = [w for w in vocab if len(w) >= 12]
    books = {}
    for i, n_words in enumerate(sizes):
        book = Book(rng, vocab, cum_weights, n_words, rng.choice([0.0, 0.0, 0.05, 0.5]), long_vocab)
        rel = f"b{i // 10}/book{i:04d}.txt"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(book.text, encoding="utf-8")
        books[rel] = book
    return books, vocab


def chunk_terms(ix: tomes.Index, books: Dict[str, Book], stopwords: Sequence[str],
                stemmer: Optional[str]) -> List[List[str]]:
    """Each chunk's terms: the words inside its span, analyzed one by one (every word is one token)."""
    cache: Dict[str, List[str]] = {}
    docs = []
    for doc_id in range(len(ix)):
        book_id, _, start, end = ix.chunk_info(doc_id)
        book = books[book_id]
        lo = bisect.bisect_left(book.starts, start)
        hi = bisect.bisect_left(book.starts, end)
        # no word crosses the span's ends (chunks end on whitespace; no word is cut)
        assert lo == 0 or book.spans[lo - 1][1] <= start
        assert hi == 0 or book.spans[hi - 1][1] <= end
        terms = []
        for _, _, word in book.spans[lo:hi]:
            if word not in cache:
                cache[word] = reference.analyze(word, stopwords, stemmer)
            terms += cache[word]
        docs.append(terms)
    return docs


class Fixture:
    def __init__(self, name: str, ix: tomes.Index, model: SearchModel, vocab: List[str], books: Dict[str, Book]):
        self.name, self.ix, self.model, self.vocab, self.books = name, ix, model, vocab, books

    def __repr__(self) -> str:
        return f"<index {self.name}>"


def sizes_mixed(rng: random.Random, big: int, big_words: int, small: int) -> List[int]:
    sizes = [rng.randint(big_words // 2, big_words) for _ in range(big)]
    sizes += [rng.choice([0, 1, 2, 3, 8, 30, 120, 500, 1500]) + rng.randint(0, 3) for _ in range(small)]
    rng.shuffle(sizes)
    return sizes


# name -> (seed, sizes, index_corpus options)
CONFIGS = {
    # one segment per book: ~60 segments, the big ones with thousands of postings per term
    "plain": (11, sizes_mixed(random.Random(1), 4, 24000, 60),
              dict(chunk_size=300, chunk_overlap=60, batch_size=1)),
    # Snowball's English stopwords and stemmer, segments capped by bytes
    "english": (22, sizes_mixed(random.Random(2), 3, 40000, 50),
                dict(chunk_size=1000, chunk_overlap=100, batch_bytes=15_000, stopwords="english",
                     stemmer="english")),
    # whole books as chunks (lengths 1 to thousands of terms), custom stopwords, Portuguese stemmer
    "books": (33, [random.Random(3 + i).choice([1, 3, 10, 40, 150, 600, 3000]) for i in range(1400)],
              dict(chunk_size=0, batch_size=300, stopwords=["the", "AND", "whale", "Café"], stemmer="portuguese")),
}


def stop_entries(stopwords) -> Tuple[str, ...]:
    if stopwords is None:
        return ()
    if isinstance(stopwords, str):
        return tuple(tomes._core.builtin_stopwords(stopwords))
    return tuple(stopwords)


@pytest.fixture(scope="module")
def indexes(tmp_path_factory) -> Dict[str, Fixture]:
    out = {}
    for name, (seed, sizes, options) in CONFIGS.items():
        root = tmp_path_factory.mktemp(f"books-{name}")
        books, vocab = write_corpus(root, seed, sizes)
        ix_dir = tmp_path_factory.mktemp(f"ix-{name}") / "index"
        tomes.index_corpus(root, ix_dir, threads=2, **options)
        ix = tomes.open(ix_dir)
        stop = stop_entries(options.get("stopwords"))
        stemmer = options.get("stemmer")
        model = SearchModel(chunk_terms(ix, books, stop, stemmer), stop, stemmer)
        out[name] = Fixture(name, ix, model, vocab, books)
    yield out
    for fixture in out.values():
        fixture.ix.close()


@pytest.fixture(scope="module", params=list(CONFIGS))
def index(request, indexes) -> Fixture:
    return indexes[request.param]


def test_the_model_sees_the_index_s_postings_and_the_corpora_have_the_intended_shape(index):
    """The model's data is the index's (postings, N, avgdl), and the corpora have what the
    properties need: many segments, terms of many blocks, very different chunk lengths."""
    ix, model = index.ix, index.model
    stats = ix.stats()
    assert len(ix) == model.n
    assert stats["total_length"] == model.total_length
    assert stats["avgdl"] == pytest.approx(model.avgdl, rel=1e-15)
    listed = dict(ix.terms())
    assert listed == model.df
    for term, (docs, tfs) in model.postings.items():
        got_docs, got_tfs = ix.postings(term)
        assert np.array_equal(got_docs, docs) and np.array_equal(got_tfs, tfs), term
    dfs = sorted(model.df.values())
    assert dfs[-1] >= 700 and sum(df > 128 for df in dfs) >= 10, dfs[-20:]
    assert model.dl.min() <= 3 and model.dl.max() >= 10 * model.dl.min()
    assert stats["segments"] >= (4 if index.name == "books" else 15), stats["segments"]
    if CONFIGS[index.name][2].get("batch_size") == 1:  # a segment per book: blocks crossed within one
        top = max(model.df, key=model.df.get)
        per_book = Counter(ix.chunk_info(d)[0] for d in model.postings[top][0].tolist())
        assert max(per_book.values()) > 3 * 128, per_book.most_common(3)
    # more than 64 candidates for a prefix and for a fuzzy term: the cap is exercised
    assert len(model.prefix_candidates("pre")) > MAX_EXPANSIONS
    assert len(model.fuzzy_candidates("ab", 2)) > MAX_EXPANSIONS


def test_parse_query_model():
    """The model's query parser: runs of token characters followed by '*' are prefixes."""
    assert parse_query("Whal* ship") == ("  ship", ["whal"])
    plain, prefixes = parse_query("a* Ünï* ünï* wh*ale ** x* Straße*")
    assert prefixes == ["uni", "wh", "strasse"]
    assert reference.analyze(plain) == ["ale"]


# -- queries -----------------------------------------------------------------

def mutate(rng_choice, word: str, letters="abcdefghxyz") -> str:
    """One random edit of word (a near miss, for fuzzy)."""
    i = rng_choice(range(len(word) + 1))
    c = rng_choice(letters)
    op = rng_choice("ids")
    if op == "i":
        return word[:i] + c + word[i:]
    if op == "d" and len(word) > 1:
        return word[:max(0, i - 1)] + word[i:]
    return word[:max(0, i - 1)] + c + word[i:]


def recase(rng_choice, word: str) -> str:
    return rng_choice([str, str, str.upper, str.title, str.swapcase])(word)


def make_query(choice, randint, fixture: Fixture) -> str:
    """1 to 8 tokens; ``choice(seq)`` and ``randint(a, b)`` come from hypothesis or a seeded Random."""
    vocab = fixture.vocab
    tokens: List[str] = []
    for _ in range(randint(1, 8)):
        kind = choice(["common", "common", "rare", "rare", "unknown", "near", "stop", "prefix", "prefix",
                       "repeat", "special", "odd"])
        if kind == "common":
            word = vocab[randint(0, 15)]
        elif kind == "rare":
            word = vocab[randint(0, len(vocab) - 1)]
        elif kind == "unknown":
            word = "".join(choice("jklmnopquvw") for _ in range(randint(2, 7)))
        elif kind == "near":
            word = mutate(choice, vocab[randint(0, 60)])
        elif kind == "stop":
            word = choice(["the", "and", "of", "a", "THE", "And", "ao", "do", "whale", "cafe"])
        elif kind == "prefix":
            source = choice([vocab[randint(0, 30)], vocab[randint(0, len(vocab) - 1)], "pre", "whal", "ab",
                             "Café", "run", "zq"])
            word = source[:randint(1, max(1, len(source)))] + "*"
        elif kind == "repeat" and tokens:
            word = choice(tokens)
        elif kind == "special":
            word = choice(SPECIAL_WORDS)
        else:
            word = choice(["*", "**", "whal**", "wh*ale", "Ab*", "a*", "x*y", "ÜN*", "-", "'s"])
        tokens.append(recase(choice, word) if kind != "repeat" else word)
    seps = [choice([" ", " ", ", ", "  ", "\t", "-", "'", " / "]) for _ in tokens]
    return "".join(t + s for t, s in zip(tokens, seps)).strip()


@st.composite
def queries(draw, fixture: Fixture) -> str:
    return make_query(lambda seq: draw(st.sampled_from(list(seq))),
                      lambda a, b: draw(st.integers(a, b)), fixture)


def ks(n: int):
    return st.one_of(st.integers(1, 12), st.integers(1, 1000), st.sampled_from([n - 1, n, n + 1, 10 * n, 2**40]))


FUZZY = st.sampled_from([0, 0, 0, 1, 2])
# Every query algorithm must give the model's answer (they are also checked
# against each other bit for bit in tests/cpp/test_search.cc).
ALGORITHMS = st.sampled_from(["default", "maxscore", "bmw", "exhaustive"])


# -- properties ----------------------------------------------------------------

@settings(max_examples=(60 if CI else 80) * SCALE, deadline=None, derandomize=CI)
@given(data=st.data())
def test_search_equals_the_brute_force_model(index, data):
    query = data.draw(queries(index), label="query")
    k = data.draw(ks(index.model.n), label="k")
    k1 = data.draw(st.floats(0.1, 3.0), label="k1")
    b = data.draw(st.floats(0.0, 1.0), label="b")
    fuzzy = data.draw(FUZZY, label="fuzzy")
    algorithm = data.draw(ALGORITHMS, label="algorithm")
    hits = index.ix.search(query, k=k, k1=k1, b=b, fuzzy=fuzzy, algorithm=algorithm)
    check_hits(hits, index.model, query, k, k1, b, fuzzy)


@settings(max_examples=(40 if CI else 50) * SCALE, deadline=None, derandomize=CI)
@given(data=st.data())
def test_defaults_and_exact_ties(index, data):
    """Default k1/b, and b in {0, 1} (b=0 ignores lengths: many exact ties, broken by lower doc id)."""
    query = data.draw(queries(index), label="query")
    k = data.draw(st.sampled_from([1, 2, 3, 5, 10, 37, 128, 129, 500]), label="k")
    b = data.draw(st.sampled_from([0.0, 0.75, 1.0]), label="b")
    algorithm = data.draw(ALGORITHMS, label="algorithm")
    hits = index.ix.search(query, k=k, b=b, algorithm=algorithm)
    check_hits(hits, index.model, query, k, 1.5, b, 0)


def test_seeded_queries(index):
    """A seeded sweep (the same every run): single common terms at every k, then random queries."""
    rng = random.Random(12)
    ix, model = index.ix, index.model
    common = sorted(model.df, key=lambda t: (-model.df[t], t))[:6]
    for term in common:
        for k in (1, 127, 128, 129, 256, model.n):
            check_hits(ix.search(term, k=k), model, term, k)
    for _ in range(60):
        query = make_query(rng.choice, rng.randint, index)
        k = rng.choice([1, 10, 100, 1000, model.n + 3])
        k1, b = rng.uniform(0.1, 3.0), rng.choice([0.0, 1.0, rng.random()])
        fuzzy = rng.choice([0, 0, 1, 2])
        for algorithm in ("maxscore", "bmw", "exhaustive"):
            hits = ix.search(query, k=k, k1=k1, b=b, fuzzy=fuzzy, algorithm=algorithm)
            check_hits(hits, model, query, k, k1, b, fuzzy)


def test_prefix_and_fuzzy_caps(index):
    """More than 64 candidates: the 64 kept are by doc freq then term order (prefix), by
    distance, doc freq, term order (fuzzy)."""
    ix, model = index.ix, index.model
    for query in ["pre*", "PRE*", "pré*", "ab*", "whal* pre*", "run* ship", "zz*", "x*"]:
        for k in (1, 10, 1000):
            check_hits(ix.search(query, k=k), model, query, k)
    for query in ["ab", "abc", "cafe", "whale", "ab cd", "zzzz"]:
        for fuzzy in (1, 2):
            check_hits(ix.search(query, k=50, fuzzy=fuzzy), model, query, 50, fuzzy=fuzzy)


def test_search_batch_equals_search(index):
    rng = random.Random(5)
    queries_ = [make_query(rng.choice, rng.randint, index) for _ in range(40)] + ["", "zzzqqq"]
    for k, fuzzy in [(1, 0), (10, 0), (10, 1), (300, 0)]:
        ids, scores = index.ix.search_batch(queries_, k=k, fuzzy=fuzzy)
        for row, query in enumerate(queries_):
            hits = index.ix.search(query, k=k, fuzzy=fuzzy)
            assert ids[row, :len(hits)].tolist() == [h.doc_id for h in hits], query
            assert scores[row, :len(hits)].tolist() == [float(np.float32(h.score)) for h in hits], query
            assert (ids[row, len(hits):] == -1).all() and np.isnan(scores[row, len(hits):]).all(), query


def test_eight_threads_agree_with_one(indexes):
    """One Index searched from 8 Python threads at once gives one thread's answers."""
    rng = random.Random(8)
    work = []
    for fixture in indexes.values():
        for _ in range(25):
            work.append((fixture, make_query(rng.choice, rng.randint, fixture), rng.choice([1, 10, 1000]),
                         rng.uniform(0.1, 3.0), rng.random(), rng.choice([0, 0, 1, 2])))
    expected = [f.ix.search(q, k=k, k1=k1, b=b, fuzzy=fz) for f, q, k, k1, b, fz in work]
    barrier = threading.Barrier(8)
    results: List[Optional[list]] = [None] * 8
    errors = []

    def worker(slot: int) -> None:
        try:
            order = list(range(len(work)))
            random.Random(slot).shuffle(order)  # threads search different things at the same moment
            barrier.wait()
            got = [None] * len(work)
            for _ in range(2):
                for i in order:
                    f, q, k, k1, b, fz = work[i]
                    got[i] = f.ix.search(q, k=k, k1=k1, b=b, fuzzy=fz)
            results[slot] = got
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for got in results:
        assert got == expected


def test_the_checker_rejects_wrong_answers(indexes):
    """check_hits is exact where it must be: wrong tie order, a higher id at the boundary of a
    true tie, a missing or extra hit, a score off by 1e-7, a lower-scoring doc all fail."""
    ix, model = indexes["plain"].ix, indexes["plain"].model
    term = sorted(model.df, key=lambda t: (-model.df[t], t))[3]
    scores = model.scores(term, b=0.0)  # b=0: the score depends on tf alone, so ties abound
    order = sorted(np.flatnonzero(scores).tolist(), key=lambda d: (-scores[d], d))
    tied = [d for d in order if scores[d] == scores[order[len(order) // 2]]]
    k = order.index(tied[0]) + len(tied) // 2  # the k-th boundary cuts a class of true ties
    hits = ix.search(term, k=k, b=0.0)
    check_hits(hits, model, term, k, b=0.0)
    i = next(i for i in range(k - 1) if hits[i].score == hits[i + 1].score)
    outside = next(d for d in tied if d not in {h.doc_id for h in hits})
    worse = order[k + len(tied)] if k + len(tied) < len(order) else order[-1]
    wrong = {
        "tie order": hits[:i] + [hits[i + 1], hits[i]] + hits[i + 2:],
        "higher tied id at the boundary": hits[:-1] + [hits[-1]._replace(doc_id=outside)],
        "missing hit": hits[:-1],
        "extra hit": hits + [hits[-1]._replace(doc_id=outside)],
        "score off by 1e-7": hits[:1] + [hits[1]._replace(score=hits[1].score * (1 + 1e-7))] + hits[2:],
        "lower-scoring doc": hits[:-1] + [hits[-1]._replace(doc_id=worse, score=scores[worse])],
    }
    for what, answer in wrong.items():
        with pytest.raises(AssertionError):
            check_hits(answer, model, term, k, b=0.0)
            pytest.fail(f"check_hits accepted an answer with a {what}")
