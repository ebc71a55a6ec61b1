"""Text analysis (SPEC 3): the same function indexes chunks and queries."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, List, Optional, Tuple, Union

from tomes import _core

#: Names accepted by ``stemmer=``.
STEMMERS: Tuple[str, ...] = ("english", "portuguese")
#: Names of the built-in stopword lists (Snowball's) accepted by ``stopwords=``.
STOPWORD_LISTS: Tuple[str, ...] = ("english", "portuguese")

Stopwords = Union[None, str, Iterable[str]]


def _stopword_entries(stopwords: Stopwords) -> Tuple[str, ...]:
    """Validates ``stopwords=`` and returns the entries it names."""
    if stopwords is None:
        return ()
    if isinstance(stopwords, str):
        if stopwords not in STOPWORD_LISTS:
            raise ValueError(
                f"unknown stopword list {stopwords!r}: expected None, one of "
                f"{', '.join(map(repr, STOPWORD_LISTS))}, or an iterable of str"
            )
        return tuple(_core.builtin_stopwords(stopwords))
    if isinstance(stopwords, (bytes, bytearray)):
        raise TypeError("stopwords must be None, a list name or an iterable of str, not bytes")
    try:
        entries = tuple(stopwords)
    except TypeError:
        raise TypeError(
            "stopwords must be None, one of "
            f"{', '.join(map(repr, STOPWORD_LISTS))}, or an iterable of str; "
            f"got {type(stopwords).__name__}"
        ) from None
    for entry in entries:
        if not isinstance(entry, str):
            raise TypeError(f"stopwords must all be str; got {entry!r} ({type(entry).__name__})")
    return entries


def _stemmer_name(stemmer: Optional[str]) -> str:
    """Validates ``stemmer=`` and returns its name, "" for none."""
    if stemmer is None:
        return ""
    if not isinstance(stemmer, str):
        raise TypeError(f"stemmer must be None or a str; got {type(stemmer).__name__}")
    if stemmer not in STEMMERS:
        raise ValueError(
            f"unknown stemmer {stemmer!r}: expected None or one of "
            f"{', '.join(map(repr, STEMMERS))}"
        )
    return stemmer


@lru_cache(maxsize=32)
def _analyzer(stopwords: Tuple[str, ...], stemmer: str) -> _core.Analyzer:
    return _core.Analyzer(list(stopwords), stemmer)


def analyze(text: str, stopwords: Stopwords = None, stemmer: Optional[str] = None) -> List[str]:
    """Split text into the terms tomes indexes and searches (SPEC 3).

    Tokens are maximal runs of letters, marks and numbers; each is
    case-folded (``str.casefold``), dropped if it is a stopword, stemmed,
    folded (NFKD without marks: ``é`` -> ``e``, ``ﬁ`` -> ``fi``; and
    ``æ œ ø ł đ ð þ ħ ı`` spelled out), and kept if 2 to 40 code points long.
    The GIL is released while the text is analyzed.

    Parameters
    ----------
    text : str
        The text to analyze.
    stopwords : None, "english", "portuguese" or iterable of str, optional
        Tokens equal to a case-folded entry are dropped before stemming.
        The names select Snowball's stop lists.
    stemmer : None, "english" or "portuguese", optional
        Snowball's stemmer, applied to the case-folded token; it gives
        exactly what PyStemmer 3.1.0 gives.

    Returns
    -------
    list of str
        The terms, in text order, repeats included.

    Raises
    ------
    TypeError
        If text is not a str, or stopwords is not None, a name or str items.
    ValueError
        If stemmer or the stopword list name is unknown.

    Examples
    --------
    >>> analyze("Ünïcödé ½ MASSE Straße")
    ['unicode', '12', 'masse', 'strasse']
    >>> analyze("the running dogs", stopwords="english", stemmer="english")
    ['run', 'dog']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    analyzer = _analyzer(_stopword_entries(stopwords), _stemmer_name(stemmer))
    return analyzer.analyze(text)
