#!/usr/bin/env python3
"""Builds the corpora tomes is tested and measured on, from Debian packages.

    python bench/corpus/make_corpus.py                      # real + vocab + zipf-1G
    python bench/corpus/make_corpus.py --only real,vocab    # what the tests use
    python bench/corpus/make_corpus.py --only zipf --zipf-size 200M
    python bench/corpus/make_corpus.py --only epub          # EPUBs with .txt twins

Outputs under --root (default: $TOMES_CORPORA, else build/corpora in the
repository; never committed):
    debs/      the downloaded .deb files (apt-get download; needs `apt-get update` once)
    pkgroot/   the .debs unpacked with dpkg-deb -x (nothing is installed system-wide)
    real/      one UTF-8 .txt per book or document, <source>_<title>.txt: 8,469 books,
               about 138 MB (KJV Bible, Python/Linux/Perl/PostgreSQL/Django docs,
               GCIDE dictionary, man pages rendered with groff, vim help, ...)
    vocab.tsv  term <TAB> collection frequency over real/ (lowercased [^\\W_]+ runs)
    zipf-<N>/  synthetic books of N bytes in all (200 KB - 2 MB each), Zipfian over
               the real vocabulary (needs numpy)
    epub/      books/<name>.epub and twins/<name>.txt: every --epub-every-th book of
               real/ (by name) of at least --epub-min-book bytes (default: 306 books,
               about 37 MB of text), cut into chapters of 10-50 KB at blank lines
               and written with epub_writer.make_epub (every second one with
               shuffle_seed, so only its spine gives the chapter order); the twin
               is twin_text(chapters), which is the real/ book's text itself

Needs apt-get, dpkg-deb and groff (a Debian or Ubuntu machine). Each stage
writes into a temporary directory and renames it when done, with a
MANIFEST.json recording its parameters; a stage whose output exists with the
same parameters is skipped (--force rebuilds). Deterministic: the same
packages and parameters give byte-identical output.
"""
from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from epub_writer import make_epub, twin_text  # noqa: E402
from textutil import html_to_text, next_page, pod_to_text, tidy  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def default_root() -> Path:
    """Where the corpora go unless --root says otherwise: $TOMES_CORPORA, else build/corpora."""
    return Path(os.environ.get("TOMES_CORPORA") or REPO / "build" / "corpora")


PACKAGES = [
    "bible-kjv", "bible-kjv-text", "python3.11-doc", "linux-doc-6.1", "perl-doc",
    "debian-reference-en", "debian-handbook", "developers-reference", "maint-guide",
    "debian-policy", "gnu-standards", "git-doc", "postgresql-doc-15", "dict-gcide",
    "dict-devil", "fortunes", "vim-runtime", "bash-doc", "python-django-doc",
    "sphinx-doc", "r-doc-html", "octave-doc", "nodejs-doc", "haskell98-report",
    "jargon-text", "manpages", "manpages-dev",
]
REAL_VERSION = 3      # bump when the extraction rules change
SEED = 20261124


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ====================================================================== debs

def fetch_packages(root: Path):
    debs, pkgroot = root / "debs", root / "pkgroot"
    debs.mkdir(parents=True, exist_ok=True)
    pkgroot.mkdir(parents=True, exist_ok=True)
    missing = [p for p in PACKAGES if not glob.glob(str(debs / f"{p}_*.deb"))]
    if missing:
        log(f"apt-get download {' '.join(missing)}")
        r = subprocess.run(["apt-get", "download", *missing], cwd=debs,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.exit("apt-get download failed (run `apt-get update` first?):\n" + r.stdout)
    for p in PACKAGES:
        dest = pkgroot / p
        if (dest / ".unpacked").exists():
            continue
        deb = sorted(glob.glob(str(debs / f"{p}_*.deb")))[-1]
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir()
        subprocess.run(["dpkg-deb", "-x", deb, str(dest)], check=True)
        (dest / ".unpacked").write_text(os.path.basename(deb) + "\n")
    return pkgroot


def pkg_versions(root: Path):
    return sorted(os.path.basename(d) for p in PACKAGES
                  for d in glob.glob(str(root / "debs" / f"{p}_*.deb")))


# ====================================================================== real

def read_maybe_gz(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix in (".gz", ".dz") or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def clean_plain(text: str) -> str:
    return tidy(text.replace("\x00", ""))


def slug(s: str) -> str:
    s = re.sub(r"\.(rst\.txt|rst|txt|html?|pod|gz)$", "", s)
    s = s.replace("/", "-")
    s = re.sub(r"[^A-Za-z0-9._+-]+", "_", s).strip("_.-")
    return s[:150] or "untitled"


def src_kjv(P):
    """King James Bible, one book per biblical book."""
    r = subprocess.run([str(P / "bible-kjv/usr/bin/bible"), "-p",
                        str(P / "bible-kjv-text/usr/lib"), "-l0", "gen1:1-rev22:21"],
                       stdin=subprocess.DEVNULL, capture_output=True, check=True)
    text = r.stdout.decode("utf-8", errors="replace")
    books = collections.OrderedDict()
    cur = None
    for line in text.splitlines():
        m = re.fullmatch(r"([1-4]?\s?[A-Za-z][A-Za-z ]+?) (\d+)", line.strip())
        if m and not line.startswith(" "):
            cur = m.group(1)
            books.setdefault(cur, [])
        if cur is not None:
            books[cur].append(line)
    for i, (name, lines) in enumerate(books.items(), 1):
        yield f"kjv_{i:02d}-{slug(name)}", "\n".join(lines)


def src_python(P):
    base = P / "python3.11-doc/usr/share/doc/python3.11/html/_sources"
    for f in sorted(base.rglob("*.txt")):
        yield "python311_" + slug(str(f.relative_to(base))), read_maybe_gz(f)


def src_linux(P):
    base = P / "linux-doc-6.1/usr/share/doc/linux-doc-6.1/Documentation"
    for f in sorted(base.rglob("*.gz")):
        rel = str(f.relative_to(base))
        if rel.startswith("translations/"):  # zh_CN, ja_JP, ...: English only
            continue
        if rel.endswith((".rst.gz", ".txt.gz")) or rel.startswith("ABI/"):
            yield "linux61_" + slug(rel), read_maybe_gz(f)


def src_perl(P):
    base = P / "perl-doc/usr/share/perl"
    for f in sorted(base.rglob("*.pod")):
        yield "perl_" + slug(f.name), pod_to_text(read_maybe_gz(f))


def src_gcide(P):
    """GCIDE (Webster 1913 + WordNet), one book per initial letter."""
    text = read_maybe_gz(P / "dict-gcide/usr/share/dictd/gcide.dict.dz")
    parts = collections.OrderedDict()
    cur = None
    for line in text.splitlines():
        if line[:1].isascii() and line[:1].isalpha():
            cur = line[0].upper()
        if cur is not None:
            parts.setdefault(cur, []).append(line)
    for letter, lines in parts.items():
        yield f"gcide_{letter}", "\n".join(lines)


def src_dicts(P):
    yield "jargon_jargon-file-4.4.7", read_maybe_gz(
        P / "jargon-text/usr/share/doc/jargon-text/jargon.txt.gz")
    yield "devil_devils-dictionary", read_maybe_gz(
        P / "dict-devil/usr/share/dictd/devil.dict.dz")


def src_fortunes(P):
    base = P / "fortunes/usr/share/games/fortunes"
    for f in sorted(base.iterdir()):
        if f.is_file() and not f.is_symlink() and f.suffix == "":
            yield "fortunes_" + slug(f.name), read_maybe_gz(f).replace("\n%\n", "\n\n")


def src_vim(P):
    for f in sorted(P.glob("vim-runtime/usr/share/vim/vim*/doc/*.txt")):
        yield "vim_" + slug(f.name), read_maybe_gz(f)


def src_git(P):
    base = P / "git-doc/usr/share/doc/git-doc"
    for f in sorted(base.rglob("*.txt")):
        yield "git_" + slug(str(f.relative_to(base))), read_maybe_gz(f)


def src_sphinx_sources(P):
    for name, base in [("sphinx", P / "sphinx-doc/usr/share/doc/sphinx-doc/html/_sources"),
                       ("devref", P / "developers-reference/usr/share/developers-reference/_sources")]:
        for f in sorted(base.rglob("*.txt")):
            yield f"{name}_" + slug(str(f.relative_to(base))), read_maybe_gz(f)


def src_debian_txt(P):
    pol = P / "debian-policy/usr/share/doc/debian-policy"
    for f in sorted(pol.glob("*.txt.gz")):
        yield "policy_" + slug(f.name), read_maybe_gz(f)
    yield "debref_debian-reference", read_maybe_gz(
        P / "debian-reference-en/usr/share/debian-reference/debian-reference.en.txt.gz")
    yield "maintguide_maint-guide", read_maybe_gz(
        P / "maint-guide/usr/share/doc/maint-guide/maint-guide.en.txt.gz")


def html_book(index: Path) -> str:
    """A multi-page HTML manual as one text, pages in reading order
    (following <link rel="next">), then any page the chain missed."""
    folder = index.parent
    pages = {p.name: p for p in folder.glob("*.html")}
    order, seen, cur = [], set(), index.name
    while cur and cur in pages and cur not in seen:
        seen.add(cur)
        order.append(cur)
        cur = next_page(pages[cur].read_text(encoding="utf-8", errors="replace"))
        cur = cur.split("/")[-1] if cur else None
    order += sorted(set(pages) - seen)
    return "\n\n".join(html_to_text(pages[n].read_text(encoding="utf-8", errors="replace"))[0]
                       for n in order)


def src_html_books(P):
    yield "postgresql15_manual", html_book(
        P / "postgresql-doc-15/usr/share/doc/postgresql-doc-15/html/index.html")
    yield "debhandbook_debian-administrators-handbook", html_book(
        P / "debian-handbook/usr/share/doc/debian-handbook/html/en-US/index.html")
    yield "octave_octave-manual", html_book(P / "octave-doc/usr/share/doc/octave/octave.html/index.html")
    yield "octave_liboctave-manual", html_book(
        P / "octave-doc/usr/share/doc/octave/liboctave.html/index.html")
    for f in ["standards.html", "maintain.html"]:
        yield "gnu_" + slug(f), html_to_text(
            (P / "gnu-standards/usr/share/doc/gnu-standards" / f).read_text(errors="replace"))[0]
    for f in sorted((P / "r-doc-html/usr/share/R/doc/manual").glob("*.html")):
        yield "rdoc_" + slug(f.name), html_to_text(f.read_text(errors="replace"))[0]
    yield "bash_bash-reference-manual", html_to_text(
        (P / "bash-doc/usr/share/doc/bash/bashref.html").read_text(errors="replace"))[0]
    for f in sorted((P / "haskell98-report").rglob("*.html")):
        yield "haskell98_" + slug(f.parent.name + "-" + f.name), html_to_text(
            f.read_text(errors="replace"))[0]


def src_html_docs(P):
    base = P / "python-django-doc/usr/share/doc/python-django-doc/html"
    for f in sorted(base.rglob("*.html")):
        rel = str(f.relative_to(base))
        if rel.startswith(("_modules", "_static", "_images")) or rel in (
                "genindex.html", "py-modindex.html", "search.html"):
            continue
        yield "django_" + slug(rel), html_to_text(f.read_text(errors="replace"))[0]
    for f in sorted((P / "nodejs-doc/usr/share/doc/nodejs/api").glob("*.html")):
        if f.name in ("all.html", "index.html"):
            continue
        yield "nodejs_" + slug(f.name), html_to_text(f.read_text(errors="replace"))[0]


def _render_man(f: Path) -> tuple[str, str] | None:
    raw = gzip.decompress(f.read_bytes())
    if raw.lstrip().startswith(b".so "):
        return None
    r = subprocess.run(["groff", "-t", "-e", "-mandoc", "-Tutf8", "-P-cbou"],
                       input=raw, capture_output=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    name = f.name[:-3]
    section = f.parent.name
    return f"{section}_" + slug(name), r.stdout.decode("utf-8", errors="replace")


def src_man(P):
    files = []
    for p in ("manpages", "manpages-dev"):
        for f in sorted((P / p / "usr/share/man").glob("man*/*.gz")):
            if not f.is_symlink():
                files.append(f)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for res in ex.map(_render_man, files):
            if res:
                yield res


SOURCES = [src_kjv, src_python, src_linux, src_perl, src_gcide, src_dicts, src_fortunes,
           src_vim, src_git, src_sphinx_sources, src_debian_txt, src_html_books,
           src_html_docs, src_man]


def dir_stats(d: Path, pattern="*.txt"):
    files = sorted(d.glob(pattern))
    return len(files), sum(f.stat().st_size for f in files)


def read_manifest(d: Path):
    try:
        return json.loads((d / "MANIFEST.json").read_text())
    except (OSError, ValueError):
        return None


def build_real(root: Path, force: bool):
    out = root / "real"
    params = {"stage": "real", "version": REAL_VERSION, "debs": pkg_versions(root)}
    m = read_manifest(out)
    if m and m.get("params") == params and not force:
        log("real: up to date")
        return
    P = fetch_packages(root)
    params["debs"] = pkg_versions(root)
    tmp = root / "real.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    per_source = collections.Counter()
    names = set()
    t0 = time.time()
    for src in SOURCES:
        ts = time.time()
        n0 = sum(per_source.values())
        for name, text in src(P):
            text = clean_plain(text)
            if len(text.strip()) < 20:
                continue
            base, k = name, 2
            while name in names:
                name = f"{base}-{k}"
                k += 1
            names.add(name)
            data = text.encode("utf-8")
            (tmp / f"{name}.txt").write_bytes(data)
            per_source[name.split("_", 1)[0]] += len(data)
        log(f"  {src.__name__:20s} {(sum(per_source.values()) - n0) / 1e6:7.1f} MB "
            f"{time.time() - ts:5.1f}s")
    files, nbytes = dir_stats(tmp)
    (tmp / "MANIFEST.json").write_text(json.dumps({
        "params": params, "files": files, "bytes": nbytes,
        "bytes_per_source": dict(sorted(per_source.items())),
        "seconds": round(time.time() - t0, 1)}, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


# ====================================================================== vocab

TOKEN_RE = re.compile(r"[^\W_]+")


def build_vocab(root: Path, force: bool):
    out = root / "vocab.tsv"
    real_m = read_manifest(root / "real")
    stamp = root / "vocab.params.json"
    params = {"stage": "vocab", "version": 1, "real": real_m["params"]}
    if out.exists() and stamp.exists() and json.loads(stamp.read_text()) == params and not force:
        log("vocab: up to date")
        return
    cf = collections.Counter()
    for f in sorted((root / "real").glob("*.txt")):
        cf.update(TOKEN_RE.findall(f.read_text(encoding="utf-8").lower()))
    rows = sorted(cf.items(), key=lambda kv: (-kv[1], kv[0]))
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for t, c in rows:
            fh.write(f"{t}\t{c}\n")
    tmp.rename(out)
    stamp.write_text(json.dumps(params))


def load_vocab(root: Path):
    toks, cfs = [], []
    with open(root / "vocab.tsv", encoding="utf-8") as fh:
        for line in fh:
            t, c = line.rstrip("\n").split("\t")
            toks.append(t)
            cfs.append(int(c))
    return toks, cfs


# ====================================================================== zipf

def parse_size(s: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)B?", s.upper())
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {s!r} (e.g. 1G, 200M)")
    return int(float(m.group(1)) * {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}[m.group(2)])


SYLLABLES = ("ka ri to mel an dor eth ul vin sa bra co del fen gor hal is jo kel lum "
             "mor nat or pel qua ros sil tam ur val wen xan yor zel ad bel cir dun el "
             "far gil hor il jun kar lin mar nor ol per quin rad sten tor umb ver wil "
             "ys zor ash bri cal").split()

_Z = {}  # per-process state for the workers


def _zipf_init(vocab_bytes, seed, s, q):
    import numpy as np
    words = vocab_bytes.split(b"\n")
    seps = [b" ", b", ", b". ", b".\n\n", b"; ", b"? ", b"! "]
    pieces = words + seps
    lens = np.array([len(p) for p in pieces], dtype=np.int64)
    offs = np.zeros(len(pieces), dtype=np.int64)
    offs[1:] = np.cumsum(lens)[:-1]
    buf = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    V = len(words)
    ranks = np.arange(1, V + 1, dtype=np.float64)
    p = 1.0 / (ranks + q) ** s
    p /= p.sum()
    # quantile table: word id = table[uniform int]; 2^24 slots keep the tail
    TB = 1 << 24
    cdf = np.cumsum(p)
    table = np.searchsorted(cdf, (np.arange(TB) + 0.5) / TB).astype(np.int32)
    table = np.minimum(table, V - 1)
    _Z.update(np=np, V=V, lens=lens, offs=offs, buf=buf, table=table, TB=TB,
              sep0=V, seed=seed, exp_word=float((p * lens[:V]).sum()))


def _zipf_book(args):
    i, target, path = args
    np = _Z["np"]
    rng = np.random.default_rng([_Z["seed"], i])
    sep0 = _Z["sep0"]
    # per-book invented proper nouns: the vocabulary keeps growing with N (Heaps)
    nn = 200
    names = []
    for _ in range(nn):
        k = int(rng.integers(2, 5))
        names.append("".join(SYLLABLES[j] for j in rng.integers(0, len(SYLLABLES), k)).capitalize())
    nb = "\n".join(names).encode()
    n_lens = np.array([len(x) for x in names], dtype=np.int64)
    n_offs = len(_Z["buf"]) + np.concatenate([[0], np.cumsum(n_lens + 1)[:-1]])
    lens = np.concatenate([_Z["lens"], n_lens])
    offs = np.concatenate([_Z["offs"], n_offs])
    buf = np.concatenate([_Z["buf"], np.frombuffer(nb + b"\n", dtype=np.uint8)])
    npieces = len(_Z["lens"])
    name_p = 1.0 / np.arange(1, nn + 1)
    name_cdf = np.cumsum(name_p / name_p.sum())

    n = int(target / (_Z["exp_word"] + 1.15) * 1.1) + 64
    words = _Z["table"][rng.integers(0, _Z["TB"], n)].astype(np.int64)
    is_name = rng.random(n) < 0.015
    words[is_name] = npieces + np.searchsorted(name_cdf, rng.random(int(is_name.sum())))
    r = rng.random(n)
    seps = np.full(n, sep0, dtype=np.int64)               # " "
    seps[r < 0.07] = sep0 + 1                              # ", "
    end = r > 1 - 1 / 17.0                                 # sentence end, ~17 words
    kind = rng.random(n)
    seps[end] = sep0 + 2                                   # ". "
    seps[end & (kind < 0.18)] = sep0 + 3                   # paragraph end
    seps[end & (kind > 0.96)] = sep0 + 5                   # "? "
    seps[end & (kind > 0.985)] = sep0 + 6                  # "! "
    seps[(r > 0.07) & (r < 0.075)] = sep0 + 4              # "; "
    seps[-1] = sep0 + 3
    seq = np.empty(2 * n, dtype=np.int64)
    seq[0::2], seq[1::2] = words, seps
    L = lens[seq]
    starts = np.concatenate([[0], np.cumsum(L)[:-1]])
    total = int(L.sum())
    idx = np.repeat(offs[seq] - starts, L) + np.arange(total, dtype=np.int64)
    out = buf[idx]
    # capitalize sentence-initial words (ASCII a-z)
    sent_start = np.concatenate([[True], (seps[:-1] >= sep0 + 2) & (seps[:-1] != sep0 + 4)])
    pos = starts[0::2][sent_start]
    lower = (out[pos] >= 97) & (out[pos] <= 122)
    out[pos[lower]] -= 32
    # cut at the last paragraph end before target
    data = out.tobytes()
    cut = data.rfind(b".\n\n", 0, target)
    data = data[:cut + 2] if cut > target // 2 else data[:target]
    header = f"Synthetic Book {i:05d}\n\n".encode()
    with open(path, "wb") as fh:
        fh.write(header + data)
    return len(header) + len(data)


def build_zipf(root: Path, size: int, label: str, force: bool, s=1.0, q=2.7,
               min_cf=2, workers=None):
    out = root / f"zipf-{label}"
    params = {"stage": "zipf", "version": 1, "bytes": size, "seed": SEED, "zipf_s": s,
              "zipf_q": q, "min_cf": min_cf, "real": read_manifest(root / "real")["params"]}
    m = read_manifest(out)
    if m and m.get("params") == params and not force:
        log(f"zipf-{label}: up to date")
        return
    import multiprocessing as mp
    import numpy as np  # noqa: F401  (fail early if missing)
    toks, cfs = load_vocab(root)
    words = [t for t, c in zip(toks, cfs) if c >= min_cf and t.isalpha() and 2 <= len(t) <= 24]
    vocab_bytes = "\n".join(words).encode("utf-8")
    rng = random.Random(SEED)
    plan, acc = [], 0
    while acc < size:
        b = int(math.exp(rng.uniform(math.log(200_000), math.log(2_000_000))))
        b = min(b, max(size - acc, 200_000))
        plan.append(b)
        acc += b
    tmp = root / f"zipf-{label}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    jobs = [(i, b, str(tmp / f"zipf_{i:05d}.txt")) for i, b in enumerate(plan)]
    t0 = time.time()
    with mp.Pool(workers or os.cpu_count() or 2, initializer=_zipf_init,
                 initargs=(vocab_bytes, SEED, s, q)) as pool:
        written = sum(pool.imap_unordered(_zipf_book, jobs, chunksize=4))
    (tmp / "MANIFEST.json").write_text(json.dumps({
        "params": params, "files": len(plan), "bytes": written, "vocab_words": len(words),
        "seconds": round(time.time() - t0, 1)}, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


# ====================================================================== epub

EPUB_VERSION = 1      # bump when the chapter cutting or the choice of books changes
CHAPTER_MIN, CHAPTER_MAX = 10_000, 50_000


def split_chapters(text: str, rng: random.Random) -> list[tuple[str, str]]:
    """The text as chapters cut at blank lines ("\n\n"), each aiming at a size
    drawn from [CHAPTER_MIN, CHAPTER_MAX] characters; a short tail joins the
    chapter before it. A paragraph longer than that stays whole (one chapter).
    Joining the chapters' texts with "\n\n" gives the text back exactly."""
    chapters, current, size = [], [], 0
    target = rng.randint(CHAPTER_MIN, CHAPTER_MAX)
    for paragraph in text.split("\n\n"):
        current.append(paragraph)
        size += len(paragraph) + 2
        if size >= target:
            chapters.append("\n\n".join(current))
            current, size = [], 0
            target = rng.randint(CHAPTER_MIN, CHAPTER_MAX)
    if current:
        tail = "\n\n".join(current)
        if chapters and size < CHAPTER_MIN:
            chapters[-1] += "\n\n" + tail
        else:
            chapters.append(tail)
    return [(f"Chapter {i}", body) for i, body in enumerate(chapters, 1)]


def build_epub(root: Path, every: int, min_book: int, force: bool):
    out = root / "epub"
    writer_source = (Path(__file__).resolve().parent / "epub_writer.py").read_bytes()
    params = {"stage": "epub", "version": EPUB_VERSION, "every": every, "min_book_bytes": min_book,
              "chapter_chars": [CHAPTER_MIN, CHAPTER_MAX], "seed": SEED,
              "writer_crc32": f"{zlib.crc32(writer_source):08x}",
              "real": read_manifest(root / "real")["params"]}
    m = read_manifest(out)
    if m and m.get("params") == params and not force:
        log("epub: up to date")
        return
    real = root / "real"
    # Sorted by name so the choice is the same on every machine; sizes are
    # those of the real/ files, which the real stage builds deterministically.
    chosen = [f for f in sorted(real.glob("*.txt")) if f.stat().st_size >= min_book][::every]
    tmp = root / "epub.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "books").mkdir(parents=True)
    (tmp / "twins").mkdir()
    t0 = time.time()
    chapters_total = epub_bytes = twin_bytes = shuffled = 0
    for i, f in enumerate(chosen):
        text = f.read_text(encoding="utf-8")
        chapters = split_chapters(text, random.Random(f"{SEED}:{f.stem}"))
        twin = twin_text(chapters)
        if twin != text:  # the twin must be the book's own text, or the comparison proves nothing
            sys.exit(f"epub: chapters of {f.name} do not join back to its text")
        seed = SEED + i if i % 2 else None
        shuffled += seed is not None
        make_epub(tmp / "books" / f"{f.stem}.epub", f.stem, chapters, shuffle_seed=seed)
        (tmp / "twins" / f.name).write_bytes(twin.encode("utf-8"))
        chapters_total += len(chapters)
        epub_bytes += (tmp / "books" / f"{f.stem}.epub").stat().st_size
        twin_bytes += len(twin.encode("utf-8"))
    (tmp / "MANIFEST.json").write_text(json.dumps({
        "params": params, "books": len(chosen), "shuffled": shuffled, "chapters": chapters_total,
        "epub_bytes": epub_bytes, "twin_bytes": twin_bytes,
        "seconds": round(time.time() - t0, 1)}, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


# ====================================================================== main

def summary(root: Path, dirs):
    print("| corpus | files | MB | min KB | median KB | max KB |")
    print("|---|---:|---:|---:|---:|---:|")
    for d in dirs:
        sizes = sorted(f.stat().st_size for f in d.glob("*.txt"))
        if not sizes:
            continue
        print(f"| {d.relative_to(root)} | {len(sizes)} | {sum(sizes) / 1e6:.1f} | "
              f"{sizes[0] / 1e3:.1f} | {sizes[len(sizes) // 2] / 1e3:.1f} | {sizes[-1] / 1e3:.1f} |")
    rm = read_manifest(root / "real")
    if rm:
        print("\nreal, MB per source: " + ", ".join(
            f"{k} {v / 1e6:.1f}" for k, v in sorted(rm["bytes_per_source"].items(),
                                                    key=lambda kv: -kv[1])))
    em = read_manifest(root / "epub")
    if em:
        print(f"\nepub: {em['books']} books ({em['shuffled']} with shuffled zip/manifest order), "
              f"{em['chapters']} chapters, {em['epub_bytes'] / 1e6:.1f} MB of EPUB, "
              f"{em['twin_bytes'] / 1e6:.1f} MB of text")


STAGES = ("real", "vocab", "zipf", "epub")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=None,
                    help="output folder (default: $TOMES_CORPORA, else build/corpora)")
    ap.add_argument("--zipf-size", default="1G", help="total bytes of zipf books (e.g. 1G, 200M)")
    ap.add_argument("--epub-every", type=int, default=3,
                    help="epub: take every N-th eligible book of real/, by name (default 3)")
    ap.add_argument("--epub-min-book", default="20K",
                    help="epub: only books of real/ of at least this many bytes (default 20K)")
    ap.add_argument("--only", default=",".join(STAGES),
                    help=f"comma list of stages among {', '.join(STAGES)}")
    ap.add_argument("--force", action="store_true", help="rebuild the selected stages")
    a = ap.parse_args()
    stages = set(a.only.split(","))
    unknown = stages - set(STAGES)
    if unknown:
        ap.error(f"unknown stage(s) {', '.join(sorted(unknown))}: expected some of {', '.join(STAGES)}")
    root = a.root or default_root()
    root.mkdir(parents=True, exist_ok=True)
    size = parse_size(a.zipf_size)
    label = a.zipf_size.upper().rstrip("B")
    t0 = time.time()
    # Each stage needs the one before: zipf draws from vocab, vocab counts real;
    # epub cuts the books of real.
    if a.epub_every < 1:
        ap.error("--epub-every must be at least 1")
    if stages & {"real", "vocab", "zipf", "epub"}:
        build_real(root, a.force and "real" in stages)
    if stages & {"vocab", "zipf"}:
        build_vocab(root, a.force and "vocab" in stages)
    if "zipf" in stages:
        build_zipf(root, size, label, a.force)
    if "epub" in stages:
        build_epub(root, a.epub_every, parse_size(a.epub_min_book), a.force)
    log(f"done in {time.time() - t0:.0f}s")
    summary(root, [root / "real"] + ([root / f"zipf-{label}"] if "zipf" in stages else [])
            + ([root / "epub" / "twins"] if "epub" in stages else []))


if __name__ == "__main__":
    main()
