#!/usr/bin/env python3
"""Makes the data the test suite compares against; nothing of it is committed.

Two data sets, and a record of which ones were made:

  * pip: what the test venv installed (`pip install ".[test]"`): wordfreq's
    English and Portuguese word lists, which the stemmer tests read straight
    from the package. Always there; nothing to fetch.
  * debian: made where Debian's packages can be fetched (apt-get download and
    dpkg-deb; nothing is installed system-wide):
      - the Debian documentation corpus (`real/` and `vocab.tsv`), built by
        bench/corpus/make_corpus.py into $TOMES_CORPORA, else build/corpora,
        and the unpacked packages it is made from (`pkgroot/`: HTML manuals,
        debian-policy's and developers-reference's EPUBs), and the EPUB
        corpus made from `real/` (`epub/`: books/*.epub and their .txt
        twins in twins/);
      - Portuguese word lists from the `wbrazilian` and `wportuguese`
        packages, into build/test-data/portuguese-words.txt.
    Skipped, with the reason said, when apt-get, dpkg-deb or groff is missing
    or TOMES_TEST_NO_APT=1; a failed download is an error, not a skip.

The record is build/test-data/datasets.json, rewritten on every run:

    {"sets": ["pip", "debian"],            the sets made by this run
     "skipped": {"debian": "reason"},      the sets not made, and why
     "paths": {"corpus_real": "...", ...}} where each made file or folder is

tests/python/conftest.py reads it: a test needing a set that was not made is
skipped (even under CI); a test needing a set that was made, whose data is
missing, fails.

Idempotent: what is already there is kept. Runs `apt-get update` itself when
apt has no package lists.

Usage: python scripts/fetch_test_data.py    (TOMES_TEST_NO_APT=1: pip set only)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "build" / "test-data"
DATASETS = TEST_DATA / "datasets.json"
MAKE_CORPUS = ROOT / "bench" / "corpus" / "make_corpus.py"
CORPORA = Path(os.environ.get("TOMES_CORPORA") or ROOT / "build" / "corpora")
PORTUGUESE_PACKAGES = ["wbrazilian", "wportuguese"]
DEBIAN_TOOLS = ["apt-get", "dpkg-deb", "groff"]


def log(message: str) -> None:
    print(f"fetch_test_data: {message}", file=sys.stderr, flush=True)


def why_no_debian() -> str | None:
    """None when the debian set can be made here, else the reason it cannot."""
    if os.environ.get("TOMES_TEST_NO_APT", "") not in ("", "0"):
        return "TOMES_TEST_NO_APT is set"
    missing = [tool for tool in DEBIAN_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"no {', '.join(missing)} on this machine"
    return None


def apt_update_if_needed() -> None:
    lists = Path("/var/lib/apt/lists")
    if not any(lists.glob("*_Packages*")):
        log("apt has no package lists: apt-get update")
        subprocess.run(["apt-get", "update", "-qq"], check=True)


def fetch_corpus() -> dict:
    # pkgroot: the unpacked packages themselves (their HTML manuals and the
    # two EPUBs Debian ships), which the parser tests read.
    # epub: EPUBs made from real/'s books, each with its .txt twin (the EPUB tests).
    paths = {"corpus_real": CORPORA / "real", "corpus_vocab": CORPORA / "vocab.tsv",
             "debian_pkgroot": CORPORA / "pkgroot", "corpus_epub": CORPORA / "epub"}
    if all(p.exists() for p in paths.values()):
        log(f"corpus present in {CORPORA}")
    else:
        apt_update_if_needed()
        log(f"building the Debian documentation corpus into {CORPORA} (about 3 minutes)")
        subprocess.run([sys.executable, str(MAKE_CORPUS), "--root", str(CORPORA), "--only", "real,vocab,epub"],
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return paths


def fetch_portuguese_words() -> dict:
    out = TEST_DATA / "portuguese-words.txt"
    if out.exists():
        log(f"Portuguese words present in {out}")
        return {"portuguese_words": out}
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
    return {"portuguese_words": out}


def check_pip_set() -> None:
    try:
        import wordfreq  # noqa: F401  (the test extra installs it)
    except ImportError:
        raise SystemExit('fetch_test_data: wordfreq missing: run pip install ".[test]" first') from None


def main() -> int:
    TEST_DATA.mkdir(parents=True, exist_ok=True)
    DATASETS.unlink(missing_ok=True)  # a run that stops half-way leaves no stale record
    check_pip_set()
    record = {"sets": ["pip"], "skipped": {}, "paths": {}}
    reason = why_no_debian()
    if reason is None:
        paths = {**fetch_corpus(), **fetch_portuguese_words()}
        record["sets"].append("debian")
        record["paths"] = {name: str(path) for name, path in paths.items()}
        summary = f"debian corpus ({CORPORA}) and pip word lists"
    else:
        record["skipped"]["debian"] = reason
        summary = f"pip-only ({reason}): the Debian-corpus tests are skipped"
    record["summary"] = summary
    partial = DATASETS.with_suffix(".tmp")
    partial.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    partial.rename(DATASETS)
    print(f"test data: {summary}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
