#include "analysis/stemmer.h"

#include "analysis/stemmer_english.h"
#include "analysis/stemmer_portuguese.h"

namespace tomes::analysis {

Result<Stemmer> parse_stemmer(std::string_view name) {
  if (name == "english") return Stemmer::kEnglish;
  if (name == "portuguese") return Stemmer::kPortuguese;
  return Status::invalid_argument("unknown stemmer '" + std::string(name) +
                                  "': expected None or one of " + kStemmerNames);
}

const char* stemmer_name(Stemmer stemmer) {
  switch (stemmer) {
    case Stemmer::kEnglish: return "english";
    case Stemmer::kPortuguese: return "portuguese";
    case Stemmer::kNone: break;
  }
  return "";
}

void stem(Stemmer stemmer, std::string& word) {
  switch (stemmer) {
    case Stemmer::kEnglish: stem_english(word); break;
    case Stemmer::kPortuguese: stem_portuguese(word); break;
    case Stemmer::kNone: break;
  }
}

}  // namespace tomes::analysis
