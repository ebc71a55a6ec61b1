"""The committed Unicode tables are exactly what the generator makes."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(unicodedata.unidata_version != "14.0.0",
                    reason="the tables are generated from Python 3.11's unicodedata 14.0.0")
def test_tables_regenerate_identically(tmp_path):
    out = tmp_path / "unicode_tables.cc"
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen_unicode_tables.py"),
                    "--output", str(out)], check=True)
    committed = (REPO / "cpp" / "analysis" / "unicode_tables.cc").read_text("utf-8")
    assert out.read_text("utf-8") == committed, \
        "cpp/analysis/unicode_tables.cc differs from the generator's output"
