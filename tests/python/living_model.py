"""The model of a writer session (SPEC 1 tomes.writer / tomes.sync, SPEC 2
duplicates), in plain Python: which books are live after each call, and
what the commit report must say.

The rules, as documented (pysrc/tomes/_writer.py, ARCHITECTURE "Living
index"):

- Adding a book whose id is live with the same text and metadata leaves it
  (reported ``unchanged`` if it was live at the last commit).
- A book whose text another live book already has is a duplicate (SPEC 2
  against the live index). In a writer session it is left out and reported
  as (id, live id); a live book of its id stays as it was. In ``sync`` the
  smaller id (path) wins, as index_corpus of the folder keeps the first in
  path order: a live twin with a larger id is deleted instead, reported as
  (its id, the smaller id); a file whose text a smaller id has is left out,
  and a live book of its id (an older text of that file) deleted, so that
  the index equals index_corpus of the folder.
- Else the book is kept; a live book of its id is replaced.
- ``add`` settles the books of one call in id (byte) order, whatever the
  order of the paths given; ``add_texts`` buffers the texts (a later one of
  an id wins) and settles them in id order at the next commit, or at once
  when ``batch_size`` texts are waiting. A file added later with the id of
  a buffered text drops the text; ``delete`` drops a buffered text too.
- ``delete`` of an id neither live nor buffered is reported in ``not_found``.
- ``sync``: pending texts dropped; live books not in the folder deleted (in
  id order); a file whose size, mtime and metadata are those of its live
  book is not read (unchanged; with checksum=True every file is read); the
  others settle in path order by sync's rule.
- The report, against the last commit: ``added`` (live now, not then),
  ``deleted`` (live then, not now), ``replaced`` (live then and now, a new
  version kept), ``unchanged`` (live then and now, the same version,
  presented again), ``duplicates`` (every book left out as a duplicate,
  unless a later version of its id was kept in the session).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

Stamp = Optional[Tuple[int, int]]  # a file's (size, mtime_ns); None for a text book

_serials = itertools.count(1)


def meta_json(meta: Optional[dict]) -> str:
    """Metadata as the writer stores it ("" for none)."""
    if meta is None:
        return ""
    return json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Version:
    text: str
    meta: str  # meta_json
    stamp: Stamp
    serial: int  # a new one each time a version is kept


@dataclass
class Expected:
    added: List[str]
    replaced: List[str]
    deleted: List[str]
    unchanged: List[str]
    not_found: List[str]
    duplicates: List[Tuple[str, str]]


class SessionModel:
    """The committed books and one writer session's changes to them."""

    def __init__(self) -> None:
        self.committed: Dict[str, Version] = {}
        self.exists = False  # an index.json was committed
        self.batch_size = 1000  # the session's: texts waiting that make add_texts write them
        self.reset()

    # -- session ------------------------------------------------------------

    def reset(self) -> None:
        """Rollback, an exception in the block, a new session."""
        self.live: Dict[str, Version] = dict(self.committed)
        self.buffer: Dict[str, Tuple[str, str]] = {}  # id -> (text, meta), insertion order irrelevant
        self.presented: set = set()  # ids found unchanged
        self.not_found: List[str] = []
        self.events: List[Tuple[str, str, int]] = []  # (id, twin, serial counter at the event)
        self.changed = False

    def _remove(self, book_id: str) -> None:
        del self.live[book_id]
        self.changed = True

    def _twin(self, text: str, book_id: str) -> Optional[str]:
        for other, version in self.live.items():
            if other != book_id and version.text == text:
                return other
        return None

    def settle(self, book_id: str, text: str, meta: str, stamp: Stamp, by_id_order: bool) -> None:
        current = self.live.get(book_id)
        if current is not None and current.text == text and current.meta == meta:
            self.presented.add(book_id)
            return
        twin = self._twin(text, book_id)
        if twin is not None:
            if not by_id_order or twin < book_id:
                self.events.append((book_id, twin, next(_serials)))
                if by_id_order and current is not None:
                    self._remove(book_id)  # the folder no longer holds its old text under this id
                return
            self._remove(twin)
            self.events.append((twin, book_id, next(_serials)))
        self.live[book_id] = Version(text, meta, stamp, next(_serials))
        self.changed = True

    def add_files(self, files: List[Tuple[str, str, str, Stamp]]) -> None:
        """(id, text, meta, stamp) of one add call."""
        for book_id, _, _, _ in files:
            self.buffer.pop(book_id, None)
        for book_id, text, meta, stamp in sorted(files):
            self.settle(book_id, text, meta, stamp, by_id_order=False)

    def add_texts(self, texts: List[Tuple[str, str, str]]) -> None:
        for book_id, text, meta in texts:
            self.buffer[book_id] = (text, meta)
        if len(self.buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        for book_id in sorted(self.buffer):
            text, meta = self.buffer[book_id]
            self.settle(book_id, text, meta, None, by_id_order=False)
        self.buffer.clear()

    def delete(self, ids: List[str]) -> None:
        for book_id in ids:
            buffered = self.buffer.pop(book_id, None) is not None
            if book_id in self.live:
                self._remove(book_id)
            elif not buffered:
                self.not_found.append(book_id)

    def sync(self, folder: Dict[str, Tuple[str, Stamp]], metadata: Dict[str, str], checksum: bool = False) -> None:
        self.buffer.clear()
        for book_id in sorted(set(self.live) - set(folder)):
            self._remove(book_id)
        unread = set()
        for book_id, (text, stamp) in folder.items():
            live = self.live.get(book_id)
            if not checksum and live is not None and live.stamp == stamp and live.meta == metadata.get(book_id, ""):
                unread.add(book_id)
        self.presented |= unread
        for book_id in sorted(folder):
            if book_id not in unread:
                text, stamp = folder[book_id]
                self.settle(book_id, text, metadata.get(book_id, ""), stamp, by_id_order=True)

    def commit(self) -> Expected:
        """The report commit() must give; the session's books become the committed ones."""
        self.flush()
        before, now = self.committed, self.live
        expected = Expected(
            added=sorted(set(now) - set(before)),
            deleted=sorted(set(before) - set(now)),
            replaced=sorted(i for i in set(now) & set(before) if now[i].serial != before[i].serial),
            unchanged=sorted(i for i in set(now) & set(before) & self.presented
                             if now[i].serial == before[i].serial),
            not_found=list(self.not_found),
            duplicates=sorted((book_id, twin) for book_id, twin, at in self.events
                              if not (book_id in now and now[book_id].serial > at)),
        )
        self.exists = True
        self.committed = dict(self.live)
        self.reset()
        return expected

    # -- views --------------------------------------------------------------

    def committed_texts(self) -> Dict[str, str]:
        return {book_id: v.text for book_id, v in self.committed.items()}


def folder_rule(folder: Dict[str, str]) -> Dict[str, str]:
    """index_corpus of a folder: books in path order, a text already kept is a duplicate."""
    kept: Dict[str, str] = {}
    seen = set()
    for book_id in sorted(folder):
        if folder[book_id] not in seen:
            seen.add(folder[book_id])
            kept[book_id] = folder[book_id]
    return kept
