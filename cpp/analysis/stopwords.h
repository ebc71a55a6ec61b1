// stopwords.h: stopword lists and the set the analyzer tests tokens against.
//
// SPEC 3 step 3: a token is dropped when it equals a case-folded list entry.
// The built-in lists are Snowball's "english" and "portuguese" stop lists,
// word for word (their entries with apostrophes, like "don't", can never equal
// a token and are kept only to stay Snowball's list).
//
// Thread safety: StopwordSet is immutable after construction; contains() is
// safe from any number of threads.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/status.h"

namespace tomes::analysis {

// Names accepted by builtin_stopwords, for error messages.
inline constexpr const char* kStopwordListNames = "'english', 'portuguese'";

// Snowball's list called `name`, or InvalidArgument naming the accepted ones.
Result<std::vector<std::string>> builtin_stopwords(std::string_view name);

class StopwordSet {
 public:
  StopwordSet() = default;
  // Case-folds each entry (Python's str.casefold) and keeps the distinct ones.
  explicit StopwordSet(const std::vector<std::string>& entries);
  StopwordSet(const StopwordSet& other) : StopwordSet(other.words_) {}
  StopwordSet& operator=(const StopwordSet& other) {
    if (this != &other) *this = StopwordSet(other.words_);
    return *this;
  }
  StopwordSet(StopwordSet&&) = default;
  StopwordSet& operator=(StopwordSet&&) = default;

  // REQUIRES: token is already case-folded.
  bool contains(std::string_view token) const {
    return token.size() >= min_size_ && token.size() <= max_size_ && set_.count(token) != 0;
  }
  bool empty() const { return words_.empty(); }
  // The distinct case-folded entries, sorted by bytes.
  const std::vector<std::string>& words() const { return words_; }

 private:
  std::vector<std::string> words_;                // owns the bytes set_ points into
  std::unordered_set<std::string_view> set_;
  std::size_t min_size_ = 1;
  std::size_t max_size_ = 0;
};

}  // namespace tomes::analysis
