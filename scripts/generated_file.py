"""The command line every table generator shares: write its file, or --check it.

    python3 scripts/gen_<table>.py [--output PATH] [--check]

writes the generated text to PATH (default: the committed file), or with
--check exits 1 if the file differs from what would be generated.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable


def main(description: str, render: Callable[[], str], default_output: Path, script: str) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--output", type=Path, default=default_output)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the output file differs from what would be generated")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run {script}", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
