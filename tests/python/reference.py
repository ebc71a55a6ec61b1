"""SPEC 3 written plainly in Python: the oracle the C++ analyzer must equal.

Independent of the core and of scripts/gen_unicode_tables.py: tokens by
unicodedata categories, str.casefold, PyStemmer, NFKD by unicodedata.
"""

from __future__ import annotations

import itertools
import unicodedata
from typing import Iterable, List, Optional

import Stemmer

SPELLED_OUT = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
                             "ð": "d", "þ": "th", "ħ": "h", "ı": "i"})

_stemmers = {name: Stemmer.Stemmer(name) for name in ("english", "portuguese")}


def is_token_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def tokens(text: str) -> List[str]:
    return ["".join(run) for keep, run in itertools.groupby(text, key=is_token_char) if keep]


def fold(term: str) -> str:
    kept = "".join(c for c in unicodedata.normalize("NFKD", term)
                   if unicodedata.category(c)[0] in "LN")
    return kept.translate(SPELLED_OUT)


def stem(stemmer: Optional[str], word: str) -> str:
    return _stemmers[stemmer].stemWord(word) if stemmer else word


def analyze(text: str, stopwords: Iterable[str] = (), stemmer: Optional[str] = None) -> List[str]:
    stop = {w.casefold() for w in stopwords}
    return [f for t in tokens(text) if (c := t.casefold()) not in stop
            for f in [fold(stem(stemmer, c))] if 2 <= len(f) <= 40]
