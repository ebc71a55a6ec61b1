"""Merging an index's segments: ``optimize``.

The merge is done by the C++ core (``tomes._core.optimize``, index/optimize.h)
with the GIL released; this module checks arguments, draws the progress bar
and builds the report.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Callable, Optional, Union

from tomes import _core
from tomes._index import PathLike, _float_arg, _int_arg, _path_arg, _progress_arg

OptimizeProgress = Union[bool, Callable[[int, int], object], None]


@dataclass(frozen=True)
class OptimizeReport:
    """What ``optimize`` did.

    ``merged`` is False when the index already had at most ``max_segments``
    segments and no deleted book: it was left untouched (no new generation). Bytes are the
    segments' files as index.json records them.
    """

    segments_before: int
    segments_after: int
    bytes_before: int
    bytes_after: int
    merged: bool
    seconds: float


class _Bar:
    """A tqdm bar of segments merged, on stderr, from the first report on."""

    def __init__(self) -> None:
        self._bar = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, unit="segment", desc="merging", file=sys.stderr, dynamic_ncols=True)
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def optimize(index_dir: PathLike, max_segments: int = 1, *, threads: Optional[int] = None,
             progress: OptimizeProgress = False, timeout: float = 0.0) -> OptimizeReport:
    """Merge the index's segments until at most ``max_segments`` remain.

    Adjacent segments are merged; while there are too many, the adjacent
    pair with the smallest total size is merged first. Deleted (or replaced)
    books are dropped: every segment with deletions is rewritten, even
    within ``max_segments``, so none is left. A merged segment is byte for
    byte what ``index_corpus`` writes for its live books in one batch, and
    search results (scores, books, chunks) stay exactly the same. Doc ids
    stay the same when nothing was deleted; otherwise the ids after a
    dropped chunk move down (they are dense over the live chunks of each
    merged segment). The new generation is committed atomically (index.json
    replaced last): a crash or a Ctrl-C leaves the index as it was. An ``Index`` opened before keeps
    searching its own generation.

    Parameters
    ----------
    index_dir : str or os.PathLike
        An index written by ``index_corpus``.
    max_segments : int
        At least 1 (the default: one segment).
    threads : int, optional
        Threads encoding postings; default all cores. The bytes written do not
        depend on it.
    progress : bool or callable
        True draws a progress bar on stderr; a callable is called as
        ``progress(segments_done, segments_total)``.
    timeout : float
        Seconds to wait while another writer holds the index (0: none).

    Raises FileNotFoundError if there is no index, tomes.IndexLockedError (an
    OSError) if another writer holds the index, CorruptIndexError if a segment is damaged (nothing is
    committed), Cancelled/KeyboardInterrupt if stopped (the index is as it
    was).

    Example
    -------
    >>> import tomes, tempfile, pathlib
    >>> books = pathlib.Path(tempfile.mkdtemp())
    >>> for i in range(3):
    ...     _ = (books / f"b{i}.txt").write_text(f"whale number {i}")
    >>> _ = tomes.index_corpus(books, books / "ix", batch_size=1)
    >>> report = tomes.optimize(books / "ix")
    >>> (report.segments_before, report.segments_after)
    (3, 1)
    """
    index = _path_arg("index_dir", index_dir)
    max_segments = _int_arg("max_segments", max_segments, 1, 2**63 - 1)
    if threads is not None:
        threads = _int_arg("threads", threads, 1, 4096)
    timeout = _float_arg("timeout", timeout, "a number of seconds >= 0", lambda t: 0 <= t < 1e9)
    if not os.path.isfile(os.path.join(index, b"index.json")):
        raise FileNotFoundError(f"{os.fsdecode(index)}: no index here (index.json is missing)")
    callback, bar = _progress_arg(progress, _Bar)
    try:
        raw = _core.optimize(index, max_segments, threads or 0, callback, timeout)
    finally:
        if bar is not None:
            bar.close()
    return OptimizeReport(
        segments_before=raw["segments_before"],
        segments_after=raw["segments_after"],
        bytes_before=raw["bytes_before"],
        bytes_after=raw["bytes_after"],
        merged=raw["merged"],
        seconds=raw["seconds"],
    )
