// chunker.h: a book's text -> the spans of its chunks (SPEC 4, made exact).
//
// Whitespace is Python's str.isspace (whitespace.h). Let T be the text's code
// points, n = len(T), a "word" a maximal run of non-whitespace, a "word
// start" an index s with T[s] non-whitespace and T[s-1] whitespace, and
// last = 1 + the index of the last non-whitespace character (0 if none).
//
//   chunk_size == 0: one chunk [first non-ws, last), or none if T is all ws.
//
//   otherwise: pos = the first non-ws index; while pos < last:
//     if last - pos <= chunk_size: emit [pos, last); stop.
//     e = the largest index in (pos, pos + chunk_size] with T[e] whitespace.
//     if there is one:
//       end  = 1 + the index of the last non-ws before e   (trim back)
//       f    = the first non-ws index >= end                (the next word)
//       g    = the end of the word starting at f
//       next = the smallest word start s with
//                max(end - overlap, pos + 1, g - chunk_size) <= s < end,
//              or f if there is none.
//     else (the word at pos is longer than chunk_size): end = next = pos + chunk_size.
//     emit [pos, end); pos = next.
//
// The bound g - chunk_size is our addition to the rule as first written: it
// makes the next chunk reach the word f. Without it, when the word after a
// chunk does not fit in chunk_size from s, the next chunk ends where this one
// ended and is wholly inside it: chunk_size 10, overlap 5, "aaa bb
// cccccccccccccccc" gave [0,6) "aaa bb", then [4,6) "bb", a duplicate. Now it
// gives [0,6), [7,17), [17,23). docs/CHUNKS.md has the proof sketch.
//
// Properties (tested against a brute-force checker): every chunk has 1 to
// chunk_size code points (any number if chunk_size == 0), starts and ends on
// non-whitespace; starts and ends strictly increase; the chunks cover every
// non-whitespace character; consecutive chunks overlap by at most overlap
// code points, and no chunk lies inside another. The overlap is the largest
// that starts on a word and still reaches a new word; a word longer than
// chunk_size is cut at exactly chunk_size code points, with no overlap.
//
// Cost: one pass over the text (the words of the overlap are looked at twice)
// and memory for the words of one chunk, whatever the book's size.
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tomes::chunk {

struct ChunkSpan {
  std::uint32_t start, end;            // code points into the book's text, end exclusive
  std::uint32_t byte_start, byte_end;  // the same span in UTF-8 bytes
};

// InvalidArgument unless chunk_size == 0 or overlap < chunk_size, naming both
// ("chunk_overlap must be smaller than chunk_size, got 100 >= 100").
Status check_chunk_options(std::uint64_t chunk_size, std::uint64_t overlap);

// Replaces *out with the chunks of text, in order.
// REQUIRES: text is valid UTF-8 (surrogates written as Python's
//   "surrogatepass" does are accepted too: one non-whitespace code point
//   each) of fewer than 2^32 code points and bytes.
// REQUIRES: check_chunk_options(chunk_size, overlap).is_ok().
void chunk_text(std::string_view text, std::uint32_t chunk_size, std::uint32_t overlap,
                std::vector<ChunkSpan>* out);

}  // namespace tomes::chunk
