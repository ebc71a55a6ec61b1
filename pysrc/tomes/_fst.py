"""The term dictionary as a public utility: a minimal acyclic FST (SPEC 1).

An ``Fst`` maps byte-string keys to integers in ``[0, 2**64)``. It is built
once from sorted pairs and then only read: from bytes, or from a file mapped
into memory. Keys may be given as ``bytes`` or ``str`` (encoded as UTF-8);
keys come back as ``bytes``.
"""

from __future__ import annotations

import operator
import os
from typing import Iterable, Iterator, List, Optional, Tuple, Union

from tomes import _core

Key = Union[bytes, bytearray, str]
PathLike = Union[str, "os.PathLike[str]", bytes]

_KEYS, _VALUES, _ITEMS = 0, 1, 2


def _key_bytes(name: str, key: object) -> bytes:
    """The bytes of a key argument: bytes-like as they are, str as UTF-8.

    A str holding a lone surrogate (``"\\udcff"``, as ``os.fsdecode`` makes
    of a byte that is not UTF-8) has no UTF-8 form, so it names no key:
    ValueError, pointing to the bytes it likely stood for.
    """
    if isinstance(key, str):
        try:
            return key.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ValueError(
                f"{name} {key!r} has no UTF-8 form (a lone surrogate at position {e.start}); "
                f"pass bytes, e.g. os.fsencode({name})"
            ) from None
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key)
    raise TypeError(f"{name} must be bytes or str, got {type(key).__name__} {key!r}")


def _encodable(key: str) -> bool:
    """Whether key has a UTF-8 form (no lone surrogates)."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Fst(_core.Fst):
    """A read-only map from byte strings to integers, stored as a minimal FST.

    Make one with :meth:`Fst.build`, :meth:`Fst.from_bytes` or
    :meth:`Fst.open`. It behaves as a read-only mapping: ``len(fst)``,
    ``key in fst``, ``fst[key]``, ``fst.get(key, default)``, and iteration
    in key order (``iter(fst)`` and ``keys()`` give keys, ``values()``
    values, ``items()`` ``(key, value)`` pairs). It is safe to use from many
    threads at once. Damaged bytes raise :class:`tomes.CorruptIndexError`.

    Examples
    --------
    >>> from tomes import Fst
    >>> fst = Fst.build([(b"whale", 0), (b"whaler", 1), ("wheel", 2)])
    >>> len(fst), fst[b"whale"], fst.get("whaling"), "wheel" in fst
    (3, 0, None, True)
    >>> list(fst.prefix(b"whale"))
    [(b'whale', 0), (b'whaler', 1)]
    >>> fst.fuzzy("whalr", distance=1)
    [(b'whale', 0, 1), (b'whaler', 1, 1)]
    """

    # A str with a lone surrogate has no UTF-8 form, so it is no key: the
    # mapping answers as for any absent key (the core would raise Python's
    # UnicodeEncodeError, which names nothing).
    def __getitem__(self, key: Key) -> int:
        if isinstance(key, str) and not _encodable(key):
            raise KeyError(key)
        return super().__getitem__(key)

    def get(self, key: Key, default: Optional[int] = None) -> Optional[int]:
        if isinstance(key, str) and not _encodable(key):
            return default
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str) and not _encodable(key):
            return False
        return super().__contains__(key)

    @classmethod
    def build(cls, pairs: Iterable[Tuple[Key, int]], path: Optional[PathLike] = None) -> "Fst":
        """Build an FST from ``(key, value)`` pairs, sorted and unique.

        Parameters
        ----------
        pairs : iterable of (bytes or str, int)
            Keys in strictly increasing byte order (``str`` keys are compared
            by their UTF-8 bytes); values are integers in ``[0, 2**64)``. The
            iterable is consumed once, streaming: it may be a generator.
        path : str or os.PathLike, optional
            Write the FST to this file (under a temporary name, renamed when
            complete) and return it memory-mapped; by default it is built in
            memory.

        Returns
        -------
        Fst

        Raises
        ------
        ValueError
            If a key is not greater than the one before it (the message names
            both), or a value is negative or too large.
        TypeError
            If an item is not a pair, a key not bytes or str, a value not int.
        OSError
            If path cannot be written.

        Examples
        --------
        >>> Fst.build([(b"a", 1), (b"b", 2)])[b"b"]
        2
        >>> Fst.build([(b"b", 1), (b"a", 2)])
        Traceback (most recent call last):
            ...
        ValueError: keys out of order: b'a' after b'b'; keys must be unique and sorted by their bytes
        """
        if path is None:
            return cls(_core.fst_build(pairs))
        _core.fst_build(pairs, os.fsencode(path))
        return cls.open(path)

    @classmethod
    def from_bytes(cls, data: Union[bytes, bytearray, memoryview]) -> "Fst":
        """Read an FST from the bytes :meth:`to_bytes` gave.

        ``bytes`` are used in place, without a copy; other buffers are copied
        once. The header, footer and checksum are checked first.

        Examples
        --------
        >>> fst = Fst.build([(b"k", 7)])
        >>> Fst.from_bytes(fst.to_bytes())[b"k"]
        7
        """
        return cls(data)

    @classmethod
    def open(cls, path: PathLike) -> "Fst":
        """Open an FST file, memory-mapped (only the pages used are read).

        Raises
        ------
        FileNotFoundError, OSError
            If the file cannot be opened.
        tomes.CorruptIndexError
            If it is not an intact FST (wrong magic, version, size or checksum).
        """
        return cls(path=os.fsencode(path))

    def save(self, path: PathLike) -> None:
        """Write the FST to a file, atomically (temporary name, fsync, rename)."""
        _core.write_file_atomic(os.fsencode(path), self.to_bytes())

    def __iter__(self) -> Iterator[bytes]:
        return self._stream(None, None, _KEYS)

    def keys(self) -> Iterator[bytes]:
        """The keys, in byte order."""
        return self._stream(None, None, _KEYS)

    def values(self) -> Iterator[int]:
        """The values, in key order."""
        return self._stream(None, None, _VALUES)

    def items(self) -> Iterator[Tuple[bytes, int]]:
        """``(key, value)`` pairs, in key order."""
        return self._stream(None, None, _ITEMS)

    def range(self, ge: Optional[Key] = None, lt: Optional[Key] = None) -> Iterator[Tuple[bytes, int]]:
        """``(key, value)`` pairs with ``ge <= key < lt``, in key order.

        Examples
        --------
        >>> fst = Fst.build([(b"a", 0), (b"b", 1), (b"c", 2)])
        >>> list(fst.range(ge=b"b"))
        [(b'b', 1), (b'c', 2)]
        """
        return self._stream(
            None if ge is None else _key_bytes("ge", ge), None if lt is None else _key_bytes("lt", lt), _ITEMS
        )

    def prefix(self, prefix: Key) -> Iterator[Tuple[bytes, int]]:
        """``(key, value)`` pairs whose key starts with prefix, in key order.

        Examples
        --------
        >>> fst = Fst.build([(b"wave", 0), (b"whale", 1), (b"whaler", 2)])
        >>> list(fst.prefix("wha"))
        [(b'whale', 1), (b'whaler', 2)]
        """
        start = _key_bytes("prefix", prefix)
        return self._stream(start, _core.prefix_successor(start), _ITEMS)

    def fuzzy(
        self, term: Key, distance: int = 1, *, transpositions: bool = False
    ) -> List[Tuple[bytes, int, int]]:
        """Keys within an edit distance of term, in key order.

        Distance counts inserted, deleted and substituted Unicode code points
        of the UTF-8 keys (a byte that is not valid UTF-8 counts as one): the
        Levenshtein distance. With ``transpositions=True``, swapping two
        adjacent code points counts as one edit too: the optimal string
        alignment distance, as Lucene's and tantivy's fuzzy queries count by
        default (no part of a word is edited twice, so ``"ca"`` is 3 edits
        from ``"abc"``, not 2). The search intersects an edit-distance
        automaton with the FST: it visits the keys near term, never all keys.

        Parameters
        ----------
        term : bytes or str
        distance : {0, 1, 2}
        transpositions : bool, default False
            Count an adjacent swap (``"wahle"`` for ``"whale"``) as one edit.

        Returns
        -------
        list of (bytes, int, int)
            ``(key, value, distance)`` for every key within ``distance``.

        Examples
        --------
        >>> fst = Fst.build([(b"wale", 0), (b"whale", 1)])
        >>> fst.fuzzy("wahle", 1)
        [(b'wale', 0, 1)]
        >>> fst.fuzzy("wahle", 1, transpositions=True)
        [(b'wale', 0, 1), (b'whale', 1, 1)]
        """
        if isinstance(distance, bool):
            raise TypeError(f"distance must be an integer 0, 1 or 2, got bool {distance!r}")
        try:
            distance = operator.index(distance)
        except TypeError:
            raise TypeError(
                f"distance must be an integer 0, 1 or 2, got {type(distance).__name__} {distance!r}"
            ) from None
        if not 0 <= distance <= 2:
            raise ValueError(f"distance must be 0, 1 or 2, got {distance!r}")
        if not isinstance(transpositions, bool):
            raise TypeError(
                f"transpositions must be True or False, got {type(transpositions).__name__} {transpositions!r}"
            )
        return self._fuzzy(_key_bytes("term", term), distance, transpositions)

    def __repr__(self) -> str:
        return f"<tomes.Fst of {len(self):,} keys from {self.source}>"
