"""Every byte of an index is what the code wrote when the digests were taken.

The expected SHA-256 digests (data/golden_digests.json) were first taken from
the code as it was before the segment layer was split out (commit 34b6249),
by `golden_corpus.py --write`. A mismatch means the on-disk format changed:
that needs a format version bump and docs/FORMAT.md, never a silent update.

History: regenerated (`python tests/python/golden_corpus.py --write`) for
segment/postings format 2 (skip entries with 4 impact pairs), the one
intended change: every segment file's footer version and the skip tables.
Regenerated for segment format 3 and index format 2 (issue 14): books.bin
(the corpus's files get one fixed mtime, which it records), every footer's
version, meta.json without base_doc_id, index.json's deletion members, and
offsets.bin and doc_lengths.bin bit-packed (docs/FORMAT.md section 4).
Regenerated, still segment format 3 (unreleased), for chunks.bin and
books.bin bit-packed (packed columns, front-coded names): only those two
files and the meta.json / index.json that record their sizes and CRCs.
"""

from __future__ import annotations

import json

import pytest

import tomes
from golden_corpus import DIGESTS, OPTION_SETS, index_digests, write_corpus


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden") / "books"
    write_corpus(root)
    return root


@pytest.mark.parametrize("name", sorted(OPTION_SETS))
def test_index_files_are_byte_identical_to_the_golden_digests(books, tmp_path, name):
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))[name]
    report = tomes.index_corpus(books, tmp_path / name, **OPTION_SETS[name])
    # The corpus exercises duplicates and skipped files (not only happy paths).
    assert len(report.duplicates) == 2 and len(report.skipped) >= 2
    got = index_digests(tmp_path / name)
    assert sorted(got) == sorted(expected), "the index holds other files than before"
    differing = [path for path in sorted(expected) if got[path] != expected[path]]
    assert not differing, f"{name}: these files' bytes changed: {differing[:10]}"


def test_the_digests_do_not_depend_on_threads(books, tmp_path):
    options = dict(OPTION_SETS["stemmed-segments"])
    options["threads"] = 1
    tomes.index_corpus(books, tmp_path / "one", **options)
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))["stemmed-segments"]
    assert index_digests(tmp_path / "one") == expected
