"""The text layer of PDF books, through pypdfium2 (the extra ``tomes[pdf]``).

The C++ pipeline calls :func:`read_pdf` from its parsing threads, one book at
a time per thread, holding the GIL only while Python runs (the bridge is
``cpp/python/pdf_bindings.cc``). PDFium is not thread-safe, so every PDFium
call made here (opening, pages, text, closing) is made under ``_LOCK``: PDFs
are read one at a time. ctypes releases the GIL during each PDFium call, so
while one thread is inside PDFium the others keep parsing their plain-text,
HTML and EPUB books in C++, and the main thread can still take a Ctrl-C.

Every PDFium object is closed explicitly, under the lock, in a ``finally``:
none is left to a garbage-collector finalizer, which could run on any
thread at any time, outside the lock.

pypdfium2 is imported on the first PDF met, not with ``tomes``: a corpus
without PDFs never pays for it, and without it every PDF is skipped with
:data:`NOT_INSTALLED`, the reason the core gives when it has no PDF source.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, List, Optional, Union

#: The skip reason of every PDF when pypdfium2 cannot be imported; the same
#: words as the core's (cpp/parse/extract.cc) when no PDF source is given.
NOT_INSTALLED = "PDF support is not installed (pip install 'tomes[pdf]')"

# Serializes every PDFium call, and the import of pypdfium2.
_LOCK = threading.Lock()
# The import's outcome, kept: (module or None, reason when None). Written
# once, under _LOCK.
_loaded: Optional[tuple] = None

# FPDF_GetLastError() codes (fpdfview.h) -> skip reasons.
_LOAD_ERRORS = {
    1: "not a readable PDF (pdfium: unknown error)",
    2: "not a readable PDF (pdfium: file access error)",
    3: "not a readable PDF (pdfium: data format error)",
    4: "encrypted PDF: needs a password",
    5: "encrypted PDF: unsupported security scheme",
    6: "not a readable PDF (pdfium: page not found or content error)",
}


def read_pdf(path: bytes, max_text_bytes: int) -> Union[bytes, str]:
    """The text of the PDF at ``path``: its pages' texts in page order,
    joined with "\\n", as UTF-8 bytes; or, as a str, why the book is skipped.

    Never raises an ``Exception``: any error becomes a skip reason. A
    ``BaseException`` that is not an ``Exception`` (KeyboardInterrupt) is
    let through, for the bridge to cancel the run with.
    """
    try:
        with _LOCK:
            pdfium = _pypdfium2()
            if isinstance(pdfium, str):
                return pdfium
            return _text_of(pdfium, path, max_text_bytes)
    except Exception as e:  # noqa: BLE001 - one bad book must not stop the run
        return f"not a readable PDF (pypdfium2: {type(e).__name__})"


def _pypdfium2() -> Any:
    """pypdfium2, imported on first use; or the skip reason if it cannot be.
    REQUIRES: _LOCK held."""
    global _loaded
    if _loaded is None:
        try:
            import pypdfium2

            _loaded = (pypdfium2, "")
        except ImportError:
            _loaded = (None, NOT_INSTALLED)
        except Exception as e:  # noqa: BLE001 - installed but broken (a missing shared library...)
            _loaded = (None, f"PDF support failed to load (pypdfium2: {type(e).__name__})")
    module, reason = _loaded
    return module if module is not None else reason


def _native_path(path: bytes) -> bytes:
    """The path as FPDF_LoadDocument takes it: the file system's bytes on
    POSIX, UTF-8 on Windows; NUL-terminated."""
    if sys.platform == "win32":
        path = os.fsdecode(path).encode("utf-8")
    return path + b"\0"


def _text_of(pdfium: Any, path: bytes, max_text_bytes: int) -> Union[bytes, str]:
    """read_pdf's work. REQUIRES: _LOCK held."""
    raw = pdfium.raw
    handle = raw.FPDF_LoadDocument(_native_path(path), None)
    if not handle:
        code = raw.FPDF_GetLastError()
        return _LOAD_ERRORS.get(code, f"not a readable PDF (pdfium: error {code})")
    document = pdfium.PdfDocument(handle)
    try:
        return _pages_text(document, max_text_bytes)
    finally:
        document.close()


def _pages_text(document: Any, max_text_bytes: int) -> Union[bytes, str]:
    """The pages' texts joined with "\\n", refused as soon as they pass
    max_text_bytes (so a huge PDF is not read to the end). A PDF with no
    pages gives b"" (the pipeline skips it as "empty text")."""
    pages: List[bytes] = []
    size = 0
    for index in range(len(document)):
        text = _page_text(document, index)
        if isinstance(text, str):
            return text
        size += len(text) + (1 if pages else 0)
        if size > max_text_bytes:
            return f"the text is larger than the cap of {max_text_bytes} bytes"
        pages.append(text)
    return b"\n".join(pages)


def _page_text(document: Any, index: int) -> Union[bytes, str]:
    """Page index's text as UTF-8 (a lone surrogate in PDFium's UTF-16
    becomes U+FFFD), or a skip reason."""
    try:
        page = document[index]
    except Exception:  # noqa: BLE001 - PdfiumError: FPDF_LoadPage failed
        return "not a readable PDF (pdfium: a page could not be loaded)"
    try:
        try:
            textpage = page.get_textpage()
        except Exception:  # noqa: BLE001 - PdfiumError: FPDFText_LoadPage failed
            return "not a readable PDF (pdfium: a page's text could not be read)"
        try:
            return textpage.get_text_range(errors="replace").encode("utf-8", "replace")
        finally:
            textpage.close()
    finally:
        page.close()
