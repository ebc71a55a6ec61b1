"""The installed version of tomes, from the package metadata."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("tomes")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"
