"""SPEC 7 search written plainly in Python: the brute-force oracle for ``Index.search``.

Nothing here calls the core. The model is built from the analyzed terms of
every chunk (the caller gets them independently, e.g. with reference.analyze)
and evaluates every query exhaustively: every posting of every expansion of
every query term, in float64, the way SPEC 7 writes BM25:

    idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))
    score  = sum over distinct query terms of idf * tf / (tf + k1 * (1 - b + b * dl / avgdl))

A prefix term (``abc*``) expands to the indexed terms starting with its
case-folded, folded prefix (top 64 by doc freq, then term order); with
``fuzzy=d`` a term expands to the indexed terms within Levenshtein distance d
in code points (top 64 by distance, doc freq, term order); a chunk takes, per
query term, the max over that term's expansions.

``check_hits`` compares a hit list with the model exactly, except where the
float summation order of another implementation may legitimately differ by a
few ulps (near-ties within a relative tolerance).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

import reference

MAX_EXPANSIONS = 64
#: Relative tolerance on a score (summation order may differ by a few ulps).
REL = 1e-9
#: Model scores closer than this (relative) are a near-tie: their order may differ.
CLUSTER_REL = 4 * REL


def levenshtein(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b in code points, or limit + 1 if above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        low = i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
            low = min(low, row[j])
        if low > limit:
            return limit + 1
    return row[-1] if row[-1] <= limit else limit + 1


def parse_query(query: str) -> Tuple[str, List[str]]:
    """(the query without its prefix terms, the distinct folded prefixes >= 2 code points).

    A run of token characters immediately followed by '*' is a prefix term;
    it leaves the plain text (a space in its place); its prefix is
    case-folded and folded (SPEC 3 steps 2 and 5).
    """
    plain: List[str] = []
    prefixes: List[str] = []
    i, n = 0, len(query)
    while i < n:
        if reference.is_token_char(query[i]):
            j = i
            while j < n and reference.is_token_char(query[j]):
                j += 1
            if j < n and query[j] == "*":
                prefix = reference.fold(query[i:j].casefold())
                if len(prefix) >= 2 and prefix not in prefixes:
                    prefixes.append(prefix)
                plain.append(" ")
                i = j + 1
            else:
                plain.append(query[i:j])
                i = j
        else:
            plain.append(query[i])
            i += 1
    return "".join(plain), prefixes


class SearchModel:
    """An exhaustive BM25 evaluator over the analyzed chunks ``docs`` (by doc id)."""

    def __init__(self, docs: Sequence[Sequence[str]], stopwords: Iterable[str] = (),
                 stemmer: Optional[str] = None) -> None:
        self.stopwords = tuple(stopwords)
        self.stemmer = stemmer
        self.n = len(docs)
        self.dl = np.array([len(d) for d in docs], dtype=np.float64)
        self.total_length = int(sum(len(d) for d in docs))
        self.avgdl = self.total_length / self.n
        inverted: Dict[str, List[Tuple[int, int]]] = defaultdict(list)
        for doc_id, terms in enumerate(docs):
            for term, tf in Counter(terms).items():
                inverted[term].append((doc_id, tf))
        self.postings: Dict[str, Tuple[np.ndarray, np.ndarray]] = {}
        for term, pairs in inverted.items():
            pairs.sort()
            self.postings[term] = (np.array([d for d, _ in pairs], dtype=np.int64),
                                   np.array([f for _, f in pairs], dtype=np.float64))
        self.df = {term: len(p[0]) for term, p in self.postings.items()}
        self.vocab = sorted(self.postings)  # code point order == UTF-8 byte order
        self._by_length: Dict[int, List[str]] = defaultdict(list)
        for term in self.vocab:
            self._by_length[len(term)].append(term)
        self._fuzzy_cache: Dict[Tuple[str, int], List[str]] = {}

    # -- expansions ---------------------------------------------------------

    def prefix_candidates(self, prefix: str) -> List[str]:
        return [t for t in self.vocab if t.startswith(prefix)]

    def expand_prefix(self, prefix: str) -> List[str]:
        return sorted(self.prefix_candidates(prefix), key=lambda t: (-self.df[t], t))[:MAX_EXPANSIONS]

    def fuzzy_candidates(self, term: str, distance: int) -> List[Tuple[int, str]]:
        out = []
        for length in range(len(term) - distance, len(term) + distance + 1):
            for t in self._by_length.get(length, ()):
                d = levenshtein(term, t, distance)
                if d <= distance:
                    out.append((d, t))
        return out

    def expand_fuzzy(self, term: str, distance: int) -> List[str]:
        key = (term, distance)
        if key not in self._fuzzy_cache:
            found = sorted(self.fuzzy_candidates(term, distance), key=lambda p: (p[0], -self.df[p[1]], p[1]))
            self._fuzzy_cache[key] = [t for _, t in found[:MAX_EXPANSIONS]]
        return self._fuzzy_cache[key]

    def groups(self, query: str, fuzzy: int = 0) -> List[List[str]]:
        """Per distinct query term (plain terms first, then prefixes), its indexed expansions."""
        plain, prefixes = parse_query(query)
        terms = list(dict.fromkeys(reference.analyze(plain, self.stopwords, self.stemmer)))
        groups = []
        for term in terms:
            if fuzzy:
                groups.append(self.expand_fuzzy(term, fuzzy))
            else:
                groups.append([term] if term in self.postings else [])
        for prefix in prefixes:
            groups.append(self.expand_prefix(prefix))
        return groups

    # -- scoring ------------------------------------------------------------

    def group_scores(self, query: str, k1: float = 1.5, b: float = 0.75, fuzzy: int = 0) -> np.ndarray:
        """(number of groups, N): per query term, each chunk's best score over its expansions."""
        groups = self.groups(query, fuzzy)
        out = np.zeros((len(groups), self.n))
        for row, group in zip(out, groups):
            for term in group:
                docs, tfs = self.postings[term]
                df = len(docs)
                idf = math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))
                score = idf * tfs / (tfs + k1 * (1.0 - b + b * self.dl[docs] / self.avgdl))
                row[docs] = np.maximum(row[docs], score)
        return out

    def scores(self, query: str, k1: float = 1.5, b: float = 0.75, fuzzy: int = 0) -> np.ndarray:
        per_group = self.group_scores(query, k1, b, fuzzy)
        total = np.zeros(self.n)
        for row in per_group:
            total += row
        return total


def _close(x: float, y: float, rel: float) -> bool:
    return abs(x - y) <= rel * max(abs(x), abs(y))


def check_hits(hits, model: SearchModel, query: str, k: int, k1: float = 1.5, b: float = 0.75,
               fuzzy: int = 0) -> None:
    """``hits`` (``Index.search``'s answer) are exactly the model's top k.

    Exact except for near-ties: scores agree to REL (relative); the ids agree
    position by position wherever the model's scores are more than
    CLUSTER_REL apart from their neighbours; inside a cluster of near-equal
    model scores the returned ids are the cluster's (all of them, or, at the
    k-th boundary, some of them). Docs whose per-term contributions are
    bit-identical (and whose lengths are equal when b > 0) are true ties:
    any implementation computes them alike, so they come in doc id order and
    the lowest ids win at the boundary.
    """
    per_group = model.group_scores(query, k1, b, fuzzy)
    scores = np.zeros(model.n)
    for row in per_group:
        scores += row
    matched = np.flatnonzero(scores > 0)
    order = sorted(matched.tolist(), key=lambda d: (-scores[d], d))
    want = order[:k]
    ctx = f"query={query!r} k={k} k1={k1!r} b={b!r} fuzzy={fuzzy}"
    assert len(hits) == len(want), f"{ctx}: {len(hits)} hits, model has {len(want)} (of {len(order)} matched)"
    ids = [h.doc_id for h in hits]
    got = [h.score for h in hits]
    assert len(set(ids)) == len(ids), f"{ctx}: a doc id twice: {ids}"
    for h in hits:
        assert scores[h.doc_id] > 0, f"{ctx}: doc {h.doc_id} returned, the model says it matches nothing"
        assert _close(h.score, scores[h.doc_id], REL), (
            f"{ctx}: doc {h.doc_id} scored {h.score!r}, model {scores[h.doc_id]!r}")
    for i in range(len(hits) - 1):
        assert got[i] > got[i + 1] or (got[i] == got[i + 1] and ids[i] < ids[i + 1]), (
            f"{ctx}: hits {i} and {i + 1} out of order: {(ids[i], got[i])} then {(ids[i + 1], got[i + 1])}")
    sorted_scores = [scores[d] for d in order]
    for i, (g, w) in enumerate(zip(got, sorted_scores)):
        assert _close(g, w, REL), f"{ctx}: score at rank {i} is {g!r}, model's is {w!r}"
    # Clusters of near-equal model scores (chained).
    cluster = [0] * len(order)
    for i in range(1, len(order)):
        same = _close(sorted_scores[i - 1], sorted_scores[i], CLUSTER_REL)
        cluster[i] = cluster[i - 1] if same else cluster[i - 1] + 1
    start = 0
    while start < len(want):
        end = start
        while end < len(order) and cluster[end] == cluster[start]:
            end += 1
        model_ids = set(order[start:end])
        hit_ids = set(ids[start:min(end, len(want))])
        if end <= len(want):
            assert hit_ids == model_ids, (
                f"{ctx}: ranks {start}..{end - 1} (score ~{sorted_scores[start]!r}) hold {sorted(hit_ids)}, "
                f"model {sorted(model_ids)}; model top: {[(d, scores[d]) for d in want]}")
        else:
            assert hit_ids <= model_ids, (
                f"{ctx}: ranks {start}..{len(want) - 1} hold {sorted(hit_ids - model_ids)} outside the "
                f"near-tie {sorted(model_ids)} (score ~{sorted_scores[start]!r})")
        start = end
    # True ties: identical contributions (and lengths when b > 0) -> lower doc id first.
    classes: Dict[tuple, List[int]] = defaultdict(list)
    for d in matched.tolist():  # ascending doc ids
        key = (model.dl[d] if b > 0 else None, per_group[:, d].tobytes())
        classes[key].append(d)
    rank = {d: i for i, d in enumerate(ids)}
    for members in classes.values():
        if len(members) < 2:
            continue
        returned = [d for d in members if d in rank]
        assert returned == members[:len(returned)], (
            f"{ctx}: tied docs {members[:len(returned) + 3]}... (score {scores[members[0]]!r}): "
            f"returned {returned}, not the lowest ids")
        ranks = [rank[d] for d in returned]
        assert ranks == sorted(ranks), f"{ctx}: tied docs {returned} not in doc id order"
