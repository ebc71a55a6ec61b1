"""Snippets for search hits: the part of a chunk's text that matched.

``tomes search`` prints, under each hit, about 160 characters of the chunk's
text around its best-matching words instead of the chunk's first characters.
The rule:

1. The chunk's text is cut into tokens as the analyzer cuts it (maximal runs
   of letters, marks and numbers, by Python's ``unicodedata``; the core's
   tables are Unicode 14.0, so a character added later may be cut
   differently, which only moves a highlight). Each token is analyzed alone
   with the index's analyzer (stopwords, stemmer), giving the term it was
   indexed as, or none.
2. A token matches a query term when its term equals it; a query prefix
   (``whal*``) when its term starts with it, as the index's terms are
   matched; with ``fuzzy=d``, when its term is within d edits of a query
   term (Levenshtein, or optimal string alignment with transpositions). This
   highlights every such word in the text, whereas the search itself keeps
   at most 64 expansions per query term (SPEC 7): a rare highlighted word may
   not have counted in the score.
3. The window of ``width`` characters holding the most distinct query terms
   and prefixes wins (ties: the earliest), is widened evenly around its
   matches up to ``width``, and its ends are moved inwards to word
   boundaries (never past a match).
4. Matches are marked (``marks``: ANSI bold on a terminal, ``«»``
   otherwise, as the CLI chooses), runs of whitespace become one space, and
   ``…`` stands for text cut at either end.

The functions here are pure; :func:`make_snippet` is the entry point.
"""

from __future__ import annotations

import json
import os
import unicodedata
from functools import lru_cache
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple

from tomes._analysis import _analyzer

#: Characters of text a snippet shows (before marks and ``…``).
SNIPPET_WIDTH = 160

Marks = Tuple[str, str]
#: Marks for a terminal (bold) and for anything else.
BOLD: Marks = ("\x1b[1m", "\x1b[0m")
GUILLEMETS: Marks = ("\u00ab", "\u00bb")


@lru_cache(maxsize=4096)
def _is_token_char(c: str) -> bool:
    return unicodedata.category(c)[0] in "LMN"


def token_spans(text: str) -> List[Tuple[int, int]]:
    """``(start, end)`` of every token of text: maximal runs of letters, marks and numbers.

    >>> token_spans("The whale's  tail!")
    [(0, 3), (4, 9), (10, 11), (13, 17)]
    """
    spans = []
    start = -1
    for i, c in enumerate(text):
        if _is_token_char(c):
            if start < 0:
                start = i
        elif start >= 0:
            spans.append((start, i))
            start = -1
    if start >= 0:
        spans.append((start, len(text)))
    return spans


def edit_distance(a: str, b: str, transpositions: bool = False) -> int:
    """Levenshtein distance in code points; with transpositions, the optimal
    string alignment distance (an adjacent swap is one edit).

    >>> edit_distance("wahle", "whale"), edit_distance("wahle", "whale", True)
    (2, 1)
    """
    previous2: List[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cell = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if transpositions and i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cell = min(cell, previous2[j - 2] + 1)
            current.append(cell)
        previous2, previous = previous, current
    return previous[-1]


class QueryTerms:
    """What a query matches, parsed as the core parses it (cpp/search/query.h).

    A run of token characters followed by ``*`` is a prefix (case-folded and
    folded, never a stopword, never stemmed, at least 2 code points); the rest
    of the query is analyzed with the index's analyzer into terms.
    """

    def __init__(self, query: str, analyzer, fuzzy: int = 0, transpositions: bool = False) -> None:
        plain = []
        prefixes: List[str] = []
        copied = 0
        for start, end in token_spans(query):
            if end < len(query) and query[end] == "*":
                plain.append(query[copied:start])
                copied = end + 1
                folded = _analyzer((), "").analyze(query[start:end])
                if folded and len(folded[0]) >= 2 and folded[0] not in prefixes:
                    prefixes.append(folded[0])
        plain.append(query[copied:])
        self.terms: List[str] = list(dict.fromkeys(analyzer.analyze(" ".join(plain))))
        self.prefixes = prefixes
        self.fuzzy = fuzzy
        self.transpositions = transpositions
        self._cache: Dict[str, FrozenSet[str]] = {}

    def matches(self, term: str) -> FrozenSet[str]:
        """The query terms and prefixes (``"whal*"``) an indexed term matches."""
        found = self._cache.get(term)
        if found is None:
            hits = {t for t in self.terms
                    if t == term or (self.fuzzy and abs(len(t) - len(term)) <= self.fuzzy
                                     and edit_distance(t, term, self.transpositions) <= self.fuzzy)}
            hits.update(p + "*" for p in self.prefixes if term.startswith(p))
            found = self._cache[term] = frozenset(hits)
        return found


class Match(NamedTuple):
    start: int  # code points into the text
    end: int
    items: FrozenSet[str]  # the query terms and prefixes it matches


def find_matches(text: str, query: QueryTerms, analyzer) -> List[Match]:
    """The tokens of text that match the query, in text order."""
    terms_of: Dict[str, List[str]] = {}
    found = []
    for start, end in token_spans(text):
        token = text[start:end]
        terms = terms_of.get(token)
        if terms is None:
            terms = terms_of[token] = analyzer.analyze(token)
        items = frozenset().union(*(query.matches(t) for t in terms)) if terms else frozenset()
        if items:
            found.append(Match(start, end, items))
    return found


def best_window(matches: Sequence[Match], width: int) -> Optional[Tuple[int, int]]:
    """``(start, end)`` of the first and last match inside the window of
    ``width`` characters that holds the most distinct query items; ties go to
    the earliest. None without matches.

    A best window can always start at a match (sliding it right up to its
    first match loses nothing), so only those starts are tried. A chunk holds
    a few hundred tokens at most, so the quadratic worst case is no concern.
    A match longer than width is a window of its own.
    """
    best: Optional[Tuple[int, int]] = None
    best_count = 0
    for first, head in enumerate(matches):
        items = set(head.items)
        last_end = head.end
        for m in matches[first + 1:]:
            if m.end - head.start > width:
                break  # matches are in text order: no later one fits either
            items |= m.items
            last_end = m.end
        if len(items) > best_count:
            best_count, best = len(items), (head.start, last_end)
    return best


def _widen(text: str, lo: int, hi: int, width: int) -> Tuple[int, int]:
    """[lo, hi) grown evenly to ``width`` characters within text, then its ends
    moved inwards to word boundaries, never inside [lo, hi)."""
    room = max(width - (hi - lo), 0)
    start = max(lo - room // 2, 0)
    end = min(start + max(width, hi - lo), len(text))
    start = max(min(start, end - width), 0)
    if start > 0 and not text[start - 1].isspace():
        cut = next((i for i in range(start, lo) if text[i].isspace()), None)
        start = cut + 1 if cut is not None else start
    if end < len(text) and not text[end].isspace():
        cut = next((i for i in range(end - 1, hi - 1, -1) if text[i].isspace()), None)
        end = cut if cut is not None else end
    return start, end


def make_snippet(text: str, query: QueryTerms, analyzer, width: int = SNIPPET_WIDTH,
                 marks: Marks = GUILLEMETS) -> str:
    """About ``width`` characters of text around its best-matching words, marked.

    Parameters
    ----------
    text : str
        A chunk's text (``Index.text``).
    query : QueryTerms
        The query, parsed with the index's analyzer.
    analyzer
        The index's analyzer (:func:`index_analyzer`).
    width : int
        Characters of text to show, at most.
    marks : (str, str)
        Put before and after each matching word.

    Examples
    --------
    >>> from tomes._analysis import _analyzer
    >>> english = _analyzer((), "english")
    >>> text = "Call me Ishmael. " * 8 + "There she blows, the white Whale!"
    >>> make_snippet(text, QueryTerms("whales", english), english, width=40)
    '…There she blows, the white «Whale»!'
    """
    matches = find_matches(text, query, analyzer)
    window = best_window(matches, width)
    lo, hi = window if window is not None else (0, 0)
    start, end = _widen(text, lo, hi, width)
    pieces = []
    at = start
    for m in matches:
        if m.start >= start and m.end <= end:
            pieces += [text[at:m.start], marks[0], text[m.start:m.end], marks[1]]
            at = m.end
    pieces.append(text[at:end])
    flat = " ".join("".join(pieces).split())
    return ("\u2026" if start > 0 else "") + flat + ("\u2026" if end < len(text) else "")


def index_analyzer(index_dir: "os.PathLike[str] | str | bytes"):
    """The analyzer an index was built with, from its ``index.json``
    (``analyzer.stopword_entries`` and ``analyzer.stemmer``, docs/FORMAT.md)."""
    with open(os.path.join(os.fsencode(index_dir), b"index.json"), "rb") as f:
        settings = json.load(f)["analyzer"]
    return _analyzer(tuple(settings["stopword_entries"]), settings["stemmer"] or "")
