#include "analysis/analyzer.h"

#include <array>

#include "analysis/unicode_tables.h"
#include "analysis/unicode_text.h"
#include "common/utf8.h"

namespace tomes::analysis {

namespace {

// What one byte is to the tokenizer.
enum ByteClass : std::uint8_t {
  kSeparator = 0,  // ASCII, not a letter or digit
  kFolded = 1,     // ASCII lowercase letter or digit: already its own case fold
  kUpper = 2,      // ASCII uppercase letter: folds to byte + 32
  kNonAscii = 3,   // starts or continues a multi-byte sequence
};

constexpr std::array<std::uint8_t, 256> make_byte_classes() {
  std::array<std::uint8_t, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = kFolded;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = kFolded;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = kUpper;
  for (int c = 0x80; c < 0x100; ++c) table[c] = kNonAscii;
  return table;
}
constexpr std::array<std::uint8_t, 256> kByteClass = make_byte_classes();

// Bound on the stem cache: beyond it the cache starts over, so a stream that
// sees an unbounded vocabulary uses bounded memory.
constexpr std::size_t kMaxCachedTokens = std::size_t{1} << 20;
constexpr std::size_t kMaxCachedBytes = std::size_t{1} << 30;  // StringTable offsets are u32

bool term_length_ok(std::string_view term) {
  const std::size_t n = utf8::count_code_points(term.data(), term.size());
  return n >= kMinTermCodePoints && n <= kMaxTermCodePoints;
}

}  // namespace

Result<Analyzer> make_analyzer(const std::vector<std::string>& stopwords, std::string_view stemmer_name) {
  Stemmer stemmer = Stemmer::kNone;
  if (!stemmer_name.empty()) {
    Result<Stemmer> parsed = parse_stemmer(stemmer_name);
    if (!parsed.is_ok()) return parsed.status();
    stemmer = parsed.value();
  }
  return Analyzer(stopwords, stemmer);
}

bool TermStream::next_token(bool* ascii) {
  const unsigned char* p = pos_;
  const unsigned char* const end = end_;
  // Skip separators.
  for (;;) {
    if (p == end) {
      pos_ = p;
      return false;
    }
    const std::uint8_t cls = kByteClass[*p];
    if (cls == kFolded || cls == kUpper) break;
    if (cls == kSeparator) {
      ++p;
      continue;
    }
    char32_t cp;
    const std::size_t len = utf8::decode(p, end, &cp);
    if (unicode::info(cp).flags & unicode::kTokenChar) break;
    p += len;
  }
  // The common case: lowercase ASCII letters and digits up to a separator,
  // already case-folded; the token is a view of the text, nothing copied.
  const unsigned char* const start = p;
  while (p != end && kByteClass[*p] == kFolded) ++p;
  if (p == end || kByteClass[*p] == kSeparator) {
    token_ = std::string_view(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p - start));
    *ascii = true;
    pos_ = p;
    return true;
  }
  // Otherwise fold into buffer_, starting with what was scanned.
  buffer_.assign(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p - start));
  *ascii = true;
  while (p != end) {
    const std::uint8_t cls = kByteClass[*p];
    if (cls == kFolded) {
      buffer_.push_back(static_cast<char>(*p++));
    } else if (cls == kUpper) {
      buffer_.push_back(static_cast<char>(*p++ + ('a' - 'A')));
    } else if (cls == kSeparator) {
      break;
    } else {
      char32_t cp;
      const std::size_t len = utf8::decode(p, end, &cp);
      const unicode::CodePointInfo& info = unicode::info(cp);
      if (!(info.flags & unicode::kTokenChar)) break;
      *ascii = false;
      if (info.flags & unicode::kCasefoldSame) {
        buffer_.append(reinterpret_cast<const char*>(p), len);
      } else {
        buffer_.append(unicode::casefold_bytes(info));
      }
      p += len;
    }
  }
  token_ = buffer_;
  pos_ = p;
  return true;
}

bool TermStream::finish_stemmed_term(std::string_view* term) {
  std::uint64_t packed;
  if (const std::uint64_t* cached = stem_cache_.find(token_)) {
    packed = *cached;
  } else {
    if (stem_cache_.size() >= kMaxCachedTokens || stem_cache_.key_bytes() >= kMaxCachedBytes) {
      stem_cache_.clear();
      stem_results_.clear();
    }
    folded_.clear();
    if (!analyzer_.stopwords().contains(token_)) {
      stemmed_.assign(token_.data(), token_.size());
      stem(analyzer_.stemmer(), stemmed_);
      append_folded(stemmed_, folded_);
      if (!term_length_ok(folded_)) folded_.clear();
    }
    // A term has at most 40 code points, so at most 160 bytes: fits 8 bits.
    packed = (std::uint64_t{stem_results_.size()} << 8) | folded_.size();
    stem_results_.append(folded_);
    stem_cache_.insert_new(token_, packed);
  }
  const std::size_t length = packed & 0xFF;
  if (length == 0) return false;
  *term = std::string_view(stem_results_).substr(packed >> 8, length);
  return true;
}

bool TermStream::finish_term(bool ascii, std::string_view* term) {
  if (analyzer_.stemmer() != Stemmer::kNone) return finish_stemmed_term(term);
  const StopwordSet& stopwords = analyzer_.stopwords();
  if (!stopwords.empty() && stopwords.contains(token_)) return false;
  if (ascii) {
    // ASCII letters and digits fold to themselves, one byte per code point.
    if (token_.size() < kMinTermCodePoints || token_.size() > kMaxTermCodePoints) return false;
    *term = token_;
    return true;
  }
  folded_.clear();
  append_folded(token_, folded_);
  if (!term_length_ok(folded_)) return false;
  *term = folded_;
  return true;
}

bool TermStream::next(std::string_view* term) {
  bool ascii;
  while (next_token(&ascii)) {
    if (finish_term(ascii, term)) return true;
  }
  return false;
}

void analyze(const Analyzer& analyzer, std::string_view text, TermList* out) {
  TermStream stream(analyzer);
  stream.reset(text);
  std::string_view term;
  out->bytes.reserve(out->bytes.size() + text.size());  // terms rarely outgrow their text
  while (stream.next(&term)) {
    out->bytes.append(term);
    out->ends.push_back(out->bytes.size());
  }
}

std::size_t count_terms(const Analyzer& analyzer, const std::vector<std::string_view>& texts) {
  TermStream stream(analyzer);
  std::string_view term;
  std::size_t count = 0;
  for (const std::string_view text : texts) {
    stream.reset(text);
    while (stream.next(&term)) ++count;
  }
  return count;
}

}  // namespace tomes::analysis
