"""Both stemmers equal PyStemmer 3.1.0 on 100% of large vocabularies."""

from __future__ import annotations

import re

import pytest
import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from tomes import _core


def assert_same_stems(name, words):
    words = sorted(set(words))
    ours = _core.stem_words(name, words)
    theirs = Stemmer.Stemmer(name).stemWords(words)
    mismatches = [(w, o, t) for w, o, t in zip(words, ours, theirs) if o != t]
    assert not mismatches[:20], f"{len(mismatches)} of {len(words)} words differ"
    return len(words)


def test_pystemmer_version():
    assert Stemmer.version() == "3.1.0"  # the version our stemmers are checked against


def test_english_every_vocabulary_term(corpus_vocab):
    terms = [line.split("\t", 1)[0] for line in corpus_vocab.read_text("utf-8").splitlines()]
    assert assert_same_stems("english", terms) > 300_000


def test_english_every_token_of_the_corpus(corpus_real):
    # Every distinct case-folded letter/digit run of the Debian docs corpus.
    words = set()
    for path in sorted(corpus_real.glob("*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace").casefold()
        words.update(re.findall(r"[^\W_]+", text))
    assert assert_same_stems("english", words) > 300_000


def test_portuguese_word_lists(portuguese_words_file):
    # Debian's wbrazilian and wportuguese lists (about 479,000 words with their case folds).
    words = portuguese_words_file.read_text("utf-8").split()
    words += [w.casefold() for w in words]
    assert assert_same_stems("portuguese", words) > 400_000


def wordfreq_words(language):
    """Every word of wordfreq's large list for the language (a test extra: no apt needed)."""
    import wordfreq
    return list(wordfreq.get_frequency_dict(language, wordlist="large"))


def test_portuguese_wordfreq():
    # About 268,000 words: the Portuguese check that runs on every machine.
    assert assert_same_stems("portuguese", wordfreq_words("pt")) > 250_000


def test_english_wordfreq():
    # About 321,000 words: the English check that runs on every machine.
    assert assert_same_stems("english", wordfreq_words("en")) > 300_000


def test_portuguese_on_the_english_vocabulary(corpus_vocab):
    terms = [line.split("\t", 1)[0] for line in corpus_vocab.read_text("utf-8").splitlines()]
    assert_same_stems("portuguese", terms)


ALPHABET = list("abcdefghilmnorstuvyz") + list("áéíóúâêôãõçàü") + [
    "ing", "ed", "ly", "ness", "ational", "ation", "ement", "ções", "amente", "mente",
    "íamos", "eis", "ência", "\u0301", "1", "中", "ß"]


@pytest.mark.parametrize("name", ["english", "portuguese"])
@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=8).map("".join),
                      min_size=1, max_size=200))
def test_random_words(name, words):
    assert_same_stems(name, words)


def test_unknown_stemmer_lists_the_accepted():
    with pytest.raises(ValueError, match="'english', 'portuguese'"):
        _core.stem_words("klingon", ["word"])
