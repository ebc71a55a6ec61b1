"""tomes: passage-level BM25 search over large collections of books.

The work happens in a C++ core (``tomes._core``); this package is its Python
face: plain functions, good defaults, and exceptions that name what was wrong.

Exceptions
----------
Besides ``TypeError``, ``ValueError``, ``FileNotFoundError`` and ``OSError``:

CorruptIndexError
    A ``ValueError``: an index file is damaged; the message names it.
IndexLockedError
    An ``OSError``: another writer holds the index (``timeout=`` seconds
    passed without it letting go).
Cancelled
    An ``Exception``: the core stopped ``index_corpus`` without a Python
    exception behind it; the index is unchanged. A Ctrl-C
    (``KeyboardInterrupt``) or an exception raised by a ``progress``
    callback also stops the run and is raised as itself, not as
    ``Cancelled``. It is not a ``KeyboardInterrupt`` because nobody
    interrupted the interpreter: it is an outcome the caller asked for, which
    ``except Exception`` should catch.

Example
-------
>>> import tomes
>>> tomes.analyze("The Whales' ships, sailing", stopwords="english", stemmer="english")
['whale', 'ship', 'sail']
"""

from __future__ import annotations

from tomes._analysis import STEMMERS, STOPWORD_LISTS, analyze
from tomes._core import Cancelled, CorruptIndexError, IndexLockedError
from tomes._fst import Fst
from tomes._index import Hit, Index, IndexReport, index_corpus, open, verify
from tomes._optimize import OptimizeReport, optimize
from tomes._writer import CommitReport, Writer, sync, writer
from tomes._version import __version__

__all__ = [
    "STEMMERS",
    "STOPWORD_LISTS",
    "Cancelled",
    "CommitReport",
    "CorruptIndexError",
    "Fst",
    "Hit",
    "Index",
    "IndexLockedError",
    "IndexReport",
    "OptimizeReport",
    "Writer",
    "__version__",
    "analyze",
    "index_corpus",
    "open",
    "optimize",
    "sync",
    "verify",
    "writer",
]
