#!/usr/bin/env python3
"""Generates cpp/analysis/unicode_tables.cc from Python's unicodedata.

SPEC section 3 defines analysis per code point in terms of Python 3.11's
`unicodedata` (Unicode 14.0.0):

  step 1  token characters: general category L*, M* or N*
  step 2  case folding: str.casefold (full case folding, per code point)
  step 5  folding: NFKD, keep only L*/N* code points, then a few letters
          (ae, oe, o, l, d, d, th, h, i) spelled out

Each step is a function of one code point, so the C++ core looks them up in
tables instead of reimplementing Unicode. This script is the only author of
those tables; tests/python/test_unicode_tables.py runs it again and fails when
the committed file differs.

The table is a two-stage lookup: kBlockOf[cp >> 7] names a block of 128
entries in kRecordOf, whose entry names a CodePointInfo record. Identical
blocks and identical records are stored once, so the whole table is ~100 KB.
Case-folded and folded forms are stored as UTF-8 bytes in one pool, so the
analyzer appends them with a memcpy.

Usage: python3 scripts/gen_unicode_tables.py [--output PATH] [--check]
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import generated_file

UNICODE_VERSION = "14.0.0"
BLOCK_BITS = 7
BLOCK_SIZE = 1 << BLOCK_BITS
MAX_CODE_POINT = 0x10FFFF

# SPEC 3 step 5: letters that NFKD leaves alone but readers treat as
# spellings of plain Latin letters.
SPELLED_OUT = {
    "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
    "ð": "d", "þ": "th", "ħ": "h", "ı": "i",
}

FLAG_TOKEN = 1          # category L*, M* or N*: part of a token
FLAG_CASEFOLD_SAME = 2  # casefold(c) == c
FLAG_FOLD_SAME = 4      # fold(c) == c

OUTPUT = Path(__file__).resolve().parents[1] / "cpp" / "analysis" / "unicode_tables.cc"


def is_token_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def fold(text: str) -> str:
    """SPEC 3 step 5, the reference definition."""
    kept = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if unicodedata.category(c)[0] in "LN")
    return "".join(SPELLED_OUT.get(c, c) for c in kept)


def check_per_code_point_fold() -> None:
    """fold(s) == concat(fold(c) for c in s) must hold for the table to be
    exact. NFKD reorders only code points of nonzero combining class; fold
    drops them all if none is a letter or a number, so the order never shows."""
    for cp in range(MAX_CODE_POINT + 1):
        ch = chr(cp)
        for d in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(d) and unicodedata.category(d)[0] in "LN":
                raise SystemExit(f"U+{cp:04X} decomposes to a reorderable letter: "
                                 "per-code-point folding would not be exact")


def utf8_literal(data: bytes) -> str:
    return "".join(f"\\x{b:02x}" for b in data)


def build():
    pool = bytearray()
    pool_index: dict[bytes, int] = {}

    def intern(data: bytes) -> int:
        if data not in pool_index:
            pool_index[data] = len(pool)
            pool.extend(data)
        return pool_index[data]

    records: list[tuple[int, int, int, int, int]] = []
    record_index: dict[tuple[int, int, int, int, int], int] = {}
    record_of_cp: list[int] = []
    for cp in range(MAX_CODE_POINT + 1):
        ch = chr(cp)
        flags = 0
        casefold_bytes = b""
        if is_token_char(ch):
            flags |= FLAG_TOKEN
        folded_case = ch.casefold()
        if folded_case == ch:
            flags |= FLAG_CASEFOLD_SAME
        else:
            casefold_bytes = folded_case.encode("utf-8")
        folded = fold(ch)
        fold_bytes = b""
        if folded == ch:
            flags |= FLAG_FOLD_SAME
        else:
            fold_bytes = folded.encode("utf-8")
        if len(casefold_bytes) > 255 or len(fold_bytes) > 255:
            raise SystemExit(f"U+{cp:04X}: mapping longer than 255 bytes")
        record = (flags, intern(casefold_bytes), len(casefold_bytes),
                  intern(fold_bytes), len(fold_bytes))
        if record not in record_index:
            record_index[record] = len(records)
            records.append(record)
        record_of_cp.append(record_index[record])

    blocks: list[tuple[int, ...]] = []
    block_index: dict[tuple[int, ...], int] = {}
    block_of: list[int] = []
    for start in range(0, MAX_CODE_POINT + 1, BLOCK_SIZE):
        block = tuple(record_of_cp[start:start + BLOCK_SIZE])
        if block not in block_index:
            block_index[block] = len(blocks)
            blocks.append(block)
        block_of.append(block_index[block])
    if len(records) > 0xFFFF or len(blocks) > 0xFFFF:
        raise SystemExit("tables outgrew 16-bit indexes")
    return pool, records, blocks, block_of


def render() -> str:
    if unicodedata.unidata_version != UNICODE_VERSION:
        raise SystemExit(f"expected Python's unicodedata {UNICODE_VERSION} (Python 3.11), "
                         f"got {unicodedata.unidata_version} (Python {sys.version.split()[0]})")
    check_per_code_point_fold()
    pool, records, blocks, block_of = build()
    out = []
    w = out.append
    w("// GENERATED by scripts/gen_unicode_tables.py from Python's unicodedata "
      f"{UNICODE_VERSION}. DO NOT EDIT.\n")
    w("// tests/python/test_unicode_tables.py regenerates it and fails on any difference.\n")
    w('#include "analysis/unicode_tables.h"\n\n')
    w("namespace tomes::analysis::unicode {\n\n")
    w(f'const char kUnicodeVersion[] = "{UNICODE_VERSION}";\n\n')
    w(f"const std::uint16_t kBlockOf[{len(block_of)}] = {{\n")
    for i in range(0, len(block_of), 16):
        w("    " + ", ".join(str(b) for b in block_of[i:i + 16]) + ",\n")
    w("};\n\n")
    w(f"const std::uint16_t kRecordOf[{len(blocks) * BLOCK_SIZE}] = {{\n")
    for block in blocks:
        for i in range(0, BLOCK_SIZE, 16):
            w("    " + ", ".join(str(r) for r in block[i:i + 16]) + ",\n")
    w("};\n\n")
    w(f"const CodePointInfo kRecords[{len(records)}] = {{\n")
    for flags, cf_off, cf_len, fo_off, fo_len in records:
        w(f"    {{{flags}, {cf_len}, {fo_len}, {cf_off}, {fo_off}}},\n")
    w("};\n\n")
    w(f"const char kPool[{len(pool) + 1}] =\n")
    for i in range(0, len(pool), 24):
        w(f'    "{utf8_literal(bytes(pool[i:i + 24]))}"\n')
    w("    ;\n\n")
    w(f"const std::size_t kBlockCount = {len(blocks)};\n")
    w(f"const std::size_t kRecordCount = {len(records)};\n\n")
    w("}  // namespace tomes::analysis::unicode\n")
    return "".join(out)


def main() -> int:
    return generated_file.main(__doc__.splitlines()[0], render, OUTPUT, "scripts/gen_unicode_tables.py")


if __name__ == "__main__":
    sys.exit(main())
