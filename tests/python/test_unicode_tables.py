"""The committed generated tables are exactly what their generators make."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(unicodedata.unidata_version != "14.0.0",
                    reason="the tables are generated from Python 3.11's unicodedata 14.0.0")
@pytest.mark.parametrize("script, committed", [
    ("gen_unicode_tables.py", "cpp/analysis/unicode_tables.cc"),
    ("gen_whitespace_table.py", "cpp/chunk/whitespace_table.h"),
])
def test_tables_regenerate_identically(tmp_path, script, committed):
    out = tmp_path / Path(committed).name
    subprocess.run([sys.executable, str(REPO / "scripts" / script), "--output", str(out)], check=True)
    assert out.read_text("utf-8") == (REPO / committed).read_text("utf-8"), \
        f"{committed} differs from the generator's output"
