"""Shared fixtures: where the fetched test data lives (scripts/fetch_test_data.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPORA = Path(os.environ.get("TOMES_CORPORA", REPO.parent / "corpora"))
TEST_DATA = REPO / "build" / "test-data"

sys.path.insert(0, str(Path(__file__).resolve().parent))


def require(path: Path) -> Path:
    """The path, or a skip (a failure under CI, where the data must be there)."""
    if not path.exists():
        message = f"{path} missing: run python scripts/fetch_test_data.py"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def corpus_real() -> Path:
    return require(CORPORA / "real")


@pytest.fixture(scope="session")
def corpus_vocab() -> Path:
    return require(CORPORA / "vocab.tsv")


@pytest.fixture(scope="session")
def portuguese_words_file() -> Path:
    return require(TEST_DATA / "portuguese-words.txt")
