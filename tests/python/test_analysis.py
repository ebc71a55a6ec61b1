"""tomes.analyze equals the SPEC 3 reference (reference.py) on every code point,
on real text, and on hypothesis-generated Unicode strings."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference
import tomes
from tomes import _core

ALL_CODE_POINTS = "".join(chr(cp) for cp in range(sys.maxunicode + 1)
                          if not 0xD800 <= cp <= 0xDFFF)

OPTIONS = [
    (None, None),
    ("english", None),
    (None, "english"),
    ("english", "english"),
    ("portuguese", "portuguese"),
    (["The", "STRASSE", "whale"], "english"),
]


def expected(text, stopwords, stemmer):
    entries = _core.builtin_stopwords(stopwords) if isinstance(stopwords, str) else (stopwords or [])
    return reference.analyze(text, entries, stemmer)


def test_unicode_version_is_pythons():
    assert unicodedata.unidata_version == _core.build_info()["unicode"] == "14.0.0"


def test_casefold_every_code_point():
    assert _core.casefold(ALL_CODE_POINTS) == ALL_CODE_POINTS.casefold()


def test_fold_every_code_point_alone_and_together():
    for start in range(0, len(ALL_CODE_POINTS), 4096):
        block = ALL_CODE_POINTS[start:start + 4096]
        assert _core.fold(block) == reference.fold(block)
        assert [_core.fold(c) for c in block] == [reference.fold(c) for c in block]


def test_token_characters_every_code_point():
    # "ab" + c + "ab" is one token if c is a letter, mark or number, else two.
    text = " ".join(f"ab{c}ab" for c in ALL_CODE_POINTS)
    assert tomes.analyze(text) == reference.analyze(text)


def test_lone_surrogates_separate_tokens():
    text = "ab\ud800cd\udfffef"
    assert tomes.analyze(text) == reference.analyze(text) == ["ab", "cd", "ef"]


@pytest.mark.parametrize("stopwords,stemmer", OPTIONS)
def test_hand_checked(stopwords, stemmer):
    text = "The Whale's ships sailed; Straße, ﬁsh, ½, İstanbul, naïve café — ΣΊΣΥΦΟΣ 1990s"
    assert tomes.analyze(text, stopwords, stemmer) == expected(text, stopwords, stemmer)


def test_known_terms():
    assert tomes.analyze("Ünïcödé ½ MASSE Straße") == ["unicode", "12", "masse", "strasse"]
    assert tomes.analyze("The running dogs", stopwords="english", stemmer="english") == [
        "run", "dog"]
    assert tomes.analyze("As ações da empresa", stopwords="portuguese",
                         stemmer="portuguese") == ["aco", "empres"]


def _sample_books(corpus_real, limit_bytes):
    """Books spread over the sorted corpus, up to limit_bytes of text."""
    paths = sorted(corpus_real.glob("*.txt"))
    step = max(1, len(paths) // 200)
    taken, total = [], 0
    for path in paths[::step]:
        text = path.read_bytes().decode("utf-8", errors="replace")
        taken.append((path.name, text))
        total += len(text)
        if total >= limit_bytes:
            break
    return taken


@pytest.mark.parametrize("stopwords,stemmer", OPTIONS)
def test_real_books(corpus_real, stopwords, stemmer):
    for name, text in _sample_books(corpus_real, 3_000_000):
        got = tomes.analyze(text, stopwords, stemmer)
        want = expected(text, stopwords, stemmer)
        assert got == want, name


# Text mixing everything SPEC 3 treats specially with arbitrary Unicode.
SPECIAL = list("aAzZ09 _-'’.\n\tßẞσςΣİıæœøłđðþħÆŒØŁĐÐÞĦﬁﬂ½²ǅéèçãõ한中") + [
    "\u0301", "\u0323", "\u0345", "\u00a0", "\ufffd", "\U0001f600", "\ud800"]
words = st.sampled_from(["the", "and", "running", "generously", "ações", "quilométricas",
                         "Straße", "café", "naïve", "x" * 41, "y" * 40])
texts = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(SPECIAL), words),
                 max_size=40).map("".join)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, option=st.sampled_from(OPTIONS))
def test_hypothesis_against_reference(text, option):
    stopwords, stemmer = option
    assert tomes.analyze(text, stopwords, stemmer) == expected(text, stopwords, stemmer)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec=None), max_size=200))
def test_hypothesis_any_unicode(text):
    assert tomes.analyze(text) == reference.analyze(text)
