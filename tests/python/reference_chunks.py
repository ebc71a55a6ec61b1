"""SPEC 4's chunk rule written plainly in Python: the oracle for the C++ chunker.

Independent of the core and of its generated whitespace table: whitespace is
str.isspace itself, and the rule is followed index by index as
docs/CHUNKS.md states it, with no attempt at speed.
"""

from __future__ import annotations

from typing import List, Tuple

Span = Tuple[int, int]


def chunk_spans(text: str, chunk_size: int, overlap: int) -> List[Span]:
    """The (start, end) code point spans of the chunks of text."""
    n = len(text)
    ws = [c.isspace() for c in text]
    non_ws = [i for i in range(n) if not ws[i]]
    if not non_ws:
        return []
    first, last = non_ws[0], non_ws[-1] + 1
    if chunk_size == 0:
        return [(first, last)]
    spans: List[Span] = []
    pos = first
    while pos < last:
        if last - pos <= chunk_size:
            spans.append((pos, last))
            break
        candidates = [j for j in range(pos + 1, pos + chunk_size + 1) if ws[j]]
        if candidates:
            end = candidates[-1]
            while ws[end - 1]:
                end -= 1
            f = next(j for j in range(end, n) if not ws[j])         # the next word
            g = next((j for j in range(f, n) if ws[j]), n)          # its end
            low = max(end - overlap, pos + 1, g - chunk_size)
            starts = [s for s in range(low, end) if not ws[s] and ws[s - 1]]
            following = starts[0] if starts else f
        else:  # a word longer than chunk_size: cut it
            end = following = pos + chunk_size
        spans.append((pos, end))
        pos = following
    return spans


def property_failures(text: str, spans: List[Span], chunk_size: int, overlap: int) -> List[str]:
    """What the chunks break of the promises in docs/CHUNKS.md (empty if none)."""
    problems = []
    covered = [False] * len(text)
    for k, (start, end) in enumerate(spans):
        if not 0 <= start < end <= len(text):
            problems.append(f"chunk {k} {start, end}: empty or out of range")
            continue
        if chunk_size and end - start > chunk_size:
            problems.append(f"chunk {k} {start, end}: longer than {chunk_size}")
        if text[start].isspace() or text[end - 1].isspace():
            problems.append(f"chunk {k} {start, end}: starts or ends on whitespace")
        if k:
            p_start, p_end = spans[k - 1]
            if not (p_start < start and p_end < end):
                problems.append(f"chunk {k}: not after chunk {k - 1} (or inside it)")
            if start < p_end and p_end - start > overlap:
                problems.append(f"chunks {k - 1},{k}: overlap {p_end - start} > {overlap}")
        for i in range(start, end):
            covered[i] = True
    missed = [i for i, c in enumerate(text) if not c.isspace() and not covered[i]]
    if missed:
        problems.append(f"non-whitespace not covered at {missed[:5]}")
    return problems
