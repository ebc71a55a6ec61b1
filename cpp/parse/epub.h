// epub.h: an EPUB file -> the text of its chapters in spine order (SPEC 2).
//
// (Contract to be completed with the implementation: the zip central
// directory read by offsets, members inflated with zlib up to the text cap,
// container.xml -> OPF -> manifest + spine, chapters through html_text.h.)
//
// Thread safety: pure function of the file.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace tomes::parse {

struct EpubOptions {
  std::uint64_t max_text_bytes = std::uint64_t{256} << 20;
};

// The text of the EPUB at path. InvalidArgument with a short reason (no
// path) when it cannot be read as an EPUB; IOError when the file cannot be
// read.
Result<std::string> epub_text(const std::string& path, const EpubOptions& options);

}  // namespace tomes::parse
