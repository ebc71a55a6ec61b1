"""EPUB fixtures for the tests: re-packing real EPUBs, and hostile archives.

Independent of tomes' C++ zip reader: re-packing goes through Python's
zipfile and xml.etree; the hostile archives are written byte by byte by
raw_zip below (from PKWARE's APPNOTE), so they can say what no careful
writer would (sizes, CRCs, offsets, flags, methods).

    repack(src, dst, seed)                 spine order is all that is left
    repack(src, dst, seed, zip64=True)     every member with ZIP64 local extras
    repack(src, dst, seed, descriptors=True)   written as a stream: data descriptors
    raw_zip(path, [RawMember(...), ...], zip64_end=False)
    reference_chapters(path)               [(media_type, bytes)] in spine order, by zipfile + ElementTree
"""

from __future__ import annotations

import io
import posixpath
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple
from urllib.parse import quote, unquote
from xml.etree import ElementTree

OPF_NS = "http://www.idpf.org/2007/opf"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
HTML_TYPES = ("application/xhtml+xml", "text/html")
FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def opf_path_of(z: zipfile.ZipFile) -> str:
    """The first package rootfile's full-path in META-INF/container.xml."""
    root = ElementTree.fromstring(z.read("META-INF/container.xml"))
    rootfiles = [e for e in root.iter() if _local(e.tag) == "rootfile" and e.get("full-path")]
    for e in rootfiles:
        if e.get("media-type", "").strip().lower() == "application/oebps-package+xml":
            return e.get("full-path")
    return rootfiles[0].get("full-path")


def resolve(opf_path: str, href: str) -> str:
    """href (a URL relative to the OPF) -> the archive member name."""
    href = href.split("#", 1)[0].split("?", 1)[0]
    return posixpath.normpath(posixpath.join(posixpath.dirname(opf_path), unquote(href)))


def reference_chapters(path: Path) -> List[Tuple[str, bytes]]:
    """(media type, member bytes) of each (X)HTML spine item, in spine order."""
    with zipfile.ZipFile(path) as z:
        opf_path = opf_path_of(z)
        root = ElementTree.fromstring(z.read(opf_path))
        items = {}
        for e in root.iter():
            if _local(e.tag) == "item" and e.get("id") is not None and e.get("href") is not None:
                items.setdefault(e.get("id"), (e.get("href"), e.get("media-type", "")))
        out = []
        for e in root.iter():
            if _local(e.tag) != "itemref" or e.get("idref") not in items:
                continue
            href, media_type = items[e.get("idref")]
            media_type = media_type.split(";")[0].strip().lower()
            if media_type in HTML_TYPES:
                out.append((media_type, z.read(resolve(opf_path, href))))
        return out


class _Unseekable(io.RawIOBase):
    """A write-only stream without tell/seek: zipfile then writes data descriptors."""

    def __init__(self, sink: io.BufferedIOBase) -> None:
        self._sink = sink

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        return self._sink.write(b)


def repack(src: Path, dst: Path, seed: int, *, zip64: bool = False, descriptors: bool = False) -> None:
    """Re-packs the EPUB src into dst so that only the spine gives the reading order.

    Shuffled: the zip member order (after mimetype), the manifest's item
    order, the (X)HTML chapters' member names (new names in new folders, some
    with spaces, so their hrefs are percent-encoded) and their manifest ids
    (the spine's idrefs follow). The chapters' bytes are unchanged.
    """
    rng = random.Random(seed)
    with zipfile.ZipFile(src) as z:
        opf_path = opf_path_of(z)
        members = {info.filename: z.read(info) for info in z.infolist()}
    root = ElementTree.fromstring(members[opf_path])
    manifest = next(e for e in root.iter() if _local(e.tag) == "manifest")
    spine = next(e for e in root.iter() if _local(e.tag) == "spine")
    items = [e for e in manifest if _local(e.tag) == "item"]
    new_ids = {}
    opf_dir = posixpath.dirname(opf_path)
    for n, item in enumerate(items):
        media_type = item.get("media-type", "").split(";")[0].strip().lower()
        if media_type not in HTML_TYPES:
            continue
        old_name = resolve(opf_path, item.get("href"))
        if old_name not in members:
            continue
        new_rel = f"p{rng.randrange(100)}/part {rng.randrange(10**6):06d} {n}.xhtml"
        new_name = posixpath.join(opf_dir, new_rel) if opf_dir else new_rel
        members[new_name] = members.pop(old_name)
        item.set("href", quote(new_rel))
        new_id = f"i{rng.randrange(10**9):09d}n{n}"
        new_ids[item.get("id")] = new_id
        item.set("id", new_id)
    rng.shuffle(items)
    for item in list(manifest):
        if _local(item.tag) == "item":
            manifest.remove(item)
    for item in items:
        manifest.append(item)
    for ref in spine:
        if ref.get("idref") in new_ids:
            ref.set("idref", new_ids[ref.get("idref")])
    members[opf_path] = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    names = [n for n in members if n != "mimetype"]
    rng.shuffle(names)
    if "mimetype" in members:
        names.insert(0, "mimetype")
    with open(dst, "wb") as f:
        target = _Unseekable(f) if descriptors else f
        with zipfile.ZipFile(target, "w") as out:  # type: ignore[arg-type]
            for name in names:
                info = zipfile.ZipInfo(name, FIXED_TIME)
                info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
                with out.open(info, "w", force_zip64=zip64) as w:
                    w.write(members[name])


# --- Hostile archives, byte by byte -----------------------------------------------------------


@dataclass
class RawMember:
    name: bytes
    data: bytes = b""                       # uncompressed bytes
    method: int = 8                         # 8: deflated here; anything else: data written as is
    flags: int = 0
    compressed: Optional[bytes] = None      # the member's stored bytes, if not derived from data
    claimed_size: Optional[int] = None      # central directory's uncompressed size
    claimed_crc: Optional[int] = None
    claimed_offset: Optional[int] = None    # central directory's local header offset
    zip64_extra: bool = False


def deflate_raw(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def raw_zip(path: Path, members: Sequence[RawMember], *, zip64_end: bool = False) -> None:
    """Writes a zip whose every field the members say (APPNOTE 4.3)."""
    out = bytearray()
    central = bytearray()
    for m in members:
        body = m.compressed if m.compressed is not None else (deflate_raw(m.data) if m.method == 8 else m.data)
        crc = zlib.crc32(m.data) if m.claimed_crc is None else m.claimed_crc
        size = len(m.data) if m.claimed_size is None else m.claimed_size
        offset = len(out) if m.claimed_offset is None else m.claimed_offset
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, m.flags, m.method, 0, 0x5021, crc,
                           min(len(body), 0xFFFFFFFF), min(size, 0xFFFFFFFF), len(m.name), 0)
        out += m.name + body
        extra = b""
        if m.zip64_extra:
            extra = struct.pack("<HHQQQ", 1, 24, size, len(body), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, m.flags, m.method, 0, 0x5021, crc,
                               0xFFFFFFFF if m.zip64_extra else len(body),
                               0xFFFFFFFF if m.zip64_extra else size,
                               len(m.name), len(extra), 0, 0, 0, 0,
                               0xFFFFFFFF if m.zip64_extra else offset)
        central += m.name + extra
    cd_offset = len(out)
    out += central
    count = len(members)
    if zip64_end:
        record = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(central), cd_offset)
        out += struct.pack("<IIQI", 0x07064B50, 0, record, 1)
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count & 0xFFFF, count & 0xFFFF, len(central),
                           cd_offset, 0)
    Path(path).write_bytes(bytes(out))


CONTAINER = (b'<?xml version="1.0"?>\n<container version="1.0" xmlns="' + CONTAINER_NS.encode() + b'">'
             b'<rootfiles><rootfile full-path="%s" media-type="application/oebps-package+xml"/>'
             b"</rootfiles></container>")


def container(opf_path: bytes) -> bytes:
    return CONTAINER % opf_path


def opf(items: Sequence[Tuple[str, str]], spine: Sequence[str], prolog: bytes = b"") -> bytes:
    """An OPF with (id, href) XHTML items and a spine of idrefs; prolog goes before <package>."""
    manifest = "".join(f'<item id="{i}" href="{h}" media-type="application/xhtml+xml"/>' for i, h in items)
    refs = "".join(f'<itemref idref="{i}"/>' for i in spine)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n' + prolog +
            f'<package xmlns="{OPF_NS}" version="3.0"><metadata/><manifest>{manifest}</manifest>'
            f"<spine>{refs}</spine></package>".encode())


def chapter(text: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            f"<head><title></title></head><body><p>{text}</p></body></html>").encode()


def simple_epub_members(chapters: Sequence[Tuple[str, str]], opf_path: bytes = b"OEBPS/content.opf",
                        prolog: bytes = b"") -> List[RawMember]:
    """mimetype, container.xml, the OPF and chapters [(href from the OPF, text)] in that spine order."""
    folder = opf_path.rsplit(b"/", 1)[0] + b"/" if b"/" in opf_path else b""
    items = [(f"c{n}", href) for n, (href, _) in enumerate(chapters)]
    members = [RawMember(b"mimetype", b"application/epub+zip", method=0),
               RawMember(b"META-INF/container.xml", container(opf_path)),
               RawMember(opf_path, opf(items, [i for i, _ in items], prolog))]
    for href, text in chapters:
        members.append(RawMember(folder + unquote(href).encode(), chapter(text)))
    return members
