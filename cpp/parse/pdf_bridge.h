// pdf_bridge.h: where a PDF's text comes from. The core has no PDF parser of
// its own: the text layer is read by a PdfTextSource the caller injects (the
// Python layer's, through pypdfium2 and the extra `tomes[pdf]`).
//
// Thread safety: text_of may be called from many pipeline threads at once;
// an implementation serializes what must be serialized itself, and should
// leave other books free to parse meanwhile.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace tomes::parse {

class PdfTextSource {
 public:
  virtual ~PdfTextSource() = default;
  // The text of the PDF at path: its pages' texts in page order, joined with
  // "\n", valid UTF-8. InvalidArgument with a short reason (no path) when
  // the file cannot be read as a PDF; the text may be cut at max_text_bytes
  // or refused (the Python source refuses it, with the reason the pipeline
  // gives: "the text is larger than the cap of N bytes"). Cancelled when the
  // caller is stopping the run (the Python source: a Ctrl-C met while it
  // read), so that the book's result does not matter.
  virtual Result<std::string> text_of(const std::string& path, std::uint64_t max_text_bytes) const = 0;
};

}  // namespace tomes::parse
