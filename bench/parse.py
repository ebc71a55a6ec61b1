#!/usr/bin/env python3
"""Text extraction, side by side: tomes beside selectolax (lexbor), ebooklib and html.parser.

One run, one thread for extraction, every row over the same files:

    python bench/parse.py --corpora /work/corpora                 # html, epub, index; best of 3
    python bench/parse.py --only html --repeat 1 --quick          # a smoke test (a 1/20 sample)

The interpreter running this script needs tomes and the peers. Set them up in
the venv tomes is installed in (the peers are never a dependency of tomes):

    pip install selectolax ebooklib        # selectolax 1.0 (lexbor), ebooklib 0.20 (+ lxml)

A peer that is not installed, or a tomes build without the extractor a part
needs (tomes._core.html_text, tomes._core.epub_text), leaves its row out with
the reason printed; the other rows still run.

Corpora (from bench/corpus/make_corpus.py, under --corpora; default
$TOMES_CORPORA, else build/corpora):

  html   every regular file named *.html or *.htm (any case; symlinks not
         followed, so each page counts once) under pkgroot/: the HTML manuals
         of the Debian documentation packages. Read into memory before timing.
  epub   epub/books/*.epub (`make_corpus.py --only epub`: 306 books made from
         real/) and the two EPUBs Debian ships (developers-reference, policy).
  index  epub/books/ and epub/twins/ (each book's text as .txt).

Rows. MB/s is of input bytes (HTML bytes; EPUB file bytes) over the wall time
of one pass over every file, best of --repeat passes (rows interleaved);
"text Mchars" is how many characters the row extracted, to see that rows do
comparable work; "failed" counts files a row raised on (skipped, not timed
apart).

  html   tomes        tomes._core.html_text(data: bytes) -> str (charset from
                      BOM / <meta charset>, SPEC 2's rules)
         selectolax   LexborHTMLParser(data).body.text(separator="\\n"): lexbor
                      parses the whole DOM; its text keeps script and style
                      contents and splits words at inline tags
         selectolax+strip  the same after tree.strip_tags(script, style,
                      noscript, template), the work SPEC 2 asks for
         html.parser  data.decode("utf-8", errors="replace") fed to an
                      html.parser.HTMLParser subclass that keeps the body's
                      text, drops script/style/noscript/template/head, and
                      puts line breaks at block tags (convert_charrefs=True)
         ratio        tomes / the faster selectolax row (target: >= 2x)
                      (selectolax's older "modest" backend refuses to run
                      since 1.0, so it is not a row)
  epub   tomes        tomes._core.epub_text(path: str) -> str (reads the file)
         ebooklib     ebooklib.epub.read_epub(path, {"ignore_ncx": True}), then
                      for each spine item get_item_with_id(idref).get_content()
                      through the html.parser extractor above
         ratio        tomes / ebooklib (target: >= 5x)
  index  tomes.index_corpus(dir, out, threads=--threads) with the defaults
         of `tomes index` (chunks of 1000 code points, overlap 100, text
         stored) of epub/books and of epub/twins, into a fresh temporary
         folder each pass (TOMES_BENCH_TMP if set); MB/s is of the twins'
         bytes (the text both index) over wall time; ratio = EPUB MB/s /
         .txt MB/s. Books skipped by a run are counted and the first
         reasons printed (a tomes without EPUB support skips them all).

Nothing here is a test: no row's output is checked against another's
(tests/python does that). This measures the CPU cost of extraction only.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import warnings
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

PARTS = ("html", "epub", "index")
DEBIAN_EPUBS = ("developers-reference/usr/share/developers-reference/developers-reference.epub",
                "debian-policy/usr/share/doc/debian-policy/policy.epub")
QUICK_EVERY = 20  # --quick keeps every 20th file of each corpus


def default_corpora() -> Path:
    return Path(os.environ.get("TOMES_CORPORA") or Path(__file__).resolve().parents[1] / "build" / "corpora")


# ============================================================ corpora

def html_files(pkgroot: Path) -> List[Path]:
    """Regular files *.html / *.htm under pkgroot, in path order (symlinks left out: each page once)."""
    found = []
    for folder, _, names in os.walk(pkgroot):
        for name in names:
            path = Path(folder) / name
            if name.lower().endswith((".html", ".htm")) and not path.is_symlink() and path.is_file():
                found.append(path)
    return sorted(found)


def sample(files: Sequence[Path], quick: bool) -> List[Path]:
    return list(files[::QUICK_EVERY]) if quick else list(files)


def epub_files(corpora: Path, quick: bool) -> List[Path]:
    """The corpus' EPUBs (a sample of them with quick), then the two Debian ships, always."""
    books = sample(sorted((corpora / "epub" / "books").glob("*.epub")), quick)
    debian = [corpora / "pkgroot" / p for p in DEBIAN_EPUBS if (corpora / "pkgroot" / p).is_file()]
    return books + debian


# ============================================================ the html.parser peer

BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul".split())
DROPPED_TAGS = frozenset(("script", "style", "noscript", "template", "head"))


class BodyText(HTMLParser):
    """The text of a page: body text, dropped elements left out, block tags as line breaks.

    Not thread-safe (one instance per page). A missing <body> tag leaves the
    whole document as body, as browsers read it.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: List[str] = []
        self.dropped = 0  # depth inside script/style/...: their text is not the page's

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in DROPPED_TAGS:
            self.dropped += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_TAGS:
            self.dropped = max(0, self.dropped - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.dropped:
            self.parts.append(data)


def html_parser_text(text: str) -> str:
    parser = BodyText()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


# ============================================================ rows

Row = Callable[[object], str]  # one file (bytes for html, Path for epub) -> its text


def tomes_function(name: str) -> Tuple[Optional[Callable], str]:
    """tomes._core.<name>, or None and why it is missing."""
    try:
        from tomes import _core
    except ImportError as e:
        return None, f"tomes not importable ({e})"
    fn = getattr(_core, name, None)
    if fn is None:
        return None, f"this tomes build has no tomes._core.{name}"
    return fn, ""


def html_rows() -> Tuple[Dict[str, Row], Dict[str, str]]:
    rows: Dict[str, Row] = {}
    missing: Dict[str, str] = {}
    html_text, why = tomes_function("html_text")
    if html_text:
        rows["tomes"] = html_text
    else:
        missing["tomes"] = why
    try:
        from selectolax.lexbor import LexborHTMLParser

        def selectolax(data: bytes) -> str:
            body = LexborHTMLParser(data).body
            return body.text(separator="\n") if body is not None else ""

        def selectolax_strip(data: bytes) -> str:
            tree = LexborHTMLParser(data)
            tree.strip_tags(["script", "style", "noscript", "template"])
            body = tree.body
            return body.text(separator="\n") if body is not None else ""

        rows["selectolax"] = selectolax
        rows["selectolax+strip"] = selectolax_strip
    except ImportError:
        missing["selectolax"] = "not installed (pip install selectolax)"
    rows["html.parser"] = lambda data: html_parser_text(data.decode("utf-8", errors="replace"))
    return rows, missing


def epub_rows() -> Tuple[Dict[str, Row], Dict[str, str]]:
    rows: Dict[str, Row] = {}
    missing: Dict[str, str] = {}
    epub_text, why = tomes_function("epub_text")
    if epub_text:
        rows["tomes"] = lambda path: epub_text(str(path))
    else:
        missing["tomes"] = why
    try:
        from ebooklib import epub

        def ebooklib_text(path: Path) -> str:
            book = epub.read_epub(str(path), {"ignore_ncx": True})
            texts = []
            for idref, _ in book.spine:
                item = book.get_item_with_id(idref)
                if item is not None:
                    texts.append(html_parser_text(item.get_content().decode("utf-8", errors="replace")))
            return "\n".join(texts)

        rows["ebooklib"] = ebooklib_text
    except ImportError:
        missing["ebooklib"] = "not installed (pip install ebooklib)"
    return rows, missing


def one_pass(row: Row, inputs: Sequence[object]) -> Tuple[float, int, int]:
    """(seconds, characters of text extracted, files the row raised on) for one pass."""
    chars = failed = 0
    started = time.perf_counter()
    for item in inputs:
        try:
            chars += len(row(item))
        except Exception:  # a peer's failure on one file is counted, not fatal
            failed += 1
    return time.perf_counter() - started, chars, failed


# ============================================================ measuring

Result = Dict[str, object]


def measure_extraction(part: str, rows: Dict[str, Row], inputs: Sequence[object], size: int,
                       files: int, repeat: int) -> List[Result]:
    best: Dict[str, Tuple[float, int, int]] = {}
    for _ in range(repeat):  # interleaved, so a slow moment of the machine hits every row alike
        for name, row in rows.items():
            run = one_pass(row, inputs)
            if name not in best or run[0] < best[name][0]:
                best[name] = run
    results = []
    for name in rows:
        seconds, chars, failed = best[name]
        results.append({"part": part, "row": name, "files": files, "mb": size / 1e6, "seconds": seconds,
                        "mbs": size / 1e6 / seconds, "text_mchars": chars / 1e6, "failed": failed})
        print(f"  {part} {name:18s} {size / 1e6 / seconds:8.1f} MB/s  ({seconds:.2f} s, "
              f"{chars / 1e6:.1f} M characters of text, {failed} failed)", flush=True)
    return results


def run_html(corpora: Path, quick: bool, repeat: int) -> Tuple[List[Result], Dict[str, str]]:
    files = sample(html_files(corpora / "pkgroot"), quick)
    if not files:
        raise SystemExit(f"no *.html under {corpora / 'pkgroot'}: run bench/corpus/make_corpus.py --only real")
    data = [f.read_bytes() for f in files]
    size = sum(len(d) for d in data)
    print(f"html: {len(files):,} files, {size / 1e6:,.1f} MB under {corpora / 'pkgroot'}", flush=True)
    rows, missing = html_rows()
    return measure_extraction("html", rows, data, size, len(files), repeat), missing


def run_epub(corpora: Path, quick: bool, repeat: int) -> Tuple[List[Result], Dict[str, str]]:
    if not (corpora / "epub" / "books").is_dir():
        raise SystemExit(f"no {corpora / 'epub' / 'books'}: run bench/corpus/make_corpus.py --only epub")
    files = epub_files(corpora, quick)
    size = sum(f.stat().st_size for f in files)
    print(f"epub: {len(files):,} files, {size / 1e6:,.1f} MB ({corpora / 'epub' / 'books'} and "
          f"Debian's EPUBs)", flush=True)
    rows, missing = epub_rows()
    with warnings.catch_warnings():  # ebooklib warns on every read about options it will change
        warnings.simplefilter("ignore")
        return measure_extraction("epub", rows, files, size, len(files), repeat), missing


def index_once(books: Path, threads: int) -> Tuple[float, object]:
    import tomes

    work = Path(tempfile.mkdtemp(prefix="bench-parse-", dir=os.environ.get("TOMES_BENCH_TMP")))
    try:
        started = time.perf_counter()
        report = tomes.index_corpus(books, work / "index", threads=threads)
        return time.perf_counter() - started, report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_index(corpora: Path, quick: bool, repeat: int, threads: int) -> Tuple[List[Result], Dict[str, str]]:
    root = corpora / "epub"
    if not (root / "books").is_dir():
        raise SystemExit(f"no {root / 'books'}: run bench/corpus/make_corpus.py --only epub")
    if quick:  # a sample: the same books in both folders, linked into temporary ones
        work = Path(tempfile.mkdtemp(prefix="bench-parse-sample-", dir=os.environ.get("TOMES_BENCH_TMP")))
        for sub, ext in (("books", ".epub"), ("twins", ".txt")):
            (work / sub).mkdir()
            for f in sorted((root / sub).glob("*" + ext))[::QUICK_EVERY]:
                (work / sub / f.name).symlink_to(f)
        root = work
    try:
        twins = sorted((root / "twins").glob("*.txt"))
        size = sum(f.stat().st_size for f in twins)
        print(f"index: {len(twins):,} books, {size / 1e6:,.1f} MB of text, {threads} threads", flush=True)
        best: Dict[str, Tuple[float, object]] = {}
        for _ in range(repeat):
            for name, folder in (("tomes epub", root / "books"), ("tomes txt", root / "twins")):
                seconds, report = index_once(folder, threads)
                if name not in best or seconds < best[name][0]:
                    best[name] = (seconds, report)
        results = []
        for name, (seconds, report) in best.items():
            skipped = list(report.skipped)
            results.append({"part": "index", "row": name, "files": len(twins), "mb": size / 1e6,
                            "seconds": seconds, "mbs": size / 1e6 / seconds, "books": report.books,
                            "chunks": report.chunks, "skipped": len(skipped)})
            print(f"  index {name:12s} {size / 1e6 / seconds:8.1f} MB/s  ({seconds:.2f} s, "
                  f"{report.books} books, {report.chunks:,} chunks, {len(skipped)} skipped)", flush=True)
            reasons = sorted({str(reason) for _, reason in skipped})
            if reasons:
                print(f"    skip reasons: {'; '.join(reasons[:5])}", flush=True)
        return results, {}
    finally:
        if quick:
            shutil.rmtree(root, ignore_errors=True)


# ============================================================ report

def environment() -> str:
    versions = []
    try:
        import tomes

        info = tomes._core.build_info()
        versions.append(f"tomes {tomes.__version__} ({', '.join(f'{k} {v}' for k, v in info.items() if k != 'tomes')})")
    except (ImportError, AttributeError):
        versions.append("tomes not importable")
    for module, label in (("selectolax", "selectolax"), ("ebooklib", "ebooklib"), ("lxml", "lxml")):
        try:
            mod = __import__(module)
            version = getattr(mod, "__version__", None) or ".".join(map(str, getattr(mod, "VERSION", ())))
            versions.append(f"{label} {version}")
        except ImportError:
            versions.append(f"{label} not installed")
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{', '.join(versions)}; Python {sys.version.split()[0]}; {cpu}, {os.cpu_count()} cores; "
            "extraction on one thread")


def ratio_note(results: List[Result], part: str) -> Dict[str, str]:
    """The "vs peer" cell of each row: tomes / the reference peer of the part."""
    by_row = {r["row"]: r["mbs"] for r in results if r["part"] == part}
    if part == "html":
        peers = [by_row[p] for p in ("selectolax", "selectolax+strip") if p in by_row]
        reference, label = (max(peers), "selectolax") if peers else (None, "")
    elif part == "epub":
        reference, label = by_row.get("ebooklib"), "ebooklib"
    else:
        reference, label = by_row.get("tomes txt"), ".txt"
    notes = {}
    for r in (r for r in results if r["part"] == part and r["row"] in ("tomes", "tomes epub")):
        if r.get("skipped"):  # it did less work than the .txt run: no ratio to give
            notes[r["row"]] = f"not comparable: {r['skipped']} of {r['files']} books skipped"
        elif reference:
            notes[r["row"]] = f"{r['mbs'] / reference:.2f}x {label}"
    return notes


def print_table(results: List[Result], missing: Dict[str, Dict[str, str]]) -> None:
    print("\n| part | row | files | input MB | best s | MB/s | text Mchars | failed / skipped | tomes vs |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for part in PARTS:
        notes = ratio_note(results, part)
        for r in (r for r in results if r["part"] == part):
            text = f"{r['text_mchars']:.1f}" if "text_mchars" in r else f"{r['chunks']:,} chunks"
            bad = r.get("failed", r.get("skipped", 0))
            print(f"| {part} | {r['row']} | {r['files']:,} | {r['mb']:.1f} | {r['seconds']:.2f} | "
                  f"{r['mbs']:.1f} | {text} | {bad} | {notes.get(r['row'], '')} |")
        for row, why in missing.get(part, {}).items():
            print(f"| {part} | {row} | | | | | | | left out: {why} |")
    print("\nindex: MB/s of the twins' text bytes, both rows; input MB is the twins' size.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=None,
                    help="folder of make_corpus.py's output (default: $TOMES_CORPORA, else build/corpora)")
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma list among {', '.join(PARTS)}")
    ap.add_argument("--repeat", type=int, default=3, help="passes per row; the best counts (default 3)")
    ap.add_argument("--threads", type=int, default=2, help="index_corpus threads for the index part (default 2)")
    ap.add_argument("--quick", action="store_true",
                    help=f"every {QUICK_EVERY}th file of each corpus only, and Debian's two EPUBs "
                         "(a smoke test; figures not comparable)")
    args = ap.parse_args()
    parts = [p for p in args.only.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown part(s) {', '.join(sorted(unknown))}: expected some of {', '.join(PARTS)}")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    corpora = args.corpora or default_corpora()
    print(environment())
    print(f"corpora {corpora}; best of {args.repeat}{'; QUICK SAMPLE' if args.quick else ''}\n", flush=True)
    results: List[Result] = []
    missing: Dict[str, Dict[str, str]] = {}
    for part in PARTS:
        if part not in parts:
            continue
        if part == "html":
            rows, missing[part] = run_html(corpora, args.quick, args.repeat)
        elif part == "epub":
            rows, missing[part] = run_epub(corpora, args.quick, args.repeat)
        else:
            rows, missing[part] = run_index(corpora, args.quick, args.repeat, args.threads)
        results += rows
    print_table(results, missing)


if __name__ == "__main__":
    main()
