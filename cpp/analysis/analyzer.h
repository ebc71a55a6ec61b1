// analyzer.h: text -> terms, exactly as SPEC 3 defines it.
//
//   1. tokens: maximal runs of code points of category L*, M* or N*
//   2. case folding (Python's str.casefold)
//   3. stopwords dropped (equal to a case-folded list entry)
//   4. stemmer (Snowball English or Portuguese) on the case-folded token
//   5. folding: NFKD, keep L*/N*, æ œ ø ł đ ð þ ħ ı spelled out
//   6. terms of fewer than 2 or more than 40 code points dropped
//
// The same Analyzer analyzes chunks at index time and queries at search time.
// Input is UTF-8; invalid bytes separate tokens, as U+FFFD does.
//
// Speed: ASCII letters and digits take a table-driven path that never decodes;
// other code points go through unicode_tables.h. With a stemmer, a TermStream
// remembers the final term of each distinct token it has seen, so the stemmer
// runs once per distinct token, not once per occurrence.
//
// Thread safety: an Analyzer is immutable and may be shared by any number of
// threads; a TermStream belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/stemmer.h"
#include "analysis/stopwords.h"
#include "common/status.h"
#include "common/string_table.h"

namespace tomes::analysis {

inline constexpr std::size_t kMinTermCodePoints = 2;
inline constexpr std::size_t kMaxTermCodePoints = 40;

class Analyzer {
 public:
  Analyzer() = default;
  Analyzer(const std::vector<std::string>& stopwords, Stemmer stemmer)
      : stopwords_(stopwords), stemmer_(stemmer) {}

  const StopwordSet& stopwords() const { return stopwords_; }
  Stemmer stemmer() const { return stemmer_; }

 private:
  StopwordSet stopwords_;
  Stemmer stemmer_ = Stemmer::kNone;
};

// The analyzer that settings name, as index.json and the API store them:
// stopword entries (case-folded here) and a stemmer name, "" for none.
// InvalidArgument (parse_stemmer's message) for an unknown stemmer name.
Result<Analyzer> make_analyzer(const std::vector<std::string>& stopwords, std::string_view stemmer_name);

// Yields the terms of one text after another; reuse one per thread so its
// buffers and stem cache are reused too.
class TermStream {
 public:
  // REQUIRES: analyzer outlives the stream.
  explicit TermStream(const Analyzer& analyzer) : analyzer_(analyzer) {}

  // Starts on a new text. REQUIRES: text stays alive while next() is called.
  void reset(std::string_view text) {
    pos_ = reinterpret_cast<const unsigned char*>(text.data());
    end_ = pos_ + text.size();
  }

  // Sets *term to the next term and returns true, or returns false at the end.
  // *term stays valid until the next call.
  bool next(std::string_view* term);

 private:
  // Sets token_ to the next token, case-folded; false at the end. token_
  // points into the text when the token needs no folding, else into buffer_.
  bool next_token(bool* ascii);
  // Steps 3 to 6 for token_; false when the token yields no term.
  bool finish_term(bool ascii, std::string_view* term);
  // Steps 3 to 6 for token_ through the stem cache.
  bool finish_stemmed_term(std::string_view* term);

  const Analyzer& analyzer_;
  const unsigned char* pos_ = nullptr;
  const unsigned char* end_ = nullptr;
  std::string_view token_;
  std::string buffer_;
  std::string folded_;
  std::string stemmed_;
  // With a stemmer: case-folded token -> its final term, packed as
  // (offset in stem_results_ << 8 | byte length); length 0: no term.
  StringTable stem_cache_;
  std::string stem_results_;
};

// All terms of one text, packed: term i is bytes[ends[i-1] .. ends[i]).
struct TermList {
  std::string bytes;
  std::vector<std::size_t> ends;

  std::size_t size() const { return ends.size(); }
  std::string_view operator[](std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
};

// Appends the terms of text to *out.
void analyze(const Analyzer& analyzer, std::string_view text, TermList* out);

// The number of terms of the texts, each produced and dropped as the indexer
// consumes them: one stream (and stem cache) for all, as one indexing thread
// has for a batch of books. Analysis alone, for benchmarks.
std::size_t count_terms(const Analyzer& analyzer, const std::vector<std::string_view>& texts);

}  // namespace tomes::analysis
