"""A small corpus made by code, and the digests of the index files tomes writes for it.

The restructuring of issue 10 had to leave every byte of an index as it was:
`test_golden_bytes.py` indexes this corpus under a few option sets and
compares the SHA-256 of every file with `data/golden_digests.json`, taken
from the code before the restructuring. The corpus depends on nothing but
this file: its own pseudo-random generator (not `random`, whose methods may
change between Python versions), its own word list, fixed seeds.

Regenerate the digests only for a deliberate format change (which also
bumps the format version in docs/FORMAT.md):

    python tests/python/golden_corpus.py --write
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

DIGESTS = Path(__file__).resolve().parent / "data" / "golden_digests.json"

# Each option set is one index; keyword arguments of tomes.index_corpus.
OPTION_SETS: Dict[str, dict] = {
    "defaults": dict(threads=2),
    "stemmed-segments": dict(threads=2, store_text=False, stopwords="english", stemmer="english",
                             chunk_size=300, chunk_overlap=30, batch_size=7),
    "portuguese-small-batches": dict(threads=1, stopwords=["de", "que", "ção"], stemmer="portuguese",
                                     chunk_size=0, batch_bytes=20_000),
    "text-many-segments": dict(threads=2, chunk_size=120, chunk_overlap=40, batch_bytes=9_000),
}

SYLLABLES = ["wha", "le", "ship", "sea", "ca", "pi", "tão", "mar", "stra", "ße", "ñu", "ko", "ré",
             "the", "and", "of", "de", "que", "ing", "ed", "ções", "ã", "ö", "水", "海", "ян", "ka",
             "ti", "on", "er", "ba", "lo", "un", "na", "ri", "sto", "ö", "ch", "gh", "th"]
PUNCT = [" ", " ", " ", " ", " ", ", ", ". ", "; ", " -- ", "\n", "\n\n", "! ", "? ", " (", ") ", "'s "]


class Rng:
    """xorshift64*: the same numbers on every Python and machine."""

    def __init__(self, seed: int) -> None:
        self.state = (seed * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF

    def next(self) -> int:
        x = self.state
        x ^= (x >> 12)
        x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
        x ^= (x >> 27)
        self.state = x
        return (x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def below(self, n: int) -> int:
        return (self.next() >> 11) % n


def vocabulary(rng: Rng, size: int) -> List[str]:
    words = []
    for _ in range(size):
        parts = [SYLLABLES[rng.below(len(SYLLABLES))] for _ in range(1 + rng.below(4))]
        word = "".join(parts)
        if rng.below(9) == 0:
            word = word.capitalize()
        if rng.below(23) == 0:
            word = word.upper()
        if rng.below(31) == 0:
            word += str(rng.below(2000))
        words.append(word)
    return words


def book_text(rng: Rng, words: List[str], n_words: int) -> str:
    out = []
    for _ in range(n_words):
        # Zipf-like: small indexes far more often.
        i = min(rng.below(len(words)), rng.below(len(words)), rng.below(len(words)))
        out.append(words[i])
        out.append(PUNCT[rng.below(len(PUNCT))])
    return "".join(out)


def write_corpus(root: Path) -> None:
    """About 60 books in nested folders, with duplicates, Markdown, odd bytes and skipped files."""
    rng = Rng(2026)
    words = vocabulary(rng, 700)
    texts = []
    for b in range(56):
        folder = root / f"shelf{b % 5}" / ("sub" if b % 7 == 0 else "")
        folder.mkdir(parents=True, exist_ok=True)
        text = book_text(rng, words, 40 + rng.below(1400))
        texts.append(text)
        suffix = ".md" if b % 9 == 0 else ".txt"
        (folder / f"book{b:03d}{suffix}").write_text(text, encoding="utf-8")
    # Duplicates of earlier books (kept once), a book with invalid UTF-8, a
    # UTF-16 book with a BOM, an empty book, and files that are skipped.
    (root / "shelf1" / "copy_of_3.txt").write_text(texts[3], encoding="utf-8")
    (root / "zz_copy_of_40.md").write_text(texts[40], encoding="utf-8")
    (root / "shelf2" / "latin1.txt").write_bytes("café à la crème, naïve façade ".encode("latin-1") * 40)
    (root / "shelf2" / "utf16.txt").write_bytes(("\ufeff" + texts[7][:3000]).encode("utf-16-le"))
    (root / "shelf3" / "empty.txt").write_bytes(b"")
    # Markup with no text: an HTML book that is skipped ("no text: only markup").
    (root / "shelf3" / "page.html").write_text("<p><!-- whale --></p>", encoding="utf-8")
    (root / "notes.csv").write_text("a,b\n", encoding="utf-8")
    # books.bin keeps each source's mtime: fix them, so the bytes depend on the corpus alone.
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))


def index_digests(index_dir: Path) -> Dict[str, str]:
    """SHA-256 of every file under index_dir (the lock file excluded), by relative path."""
    out = {}
    for path in sorted(index_dir.rglob("*")):
        if path.is_file() and path.name != ".tomes.lock":
            out[path.relative_to(index_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def build_all(work: Path) -> Dict[str, Dict[str, str]]:
    import tomes

    books = work / "books"
    write_corpus(books)
    result = {}
    for name, options in OPTION_SETS.items():
        index_dir = work / name
        tomes.index_corpus(books, index_dir, **options)
        result[name] = index_digests(index_dir)
    return result


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        digests = build_all(Path(tmp))
    DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {DIGESTS}: {sum(len(v) for v in digests.values())} files")
