"""Shared fixtures: the test data that scripts/fetch_test_data.py made.

fetch_test_data records in build/test-data/datasets.json which data sets it
made ("pip" always; "debian" where Debian's packages could be fetched) and
where their files are. The rule for a test that needs a file of a set:

  * the set was made and the file is there: the test runs;
  * the set was made and the file is missing: the test fails (the data
    should be there: something deleted it or fetch_test_data is wrong);
  * the set was not made (no apt, or TOMES_TEST_NO_APT=1): the test is
    skipped with the reason, under CI too;
  * there is no record (fetch_test_data never ran): the test is skipped,
    or fails under CI, where scripts/test.sh always runs fetch_test_data.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATASETS = REPO / "build" / "test-data" / "datasets.json"

sys.path.insert(0, str(Path(__file__).resolve().parent))


def data_path(name: str, dataset: str) -> Path:
    """The path of the test data `name` of `dataset`, or a skip or a failure (see above)."""
    try:
        record = json.loads(DATASETS.read_text(encoding="utf-8"))
    except FileNotFoundError:
        message = f"{DATASETS} missing: run python scripts/fetch_test_data.py"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    if dataset not in record["sets"]:
        reason = record.get("skipped", {}).get(dataset, "not made")
        pytest.skip(f"the {dataset} test data set was not made ({reason})")
    if name not in record["paths"]:  # a record written before this data existed
        pytest.fail(f"{DATASETS} has no {name}: run python scripts/fetch_test_data.py")
    path = Path(record["paths"][name])
    if not path.exists():
        pytest.fail(f"{path} missing, though {DATASETS} says the {dataset} set was made: "
                    "run python scripts/fetch_test_data.py")
    return path


@pytest.fixture(scope="session")
def corpus_real() -> Path:
    return data_path("corpus_real", "debian")


@pytest.fixture(scope="session")
def corpus_vocab() -> Path:
    return data_path("corpus_vocab", "debian")


@pytest.fixture(scope="session")
def corpus_epub() -> Path:
    """The EPUB corpus: books/<name>.epub and twins/<name>.txt, the same book's text.

    Half of the EPUBs have their zip members, manifest and chapter names and
    ids shuffled, so only the spine gives the chapter order (MANIFEST.json,
    bench/corpus/make_corpus.py's stage epub).
    """
    return data_path("corpus_epub", "debian")


@pytest.fixture(scope="session")
def portuguese_words_file() -> Path:
    return data_path("portuguese_words", "debian")


@pytest.fixture(scope="session")
def debian_pkgroot() -> Path:
    """The unpacked Debian packages: <package>/usr/share/..., HTML manuals and EPUBs."""
    return data_path("debian_pkgroot", "debian")
