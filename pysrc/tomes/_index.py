"""Indexing books and searching the index: ``index_corpus``, ``open``, ``verify``.

The work is done by the C++ core (``tomes._core``) with the GIL released;
this module validates arguments, draws the progress bar and turns the core's
tuples into the public objects.
"""

from __future__ import annotations

import codecs
import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, List, Optional, Tuple, Union

import numpy as np

from tomes import _core
from tomes._analysis import _stemmer_name, _stopword_entries

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
Progress = Union[bool, Callable[[int, int, int, int], object], None]

#: Accepted values of ``mode=``.
MODES = ("create", "overwrite")
#: Default cap on the text extracted from one book (bytes).
MAX_BOOK_TEXT = 256 << 20
#: Accepted values of ``encoding=`` (with Python's aliases of the codecs,
#: such as "utf8", "latin1", "iso-8859-1", "windows-1252").
ENCODINGS = ("utf-8", "auto", "latin-1", "cp1252")
# codecs.lookup(name).name of each codec -> the core's name for it.
_CODEC_NAMES = {"utf-8": "utf-8", "iso8859-1": "latin-1", "cp1252": "cp1252"}


@dataclass(frozen=True)
class IndexReport:
    """What ``index_corpus`` did.

    Attributes
    ----------
    books, chunks, segments : int
        Books indexed (duplicates and skipped ones excluded), chunks (docs)
        and segments written.
    skipped : list of (path, reason)
        Files not indexed and why (unreadable, empty, not supported...).
    duplicates : list of (book_id, first_book_id)
        Books whose text equals an earlier book's, with that book's id.
    invalid_utf8 : int
        Indexed books whose bytes are not valid UTF-8 (their book ids in
        ``invalid_utf8_books``). With ``encoding="utf-8"`` each bad sequence
        became U+FFFD: if they are Latin-1 or Windows-1252 books, index
        again with ``encoding="auto"``; with "auto" they were read as
        Windows-1252.
    invalid_utf8_books : list of str
        Their book ids, in index order.
    seconds : float
        Wall-clock time of the run.
    bytes_read : int
        Bytes read from book files.

    Every path here is relative to ``books_dir``, '/' between components:
    the form of ``Hit.book_id`` (``os.path.join(books_dir, path)`` finds
    the file). Bytes of a name that are not UTF-8 are kept as surrogate
    escapes, as ``os.fsdecode`` gives them; ``os.fsencode`` restores them.
    """

    books: int
    chunks: int
    segments: int
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    duplicates: List[Tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    bytes_read: int = 0
    invalid_utf8: int = 0
    invalid_utf8_books: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    """One search result: a chunk of a book and its BM25 score.

    ``start`` and ``end`` are the chunk's span in the book's extracted text,
    in code points: ``ix.text(hit.doc_id) == book_text[start:end]``.
    """

    book_id: str
    chunk: int
    doc_id: int
    score: float
    start: int
    end: int


def _path_arg(name: str, value: object) -> bytes:
    try:
        return os.fsencode(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be a path (str, bytes or os.PathLike), got {type(value).__name__}") from None


def _encoding_arg(value: object) -> str:
    """The core's name for ``encoding=``: one of ENCODINGS."""
    if not isinstance(value, str):
        raise TypeError(f"encoding must be a str, got {type(value).__name__}")
    if value.lower() == "auto":
        return "auto"
    try:
        name = codecs.lookup(value).name
    except LookupError:
        name = None
    if name not in _CODEC_NAMES:
        raise ValueError(f"unknown encoding {value!r}: expected 'utf-8', 'auto', or a single-byte codec: "
                         f"'latin-1' (iso-8859-1) or 'cp1252' (windows-1252)")
    return _CODEC_NAMES[name]


def _int_arg(name: str, value: object, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


class _Bar:
    """A tqdm bar of books and megabytes, drawn on stderr."""

    def __init__(self) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(total=0, unit="book", desc="indexing", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, books_done: int, books_total: int, bytes_done: int, bytes_total: int) -> None:
        bar = self._bar
        if bar.total != books_total:
            bar.total = books_total
        bar.n = books_done
        bar.set_postfix_str(f"{bytes_done / 1e6:,.0f}/{bytes_total / 1e6:,.0f} MB", refresh=False)
        bar.refresh()

    def close(self) -> None:
        self._bar.close()


def index_corpus(
    books_dir: PathLike,
    index_dir: PathLike,
    *,
    chunk_size: int = 1000,
    chunk_overlap: int = 100,
    batch_size: int = 1000,
    batch_bytes: int = 256 << 20,
    stopwords: Union[None, str, Iterable[str]] = None,
    stemmer: Optional[str] = None,
    threads: Optional[int] = None,
    store_text: bool = True,
    progress: Progress = False,
    mode: str = "create",
    encoding: str = "utf-8",
) -> IndexReport:
    """Index the books under ``books_dir`` into a new index at ``index_dir``.

    Books are the files ending in .txt or .md (HTML, EPUB and PDF are listed
    in ``report.skipped`` for now), found recursively and taken in the byte
    order of their relative paths; each is cut into chunks of at most
    ``chunk_size`` code points overlapping by about ``chunk_overlap``, and
    every chunk is a document of the BM25 index. The same books and options
    give byte-identical files whatever ``threads`` is.

    Parameters
    ----------
    books_dir, index_dir : path
        Where the books are; where the index goes (created if missing).
    chunk_size, chunk_overlap : int
        In code points; ``chunk_size=0`` makes each book one chunk.
    batch_size, batch_bytes : int
        Upper bounds of one segment: books, and bytes of book files.
    stopwords : None, "english", "portuguese" or iterable of str
    stemmer : None, "english" or "portuguese"
    threads : int, optional
        Parsing threads; None uses every core.
    store_text : bool
        Keep the chunks' text (``Index.text``) in the index.
    progress : bool or callable
        True draws a progress bar on stderr; a callable is called now and
        then as ``progress(books_done, books_total, bytes_done, bytes_total)``.
    mode : "create" or "overwrite"
        "create" refuses a directory that holds an index; "overwrite"
        replaces it atomically (open readers keep the old one until closed).
    encoding : "utf-8", "auto", "latin-1" or "cp1252"
        How books without a byte order mark are read (a BOM always wins:
        UTF-8, or UTF-16 LE/BE). "utf-8" is ``bytes.decode("utf-8",
        "replace")``; "auto" reads a book as UTF-8 when its bytes are valid
        UTF-8, else as Windows-1252 (older Project Gutenberg books);
        "latin-1" and "cp1252" (or their aliases, "iso-8859-1",
        "windows-1252") read every book in that codec, as
        ``bytes.decode(codec, "replace")``. Not recorded in the index.
        ``report.invalid_utf8`` counts the books that were not valid UTF-8.

    Binary files are skipped, with a reason in ``report.skipped``: a book is
    binary when, in its decoded text, at least 8 code points are control
    characters or U+FFFD and either the control characters make up 5% of
    its code points or both together 30%. Control characters here are
    U+0001-U+001F and U+007F-U+009F except TAB, LF, VT, FF, CR and U+0085;
    NUL is not counted (it separates words like any non-word character).
    Random bytes give 10% or more control characters in every encoding;
    Latin-1 prose read as UTF-8 stays well under 30% U+FFFD.

    Returns
    -------
    IndexReport

    Example
    -------
    >>> import pathlib, tempfile, tomes
    >>> books = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (books / "moby.txt").write_text("Call me Ishmael. The whale, the white whale.")
    >>> report = tomes.index_corpus(books, books / "index")
    >>> report.books, report.chunks
    (1, 1)
    >>> with tomes.open(books / "index") as ix:
    ...     [hit.book_id for hit in ix.search("whale")]
    ['moby.txt']
    """
    books = _path_arg("books_dir", books_dir)
    index = _path_arg("index_dir", index_dir)
    chunk_size = _int_arg("chunk_size", chunk_size, 0, 2**31)
    chunk_overlap = _int_arg("chunk_overlap", chunk_overlap, 0, 2**31)
    batch_size = _int_arg("batch_size", batch_size, 1, 2**32 - 1)
    batch_bytes = _int_arg("batch_bytes", batch_bytes, 1, 2**63 - 1)
    if threads is not None:
        threads = _int_arg("threads", threads, 1, 4096)
    if not isinstance(store_text, bool):
        raise TypeError(f"store_text must be a bool, got {type(store_text).__name__}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(map(repr, MODES))}")
    encoding = _encoding_arg(encoding)
    if mode == "create" and os.path.lexists(os.path.join(index, b"index.json")):
        # The core refuses too (and words it for any caller); this names the Python way out.
        raise FileExistsError(f"{os.fsdecode(index)}: already holds an index (index.json); "
                              'pass mode="overwrite" to replace it')
    entries = _stopword_entries(stopwords)
    if stopwords is None:
        stopwords_name = ""
    elif isinstance(stopwords, str):
        stopwords_name = stopwords
    else:
        stopwords_name = "custom"
    stemmer_name = _stemmer_name(stemmer)
    bar: Optional[_Bar] = None
    if progress is True:
        bar = _Bar()
        callback: Optional[Callable[[int, int, int, int], object]] = bar
    elif progress is False or progress is None:
        callback = None
    elif callable(progress):
        callback = progress
    else:
        raise TypeError(f"progress must be a bool or a callable, got {type(progress).__name__}")
    options = _core.IndexOptions()
    options.parse.chunk_size = chunk_size
    options.parse.chunk_overlap = chunk_overlap
    options.parse.store_text = store_text
    options.parse.max_text_bytes = MAX_BOOK_TEXT
    options.parse.encoding = encoding
    options.stopwords_name = stopwords_name
    options.stopwords = list(entries)
    options.stemmer = stemmer_name
    options.batch_size = batch_size
    options.batch_bytes = batch_bytes
    options.threads = threads or 0
    options.overwrite = mode == "overwrite"
    try:
        raw = _core.index_corpus(books, index, options, callback)
    finally:
        if bar is not None:
            bar.close()
    return IndexReport(
        books=raw["books"],
        chunks=raw["chunks"],
        segments=raw["segments"],
        skipped=[(os.fsdecode(path), reason) for path, reason in raw["skipped"]],
        duplicates=[(os.fsdecode(path), os.fsdecode(first)) for path, first in raw["duplicates"]],
        seconds=raw["seconds"],
        bytes_read=raw["bytes_read"],
        invalid_utf8=len(raw["invalid_utf8"]),
        invalid_utf8_books=[os.fsdecode(book) for book in raw["invalid_utf8"]],
    )


class Index:
    """An index opened for search (``tomes.open``): memory-mapped segments.

    Safe to search from many threads at once; a context manager.

    Example
    -------
    >>> import pathlib, tempfile, tomes
    >>> books = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (books / "a.txt").write_text("whale ship whale")
    >>> _ = tomes.index_corpus(books, books / "ix")
    >>> with tomes.open(books / "ix") as ix:
    ...     len(ix), ix.chunk_info(0)
    (1, ('a.txt', 0, 0, 16))
    """

    def __init__(self, path: PathLike) -> None:
        self._path = os.fsdecode(_path_arg("index_dir", path))
        self._core = _core.Index(os.fsencode(self._path))

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Unmap the index; using it afterwards raises ValueError."""
        self._core.close()

    def __len__(self) -> int:
        return len(self._core)

    def __repr__(self) -> str:
        return f"tomes.Index({self._path!r})"

    def stats(self) -> dict:
        """Books, chunks, terms, segments, avgdl, bytes on disk and the index's settings.

        ``terms`` is the number of distinct terms in the index (counted on
        the first call by merging the segments' term dictionaries, then
        kept); ``segment_terms_sum`` adds up each segment's own count, so a
        term found in n segments counts n times. ``avgdl`` is the mean chunk
        length in terms (``total_length / chunks``); ``bytes`` the size of
        the segments' files.
        """
        return self._core.stats()

    def search(self, query: str, k: int = 10, *, k1: float = 1.5, b: float = 0.75, fuzzy: int = 0) -> List[Hit]:
        """The ``k`` best chunks for ``query`` by BM25, best first (ties: lower doc id).

        The query is analyzed like the books; a token ending in ``*`` is a
        prefix; ``fuzzy=1`` or ``2`` also matches terms within that
        Levenshtein distance.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, got {type(query).__name__}")
        k = _int_arg("k", k, 0, 2**31)
        fuzzy = _int_arg("fuzzy", fuzzy, 0, 2)
        k1 = float(k1)
        b = float(b)
        if not (k1 >= 0 and k1 < float("inf")):
            raise ValueError(f"k1 must be a finite number >= 0, got {k1}")
        if not 0 <= b <= 1:
            raise ValueError(f"b must be within [0, 1], got {b}")
        return [
            Hit(os.fsdecode(book), chunk, doc_id, score, start, end)
            for doc_id, score, book, chunk, start, end in self._core.search(query, k, k1, b, fuzzy)
        ]

    def search_batch(self, queries: Iterable[str], k: int = 10, *, k1: float = 1.5, b: float = 0.75,
                     fuzzy: int = 0) -> Tuple[np.ndarray, np.ndarray]:
        """Doc ids (int64) and scores (float32) of shape (len(queries), k), -1 / nan padded."""
        queries = list(queries)
        k = _int_arg("k", k, 0, 2**31)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.full((len(queries), k), np.nan, dtype=np.float32)
        for row, query in enumerate(queries):
            for col, hit in enumerate(self.search(query, k, k1=k1, b=b, fuzzy=fuzzy)):
                ids[row, col] = hit.doc_id
                scores[row, col] = hit.score
        return ids, scores

    def terms(self, prefix: str = "") -> Iterator[Tuple[str, int]]:
        """(term, doc_freq) of the indexed terms starting with ``prefix``, in term order."""
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, got {type(prefix).__name__}")
        for term, df in self._core.terms(prefix):
            yield term.decode("utf-8", "surrogateescape"), df

    def postings(self, term: str) -> Tuple[np.ndarray, np.ndarray]:
        """(doc ids, term frequencies) of an indexed term, uint32 arrays; empty if absent."""
        if not isinstance(term, str):
            raise TypeError(f"term must be a str, got {type(term).__name__}")
        return self._core.postings(term)

    def text(self, doc_id: int) -> str:
        """The chunk's text, ``book_text[start:end]`` (indexes built with store_text=True)."""
        return self._core.text(_int_arg("doc_id", doc_id, 0, 2**63 - 1))

    def chunk_info(self, doc_id: int) -> Tuple[str, int, int, int]:
        """(book_id, chunk, start, end) of a doc id."""
        book, chunk, start, end = self._core.chunk_info(_int_arg("doc_id", doc_id, 0, 2**63 - 1))
        return os.fsdecode(book), chunk, start, end

    def verify(self) -> dict:
        """Check every checksum and posting; CorruptIndexError naming the first damaged file."""
        self._core.verify()
        return self.stats()


def open(index_dir: PathLike) -> Index:  # noqa: A001 - the public name SPEC 1 gives it
    """Open the index at ``index_dir`` for search (memory-mapped).

    Raises FileNotFoundError if there is no index, CorruptIndexError if it is damaged.
    """
    return Index(index_dir)


def verify(index_dir: PathLike) -> dict:
    """Check every checksum of the index at ``index_dir``.

    Returns a summary (``Index.stats()``); raises CorruptIndexError naming
    the first damaged file.
    """
    with Index(index_dir) as ix:
        return ix.verify()
