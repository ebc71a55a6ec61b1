"""tomes: passage-level BM25 search over large collections of books.

The work happens in a C++ core (``tomes._core``); this package is its Python
face: plain functions, good defaults, and exceptions that name what was wrong.

Example
-------
>>> import tomes
>>> tomes.analyze("The Whales' ships, sailing", stopwords="english", stemmer="english")
['whale', 'ship', 'sail']
"""

from __future__ import annotations

from tomes._analysis import STEMMERS, STOPWORD_LISTS, analyze
from tomes._core import CorruptIndexError
from tomes._fst import Fst
from tomes._index import Hit, Index, IndexReport, index_corpus, open, verify
from tomes._version import __version__

__all__ = [
    "STEMMERS",
    "STOPWORD_LISTS",
    "CorruptIndexError",
    "Fst",
    "Hit",
    "Index",
    "IndexReport",
    "__version__",
    "analyze",
    "index_corpus",
    "open",
    "verify",
]
