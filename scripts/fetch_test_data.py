#!/usr/bin/env python3
"""Fetches the data the test suite compares against; nothing of it is committed.

  * the Debian documentation corpus (`real/` and `vocab.tsv`), built by
    ../shared/corpus/make_corpus.py into ../corpora (or $TOMES_CORPORA), whose
    every term the English stemmer must stem as PyStemmer does;
  * Portuguese word lists from Debian's `wbrazilian` and `wportuguese`
    packages, unpacked into build/test-data/ (apt-get download: nothing is
    installed system-wide).

Idempotent: what is already there is kept. Needs `apt-get update` once per
machine; it runs it itself when apt has no package lists.

Usage: python scripts/fetch_test_data.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "build" / "test-data"
SHARED = ROOT.parent / "shared"
CORPORA = Path(os.environ.get("TOMES_CORPORA", ROOT.parent / "corpora"))
PORTUGUESE_PACKAGES = ["wbrazilian", "wportuguese"]


def log(message: str) -> None:
    print(f"fetch_test_data: {message}", file=sys.stderr, flush=True)


def apt_update_if_needed() -> None:
    lists = Path("/var/lib/apt/lists")
    if not any(lists.glob("*_Packages*")):
        log("apt has no package lists: apt-get update")
        subprocess.run(["apt-get", "update", "-qq"], check=True)


def fetch_corpus() -> None:
    if (CORPORA / "vocab.tsv").exists() and (CORPORA / "real").is_dir():
        log(f"corpus present in {CORPORA}")
        return
    script = SHARED / "corpus" / "make_corpus.py"
    if not script.exists():
        raise SystemExit(f"fetch_test_data: {script} not found: the corpus scripts live in "
                         "../shared beside the repository")
    apt_update_if_needed()
    log(f"building the corpus into {CORPORA} (about 2 minutes)")
    subprocess.run([sys.executable, str(script), "--root", str(CORPORA), "--only", "real,vocab"],
                   check=True, stdin=subprocess.DEVNULL)


def fetch_portuguese_words() -> None:
    out = TEST_DATA / "portuguese-words.txt"
    if out.exists():
        log(f"Portuguese words present in {out}")
        return
    apt_update_if_needed()
    TEST_DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=TEST_DATA) as tmp:
        subprocess.run(["apt-get", "download", *PORTUGUESE_PACKAGES], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        unpacked = Path(tmp) / "root"
        for deb in sorted(Path(tmp).glob("*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
        words = set()
        for path in sorted((unpacked / "usr" / "share" / "dict").iterdir()):
            if path.is_symlink() or not path.is_file():
                continue
            data = path.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
            words.update(w.strip() for w in text.splitlines() if w.strip())
        partial = out.with_suffix(".tmp")
        partial.write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
        partial.rename(out)
    log(f"{len(words):,} Portuguese words in {out}")


def main() -> int:
    fetch_corpus()
    fetch_portuguese_words()
    return 0


if __name__ == "__main__":
    sys.exit(main())
