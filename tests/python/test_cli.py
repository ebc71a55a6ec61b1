"""The ``tomes`` command line, run as ``python -m tomes`` in a subprocess (issue 11).

Each test builds its own books and states what a user should see: the exit
status, what goes to stdout and to stderr, and that the file names printed
find the files again.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tomes

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args, env=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "tomes", *map(str, args)], input=stdin, env=env,
                          capture_output=True, text=True, check=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- item 7: messages, Ctrl-C, a missing or empty books directory ------------------------------------------------


def test_indexing_over_an_index_names_the_cli_flag_and_the_api_names_mode(tmp_path):
    books = tmp_path / "books"
    write(books / "moby.txt", "Call me Ishmael. The white whale.")
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet").returncode == 0
    result = run_cli("index", books, ix, "--quiet")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert str(ix) in result.stderr and "--overwrite" in result.stderr
    assert "mode=" not in result.stderr
    # Python users are told the keyword they have.
    with pytest.raises(FileExistsError, match='mode="overwrite"') as raised:
        tomes.index_corpus(books, ix)
    assert str(ix) in str(raised.value)
    result = run_cli("index", books, ix, "--quiet", "--overwrite")
    assert result.returncode == 0, result.stderr


def test_ctrl_c_while_reading_stdin_prints_one_line_and_exits_130():
    proc = subprocess.Popen([sys.executable, "-m", "tomes", "analyze"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write("some words first\n")
        proc.stdin.flush()
        time.sleep(1.5)  # the interpreter starts and blocks reading standard input
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert err.count("\n") == 1 and "interrupted" in err


def _big_books(root: Path, books: int, words: int) -> None:
    rng = random.Random(11)
    vocabulary = [f"w{i}x" for i in range(5000)]
    for i in range(books):
        text = " ".join(rng.choices(vocabulary, k=words))
        write(root / f"big{i:04d}.txt", text)


def test_ctrl_c_while_indexing_exits_130_and_leaves_the_index_as_it_was(tmp_path):
    small = tmp_path / "small"
    write(small / "moby.txt", "Call me Ishmael. The white whale.")
    ix = tmp_path / "ix"
    assert run_cli("index", small, ix, "--quiet").returncode == 0
    before = sorted(p.name for p in ix.iterdir())
    manifest = (ix / "index.json").read_bytes()
    big = tmp_path / "big"
    _big_books(big, 400, 20000)  # 54 MB: about 6 s of work on one thread
    proc = subprocess.Popen([sys.executable, "-m", "tomes", "index", str(big), str(ix), "--overwrite",
                             "--threads", "1", "--batch-size", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Wait for the core's first report: the bar's total becomes the 400 books.
        seen = b""
        deadline = time.monotonic() + 60
        while b"/400" not in seen and time.monotonic() < deadline:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
        assert b"/400" in seen, seen
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    err = (seen + err).decode()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    last_line = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last_line.startswith("tomes index: interrupted")
    assert b"indexed" not in out
    assert sorted(p.name for p in ix.iterdir()) == before
    assert (ix / "index.json").read_bytes() == manifest
    with tomes.open(ix) as opened:
        assert [h.book_id for h in opened.search("whale")] == ["moby.txt"]


def test_a_missing_books_dir_is_reported_before_any_progress_bar(tmp_path):
    missing = tmp_path / "no-such-books"
    result = run_cli("index", missing, tmp_path / "ix")  # no --quiet: a bar would be drawn
    assert result.returncode == 1
    assert result.stderr == f"tomes index: error: {missing}: expected a directory of books, got nothing there\n"
    assert result.stdout == ""
    assert not (tmp_path / "ix").exists()
    a_file = write(tmp_path / "notes.txt", "not a directory")
    result = run_cli("index", a_file, tmp_path / "ix")
    assert result.returncode == 1
    assert result.stderr == f"tomes index: error: {a_file}: expected a directory of books, got a file\n"


def test_indexing_an_empty_dir_warns_and_fails(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("index", empty, tmp_path / "ix", "--quiet")
    assert result.returncode == 1
    assert "no book could be indexed" in result.stderr and str(empty) in result.stderr
    # Only files that cannot be indexed: the same, and they are listed.
    bad = tmp_path / "bad"
    write(bad / "blank.txt", "   \n")
    write(bad / "page.html", "<p></p>")
    result = run_cli("index", bad, tmp_path / "ix2", "--quiet")
    assert result.returncode == 1
    assert "no book could be indexed" in result.stderr
    assert "  blank.txt: " in result.stdout
    # One book is enough to succeed.
    write(bad / "moby.txt", "the whale")
    result = run_cli("index", bad, tmp_path / "ix3", "--quiet")
    assert result.returncode == 0 and result.stderr == ""


# --- item 9: one form for every path, listed; names that are not UTF-8 ------------------------------------------


def _sea_books(root: Path) -> None:
    write(root / "sea" / "whale.txt", "The white whale swam by the ship.")
    write(root / "sea" / "copy.txt", "The white whale swam by the ship.")
    write(root / "sea" / "empty.txt", "")
    write(root / "land.md", "A story of roads and hills.")


@pytest.mark.parametrize("trailing", ["", "/", "//"])
def test_report_paths_are_book_ids_like_hits(tmp_path, trailing):
    books = tmp_path / "books"
    _sea_books(books)
    (books / "sea" / "gone.txt").symlink_to(books / "nowhere.txt")
    report = tomes.index_corpus(str(books) + trailing, tmp_path / "ix")
    # "copy.txt" sorts before "whale.txt": it is the first, whale.txt the duplicate.
    assert report.duplicates == [("sea/whale.txt", "sea/copy.txt")]
    assert sorted(path for path, _ in report.skipped) == ["sea/empty.txt", "sea/gone.txt"]
    with tomes.open(tmp_path / "ix") as ix:
        assert {h.book_id for h in ix.search("whale")} == {"sea/copy.txt"}
    for path, _ in report.skipped + report.duplicates:
        assert os.path.lexists(books / path)


def test_cli_lists_duplicates_and_skipped_files_and_v_lists_them_all(tmp_path):
    books = tmp_path / "books"
    _sea_books(books)
    for i in range(12):
        write(books / "blank" / f"b{i:02d}.txt", " " * (i + 1))  # no text, and no two alike
    result = run_cli("index", books, tmp_path / "ix", "--quiet")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "1 duplicate(s) skipped:\n  sea/whale.txt: same text as sea/copy.txt\n" in out
    assert "13 file(s) skipped:\n" in out
    assert "  blank/b00.txt: " in out and "  blank/b09.txt: " in out
    assert "blank/b10.txt" not in out and "sea/empty.txt" not in out
    assert "... and 3 more" in out
    result = run_cli("index", books, tmp_path / "ix", "--quiet", "--overwrite", "-v")
    assert result.returncode == 0, result.stderr
    for i in range(12):
        assert f"  blank/b{i:02d}.txt: " in result.stdout
    assert "  sea/empty.txt: " in result.stdout and "more" not in result.stdout


def test_a_name_that_is_not_utf8_can_be_found_again(tmp_path):
    books = tmp_path / "books"
    books.mkdir()
    name = b"weird_\xff_name.txt"
    with open(os.path.join(os.fsencode(books), name), "wb") as f:
        f.write("the white whale, caf\u00e9".encode())
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet").returncode == 0
    result = subprocess.run([sys.executable, "-m", "tomes", "search", str(ix), "whale", "--json"],
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout.decode("utf-8"))  # valid UTF-8 (ASCII, in fact)
    assert os.fsencode(hits[0]["book_id"]) == name
    assert os.path.exists(os.path.join(os.fsencode(books), os.fsencode(hits[0]["book_id"])))
    # For people: the undecodable byte as \xff, the rest as it is.
    result = subprocess.run([sys.executable, "-m", "tomes", "search", str(ix), "whale"],
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    assert b"weird_\\xff_name.txt" in result.stdout
    assert "caf\u00e9".encode() in result.stdout


# --- item 10: distinct terms and a readable info -------------------------------------------------------------------


def test_stats_count_distinct_terms_and_name_the_sum_for_what_it_is(tmp_path):
    texts = {"a.txt": "whale ship sea whale", "b.txt": "whale harpoon", "c.txt": "sea storm ship", "d.txt": "lone"}
    books = tmp_path / "books"
    for name, text in texts.items():
        write(books / name, text)
    per_book = [set(tomes.analyze(text)) for text in texts.values()]
    for batch_size, segments in ((1, 4), (1000, 1)):
        ix_dir = tmp_path / f"ix{batch_size}"
        tomes.index_corpus(books, ix_dir, batch_size=batch_size)
        with tomes.open(ix_dir) as ix:
            stats = ix.stats()
        assert stats["segments"] == segments
        assert stats["terms"] == len(set().union(*per_book)) == 6
        expected_sum = sum(map(len, per_book)) if segments == 4 else 6
        assert stats["segment_terms_sum"] == expected_sum
        assert "segment_terms" not in stats


def test_info_prints_avgdl_and_sizes_for_people_and_json_for_machines(tmp_path):
    books = tmp_path / "books"
    write(books / "a.txt", "one two three")          # 3 terms
    write(books / "b.txt", "one two three four")     # 4 terms: avgdl 3.5
    write(books / "c.txt", "five six seven")         # 3 terms: avgdl 10/3
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet").returncode == 0
    result = run_cli("info", ix)
    assert result.returncode == 0, result.stderr
    rows = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert rows["avgdl"] == "3.33"
    assert rows["terms"] == "7"
    size = sum(p.stat().st_size for p in ix.glob("segment_*/*"))
    assert rows["bytes"] == f"{size / 1000:.1f} kB ({size:,} bytes)"
    stats = json.loads(run_cli("info", ix, "--json").stdout)
    assert stats["avgdl"] == 10 / 3 and stats["bytes"] == size and stats["terms"] == 7


# --- item 11: a terminal that cannot show the text ---------------------------------------------------------------


def test_an_ascii_stdout_gets_escapes_not_a_crash(tmp_path):
    books = tmp_path / "books"
    write(books / "caf\u00e9.txt", "Un caf\u00e9 cr\u00e8me pour la baleine, whale.")
    write(books / "plain.txt", "whale whale whale")
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet").returncode == 0
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    result = run_cli("search", ix, "whale", env=env)
    assert result.returncode == 0, result.stderr
    assert "caf\\xe9.txt" in result.stdout and "cr\\xe8me" in result.stdout
    assert "  2. " in result.stdout  # the output went on after the non-ASCII hit
    result = run_cli("search", ix, "whale", "--json", env=env)
    assert {h["book_id"] for h in json.loads(result.stdout)} == {"caf\u00e9.txt", "plain.txt"}


# --- item 12: what the docs promise ------------------------------------------------------------------------------


def test_readme_first_paragraph_promises_only_what_is_indexed(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = " ".join(readme.split("\n\n")[1].split())  # after the title, one line
    books = tmp_path / "books"
    write(books / "a.txt", "whale a")  # distinct texts: no duplicates
    write(books / "b.md", "whale b")
    write(books / "c.html", "<p>whale c</p>")
    write(books / "d.htm", "<p>whale d</p>")
    sys.path.insert(0, str(REPO / "bench" / "corpus"))
    from epub_writer import make_epub  # noqa: E402  (the corpus builder's writer)

    make_epub(books / "e.epub", "E", [("one", "whale e")])
    fpdf = pytest.importorskip("fpdf")  # the test extra has it, and pypdfium2
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="whale f")
    pdf.output(str(books / "f.pdf"))
    report = tomes.index_corpus(books, tmp_path / "ix")
    assert report.skipped == [] and report.duplicates == [] and report.books == 6
    with tomes.open(tmp_path / "ix") as ix:
        assert sorted(h.book_id for h in ix.search("whale")) == [
            "a.txt", "b.md", "c.html", "d.htm", "e.epub", "f.pdf"]
    for name in ("plain-text", "Markdown", "HTML", "EPUB", "PDF", "`.htm`", "tomes[pdf]"):
        assert name in first
    assert "not read yet" not in first


def test_analyze_help_explains_the_rule_without_spec_references():
    result = run_cli("analyze", "--help")
    assert result.returncode == 0
    assert "SPEC" not in result.stdout
    text = " ".join(result.stdout.split())
    for words in ("letters, marks and numbers", "case-folded", "stopword", "stemmed", "accents", "2 to 40"):
        assert words in text
    top = run_cli("--help")
    assert "SPEC" not in top.stdout


def test_search_on_an_index_without_text_prints_hits_without_snippets(tmp_path):
    books = tmp_path / "books"
    write(books / "a.txt", "the white whale")
    write(books / "b.txt", "a whale and a ship")
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet", "--no-text").returncode == 0
    result = run_cli("search", ix, "whale")
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["1.", "2."]


# --- issue 12: snippets around the matched words, --fuzzy and --transpositions -------------------------------------

def _snippet_lines(stdout: str):
    """The snippet line under each hit line."""
    lines = stdout.splitlines()
    return [lines[i + 1].strip() for i, line in enumerate(lines[:-1]) if line.strip()[:1].isdigit()]


def test_search_snippet_shows_a_match_deep_inside_a_long_chunk(tmp_path):
    books = tmp_path / "books"
    filler = " ".join(["sea calm sailors slept"] * 40)  # ~900 characters before the match
    write(books / "moby.txt", f"{filler} and then the great white whale rose from the deep {filler}")
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet", "--chunk-size", "4000").returncode == 0
    result = run_cli("search", ix, "whale")
    assert result.returncode == 0, result.stderr
    (snippet,) = _snippet_lines(result.stdout)
    # Not a terminal: matches between guillemets; text cut at both ends.
    assert "\u00abwhale\u00bb" in snippet
    assert snippet.startswith("\u2026") and snippet.endswith("\u2026")
    assert "\x1b[" not in snippet
    shown = snippet.strip("\u2026").replace("\u00ab", "").replace("\u00bb", "")
    assert len(shown) <= 160 and "  " not in shown
    # cut at word boundaries: every word shown is a whole word of the book
    assert set(shown.split()) <= {"sea", "calm", "sailors", "slept", "and", "then", "the", "great", "white",
                                  "whale", "rose", "from", "deep"}


def test_search_snippet_matches_stemmed_and_stopword_queries(tmp_path):
    books = tmp_path / "books"
    write(books / "a.txt", "Of the whale and of the ship. " + "Nothing here at all. " * 20)
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet", "--stopwords", "english", "--stemmer", "english").returncode == 0
    result = run_cli("search", ix, "Whales of the")
    assert result.returncode == 0, result.stderr
    (snippet,) = _snippet_lines(result.stdout)
    assert "\u00abwhale\u00bb" in snippet
    assert "\u00abOf\u00bb" not in snippet and "\u00abthe\u00bb" not in snippet  # stopwords never match
    result = run_cli("search", ix, "shi*")
    assert "\u00abship\u00bb" in _snippet_lines(result.stdout)[0]


def test_search_snippet_highlights_fuzzy_matches(tmp_path):
    books = tmp_path / "books"
    write(books / "a.txt", "the white whale and the whaler")
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet").returncode == 0
    result = run_cli("search", ix, "whalr", "--fuzzy", "1")
    assert result.returncode == 0, result.stderr
    assert _snippet_lines(result.stdout) == ["the white \u00abwhale\u00bb and the \u00abwhaler\u00bb"]
    assert "--transpositions" in run_cli("search", "--help").stdout
    assert "--fuzzy" in run_cli("search", "--help").stdout


def test_search_transpositions_flag(tmp_path):
    books = tmp_path / "books"
    write(books / "a.txt", "the white whale")
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet").returncode == 0
    assert run_cli("search", ix, "wahle", "--fuzzy", "1").stdout == ""
    import inspect
    if "transpositions" not in inspect.signature(tomes.Index.search).parameters:
        pytest.skip("Index.search has no transpositions keyword yet")
    result = run_cli("search", ix, "wahle", "--fuzzy", "1", "--transpositions")
    assert result.returncode == 0, result.stderr
    assert _snippet_lines(result.stdout) == ["the white \u00abwhale\u00bb"]


def test_search_without_stored_text_prints_hits_and_no_snippet(tmp_path):
    books = tmp_path / "books"
    write(books / "a.txt", "the white whale " * 50)
    ix = tmp_path / "ix"
    assert run_cli("index", books, ix, "--quiet", "--no-text").returncode == 0
    result = run_cli("search", ix, "whale", "--fuzzy", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and result.stdout.lstrip().startswith("1.")
    assert "\u00ab" not in result.stdout


def _brute_best_window(matches, width, text_length):
    """The earliest window [s, s + width) over every s holding the most
    distinct items among the matches wholly inside it: (count, matches inside)."""
    best = (0, [])
    for s in range(0, max(text_length, 1)):
        inside = [m for m in matches if m.start >= s and m.end <= s + width]
        count = len(set().union(*(m.items for m in inside))) if inside else 0
        if count > best[0]:
            best = (count, inside)
    return best


def test_snippet_window_equals_a_brute_force_choice():
    from tomes._snippet import Match, best_window

    rng = random.Random(5)
    for _ in range(300):
        matches, at = [], rng.randrange(5)
        for _ in range(rng.randrange(1, 12)):
            length = rng.randrange(1, 8)
            matches.append(Match(at, at + length, frozenset(rng.sample("abcde", rng.randrange(1, 3)))))
            at += length + rng.randrange(1, 30)
        width = rng.randrange(8, 60)
        count, inside = _brute_best_window(matches, width, at)
        got = best_window(matches, width)
        # the same first match and as many distinct items; the window runs on
        # to the last match that fits after it
        first = inside[0]
        assert got[0] == first.start
        chosen = [m for m in matches if m.start >= got[0] and m.end <= got[1]]
        assert got[1] - got[0] <= width
        assert len(set().union(*(m.items for m in chosen))) == count


def test_make_snippet_by_hand():
    from tomes._analysis import _analyzer
    from tomes._snippet import GUILLEMETS, QueryTerms, make_snippet, token_spans

    plain = _analyzer((), "")
    assert token_spans("caf\u00e9  n\u00b0 12\u00bd") == [(0, 4), (6, 7), (9, 12)]
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
    # the window with both terms wins over the earlier one with one
    query = QueryTerms("beta mu lambda", plain)
    assert (make_snippet(text, query, plain, width=20, marks=GUILLEMETS)
            == "\u2026iota kappa \u00ablambda\u00bb \u00abmu\u00bb")
    # ties: the earliest; cut at whitespace, never inside a word; whitespace
    # collapsed; no match: the text's start
    assert (make_snippet("a  beta\n\nx beta", QueryTerms("beta", plain), plain, width=9)
            == "\u2026\u00abbeta\u00bb x\u2026")
    assert make_snippet(text, QueryTerms("omega", plain), plain, width=12) == "alpha beta\u2026"
    # prefixes and fuzzy terms
    assert make_snippet(text, QueryTerms("lamb* zeat", plain, fuzzy=1, transpositions=True), plain,
                        width=200) == text.replace("zeta", "\u00abzeta\u00bb").replace("lambda", "\u00ablambda\u00bb")
    assert make_snippet(text, QueryTerms("lamb* zeat", plain, fuzzy=1), plain,
                        width=200) == text.replace("lambda", "\u00ablambda\u00bb")


def test_snippet_docstring_examples():
    import doctest

    import tomes._snippet
    result = doctest.testmod(tomes._snippet, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0
