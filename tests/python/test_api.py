"""The Python face of analysis: argument checking, types, GIL, CLI."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

import reference
import tomes


def test_version_and_exports():
    assert tomes.__version__ == "0.1.0"
    assert issubclass(tomes.CorruptIndexError, ValueError)
    # A stop the caller asked for, not an interrupt: `except Exception` sees it.
    assert issubclass(tomes.Cancelled, Exception)
    assert not issubclass(tomes.Cancelled, KeyboardInterrupt)
    assert "Cancelled" in tomes.__all__
    assert set(tomes.STEMMERS) == {"english", "portuguese"}


@pytest.mark.parametrize("bad", [b"bytes", None, 42, ["a list"]])
def test_text_must_be_str(bad):
    with pytest.raises(TypeError, match="text must be a str"):
        tomes.analyze(bad)


def test_unknown_stemmer_lists_the_accepted():
    with pytest.raises(ValueError, match="expected None or one of 'english', 'portuguese'"):
        tomes.analyze("text", stemmer="klingon")
    with pytest.raises(TypeError, match="stemmer must be None or a str"):
        tomes.analyze("text", stemmer=3)


def test_unknown_stopword_list_lists_the_accepted():
    with pytest.raises(ValueError, match="'english', 'portuguese', or an iterable of str"):
        tomes.analyze("text", stopwords="klingon")
    with pytest.raises(TypeError, match="must all be str"):
        tomes.analyze("text", stopwords=["ok", 3])
    with pytest.raises(TypeError, match="not bytes"):
        tomes.analyze("text", stopwords=b"the")
    with pytest.raises(TypeError, match="iterable of str"):
        tomes.analyze("text", stopwords=42)


def test_stopwords_any_iterable_case_folded():
    text = "The whale and THE Ship"
    assert tomes.analyze(text, stopwords={"the", "Ship"}) == ["whale", "and"]
    assert tomes.analyze(text, stopwords=(w for w in ["AND", "whale"])) == ["the", "the", "ship"]
    assert tomes.analyze(text, stopwords=[]) == reference.analyze(text)


def test_builtin_lists_are_snowballs():
    english = tomes._core.builtin_stopwords("english")
    assert len(english) == 174 and english[:3] == ["i", "me", "my"]
    portuguese = tomes._core.builtin_stopwords("portuguese")
    assert len(portuguese) == 203 and "não" in portuguese


def test_empty_and_separator_only_text():
    assert tomes.analyze("") == []
    assert tomes.analyze(" \n\t.,;— ") == []


def test_gil_is_released_while_analyzing():
    """The main thread runs while a worker thread is inside analyze().

    With a 10 s switch interval, a thread that holds the GIL keeps it until it
    releases it on purpose, so the main thread can observe the worker still
    inside analyze() only if analyze() released the GIL.
    """
    text = "generously running whales " * 1_000_000
    started = threading.Event()
    state = {"finished": False}

    def worker():
        started.set()
        tomes.analyze(text, stemmer="english")
        state["finished"] = True

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(10.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        started.wait()
        seen_inside = not state["finished"]
        thread.join()
    finally:
        sys.setswitchinterval(old_interval)
    assert seen_inside, "the main thread could not run while analyze() worked"


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "tomes", *args], input=stdin,
                          capture_output=True, text=True, check=False)


def test_cli_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("tomes 0.1.0 (oneTBB ")
    assert "Unicode 14.0.0" in result.stdout


def test_cli_analyze():
    result = run_cli("analyze", "--stemmer", "english", "--stopwords", "english",
                     "The", "running", "dogs")
    assert result.returncode == 0
    assert result.stdout.split() == ["run", "dog"]
    result = run_cli("analyze", stdin="Straße café")
    assert result.stdout.split() == ["strasse", "cafe"]
    result = run_cli("analyze", "--stemmer", "klingon", "x")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_cli_demo_indexes_and_searches_the_standard_library():
    result = run_cli("demo", "--top", "3")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "the Python standard library's" in out and "indexed " in out
    # Every demo query prints hits with book, chunk and span, and a snippet.
    assert out.count("search '") == 6
    first_hits = [line for line in out.splitlines() if line.strip().startswith("1. ")]
    assert len(first_hits) == 6
    assert any("re/" in line or "sre" in line or "fnmatch" in line for line in first_hits[:1])
    # The progress bar went to stderr, not stdout.
    assert "book" in result.stderr


def test_cli_index_search_info_verify(tmp_path):
    import json

    books = tmp_path / "books"
    books.mkdir()
    (books / "moby.txt").write_text("Call me Ishmael. The white whale swam by the ship.")
    (books / "other.md").write_text("A story of ships and the sea, with no whale at all. Whale!")
    ix = tmp_path / "ix"
    result = run_cli("index", str(books), str(ix), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "indexed 2 books into 2 chunks" in result.stdout
    result = run_cli("index", str(books), str(ix), "--quiet")
    assert result.returncode == 1 and "already holds an index" in result.stderr
    result = run_cli("search", str(ix), "whale", "--json", "-k", "5")
    hits = json.loads(result.stdout)
    assert [h["book_id"] for h in hits] == ["other.md", "moby.txt"]
    assert set(hits[0]) == {"book_id", "chunk", "doc_id", "score", "start", "end"}
    # the snippet marks the matched words (not a terminal: «»)
    result = run_cli("search", str(ix), "wale", "--fuzzy", "1")
    assert "moby.txt" in result.stdout and "white \u00abwhale\u00bb" in result.stdout
    result = run_cli("info", str(ix), "--json")
    assert json.loads(result.stdout)["books"] == 2
    result = run_cli("verify", str(ix))
    assert result.returncode == 0 and result.stdout.startswith("ok:")
    segment = next(ix.glob("segment_*"))
    damaged = segment / "postings_freqs.bin"
    data = bytearray(damaged.read_bytes())
    data[0] ^= 0x40
    damaged.write_bytes(bytes(data))
    result = run_cli("verify", str(ix))
    assert result.returncode == 1 and "postings_freqs.bin" in result.stderr
    result = run_cli("search", str(tmp_path / "nothing"), "x")
    assert result.returncode == 1 and "no tomes index" in result.stderr


def test_console_script_installed():
    import shutil
    from pathlib import Path
    script = Path(sys.executable).parent / "tomes"
    assert script.exists() or shutil.which("tomes")
    result = subprocess.run([str(script) if script.exists() else "tomes", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("tomes 0.1.0")


def test_docstring_examples():
    import doctest

    import tomes._analysis
    import tomes._fst
    for module in (tomes, tomes._analysis, tomes._fst):
        result = doctest.testmod(module, raise_on_error=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_a_run_that_fails_before_any_progress_draws_no_bar(tmp_path, capfd):
    with pytest.raises(OSError, match="not a directory"):
        tomes.index_corpus(tmp_path / "missing", tmp_path / "ix", progress=True)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
