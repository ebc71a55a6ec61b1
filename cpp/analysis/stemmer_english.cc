#include "analysis/stemmer_english.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace tomes::analysis {
namespace {

// ---------------------------------------------------------------------------
// Character classes. Every one of them holds ASCII letters only, so a byte of
// a multi-byte UTF-8 sequence is never in a class, just as Snowball never
// puts a non-ASCII code point in one.

constexpr bool is_vowel(unsigned char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

// Letters that cannot close a short syllable ("non-v_WXY" in english.sbl);
// 'Y' is a consonant y marked by the prelude.
constexpr bool is_vowel_or_wxy(unsigned char c) {
  return is_vowel(c) || c == 'w' || c == 'x' || c == 'Y';
}

constexpr bool is_aeo(unsigned char c) { return c == 'a' || c == 'e' || c == 'o'; }

// The letters before which a final "li" is an adverb ending (Step 2).
constexpr bool is_valid_li_ending(unsigned char c) {
  switch (c) {
    case 'c': case 'd': case 'e': case 'g': case 'h':
    case 'k': case 'm': case 'n': case 'r': case 't':
      return true;
    default:
      return false;
  }
}

constexpr bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// ---------------------------------------------------------------------------
// Suffix tables. Snowball's `substring among(...)` picks the longest listed
// suffix and only then tests the region condition: a longer suffix outside
// R1 blocks a shorter one inside it. Each table is therefore kept longest
// first and the first hit is the only candidate.

enum class Action {
  kReplace,           // replace the suffix by `replacement`
  kReplaceAfterL,     // Step 2 -ogi: only after 'l'
  kDeleteAfterValidLi,  // Step 2 -li: only after one of cdeghkmnrt
  kDeleteInR2,        // Step 3 -ative: the suffix must also be in R2
  kDeleteAfterSOrT,   // Step 4 -ion: only after 's' or 't'
};

struct Rule {
  std::string_view suffix;
  std::string_view replacement;
  Action action = Action::kReplace;
};

template <std::size_t N>
constexpr bool longest_first(const Rule (&rules)[N]) {
  for (std::size_t i = 1; i < N; ++i) {
    if (rules[i - 1].suffix.size() < rules[i].suffix.size()) return false;
  }
  return true;
}

constexpr Rule kStep2Rules[] = {
    {"ational", "ate"},
    {"ization", "ize"},
    {"fulness", "ful"},
    {"ousness", "ous"},
    {"iveness", "ive"},
    {"tional", "tion"},
    {"biliti", "ble"},
    {"lessli", "less"},
    {"entli", "ent"},
    {"ation", "ate"},
    {"alism", "al"},
    {"aliti", "al"},
    {"ousli", "ous"},
    {"iviti", "ive"},
    {"ogist", "og"},
    {"fulli", "ful"},
    {"enci", "ence"},
    {"anci", "ance"},
    {"abli", "able"},
    {"izer", "ize"},
    {"ator", "ate"},
    {"alli", "al"},
    {"bli", "ble"},
    {"ogi", "og", Action::kReplaceAfterL},
    {"li", "", Action::kDeleteAfterValidLi},
};
static_assert(longest_first(kStep2Rules));

constexpr Rule kStep3Rules[] = {
    {"ational", "ate"},
    {"tional", "tion"},
    {"alize", "al"},
    {"icate", "ic"},
    {"iciti", "ic"},
    {"ative", "", Action::kDeleteInR2},
    {"ical", "ic"},
    {"ness", ""},
    {"ful", ""},
};
static_assert(longest_first(kStep3Rules));

constexpr Rule kStep4Rules[] = {
    {"ement", ""},
    {"ance", ""},
    {"ence", ""},
    {"able", ""},
    {"ible", ""},
    {"ment", ""},
    {"ent", ""},
    {"ant", ""},
    {"ism", ""},
    {"ate", ""},
    {"iti", ""},
    {"ous", ""},
    {"ive", ""},
    {"ize", ""},
    {"ion", "", Action::kDeleteAfterSOrT},
    {"al", ""},
    {"er", ""},
    {"ic", ""},
};
static_assert(longest_first(kStep4Rules));

// Whole words Snowball stems by fiat before anything else ("exception1").
struct Exception {
  std::string_view word;
  std::string_view stem;
};

constexpr Exception kExceptions[] = {
    {"skis", "ski"},     {"skies", "sky"},   {"idly", "idl"},    {"gently", "gentl"},
    {"ugly", "ugli"},    {"early", "earli"}, {"only", "onli"},   {"singly", "singl"},
    {"sky", "sky"},      {"news", "news"},   {"howe", "howe"},   {"atlas", "atlas"},
    {"cosmos", "cosmos"}, {"bias", "bias"},  {"andes", "andes"},
};

// Prefixes that end R1 where the usual rule would end it too early, keeping
// e.g. general/generic, past/paste, organ/organic apart.
constexpr std::string_view kR1Prefixes[] = {
    "gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ", "inter",
};

// Words ending in -ing that Step 1b leaves alone (inning, outing, ...), by
// the part before -ing.
constexpr std::string_view kInvariantIngStems[] = {"inn", "out", "cann", "herr", "earr", "even"};

// Words ending in -eed/-eedly that Step 1b leaves alone, by the part before.
constexpr std::string_view kInvariantEedStems[] = {"proc", "exc", "succ"};

// ---------------------------------------------------------------------------

// One run of the algorithm over one word. Positions are byte offsets into
// the word; the word only ever changes at its end (and by dropping a leading
// apostrophe before the regions are computed).
class EnglishStemmer {
 public:
  explicit EnglishStemmer(std::string& word) : w_(word) {}

  void run() {
    if (apply_exception()) return;
    if (code_points_in(0, w_.size()) < 3) return;
    prelude();
    mark_regions();
    step_1a();
    step_1b();
    step_1c();
    apply_rules(kStep2Rules, p1_);
    apply_rules(kStep3Rules, p1_);
    apply_rules(kStep4Rules, p2_);
    step_5();
    postlude();
  }

 private:
  // --- small queries -------------------------------------------------------

  unsigned char at(std::size_t i) const { return static_cast<unsigned char>(w_[i]); }

  // Compares the last byte first: most words fail there, and every step
  // tries dozens of suffixes.
  bool ends_with_at(std::size_t end, std::string_view suffix) const {
    if (end < suffix.size() || w_[end - 1] != suffix.back()) return false;
    for (std::size_t i = 0, start = end - suffix.size(); i + 1 < suffix.size(); ++i) {
      if (w_[start + i] != suffix[i]) return false;
    }
    return true;
  }
  bool ends_with(std::string_view suffix) const { return ends_with_at(w_.size(), suffix); }

  bool has_vowel_in(std::size_t begin, std::size_t end) const {
    for (std::size_t i = begin; i < end; ++i) {
      if (is_vowel(at(i))) return true;
    }
    return false;
  }

  std::size_t code_points_in(std::size_t begin, std::size_t end) const {
    std::size_t n = 0;
    for (std::size_t i = begin; i < end; ++i) n += !is_continuation(at(i));
    return n;
  }

  // Start of the character that ends at `pos`. REQUIRES: pos > 0.
  std::size_t char_start_before(std::size_t pos) const {
    std::size_t i = pos - 1;
    while (i > 0 && is_continuation(at(i))) --i;
    return i;
  }

  // End of the character that starts at `pos`. REQUIRES: pos < size.
  std::size_t char_end_after(std::size_t pos) const {
    std::size_t i = pos + 1;
    while (i < w_.size() && is_continuation(at(i))) ++i;
    return i;
  }

  // Replaces w_[from, end) by `replacement`; never grows the word.
  void replace_tail(std::size_t from, std::string_view replacement) {
    w_.resize(from);
    w_.append(replacement);
  }

  // A short syllable ends at `pos`: consonant-vowel-consonant where the
  // last consonant is not w, x or Y, or vowel-consonant as the whole prefix.
  // Snowball 3 also calls a prefix ending in "past" short (pasted -> paste).
  bool short_syllable_ends_at(std::size_t pos) const {
    if (pos >= 2 && !is_vowel(at(pos - 1))) {
      const std::size_t consonant = char_start_before(pos);
      if (consonant > 0 && is_vowel(at(consonant - 1))) {
        const std::size_t vowel = consonant - 1;
        if (vowel == 0) return true;  // vowel-consonant is the whole prefix
        // Any code point but a vowel may open the syllable (the Y of "Yiz"
        // too); only the closing consonant excludes w, x and Y.
        if (!is_vowel_or_wxy(at(pos - 1)) && !is_vowel(at(vowel - 1))) return true;
      }
    }
    return ends_with_at(pos, "past");
  }

  // --- the algorithm -------------------------------------------------------

  bool apply_exception() {
    if (w_.size() > 6) return false;
    for (const Exception& e : kExceptions) {
      if (w_.size() == e.word.size() && w_[0] == e.word[0] && std::string_view(w_) == e.word) {
        w_.assign(e.stem.data(), e.stem.size());
        return true;
      }
    }
    return false;
  }

  // Marks each y that acts as a consonant (initial, or after a vowel) as 'Y'
  // so that no later test sees it as a vowel.
  void prelude() {
    if (!w_.empty() && w_[0] == '\'') w_.erase(0, 1);
    if (!w_.empty() && w_[0] == 'y') {
      w_[0] = 'Y';
      y_found_ = true;
    }
    for (std::size_t i = 1; i < w_.size(); ++i) {
      if (w_[i] == 'y' && is_vowel(at(i - 1))) {
        w_[i] = 'Y';
        y_found_ = true;
      }
    }
  }

  // Snowball's "gopast v gopast non-v" from `from`: the end of the first
  // non-vowel that follows a vowel, or kNoRegion when there is none.
  std::size_t region_start_after(std::size_t from) const {
    std::size_t i = from;
    while (i < w_.size() && !is_vowel(at(i))) ++i;
    while (i < w_.size() && is_vowel(at(i))) ++i;
    return i < w_.size() ? char_end_after(i) : kNoRegion;
  }

  void mark_regions() {
    p1_ = p2_ = w_.size();
    std::size_t r1 = kNoRegion;
    for (std::string_view prefix : kR1Prefixes) {
      if (w_.size() >= prefix.size() && w_[0] == prefix[0] &&
          std::string_view(w_).substr(0, prefix.size()) == prefix) {
        r1 = prefix.size();
        break;
      }
    }
    if (r1 == kNoRegion) r1 = region_start_after(0);
    if (r1 == kNoRegion) return;
    p1_ = r1;
    const std::size_t r2 = region_start_after(r1);
    if (r2 != kNoRegion) p2_ = r2;
  }

  // Plurals and possessives.
  void step_1a() {
    if (ends_with("'s'")) {
      replace_tail(w_.size() - 3, "");
    } else if (ends_with("'s")) {
      replace_tail(w_.size() - 2, "");
    } else if (ends_with("'")) {
      replace_tail(w_.size() - 1, "");
    }

    if (ends_with("sses")) {
      replace_tail(w_.size() - 4, "ss");
    } else if (ends_with("ied") || ends_with("ies")) {
      // ties -> tie but cries -> cri: keep the e after a single character.
      const std::size_t suffix = w_.size() - 3;
      replace_tail(suffix, code_points_in(0, suffix) >= 2 ? "i" : "ie");
    } else if (ends_with("us") || ends_with("ss")) {
      // Not plurals.
    } else if (ends_with("s")) {
      // Drop the s when a vowel precedes it, but not just before it (gas, this
      // stay). A multi-byte character just before the s has no vowel bytes,
      // so looking at bytes is looking at characters here.
      const std::size_t suffix = w_.size() - 1;
      if (suffix >= 1 && has_vowel_in(0, suffix - 1)) replace_tail(suffix, "");
    }
  }

  // -eed, -ed, -ing and their -ly forms.
  void step_1b() {
    if (ends_with("eedly")) return remove_eed(w_.size() - 5);
    if (ends_with("ingly")) return remove_ed_or_ing(w_.size() - 5);
    if (ends_with("edly")) return remove_ed_or_ing(w_.size() - 4);
    if (ends_with("eed")) return remove_eed(w_.size() - 3);
    if (ends_with("ing")) return remove_ing(w_.size() - 3);
    if (ends_with("ed")) return remove_ed_or_ing(w_.size() - 2);
  }

  void remove_eed(std::size_t suffix) {
    if (suffix < p1_) return;
    const std::string_view stem(w_.data(), suffix);
    for (std::string_view invariant : kInvariantEedStems) {
      if (stem == invariant) return;  // proceed, exceed, succeed (and -ly)
    }
    replace_tail(suffix, "ee");
  }

  void remove_ing(std::size_t suffix) {
    const std::string_view stem(w_.data(), suffix);
    // dying -> die, lying -> lie, tying -> tie, vying -> vie.
    if (suffix >= 1 && w_[suffix - 1] == 'y') {
      const std::size_t before_y = suffix - 1;
      if (code_points_in(0, before_y) == 1 && !is_vowel(at(0))) {
        return replace_tail(before_y, "ie");
      }
      return remove_ed_or_ing(suffix);
    }
    for (std::string_view invariant : kInvariantIngStems) {
      if (ends_with_at(suffix, invariant)) {
        if (stem == invariant) return;  // inning, outing, canning, ...
        break;
      }
    }
    remove_ed_or_ing(suffix);
  }

  // Removes a verb ending when the stem has a vowel, then repairs the stem:
  // hopp -> hop, luxuriat -> luxuriate, hop -> hope (short stems).
  void remove_ed_or_ing(std::size_t suffix) {
    if (!has_vowel_in(0, suffix)) return;
    replace_tail(suffix, "");
    const std::size_t size = w_.size();
    if (ends_with("at") || ends_with("bl") || ends_with("iz")) return replace_tail(size, "e");
    if (size >= 2 && w_[size - 1] == w_[size - 2]) {
      switch (w_[size - 1]) {
        case 'b': case 'd': case 'f': case 'g': case 'm':
        case 'n': case 'p': case 'r': case 't':
          // add, egg, err stay whole; other doubles lose a letter.
          if (size == 3 && is_aeo(at(0))) return;
          return replace_tail(size - 1, "");
        default:
          break;
      }
    }
    if (size == p1_ && short_syllable_ends_at(size)) replace_tail(size, "e");
  }

  // A final y after a consonant that is not the first letter becomes i.
  void step_1c() {
    const std::size_t size = w_.size();
    if (size < 2 || (w_[size - 1] != 'y' && w_[size - 1] != 'Y')) return;
    const std::size_t y = size - 1;
    if (is_vowel(at(y - 1))) return;
    if (char_start_before(y) == 0) return;
    w_[y] = 'i';
  }

  // Steps 2, 3 and 4: the longest listed suffix, if it starts in the region
  // beginning at `region`.
  template <std::size_t N>
  void apply_rules(const Rule (&rules)[N], std::size_t region) {
    for (const Rule& rule : rules) {
      if (!ends_with(rule.suffix)) continue;
      const std::size_t suffix = w_.size() - rule.suffix.size();
      if (suffix < region) return;
      const unsigned char before = suffix > 0 ? at(suffix - 1) : 0;
      switch (rule.action) {
        case Action::kReplace:
          break;
        case Action::kReplaceAfterL:
          if (before != 'l') return;
          break;
        case Action::kDeleteAfterValidLi:
          if (!is_valid_li_ending(before)) return;
          break;
        case Action::kDeleteInR2:
          if (suffix < p2_) return;
          break;
        case Action::kDeleteAfterSOrT:
          if (before != 's' && before != 't') return;
          break;
      }
      return replace_tail(suffix, rule.replacement);
    }
  }

  // A final e in R2, or in R1 after anything but a short syllable; a final
  // l of a double l in R2.
  void step_5() {
    if (w_.empty()) return;
    const std::size_t last = w_.size() - 1;
    if (w_[last] == 'e') {
      if (last >= p2_ || (last >= p1_ && !short_syllable_ends_at(last))) replace_tail(last, "");
    } else if (w_[last] == 'l') {
      if (last >= p2_ && last > 0 && w_[last - 1] == 'l') replace_tail(last, "");
    }
  }

  void postlude() {
    if (!y_found_) return;
    for (char& c : w_) {
      if (c == 'Y') c = 'y';
    }
  }

  static constexpr std::size_t kNoRegion = static_cast<std::size_t>(-1);

  std::string& w_;
  std::size_t p1_ = 0;  // start of R1
  std::size_t p2_ = 0;  // start of R2
  bool y_found_ = false;
};

}  // namespace

void stem_english(std::string& word) { EnglishStemmer(word).run(); }

}  // namespace tomes::analysis
