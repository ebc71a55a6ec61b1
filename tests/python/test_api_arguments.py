"""What the Index methods accept and how they refuse the rest (issue 11).

Ids tomes returns come back in; a str no encoding can hold is searched as
``analyze`` reads it; every argument error names the argument, what is
accepted and what it got; search_batch's arrays are no wider than the index;
terms and postings, which take index terms, say so when given a word.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import tomes

BOOKS = {
    "moby.txt": "Call me Ishmael. The whale, the white whale, hunted by the whaler's thread.",
    "ship.txt": "A ship, a sail, and the thread of a story about ships.",
    "odd.txt": "Modifier letters \u1d2c\u1d2e fold to capitals; caf\u00e9 and \u00c6r\u00f8 lose their marks.",
}


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    root = tmp_path_factory.mktemp("args")
    books = root / "books"
    books.mkdir()
    for name, text in BOOKS.items():
        (books / name).write_text(text, encoding="utf-8")
    tomes.index_corpus(books, root / "ix", chunk_size=0)
    with tomes.open(root / "ix") as index:
        yield index


# Item 3: ids and counts of any integer type.


def test_ids_from_search_batch_and_postings_come_back_in(ix):
    ids, _ = ix.search_batch(["whale"], k=2)
    assert ids.dtype == np.int64
    assert ix.text(ids[0, 0]) == BOOKS["moby.txt"]
    assert ix.chunk_info(ids[0, 0]) == ("moby.txt", 0, 0, len(BOOKS["moby.txt"]))
    docs, _ = ix.postings("ship")
    assert docs.dtype == np.uint32
    assert ix.text(docs[0]) == BOOKS["ship.txt"]
    assert ix.chunk_info(docs[0])[0] == "ship.txt"


@pytest.mark.parametrize("k", [np.int64(1), np.uint32(1), np.int8(1)])
def test_k_of_any_integer_type(ix, k):
    assert [hit.book_id for hit in ix.search("whale", k=k)] == ["moby.txt"]
    assert ix.search_batch(["whale"], k=k)[0].shape == (1, 1)
    assert [hit.book_id for hit in ix.search("whalx", fuzzy=np.int64(1))] == ["moby.txt"]


@pytest.mark.parametrize("value", [True, np.bool_(False), 1.0, "0", None])
def test_an_id_must_be_an_integer_and_not_a_bool(ix, value):
    for method in (ix.text, ix.chunk_info):
        with pytest.raises(TypeError, match=rf"^doc_id must be an integer.*, got {type(value).__name__} "):
            method(value)


# Item 4: strs without a UTF-8 form.


def test_a_lone_surrogate_separates_words_as_analyze_reads_it(ix):
    assert tomes.analyze("thread \udcff") == ["thread"]
    assert tomes.analyze("wh\udcffale") == ["wh", "ale"]
    assert ix.search("thread \udcff") == ix.search("thread")
    assert ix.search("whale\udcffship") == ix.search("whale ship")
    ids, scores = ix.search_batch(["thread \udcff", "thread"], k=3)
    assert (ids[0] == ids[1]).all() and np.array_equal(scores[0], scores[1], equal_nan=True)


def test_a_lone_surrogate_in_a_term_is_a_value_error(ix):
    with pytest.raises(ValueError, match="not an index term"):
        ix.postings("wh\udcffale")
    with pytest.raises(ValueError, match=re.escape("no term holds '\\udcff'")):
        ix.terms(prefix="wh\udcff")
    fst = tomes.Fst.build([(b"whale", 1)])
    with pytest.raises(ValueError, match=r"^prefix 'w\\udcff' has no UTF-8 form"):
        fst.prefix("w\udcff")
    with pytest.raises(ValueError, match=r"^term 'w\\udcff' has no UTF-8 form"):
        fst.fuzzy("w\udcff", 1)
    with pytest.raises(TypeError, match="^prefix must be bytes or str, got int 5"):
        fst.prefix(5)  # was bytes(5): five NULs


def test_cli_search_with_a_byte_that_is_not_utf8(ix, tmp_path):
    """A shell argument holding byte 0xFF reaches Python as '\\udcff'."""
    index_dir = os.fsencode(ix._path)
    env = dict(os.environ, PYTHONUTF8="1")
    done = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"tomes", b"search", index_dir, b"thread \xff"],
        capture_output=True, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"incompatible function arguments" not in done.stderr
    assert b"moby.txt" in done.stdout and b"ship.txt" in done.stdout


# Item 5: every argument error names the argument, the accepted, the given.


@pytest.mark.parametrize(
    "name, value, error, message",
    [
        ("k", "x", TypeError, "k must be an integer (int or numpy integer), got str 'x'"),
        ("k", 2.0, TypeError, "k must be an integer (int or numpy integer), got float 2.0"),
        ("k", -1, ValueError, "k must be between 0 and"),
        ("k1", "x", TypeError, "k1 must be a real number (finite and >= 0), got str 'x'"),
        ("k1", -0.5, ValueError, "k1 must be finite and >= 0, got -0.5"),
        ("k1", float("inf"), ValueError, "k1 must be finite and >= 0, got inf"),
        ("b", "x", TypeError, "b must be a real number (within [0, 1]), got str 'x'"),
        ("b", None, TypeError, "b must be a real number (within [0, 1]), got NoneType None"),
        ("b", 1.5, ValueError, "b must be within [0, 1], got 1.5"),
        ("b", float("nan"), ValueError, "b must be within [0, 1], got nan"),
        ("fuzzy", "1", TypeError, "fuzzy must be an integer (int or numpy integer), got str '1'"),
        ("fuzzy", True, TypeError, "fuzzy must be an integer, got bool True"),
        ("fuzzy", 3, ValueError, "fuzzy must be between 0 and 2, got 3"),
    ],
)
def test_search_argument_errors(ix, name, value, error, message):
    for search in (ix.search, lambda q, **kw: ix.search_batch([q], **kw)):
        with pytest.raises(error, match="^" + re.escape(message)):
            search("whale", **{name: value})


def test_numbers_of_any_real_type(ix):
    plain = ix.search("whale", k1=1, b=0)
    assert ix.search("whale", k1=np.float32(1.0), b=np.int64(0)) == plain


def test_query_and_term_types(ix):
    with pytest.raises(TypeError, match=r"^query must be a str, got bytes b'whale'"):
        ix.search(b"whale")
    with pytest.raises(TypeError, match=r"^queries must be an iterable of str \(a list, not one query\), got str"):
        ix.search_batch("whale")
    with pytest.raises(TypeError, match=r"^queries\[1\] must be a str, got NoneType None"):
        ix.search_batch(["whale", None])
    with pytest.raises(TypeError, match=r"^queries must be an iterable of str, got int 3"):
        ix.search_batch(3)
    with pytest.raises(TypeError, match=r"^term must be a str, got bytes"):
        ix.postings(b"whale")
    with pytest.raises(TypeError, match=r"^prefix must be a str, got int 1"):
        ix.terms(1)  # refused at the call, not at the first next()


# Item 6: search_batch's arrays are no wider than the index.


@pytest.mark.parametrize("k", [10**9, 2**31, 2**63 - 1])
def test_search_batch_width_is_capped_by_the_index(ix, k):
    ids, scores = ix.search_batch(["whale", "thread", "kraken"], k=k)
    assert len(ix) == 3
    assert ids.shape == scores.shape == (3, 3)
    assert ids[2].tolist() == [-1, -1, -1] and np.isnan(scores[2]).all()
    assert ids[1, :2].tolist() == [h.doc_id for h in ix.search("thread", k=k)]


def test_search_batch_width_is_k_up_to_the_index(ix):
    for k in (0, 1, 2, 3):
        ids, scores = ix.search_batch(["whale"], k=k)
        assert ids.shape == scores.shape == (1, k)
    assert ix.search_batch([], k=10**9)[0].shape == (0, 3)


# Item 8: terms and postings take index terms; a word gets a ValueError.


def test_postings_of_a_word_names_its_terms(ix):
    with pytest.raises(ValueError, match=re.escape("tomes.analyze('Whale', stemmer=None) gives ['whale']")):
        ix.postings("Whale")
    with pytest.raises(ValueError, match=re.escape("gives ['white', 'whale']")):
        ix.postings("white-whale")
    with pytest.raises(ValueError, match=re.escape("gives []")):
        ix.postings("a")
    assert ix.postings("whale")[1].tolist() == [2]
    docs, freqs = ix.postings("kraken")  # an analyzed term, just absent
    assert docs.dtype == freqs.dtype == np.uint32 and len(docs) == len(freqs) == 0


def test_terms_of_a_non_term_prefix_names_the_prefix_to_use(ix):
    with pytest.raises(ValueError, match=re.escape("prefix 'WHA' matches no term") + ".*use prefix='wha'"):
        ix.terms(prefix="WHA")
    with pytest.raises(ValueError, match=re.escape("use prefix='ca'")):
        ix.terms(prefix="CÀ")
    with pytest.raises(ValueError, match=re.escape("no term holds '*'")):
        ix.terms(prefix="wha*")
    assert [t for t, _ in ix.terms(prefix="wha")] == ["whale", "whaler"]
    assert list(ix.terms(prefix="kra")) == []  # an analyzed prefix, just absent
    assert [t for t, _ in ix.terms(prefix="cafe")] == ["cafe"]


def test_every_index_term_is_accepted(ix):
    """Terms the analyzer makes but would not make of themselves ('AB' from
    modifier letters) are index terms all the same."""
    terms = [term for term, _ in ix.terms()]
    assert "AB" in terms and tomes.analyze("AB") == ["ab"]
    for term in terms:
        assert len(ix.postings(term)[0]) >= 1, term
        assert term in [t for t, _ in ix.terms(prefix=term)]
