"""Changing an index in place: ``tomes.writer`` sessions and ``tomes.sync``.

The work is done by the C++ core (``tomes._core.IndexWriter``,
cpp/index/index_writer.h) with the GIL released; this module validates
arguments, resolves paths and book ids, encodes metadata as JSON and builds
the reports.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from tomes import _core, _pdf
from tomes._analysis import _stemmer_name, _stopword_entries
from tomes._index import (
    MAX_BOOK_TEXT,
    PathLike,
    Progress,
    _Bar,
    _encoding_arg,
    _float_arg,
    _got,
    _int_arg,
    _path_arg,
    _progress_arg,
)

#: The largest metadata object of one book, as JSON (bytes).
MAX_METADATA_BYTES = 1 << 20

Metadata = Union[None, Mapping[str, Mapping[str, Any]], PathLike]


@dataclass(frozen=True)
class CommitReport:
    """What one commit did, by book id, against the index as the commit
    before it left it (``w.commit()``, ``w.report``, ``tomes.sync``).

    ``added``, ``replaced``, ``deleted`` and ``unchanged`` hold each id at
    most once: a book new to the index, a live book whose text or metadata
    changed, a live book gone, a live book added again (or, for ``sync``,
    found) unchanged. ``not_found`` lists the ids ``delete`` was given that
    the index did not hold; ``skipped`` (id or path, reason) the books that
    could not be read; ``duplicates`` (id, live id) the books whose text a
    live book already had, left out as SPEC 2 says. ``books``, ``chunks`` and
    ``segments`` describe the index after the commit, live books only;
    ``segments_merged`` counts the segments the merge policy rewrote after
    it (the inputs of its merges). ``merge_error``, if not empty, says why that merge failed: the
    commit itself stands. ``seconds``: the commit's time (for ``sync``, the
    whole run's).
    """

    added: List[str] = field(default_factory=list)
    replaced: List[str] = field(default_factory=list)
    deleted: List[str] = field(default_factory=list)
    unchanged: List[str] = field(default_factory=list)
    not_found: List[str] = field(default_factory=list)
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    duplicates: List[Tuple[str, str]] = field(default_factory=list)
    invalid_utf8_books: List[str] = field(default_factory=list)
    generation: int = 0
    books: int = 0
    chunks: int = 0
    segments: int = 0
    bytes_read: int = 0
    segments_merged: int = 0
    merge_error: str = ""
    seconds: float = 0.0


def _report(raw: dict) -> CommitReport:
    ids = lambda key: [os.fsdecode(i) for i in raw[key]]  # noqa: E731
    return CommitReport(
        added=ids("added"),
        replaced=ids("replaced"),
        deleted=ids("deleted"),
        unchanged=ids("unchanged"),
        not_found=ids("not_found"),
        skipped=[(os.fsdecode(path), reason) for path, reason in raw["skipped"]],
        duplicates=[(os.fsdecode(a), os.fsdecode(b)) for a, b in raw["duplicates"]],
        invalid_utf8_books=ids("invalid_utf8"),
        generation=raw["generation"],
        books=raw["books"],
        chunks=raw["chunks"],
        segments=raw["segments"],
        bytes_read=raw["bytes_read"],
        segments_merged=raw["segments_merged"],
        merge_error=raw["merge_error"],
        seconds=raw["seconds"],
    )


def _book_id(name: str, value: object) -> bytes:
    """A book id as the core holds it: the bytes os.fsencode gives."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_got(value)}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return os.fsencode(value)


def _id_list(name: str, value: object) -> List[bytes]:
    """One id or an iterable of ids."""
    if isinstance(value, str):
        return [_book_id(name, value)]
    try:
        items = list(value)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{name} must be a str or an iterable of str, got {_got(value)}") from None
    return [_book_id(f"{name}[{i}]", item) for i, item in enumerate(items)]


def _metadata_json(name: str, value: object) -> str:
    """One book's metadata as the JSON text stored for it (keys sorted, no
    spaces): a dict of JSON values, or None for none."""
    if value is None:
        return ""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict (a JSON object) or None, got {_got(value)}")
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} is not JSON-serializable: {e}") from None
    if len(text.encode("utf-8", "surrogatepass")) > MAX_METADATA_BYTES:
        raise ValueError(f"{name} is larger than {MAX_METADATA_BYTES} bytes as JSON")
    return text


def _metadata_map(value: Metadata) -> Dict[bytes, str]:
    """metadata= of add and sync: None, a mapping book_id -> dict, or the
    path of a JSON lines file whose every line is an object with a "book_id"
    member (the rest of the object is that book's metadata)."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {_book_id("metadata key", k): _metadata_json(f"metadata[{k!r}]", v) for k, v in value.items()}
    path = _path_arg("metadata", value)
    out: Dict[bytes, str] = {}
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{os.fsdecode(path)}, line {number}"
            try:
                record = json.loads(line)
            except ValueError as e:
                raise ValueError(f"{where}: not JSON: {e}") from None
            if not isinstance(record, dict) or not isinstance(record.get("book_id"), str):
                raise ValueError(f'{where}: expected a JSON object with a "book_id" string')
            book = record.pop("book_id")
            out[_book_id(f"{where}: book_id", book)] = _metadata_json(where, record)
    return out


def _options(chunk_size: Optional[int], chunk_overlap: Optional[int], stopwords: Any, stemmer: Optional[str],
             store_text: Optional[bool], threads: Optional[int], batch_size: int, batch_bytes: int,
             encoding: str) -> Tuple[Any, Dict[str, Any]]:
    """The core's IndexOptions, and the settings the caller gave explicitly
    (checked against an existing index's)."""
    given: Dict[str, Any] = {}
    options = _core.IndexOptions()
    options.parse.max_text_bytes = MAX_BOOK_TEXT
    options.parse.encoding = _encoding_arg(encoding)
    if chunk_size is not None:
        given["chunk_size"] = options.parse.chunk_size = _int_arg("chunk_size", chunk_size, 0, 2**31)
    if chunk_overlap is not None:
        given["chunk_overlap"] = options.parse.chunk_overlap = _int_arg("chunk_overlap", chunk_overlap, 0, 2**31)
    if store_text is not None:
        if not isinstance(store_text, bool):
            raise TypeError(f"store_text must be a bool, got {type(store_text).__name__}")
        given["store_text"] = options.parse.store_text = store_text
    if stopwords is not None:
        options.stopwords = list(_stopword_entries(stopwords))
        options.stopwords_name = stopwords if isinstance(stopwords, str) else "custom"
        given["stopwords"] = options.stopwords
    if stemmer is not None:
        given["stemmer"] = options.stemmer = _stemmer_name(stemmer)
    options.batch_size = _int_arg("batch_size", batch_size, 1, 2**32 - 1)
    options.batch_bytes = _int_arg("batch_bytes", batch_bytes, 1, 2**63 - 1)
    options.threads = 0 if threads is None else _int_arg("threads", threads, 1, 4096)
    return options, given


def _check_settings(index_dir: str, settings: dict, given: Dict[str, Any]) -> None:
    """ValueError if an option given for the session contradicts the index's."""
    if not settings["exists"]:
        return
    for name, value in given.items():
        have = settings[name]
        if name == "stemmer":
            have = have or ""
        if name == "stopwords":  # the same words in any order are the same list
            value, have = sorted(set(value)), sorted(set(have))
        if value != have:
            shown = have if name != "stemmer" else (have or None)
            raise ValueError(f"{index_dir}: the index was built with {name}={shown!r}; "
                             f"it cannot be changed to {value!r} (rebuild the index to change it)")


class Writer:
    """A writer session over one index: see ``tomes.writer``."""

    def __init__(self, index_dir: PathLike, *, chunk_size: Optional[int] = None,
                 chunk_overlap: Optional[int] = None, stopwords: Any = None, stemmer: Optional[str] = None,
                 store_text: Optional[bool] = None, threads: Optional[int] = None, batch_size: int = 1000,
                 batch_bytes: int = 256 << 20, encoding: str = "utf-8", timeout: float = 0.0, merge: bool = True,
                 progress: Progress = False) -> None:
        self._core: Optional[Any] = None
        index = _path_arg("index_dir", index_dir)
        options, given = _options(chunk_size, chunk_overlap, stopwords, stemmer, store_text, threads, batch_size,
                                  batch_bytes, encoding)
        timeout = _float_arg("timeout", timeout, "a number of seconds >= 0", lambda t: 0 <= t < 1e9)
        if not isinstance(merge, bool):
            raise TypeError(f"merge must be a bool, got {type(merge).__name__}")
        self._progress = progress
        _progress_arg(progress, _Bar)  # checks its type now
        self._dir = os.fsdecode(index)
        self._core = _core.IndexWriter(index, options, timeout, merge)
        try:
            _check_settings(self._dir, self._core.settings(), given)
        except BaseException:
            self._core.close()
            self._core = None
            raise
        #: The report of the last commit (None before the first).
        self.report: Optional[CommitReport] = None

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._core is None:
            return
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self._core is None else "open"
        return f"<tomes.Writer {self._dir!r} ({state})>"

    def _live(self) -> Any:
        if self._core is None:
            raise ValueError(f"{self._dir}: this writer is closed")
        return self._core

    def _call(self, method: str, *args: Any) -> Any:
        """The core's method(*args, progress, pdf_reader), with the bar."""
        callback, bar = _progress_arg(self._progress, _Bar)
        try:
            return getattr(self._live(), method)(*args, callback, _pdf.read_pdf)
        finally:
            if bar is not None:
                bar.close()

    def add(self, paths: Union[PathLike, Sequence[PathLike]], *, book_ids: Optional[Sequence[str]] = None,
            metadata: Metadata = None) -> None:
        """Add (or replace) books from files and folders.

        A folder adds every book under it (as ``index_corpus`` finds them),
        with book ids relative to that folder; a file is one book, whose id
        is its name unless ``book_ids`` (one per path, files only) says
        otherwise. A book whose id is live replaces it (if its text or
        metadata changed; else it is left, and reported unchanged).
        ``metadata``: a mapping book_id -> dict, or the path of a JSON lines
        file of objects with a "book_id" member (the rest of each object is
        that book's metadata). The books are parsed and written now; nothing
        is visible to readers before ``commit()``.
        """
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]  # type: ignore[list-item]
        try:
            items = list(paths)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(f"paths must be a path or a list of paths, got {_got(paths)}") from None
        if book_ids is not None:
            ids = _id_list("book_ids", book_ids)
            if len(ids) != len(items):
                raise ValueError(f"book_ids has {len(ids)} ids for {len(items)} paths")
        sources = []
        for i, item in enumerate(items):
            path = _path_arg(f"paths[{i}]", item)
            if os.path.isdir(path):
                if book_ids is not None:
                    raise ValueError(f"{os.fsdecode(path)}: book_ids= names single files; a folder's books "
                                     "are named by their paths inside it")
                sources.append((path, None, True))
            elif not os.path.lexists(path):
                raise FileNotFoundError(f"{os.fsdecode(path)}: no such file or directory")
            else:
                sources.append((path, ids[i] if book_ids is not None else os.path.basename(path), False))
        self._call("add", sources, _metadata_map(metadata))

    def add_texts(self, texts: Iterable[str], *, book_ids: Iterable[str],
                  metadata: Optional[Iterable[Optional[Mapping[str, Any]]]] = None) -> None:
        """Add (or replace) books given as strings, each read as a .txt file
        holding it (in UTF-8). ``book_ids``: one per text; ``metadata``: one
        dict (or None) per text. A later text of the same id wins. Texts are
        written as one batch at the next ``commit()`` (or sooner, when
        ``batch_size`` books or ``batch_bytes`` bytes are waiting)."""
        if isinstance(texts, str):
            raise TypeError("texts must be a list of str, not one str")
        text_list = list(texts)
        ids = _id_list("book_ids", book_ids)
        if len(ids) != len(text_list):
            raise ValueError(f"book_ids has {len(ids)} ids for {len(text_list)} texts")
        metas = [None] * len(text_list) if metadata is None else list(metadata)
        if len(metas) != len(text_list):
            raise ValueError(f"metadata has {len(metas)} entries for {len(text_list)} texts")
        books = []
        for i, (text, book, meta) in enumerate(zip(text_list, ids, metas)):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] must be a str, got {_got(text)}")
            # surrogatepass: a lone surrogate reaches the core as the bytes
            # of an invalid sequence, which it reads as U+FFFD, as a file.
            books.append((book, text.encode("utf-8", "surrogatepass"), _metadata_json(f"metadata[{i}]", meta)))
        callback, bar = _progress_arg(self._progress, _Bar)
        try:
            self._live().add_texts(books, callback)
        finally:
            if bar is not None:
                bar.close()

    def delete(self, book_ids: Union[str, Iterable[str]]) -> None:
        """Delete books (every chunk of each) by id. An id the index does not
        hold is not an error: the next report lists it in ``not_found``."""
        self._live().delete(_id_list("book_ids", book_ids))

    def commit(self) -> CommitReport:
        """Make everything since the last commit visible, atomically, as a new
        generation (readers opened before keep theirs), then merge segments
        as the merge policy says. Returns the report, also kept in
        ``self.report``. The session goes on."""
        self.report = _report(self._call("commit"))
        return self.report

    def rollback(self) -> None:
        """Discard everything since the last commit."""
        self._live().rollback()

    def close(self) -> None:
        """Discard what was not committed and release the lock."""
        if self._core is not None:
            self._core.close()
            self._core = None

    def _sync(self, books_dir: bytes, checksum: bool, metadata: Metadata) -> None:
        self._call("sync", books_dir, checksum, _metadata_map(metadata))


def writer(index_dir: PathLike, **options: Any) -> Writer:
    """Open a writer session on ``index_dir`` (creating the index on the
    first commit if there is none).

    Options of a new index: ``chunk_size`` (1000), ``chunk_overlap`` (100),
    ``stopwords``, ``stemmer``, ``store_text`` (True), as ``index_corpus``.
    An existing index keeps its own: passing a different one is a
    ValueError. For every session: ``threads``, ``batch_size``,
    ``batch_bytes``, ``encoding``, ``progress``; ``timeout`` (seconds) to
    wait while another writer holds the index, after which
    ``tomes.IndexLockedError`` is raised (0: at once); ``merge`` (True): run
    the merge policy after each commit.

    A session holds the index's lock until it is closed. Leaving a ``with``
    block commits; an exception inside it discards what was not committed.

    Example
    -------
    >>> import pathlib, tempfile, tomes
    >>> ix = pathlib.Path(tempfile.mkdtemp()) / "index"
    >>> with tomes.writer(ix) as w:
    ...     w.add_texts(["Call me Ishmael.", "The white whale."], book_ids=["a", "b"],
    ...                 metadata=[{"year": 1851}, None])
    >>> with tomes.writer(ix) as w:
    ...     w.delete(["a"])
    >>> w.report.deleted
    ['a']
    >>> with tomes.open(ix) as index:
    ...     [hit.book_id for hit in index.search("whale")], len(index)
    (['b'], 1)
    """
    return Writer(index_dir, **options)


def sync(books_dir: PathLike, index_dir: PathLike, *, checksum: bool = False, metadata: Metadata = None,
         **options: Any) -> CommitReport:
    """Bring ``index_dir`` in line with the books under ``books_dir``, in one
    commit, creating the index if there is none: afterwards it holds exactly
    the folder's books (anything else, ``add_texts`` books included, is
    deleted), with the same search results as ``index_corpus`` of the
    folder. A file whose size and mtime (and metadata) are those recorded is
    not read; with ``checksum=True`` every file is read and compared by its
    text. A file read again whose text is unchanged is not replaced.
    ``options`` are ``tomes.writer``'s. Returns the ``CommitReport``
    (``added``, ``replaced``, ``deleted``, ``unchanged``, ``skipped``,
    ``duplicates``).

    Example
    -------
    >>> import pathlib, tempfile, tomes
    >>> books = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (books / "moby.txt").write_text("Call me Ishmael.")
    >>> tomes.sync(books, books / "index").added
    ['moby.txt']
    >>> tomes.sync(books, books / "index").unchanged
    ['moby.txt']
    """
    folder = _path_arg("books_dir", books_dir)
    if not isinstance(checksum, bool):
        raise TypeError(f"checksum must be a bool, got {type(checksum).__name__}")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{os.fsdecode(folder)}: books_dir is not a directory")
    started = time.monotonic()
    with Writer(index_dir, **options) as w:
        w._sync(folder, checksum, metadata)
    assert w.report is not None
    # The whole run (reading the folder included), not the commit alone.
    return dataclasses.replace(w.report, seconds=time.monotonic() - started)
