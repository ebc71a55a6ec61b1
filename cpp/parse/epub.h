// epub.h: an EPUB file -> the text of its chapters in spine order (SPEC 2).
//
// The path, step by step (each step's refusals listed below):
//   1. the zip central directory, read by offsets with pread (zip_archive.h):
//      never the whole archive in memory; ZIP64 and data descriptors handled;
//      overlapping members refused;
//   2. META-INF/container.xml -> the OPF package's path (opf_package.h);
//   3. the OPF: manifest (id -> href, media-type) and spine (idrefs);
//   4. each spine item in spine order (linear="no" items included, where the
//      spine puts them: the simplest faithful order), its href resolved
//      relative to the OPF inside the archive, the member inflated
//      (zip_member.h) and its text appended through html_text.h (xhtml =
//      true for application/xhtml+xml, false for text/html); chapters are
//      joined with a line break. Spine items of other media types (images,
//      SVG, DTBook) are passed over without a reason.
//
// What is skipped, and what makes the whole book skipped:
//   * a chapter that cannot be reached or read for a reason of its own is
//     left out and the others are indexed: its idref is not in the manifest,
//     its href is external or escapes the archive root, its member is not in
//     the archive, or the member is encrypted or uses a compression method
//     other than stored/deflate. When no chapter at all could be read, the
//     book is skipped with the reason of the first chapter left out;
//   * anything that says the archive is damaged or hostile skips the book:
//     a bad zip structure, a member whose local header, deflate data, size
//     or CRC-32 does not match the central directory (a CRC mismatch skips
//     the book: the bytes are not what the archive says, and a partial book
//     would be indexed silently), a zip bomb, the cap;
//   * container.xml or the OPF missing, unreadable or without a spine: the
//     book is skipped.
//
// Limits (all of them enforced before or while bytes are produced, never
// after): each member inflates to at most max_text_bytes (the text cap of
// SPEC 2, 256 MiB by default) and container.xml and the OPF to at most
// 16 MiB; a member whose size is over 8 MiB and over 100 times its
// compressed size is a zip bomb; all members read inflate to at most 4 x
// max_text_bytes in all (10,000 distinct chapters of 8 MiB of markup and
// no text would otherwise cost 80 GB of inflating); the text is at most
// max_text_bytes. A chapter the spine names again is not read again: its
// text is copied from where it first went (so a spine naming one chapter
// 800,000 times costs the text cap, not 800,000 inflations). Memory: about
// twice the largest chapter plus the text.
//
// Every reason (InvalidArgument unless said; X is a member name, idref or
// href made printable, N a number; the text after "<path>: " in
// report.skipped):
//   cannot open: <strerror>                       (IOError)
//   cannot stat: <strerror>                       (IOError)
//   cannot read: <strerror>                       (IOError; also "cannot read: the file shrank while it
//                                                  was read", "cannot read: past the end of the archive")
//   cannot inflate: out of memory                 (IOError: zlib could not allocate its state)
//   not a regular file
//   not a zip archive
//   damaged zip archive: bad ZIP64 end record
//   damaged zip archive: central directory outside the file
//   damaged zip archive: central directory larger than 64 MiB
//   damaged zip archive: bad central directory entry
//   damaged zip archive: member data overlaps the central directory
//   zip bomb: overlapping members
//   zip bomb: member X inflates more than 100 times its size
//   zip bomb: the members inflate to more than N bytes in all
//   zip member X is larger than the cap of N bytes
//   encrypted zip member X
//   zip member X uses unsupported compression (bzip2)     also (LZMA), (method N)
//   damaged zip member X: bad local header
//   damaged zip member X: stored sizes differ
//   damaged zip member X: bad deflate data
//   damaged zip member X: truncated deflate data
//   damaged zip member X: longer than its declared size
//   damaged zip member X: shorter than its declared size
//   damaged zip member X: CRC mismatch
//   EPUB without META-INF/container.xml
//   EPUB container.xml names no package
//   EPUB package path escapes the archive root
//   EPUB package X not in the archive
//   EPUB package without a spine
//   EPUB spine is empty
//   EPUB spine has no (X)HTML chapter
//   EPUB spine item X not in the manifest                 (chapter)
//   EPUB chapter X is outside the archive                 (chapter: a URL with a scheme)
//   EPUB chapter X escapes the archive root               (chapter)
//   EPUB chapter X not in the archive                     (chapter)
//   the text is larger than the cap of N bytes            (html_text.h)
//
// Thread safety: pure functions of the file or bytes; call from any threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "parse/zip_source.h"

namespace tomes::parse {

struct EpubOptions {
  std::uint64_t max_text_bytes = std::uint64_t{256} << 20;
};

// The text of the EPUB at path (valid UTF-8). Errors as listed above, the
// message being the reason alone (no path).
Result<std::string> epub_text(const std::string& path, const EpubOptions& options);

// The same over an archive in memory (tests, fuzzing).
Result<std::string> epub_text_of_bytes(std::string_view archive, const EpubOptions& options);

// The same over any source.
Result<std::string> epub_text_of(const ZipSource& source, const EpubOptions& options);

}  // namespace tomes::parse
