"""Indexing books and searching the index: ``index_corpus``, ``open``, ``verify``.

The work is done by the C++ core (``tomes._core``) with the GIL released;
this module validates arguments, draws the progress bar and turns the core's
tuples into the public objects.
"""

from __future__ import annotations

import codecs
import json
import numbers
import operator
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, List, NamedTuple, Optional, Tuple, Union

import numpy as np

from tomes import _core, _pdf
from tomes._analysis import _analyzer, _stemmer_name, _stopword_entries

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
        Files not indexed and why (unreadable, empty, damaged...): the
        reasons are listed in docs/ARCHITECTURE.md, "Skip reasons".
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


class Hit(NamedTuple):
    """One search result: a chunk of a book and its BM25 score.

    ``start`` and ``end`` are the chunk's span in the book's extracted text,
    in code points: ``ix.text(hit.doc_id) == book_text[start:end]``.
    Immutable: a named tuple (the core builds a search's hits directly,
    so a top-1000 search costs little more than a top-10 one).
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


def _got(value: object) -> str:
    """What an argument error says it got: the type, and a short repr."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _int_arg(name: str, value: object, minimum: int, maximum: int) -> int:
    """An integer argument: any int-like (``operator.index``: int, numpy
    integers), so ids that tomes returns (numpy int64, uint32) come back in.
    bool is refused although it is an int: ``ix.text(True)`` is a mistake,
    not doc 1.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got {_got(value)}")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an integer (int or numpy integer), got {_got(value)}") from None
    if not minimum <= number <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {number}")
    return number


def _float_arg(name: str, value: object, accepted: str, ok: Callable[[float], bool]) -> float:
    """A real-number argument (int, float, numpy numbers; not bool, not str)
    for which ``ok`` holds; ``accepted`` says which numbers, for the message.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number ({accepted}), got {_got(value)}")
    number = float(value)
    if not ok(number):
        raise ValueError(f"{name} must be {accepted}, got {number!r}")
    return number


class _Bar:
    """A tqdm bar of books and megabytes, drawn on stderr from the first
    report on (a run that fails before it, e.g. on a missing books_dir,
    draws no empty bar)."""

    def __init__(self) -> None:
        self._bar = None
        self._begun = False  # a bar may be on screen (its constructor may have been interrupted)

    def __call__(self, books_done: int, books_total: int, bytes_done: int, bytes_total: int) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            self._begun = True
            self._bar = tqdm(total=books_total, unit="book", desc="indexing", file=sys.stderr, dynamic_ncols=True)
        bar = self._bar
        if bar.total != books_total:
            bar.total = books_total
        bar.n = books_done
        bar.set_postfix_str(f"{bytes_done / 1e6:,.0f}/{bytes_total / 1e6:,.0f} MB", refresh=False)
        bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._begun:  # Ctrl-C inside tqdm's constructor: end its line, as close() would
            sys.stderr.write("\n")


def _progress_arg(progress: object, make_bar: Callable[[], Any]) -> Tuple[Optional[Callable[..., object]], Any]:
    """(the callback the core calls, the bar to close after the run or None)
    for a progress= argument: True draws make_bar()'s bar, False or None
    nothing, a callable is called as it is."""
    if progress is True:
        bar = make_bar()
        return bar, bar
    if progress is False or progress is None:
        return None, None
    if callable(progress):
        return progress, None
    raise TypeError(f"progress must be a bool or a callable, got {type(progress).__name__}")


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

    Books are the files ending in .txt, .md, .html, .htm, .epub or .pdf
    (any case), found recursively and taken in the byte order of their
    relative paths. Their text: plain text and Markdown as they are; HTML
    the text of the body (scripts, styles and the head dropped, entities
    decoded, block elements as line breaks); EPUB its chapters in spine
    order; PDF its text layer, page by page (needs ``pip install
    'tomes[pdf]'``). A file that cannot be read is listed in
    ``report.skipped`` with the reason, and the run goes on. Each book's
    text is cut into chunks of at most ``chunk_size`` code points
    overlapping by about ``chunk_overlap``, and every chunk is a document of the BM25 index. The same books and options
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

    A PDF's text is its text layer, read with pypdfium2 (the extra
    ``tomes[pdf]``, imported on the first PDF met): the pages' texts in page
    order, joined with "\n". PDFium is not thread-safe, so PDFs are read one
    at a time while the other threads keep parsing the other books. A PDF
    is skipped, with its reason in ``report.skipped``, when pypdfium2 is not
    installed, when it needs a password or when it is damaged.

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
    callback, bar = _progress_arg(progress, _Bar)
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
        # PDFs are read by _pdf.read_pdf, called from the core's parsing
        # threads (pypdfium2 is imported there, on the first PDF met).
        raw = _core.index_corpus(books, index, options, callback, _pdf.read_pdf)
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


def _query_bytes(text: str) -> bytes:
    """A query or term as the core reads it: UTF-8, a lone surrogate (no
    UTF-8 form) encoded as ``tomes.analyze`` reads it, "surrogatepass",
    whose bytes the analyzer takes for a separator.
    """
    return text.encode("utf-8", "surrogatepass")


_ALGORITHMS = ("default", "maxscore", "bmw", "exhaustive")


def _algorithm_arg(value: object) -> str:
    expected = f"one of {', '.join(map(repr, _ALGORITHMS))}"
    if not isinstance(value, str):
        raise TypeError(f"algorithm must be a str, {expected}, got {_got(value)}")
    if value not in _ALGORITHMS:
        raise ValueError(f"algorithm must be {expected}, got {_got(value)}")
    return value


def _is_token_char(c: str) -> bool:
    """Whether the analyzer keeps ``c`` in a token (a letter, mark or number)."""
    return len(_analyzer((), "").analyze(f"a{c}a")) == 1


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

        ``books``, ``chunks``, ``terms``, ``avgdl`` and ``total_length``
        count live books only (not deleted or replaced): they are what BM25
        scores with. ``deleted_docs`` counts the chunks of deleted books that
        their segments still hold until a merge drops them (their doc ids stay
        unused; ``segment_terms_sum`` and ``bytes`` still include them).
        """
        return self._core.stats()

    def _search_options(self, k: object, k1: object, b: object, fuzzy: object,
                        transpositions: object) -> Tuple[int, float, float, int, bool]:
        numbers = (
            _int_arg("k", k, 0, 2**63 - 1),
            _float_arg("k1", k1, "finite and >= 0", lambda x: 0 <= x < float("inf")),
            _float_arg("b", b, "within [0, 1]", lambda x: 0 <= x <= 1),
            _int_arg("fuzzy", fuzzy, 0, 2),
        )
        if not isinstance(transpositions, bool):
            raise TypeError(f"transpositions must be a bool, got {_got(transpositions)}")
        return (*numbers, transpositions)

    def search(self, query: str, k: int = 10, *, k1: float = 1.5, b: float = 0.75, fuzzy: int = 0,
               transpositions: bool = False, algorithm: str = "default") -> List[Hit]:
        """The ``k`` best chunks for ``query`` by BM25, best first (ties: lower doc id).

        The query is analyzed like the books (``tomes.analyze`` with the
        index's stopwords and stemmer), so a character that is not a letter,
        mark or number separates words: that includes a lone surrogate such
        as the ``'\\udcff'`` a shell argument holding byte 0xFF decodes to.
        A token ending in ``*`` is a prefix; ``fuzzy=1`` or ``2`` also
        matches terms within that edit distance.

        Parameters
        ----------
        query : str
        k : int
            How many hits at most (any integer >= 0, numpy integers too).
        k1 : float
            BM25's term-frequency saturation, finite and >= 0.
        b : float
            BM25's length normalization, within [0, 1].
        fuzzy : {0, 1, 2}
            The edit distance within which a query term also matches index
            terms (in code points; up to 64 expansions per term, SPEC 7).
        transpositions : bool
            With ``fuzzy``, whether swapping two adjacent letters counts as
            one edit (optimal string alignment distance), so that "wahle"
            finds "whale" at ``fuzzy=1``. False (the default) is plain
            Levenshtein distance, as SPEC 7 defines fuzzy search, where that
            swap costs two edits.
        algorithm : {"default", "maxscore", "bmw", "exhaustive"}
            How the top k is found: block-max MaxScore (the default, the
            fastest measured), block-max WAND, or scoring every matching
            chunk. All three return exactly the same hits and scores; the
            choice is there to compare them.

        Returns
        -------
        list of Hit

        Example
        -------
        >>> import pathlib, tempfile, tomes
        >>> books = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (books / "a.txt").write_text("The whale, the white whale.")
        >>> _ = tomes.index_corpus(books, books / "ix")
        >>> with tomes.open(books / "ix") as ix:
        ...     [(hit.book_id, hit.doc_id) for hit in ix.search("WHAL*")]
        [('a.txt', 0)]
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, got {_got(query)}")
        options = self._search_options(k, k1, b, fuzzy, transpositions)
        # The core builds the Hits itself (book ids decoded as os.fsdecode would).
        return self._core.search(_query_bytes(query), *options, _algorithm_arg(algorithm), Hit)

    def search_batch(self, queries: Iterable[str], k: int = 10, *, threads: Optional[int] = None, k1: float = 1.5,
                     b: float = 0.75, fuzzy: int = 0, transpositions: bool = False,
                     algorithm: str = "default") -> Tuple[np.ndarray, np.ndarray]:
        """The hits of many queries as two arrays: doc ids and scores.

        Each query is searched as by :meth:`search`, with the same options;
        the queries are spread over ``threads`` threads with the GIL
        released, and the answer does not depend on how many. Row ``i``
        holds query ``i``'s hits, best first, padded with -1 (ids) and nan
        (scores). Ctrl-C stops the batch within about one query per thread
        and raises KeyboardInterrupt.

        Parameters
        ----------
        queries : iterable of str
        k, k1, b, fuzzy, transpositions, algorithm
            As for :meth:`search`.
        threads : int, optional
            Threads to search with (an integer >= 1); None uses every core.

        Returns
        -------
        ids : int64 array of shape (len(queries), min(k, len(index)))
        scores : float32 array of the same shape
            No query has more hits than the index has chunks, so the arrays
            are never wider than ``len(index)``: for ``k <= len(index)`` the
            shape is ``(len(queries), k)``, and a huge ``k`` costs nothing.

        Example
        -------
        >>> import pathlib, tempfile, tomes
        >>> books = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (books / "a.txt").write_text("whale ship whale")
        >>> _ = tomes.index_corpus(books, books / "ix")
        >>> with tomes.open(books / "ix") as ix:
        ...     ids, scores = ix.search_batch(["whale", "kraken"], k=10, threads=2)
        ...     ids, ix.text(ids[0, 0])
        (array([[ 0],
               [-1]]), 'whale ship whale')
        """
        if isinstance(queries, (str, bytes, bytearray)):
            raise TypeError(f"queries must be an iterable of str (a list, not one query), got {_got(queries)}")
        try:
            queries = list(queries)
        except TypeError:
            raise TypeError(f"queries must be an iterable of str, got {_got(queries)}") from None
        for row, query in enumerate(queries):
            if not isinstance(query, str):
                raise TypeError(f"queries[{row}] must be a str, got {_got(query)}")
        options = self._search_options(k, k1, b, fuzzy, transpositions)
        arena = 0 if threads is None else _int_arg("threads", threads, 1, 4096)
        return self._core.search_batch([_query_bytes(query) for query in queries], *options, arena,
                                       _algorithm_arg(algorithm))

    def terms(self, prefix: str = "") -> Iterator[Tuple[str, int]]:
        """(term, doc_freq) of the indexed terms starting with ``prefix``, in term order.

        ``prefix`` is matched against index terms as they are stored: the
        analyzed form (case-folded, accents removed, letters, marks and
        numbers only; stemmed if the index has a stemmer), as a query's
        ``whal*`` is. Nothing is analyzed here: a prefix that is not in
        analyzed form and matches no term raises ValueError naming the form
        to use, instead of an empty answer (``prefix="WHA"``: use ``"wha"``).

        Example
        -------
        >>> import pathlib, tempfile, tomes
        >>> books = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (books / "a.txt").write_text("Whale, whaler, WHALING ship")
        >>> _ = tomes.index_corpus(books, books / "ix")
        >>> with tomes.open(books / "ix") as ix:
        ...     list(ix.terms(prefix="whal"))
        [('whale', 1), ('whaler', 1), ('whaling', 1)]
        """
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, got {_got(prefix)}")
        found = self._core.terms(_query_bytes(prefix))
        if not found and prefix:
            separators = sorted({c for c in prefix if not _is_token_char(c)})
            normal = _core.fold(_core.casefold(prefix))
            if separators:
                raise ValueError(
                    f"prefix {prefix!r} matches no term, and no term holds {''.join(separators)!r}: "
                    "index terms are letters, marks and numbers only"
                )
            if normal != prefix:
                raise ValueError(
                    f"prefix {prefix!r} matches no term: index terms are case-folded, without accents; "
                    f"use prefix={normal!r}"
                )
        return iter([(term.decode("utf-8", "surrogateescape"), df) for term, df in found])

    def postings(self, term: str) -> Tuple[np.ndarray, np.ndarray]:
        """(doc ids, term frequencies) of an index term: uint32 arrays, empty if absent.

        ``term`` is an index term as stored, not a word: nothing is analyzed
        here (see :meth:`terms`). A term absent from the index that the
        analyzer would change (``"Whale"``, ``"whales"`` in a stemmed index,
        ``"ice-cream"``) raises ValueError naming what ``tomes.analyze``
        gives; an absent term already in analyzed form gives empty arrays.

        Example
        -------
        >>> import pathlib, tempfile, tomes
        >>> books = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (books / "a.txt").write_text("whale ship whale")
        >>> _ = tomes.index_corpus(books, books / "ix")
        >>> with tomes.open(books / "ix") as ix:
        ...     ix.postings("whale")
        (array([0], dtype=uint32), array([2], dtype=uint32))
        """
        if not isinstance(term, str):
            raise TypeError(f"term must be a str, got {_got(term)}")
        docs, freqs = self._core.postings(_query_bytes(term))
        if len(docs) == 0:
            stemmer = self._core.stats()["stemmer"]
            analyzed = _analyzer((), stemmer or "").analyze(term)
            if analyzed != [term]:
                raise ValueError(
                    f"term {term!r} is not in the index and is not an index term: index terms are "
                    f"analyzed, and tomes.analyze({term!r}, stemmer={stemmer!r}) gives {analyzed!r}"
                )
        return docs, freqs

    def text(self, doc_id: int) -> str:
        """The chunk's text, ``book_text[start:end]`` (indexes built with store_text=True).

        ``doc_id`` is any integer (numpy ones too, as ``search_batch`` and
        ``postings`` return) that a hit or ``postings`` gave. Doc ids of
        deleted chunks (their book was deleted or replaced) raise
        ValueError, as ids out of range do.
        """
        return self._core.text(_int_arg("doc_id", doc_id, 0, 2**63 - 1))

    def chunk_info(self, doc_id: int) -> Tuple[str, int, int, int]:
        """(book_id, chunk, start, end) of a doc id (any integer, numpy ones too).

        ValueError for an id out of range or of a deleted chunk.
        """
        book, chunk, start, end = self._core.chunk_info(_int_arg("doc_id", doc_id, 0, 2**63 - 1))
        return os.fsdecode(book), chunk, start, end

    def metadata(self, book_id: str) -> dict:
        """The metadata stored with a live book (``add_texts(metadata=)``,
        ``add(metadata=)``, ``sync(metadata=)``), as a new dict; ``{}`` for a
        book stored without any. KeyError if no live book has this id.

        Example
        -------
        >>> import pathlib, tempfile, tomes
        >>> ix = pathlib.Path(tempfile.mkdtemp()) / "index"
        >>> with tomes.writer(ix) as w:
        ...     w.add_texts(["The white whale."], book_ids=["moby"], metadata=[{"year": 1851}])
        >>> with tomes.open(ix) as index:
        ...     hit = index.search("whale")[0]
        ...     index.metadata(hit.book_id)
        {'year': 1851}
        """
        if not isinstance(book_id, str):
            raise TypeError(f"book_id must be a str, got {_got(book_id)}")
        text = self._core.metadata(os.fsencode(book_id))
        return json.loads(text) if text else {}

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
