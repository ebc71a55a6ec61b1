// stemmer_portuguese.cc: Snowball's Portuguese stemmer (see the header).
//
// The word is stemmed in place, in UTF-8, the way Snowball's own runtime
// does it: positions are byte offsets that always sit on code point
// boundaries, so comparing them is the same as comparing code point counts,
// and every suffix the algorithm names starts with an ASCII byte or a UTF-8
// lead byte, so a byte-wise suffix match is a code point match. The prelude
// (ã -> a~, õ -> o~) and the postlude (its inverse) keep the byte length,
// and every later step only shortens the word, so nothing is allocated.

#include "analysis/stemmer_portuguese.h"

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace tomes::analysis {
namespace {

// UTF-8 spellings of the accented letters the suffix lists use; escapes keep
// the source independent of the compiler's source character set.
#define PT_A_ACUTE "\xC3\xA1"   // á
#define PT_A_CIRC "\xC3\xA2"    // â
#define PT_C_CEDIL "\xC3\xA7"   // ç
#define PT_E_ACUTE "\xC3\xA9"   // é
#define PT_E_CIRC "\xC3\xAA"    // ê
#define PT_I_ACUTE "\xC3\xAD"   // í
#define PT_O_ACUTE "\xC3\xB3"   // ó

// Where each region starts, as a byte offset; a region runs to the end of
// the word and is empty when its start is the word's length. Offsets are
// fixed once marked: later steps shorten the word, and a region check then
// simply fails, as in Snowball.
struct Regions {
  std::size_t rv;
  std::size_t r1;
  std::size_t r2;
};

bool is_vowel(char32_t c) {
  switch (c) {
    case U'a': case U'e': case U'i': case U'o': case U'u':
    case U'\u00E1': case U'\u00E9': case U'\u00ED': case U'\u00F3': case U'\u00FA':
    case U'\u00E2': case U'\u00EA': case U'\u00F4':
      return true;
    default:
      return false;
  }
}

// Decodes the code point at `pos` (< word.size()) and stores its byte width.
// Malformed bytes are read exactly as Snowball's get_utf8 reads them, so even
// invalid input gets Snowball's answer; valid UTF-8 decodes normally.
char32_t decode_at(std::string_view word, std::size_t pos, std::size_t* width) {
  const std::size_t end = word.size();
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(word[i]); };
  const unsigned b0 = byte(pos);
  if (b0 < 0xC0 || pos + 1 == end) {
    *width = 1;
    return b0;
  }
  const unsigned b1 = byte(pos + 1) & 0x3F;
  if (b0 < 0xE0 || pos + 2 == end) {
    *width = 2;
    return ((b0 & 0x1F) << 6) | b1;
  }
  const unsigned b2 = byte(pos + 2) & 0x3F;
  if (b0 < 0xF0 || pos + 3 == end) {
    *width = 3;
    return ((b0 & 0x0F) << 12) | (b1 << 6) | b2;
  }
  *width = 4;
  return ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | (byte(pos + 3) & 0x3F);
}

// Snowball's `next`: one code point forward (a lead byte swallows the
// continuation bytes after it). Requires pos < word.size().
std::size_t next_position(std::string_view word, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(word[i]); };
  if (byte(pos++) >= 0xC0) {
    while (pos < word.size() && byte(pos) >= 0x80 && byte(pos) < 0xC0) ++pos;
  }
  return pos;
}

// Snowball's `gopast v` / `gopast non-v`: the offset just past the first code
// point at or after `pos` whose vowel-ness is `want_vowel`, or npos.
std::size_t go_past(std::string_view word, std::size_t pos, bool want_vowel) {
  while (pos < word.size()) {
    std::size_t width = 0;
    const bool vowel = is_vowel(decode_at(word, pos, &width));
    pos += width;
    if (vowel == want_vowel) return pos;
  }
  return std::string_view::npos;
}

// Portuguese has the nasal vowels ã and õ count as a vowel followed by a
// consonant; spelling them a~ / o~ (same byte length) makes that literal.
void split_nasal_vowels(std::string& word) {
  for (std::size_t i = 0; i + 1 < word.size(); ++i) {
    if (word[i] != '\xC3') continue;
    if (word[i + 1] == '\xA3') {
      word[i] = 'a';
      word[i + 1] = '~';
    } else if (word[i + 1] == '\xB5') {
      word[i] = 'o';
      word[i + 1] = '~';
    }
  }
}

// Inverse of split_nasal_vowels, applied to whatever a~ / o~ the word holds
// at the end, including ones that were in the input.
void join_nasal_vowels(std::string& word) {
  for (std::size_t i = 0; i + 1 < word.size(); ++i) {
    if (word[i + 1] != '~') continue;
    if (word[i] == 'a') {
      word[i] = '\xC3';
      word[i + 1] = '\xA3';
      ++i;
    } else if (word[i] == 'o') {
      word[i] = '\xC3';
      word[i + 1] = '\xB5';
      ++i;
    }
  }
}

// RV as in the Spanish stemmer: after the first vowel following the second
// letter when that is a consonant; after the first consonant following two
// leading vowels; otherwise after the third letter. R1 and R2 are the usual
// "after the first non-vowel following a vowel", applied once and twice.
Regions mark_regions(std::string_view word) {
  const std::size_t n = word.size();
  constexpr std::size_t npos = std::string_view::npos;
  Regions regions{n, n, n};

  if (n > 0) {
    std::size_t first_width = 0;
    const bool first_vowel = is_vowel(decode_at(word, 0, &first_width));
    const std::size_t second = first_width;
    if (second < n) {
      std::size_t second_width = 0;
      const bool second_vowel = is_vowel(decode_at(word, second, &second_width));
      const std::size_t third = second + second_width;
      std::size_t rv = npos;
      if (!second_vowel) {
        rv = go_past(word, third, /*want_vowel=*/true);
      } else if (first_vowel) {
        rv = go_past(word, third, /*want_vowel=*/false);
      } else if (third < n) {
        rv = next_position(word, third);
      }
      if (rv != npos) regions.rv = rv;
    }
  }

  std::size_t pos = go_past(word, 0, true);
  if (pos != npos) pos = go_past(word, pos, false);
  if (pos == npos) return regions;
  regions.r1 = pos;
  pos = go_past(word, pos, true);
  if (pos != npos) pos = go_past(word, pos, false);
  if (pos != npos) regions.r2 = pos;
  return regions;
}

bool ends_with(std::string_view word, std::string_view suffix) {
  return word.size() >= suffix.size() &&
         std::memcmp(word.data() + word.size() - suffix.size(), suffix.data(), suffix.size()) == 0;
}

// The suffix `suffix` occupies the word's tail from offset `start`.
std::size_t start_of(const std::string& word, std::string_view suffix) {
  return word.size() - suffix.size();
}

void replace_tail(std::string& word, std::size_t start, std::string_view replacement) {
  word.resize(start);
  word.append(replacement.data(), replacement.size());  // shorter: no allocation
}

template <class Entry, std::size_t N>
const Entry* longest_ending(std::string_view word, const Entry (&table)[N],
                            std::size_t min_start = 0) {
  const Entry* best = nullptr;
  if (word.empty()) return best;
  const char last = word.back();
  for (const Entry& entry : table) {
    const std::string_view s = entry.text;
    if (s.back() != last || s.size() > word.size() || word.size() - s.size() < min_start) continue;
    if ((best == nullptr || s.size() > best->text.size()) && ends_with(word, s)) best = &entry;
  }
  return best;
}

struct Ending {
  std::string_view text;
};

// Deletes the ending that `word` ends with among `table`, when it lies in R2.
// Snowball picks the longest listed ending first and only then tests the
// region; a shorter ending is never tried instead.
template <std::size_t N>
bool delete_longest_in_r2(std::string& word, const Ending (&table)[N], const Regions& regions) {
  const Ending* found = longest_ending(word, table);
  if (found == nullptr) return false;
  const std::size_t start = start_of(word, found->text);
  if (start < regions.r2) return false;
  word.resize(start);
  return true;
}

bool delete_in_r2(std::string& word, std::string_view suffix, const Regions& regions) {
  if (!ends_with(word, suffix) || start_of(word, suffix) < regions.r2) return false;
  word.resize(start_of(word, suffix));
  return true;
}

enum class StandardAction { kDelete, kToLog, kToU, kToEnte, kAmente, kMente, kIdade, kIva, kEira };

struct StandardEnding {
  std::string_view text;
  StandardAction action;
};

constexpr StandardEnding kStandardEndings[] = {
    {"eza", StandardAction::kDelete},       {"ezas", StandardAction::kDelete},
    {"ico", StandardAction::kDelete},       {"ica", StandardAction::kDelete},
    {"icos", StandardAction::kDelete},      {"icas", StandardAction::kDelete},
    {"ismo", StandardAction::kDelete},      {"ismos", StandardAction::kDelete},
    {PT_A_ACUTE "vel", StandardAction::kDelete}, {PT_I_ACUTE "vel", StandardAction::kDelete},
    {"ista", StandardAction::kDelete},      {"istas", StandardAction::kDelete},
    {"oso", StandardAction::kDelete},       {"osa", StandardAction::kDelete},
    {"osos", StandardAction::kDelete},      {"osas", StandardAction::kDelete},
    {"amento", StandardAction::kDelete},    {"amentos", StandardAction::kDelete},
    {"imento", StandardAction::kDelete},    {"imentos", StandardAction::kDelete},
    {"adora", StandardAction::kDelete},     {"ador", StandardAction::kDelete},
    {"a" PT_C_CEDIL "a~o", StandardAction::kDelete},
    {"adoras", StandardAction::kDelete},    {"adores", StandardAction::kDelete},
    {"a" PT_C_CEDIL "o~es", StandardAction::kDelete},
    {"ante", StandardAction::kDelete},      {"antes", StandardAction::kDelete},
    {PT_A_CIRC "ncia", StandardAction::kDelete},
    {"logia", StandardAction::kToLog},      {"logias", StandardAction::kToLog},
    {"u" PT_C_CEDIL "a~o", StandardAction::kToU}, {"u" PT_C_CEDIL "o~es", StandardAction::kToU},
    {PT_E_CIRC "ncia", StandardAction::kToEnte}, {PT_E_CIRC "ncias", StandardAction::kToEnte},
    {"amente", StandardAction::kAmente},
    {"mente", StandardAction::kMente},
    {"idade", StandardAction::kIdade},      {"idades", StandardAction::kIdade},
    {"iva", StandardAction::kIva},          {"ivo", StandardAction::kIva},
    {"ivas", StandardAction::kIva},         {"ivos", StandardAction::kIva},
    {"ira", StandardAction::kEira},         {"iras", StandardAction::kEira},
};

constexpr Ending kAfterAmente[] = {{"iv"}, {"os"}, {"ic"}, {"ad"}};
constexpr Ending kAfterMente[] = {{"ante"}, {"avel"}, {PT_I_ACUTE "vel"}};
constexpr Ending kAfterIdade[] = {{"abil"}, {"ic"}, {"iv"}};

// Step 1. Returns whether an ending was dealt with (Snowball's "succeeded"),
// which is what decides whether verb endings are tried.
bool remove_standard_suffix(std::string& word, const Regions& regions) {
  const StandardEnding* found = longest_ending(word, kStandardEndings);
  if (found == nullptr) return false;
  const std::size_t start = start_of(word, found->text);
  switch (found->action) {
    case StandardAction::kDelete:
      if (start < regions.r2) return false;
      word.resize(start);
      return true;
    case StandardAction::kToLog:
      if (start < regions.r2) return false;
      replace_tail(word, start, "log");
      return true;
    case StandardAction::kToU:
      if (start < regions.r2) return false;
      replace_tail(word, start, "u");
      return true;
    case StandardAction::kToEnte:
      if (start < regions.r2) return false;
      replace_tail(word, start, "ente");
      return true;
    case StandardAction::kAmente: {
      if (start < regions.r1) return false;
      word.resize(start);
      const bool was_iv = ends_with(word, "iv");
      if (delete_longest_in_r2(word, kAfterAmente, regions) && was_iv) {
        delete_in_r2(word, "at", regions);
      }
      return true;
    }
    case StandardAction::kMente:
      if (start < regions.r2) return false;
      word.resize(start);
      delete_longest_in_r2(word, kAfterMente, regions);
      return true;
    case StandardAction::kIdade:
      if (start < regions.r2) return false;
      word.resize(start);
      delete_longest_in_r2(word, kAfterIdade, regions);
      return true;
    case StandardAction::kIva:
      if (start < regions.r2) return false;
      word.resize(start);
      delete_in_r2(word, "at", regions);  // but not a further -ic
      return true;
    case StandardAction::kEira:
      // -eira(s) is usually not a verb form: keep the "ir".
      if (start < regions.rv || start == 0 || word[start - 1] != 'e') return false;
      replace_tail(word, start, "ir");
      return true;
  }
  return false;
}

constexpr Ending kVerbEndings[] = {
    {"ada"}, {"ida"}, {"ia"}, {"aria"}, {"eria"}, {"iria"}, {"ar" PT_A_ACUTE}, {"ara"},
    {"er" PT_A_ACUTE}, {"era"}, {"ir" PT_A_ACUTE}, {"ava"}, {"asse"}, {"esse"}, {"isse"},
    {"aste"}, {"este"}, {"iste"}, {"ei"}, {"arei"}, {"erei"}, {"irei"}, {"am"}, {"iam"},
    {"ariam"}, {"eriam"}, {"iriam"}, {"aram"}, {"eram"}, {"iram"}, {"avam"}, {"em"},
    {"arem"}, {"erem"}, {"irem"}, {"assem"}, {"essem"}, {"issem"}, {"ado"}, {"ido"},
    {"ando"}, {"endo"}, {"indo"}, {"ara~o"}, {"era~o"}, {"ira~o"}, {"ar"}, {"er"}, {"ir"},
    {"as"}, {"adas"}, {"idas"}, {"ias"}, {"arias"}, {"erias"}, {"irias"},
    {"ar" PT_A_ACUTE "s"}, {"aras"}, {"er" PT_A_ACUTE "s"}, {"eras"}, {"ir" PT_A_ACUTE "s"},
    {"avas"}, {"es"}, {"ardes"}, {"erdes"}, {"irdes"}, {"ares"}, {"eres"}, {"ires"},
    {"asses"}, {"esses"}, {"isses"}, {"astes"}, {"estes"}, {"istes"}, {"is"}, {"ais"},
    {"eis"}, {PT_I_ACUTE "eis"}, {"ar" PT_I_ACUTE "eis"}, {"er" PT_I_ACUTE "eis"},
    {"ir" PT_I_ACUTE "eis"}, {PT_A_ACUTE "reis"}, {"areis"}, {PT_E_ACUTE "reis"}, {"ereis"},
    {PT_I_ACUTE "reis"}, {"ireis"}, {PT_A_ACUTE "sseis"}, {PT_E_ACUTE "sseis"},
    {PT_I_ACUTE "sseis"}, {PT_A_ACUTE "veis"}, {"ados"}, {"idos"}, {PT_A_ACUTE "mos"},
    {"amos"}, {PT_I_ACUTE "amos"}, {"ar" PT_I_ACUTE "amos"}, {"er" PT_I_ACUTE "amos"},
    {"ir" PT_I_ACUTE "amos"}, {PT_A_ACUTE "ramos"}, {PT_E_ACUTE "ramos"},
    {PT_I_ACUTE "ramos"}, {PT_A_ACUTE "vamos"}, {"emos"}, {"aremos"}, {"eremos"},
    {"iremos"}, {PT_A_ACUTE "ssemos"}, {PT_E_CIRC "ssemos"}, {PT_I_ACUTE "ssemos"},
    {"imos"}, {"armos"}, {"ermos"}, {"irmos"}, {"eu"}, {"iu"}, {"ou"}, {"ira"}, {"iras"},
};

// Step 2. Unlike step 1, the search itself is confined to RV (Snowball's
// `setlimit tomark pV`): an ending reaching out of RV is not seen at all, so
// a shorter one inside RV can match instead.
bool remove_verb_suffix(std::string& word, const Regions& regions) {
  if (regions.rv > word.size()) return false;
  const Ending* found = longest_ending(word, kVerbEndings, regions.rv);
  if (found == nullptr) return false;
  word.resize(start_of(word, found->text));
  return true;
}

// Step 3: after a step 1 or 2 change, a final -i in RV preceded by c goes.
void remove_i_after_c(std::string& word, const Regions& regions) {
  const std::size_t n = word.size();
  if (n >= 2 && word[n - 1] == 'i' && word[n - 2] == 'c' && n - 1 >= regions.rv) {
    word.resize(n - 1);
  }
}

constexpr Ending kResidualSuffixes[] = {{"os"}, {"a"}, {"i"}, {"o"},
                                        {PT_A_ACUTE}, {PT_I_ACUTE}, {PT_O_ACUTE}};

// Step 4, for words steps 1 and 2 left alone.
void remove_residual_suffix(std::string& word, const Regions& regions) {
  const Ending* found = longest_ending(word, kResidualSuffixes);
  if (found == nullptr) return;
  const std::size_t start = start_of(word, found->text);
  if (start >= regions.rv) word.resize(start);
}

// Step 5, always: a final e/é/ê in RV goes, and with it the u of -gue or the
// i of -cie when in RV; a final ç becomes c wherever it is.
void normalize_residual_form(std::string& word, const Regions& regions) {
  if (ends_with(word, PT_C_CEDIL)) {
    replace_tail(word, word.size() - 2, "c");
    return;
  }
  std::size_t start;
  if (ends_with(word, "e")) {
    start = word.size() - 1;
  } else if (ends_with(word, PT_E_ACUTE) || ends_with(word, PT_E_CIRC)) {
    start = word.size() - 2;
  } else {
    return;
  }
  if (start < regions.rv) return;
  word.resize(start);
  const std::size_t n = word.size();
  if (n < 2) return;
  const bool gu = word[n - 1] == 'u' && word[n - 2] == 'g';
  const bool ci = word[n - 1] == 'i' && word[n - 2] == 'c';
  if ((gu || ci) && n - 1 >= regions.rv) word.resize(n - 1);
}

#undef PT_A_ACUTE
#undef PT_A_CIRC
#undef PT_C_CEDIL
#undef PT_E_ACUTE
#undef PT_E_CIRC
#undef PT_I_ACUTE
#undef PT_O_ACUTE

}  // namespace

void stem_portuguese(std::string& word) {
  split_nasal_vowels(word);
  const Regions regions = mark_regions(word);
  if (remove_standard_suffix(word, regions) || remove_verb_suffix(word, regions)) {
    remove_i_after_c(word, regions);
  } else {
    remove_residual_suffix(word, regions);
  }
  normalize_residual_form(word, regions);
  join_nasal_vowels(word);
}

}  // namespace tomes::analysis
