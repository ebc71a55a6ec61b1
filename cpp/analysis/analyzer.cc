#include "analysis/analyzer.h"

#include <array>

#include "analysis/unicode_tables.h"
#include "analysis/unicode_text.h"
#include "analysis/utf8.h"

namespace tomes::analysis {

namespace {

// For an ASCII byte: its case-folded form if it is a letter or digit (both
// are token characters and fold to themselves), else 0 (a separator).
constexpr std::array<char, 128> make_ascii_term_table() {
  std::array<char, 128> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<char>(c);
  for (int c = 'a'; c <= 'z'; ++c) table[c] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = static_cast<char>(c - 'A' + 'a');
  return table;
}
constexpr std::array<char, 128> kAsciiTerm = make_ascii_term_table();

// Bound on the stem cache: beyond it the cache starts over, so a stream that
// sees an unbounded vocabulary uses bounded memory.
constexpr std::size_t kMaxCachedTokens = std::size_t{1} << 20;

bool term_length_ok(std::string_view term) {
  const std::size_t n = utf8::count_code_points(term.data(), term.size());
  return n >= kMinTermCodePoints && n <= kMaxTermCodePoints;
}

}  // namespace

bool TermStream::next_token(bool* ascii) {
  const unsigned char* p = pos_;
  const unsigned char* const end = end_;
  // Skip separators.
  for (;;) {
    if (p == end) {
      pos_ = p;
      return false;
    }
    const unsigned char b = *p;
    if (b < 0x80) {
      if (kAsciiTerm[b]) break;
      ++p;
      continue;
    }
    char32_t cp;
    const std::size_t len = utf8::decode(p, end, &cp);
    if (unicode::info(cp).flags & unicode::kTokenChar) break;
    p += len;
  }
  token_.clear();
  *ascii = true;
  for (;;) {
    // Runs of ASCII letters and digits: the common case, copied in one go.
    const unsigned char* run = p;
    while (p != end && *p < 0x80 && kAsciiTerm[*p]) ++p;
    if (p != run) {
      const std::size_t old_size = token_.size();
      token_.resize(old_size + static_cast<std::size_t>(p - run));
      char* out = &token_[old_size];
      for (const unsigned char* q = run; q != p; ++q) *out++ = kAsciiTerm[*q];
    }
    if (p == end || *p < 0x80) break;
    char32_t cp;
    const std::size_t len = utf8::decode(p, end, &cp);
    const unicode::CodePointInfo& info = unicode::info(cp);
    if (!(info.flags & unicode::kTokenChar)) break;
    *ascii = false;
    if (info.flags & unicode::kCasefoldSame) {
      token_.append(reinterpret_cast<const char*>(p), len);
    } else {
      token_.append(unicode::casefold_bytes(info));
    }
    p += len;
  }
  pos_ = p;
  return true;
}

std::string TermStream::stem_and_fold(const std::string& token) const {
  std::string stemmed = token;
  stem(analyzer_.stemmer(), stemmed);
  std::string folded;
  append_folded(stemmed, folded);
  if (!term_length_ok(folded)) folded.clear();
  return folded;
}

bool TermStream::finish_term(bool ascii, std::string_view* term) {
  const StopwordSet& stopwords = analyzer_.stopwords();
  if (analyzer_.stemmer() != Stemmer::kNone) {
    auto it = stem_cache_.find(token_);
    if (it == stem_cache_.end()) {
      if (stem_cache_.size() >= kMaxCachedTokens) stem_cache_.clear();
      std::string result = stopwords.contains(token_) ? std::string() : stem_and_fold(token_);
      it = stem_cache_.emplace(token_, std::move(result)).first;
    }
    if (it->second.empty()) return false;
    *term = it->second;
    return true;
  }
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
  while (stream.next(&term)) {
    out->bytes.append(term);
    out->ends.push_back(out->bytes.size());
  }
}

}  // namespace tomes::analysis
