// The analyzer against hand-computed terms and against a brute-force model
// that composes the single steps naively (decode, group, casefold, stopword,
// stem, fold, count), on random text mixing ASCII, Unicode and bad bytes.
#include <random>
#include <set>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/unicode_tables.h"
#include "analysis/unicode_text.h"
#include "common/utf8.h"
#include "check.h"

using namespace tomes::analysis;
namespace utf8 = tomes::utf8;

namespace {

std::vector<std::string> terms_of(const Analyzer& analyzer, const std::string& text) {
  TermList list;
  analyze(analyzer, text, &list);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.size(); ++i) out.emplace_back(list[i]);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& t : v) s += (s.empty() ? "" : "|") + t;
  return s;
}

// SPEC 3 step by step, with no fast path and no cache.
std::vector<std::string> model(const std::string& text, const std::set<std::string>& stop,
                               Stemmer stemmer) {
  std::vector<std::string> tokens;
  std::string current;
  bool in_token = false;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    char32_t cp;
    const std::size_t len = utf8::decode(p, end, &cp);
    const bool token_char = unicode::info(cp).flags & unicode::kTokenChar;
    if (token_char) {
      current.append(reinterpret_cast<const char*>(p), len);
      in_token = true;
    } else if (in_token) {
      tokens.push_back(current);
      current.clear();
      in_token = false;
    }
    p += len;
  }
  if (in_token) tokens.push_back(current);
  std::vector<std::string> out;
  for (const std::string& token : tokens) {
    std::string c = casefold(token);
    if (stop.count(c)) continue;
    stem(stemmer, c);
    const std::string f = fold(c);
    const std::size_t n = utf8::count_code_points(f.data(), f.size());
    if (n >= 2 && n <= 40) out.push_back(f);
  }
  return out;
}

}  // namespace

TEST_CASE("hand-computed terms") {
  const Analyzer plain;
  CHECK_EQ(join(terms_of(plain, "Hello, World! x 42 don't")), std::string("hello|world|42|don"));
  CHECK_EQ(join(terms_of(plain, "Ünïcödé ½ MASSE Straße")), std::string("unicode|12|masse|strasse"));
  CHECK_EQ(join(terms_of(plain, "snake_case well-known")), std::string("snake|case|well|known"));
  CHECK_EQ(join(terms_of(plain, "ﬁsh Æsir Øre İstanbul")), std::string("fish|aesir|ore|istanbul"));
  CHECK_EQ(join(terms_of(plain, "")), std::string(""));
  CHECK_EQ(join(terms_of(plain, "a I é")), std::string(""));  // shorter than 2
  const std::string forty(40, 'a');
  CHECK_EQ(join(terms_of(plain, forty + " " + forty + "b")), forty);  // 41 is too long
  // Bad bytes separate tokens, like U+FFFD.
  CHECK_EQ(join(terms_of(plain, "ab\xFF" "cd\xED\xA0\x80" "ef")), std::string("ab|cd|ef"));
  // A combining mark after a separator starts a token; folding removes it.
  CHECK_EQ(join(terms_of(plain, "x \xCC\x81" "ab")), std::string("ab"));
}

TEST_CASE("stopwords and stemmers") {
  const Analyzer english({"the", "AND"}, Stemmer::kEnglish);
  CHECK_EQ(join(terms_of(english, "The running dogs and THE cats")),
           std::string("run|dog|cat"));
  const Analyzer portuguese({"de"}, Stemmer::kPortuguese);
  CHECK_EQ(join(terms_of(portuguese, "De quilométricas")), std::string("quilometr"));
}

TEST_CASE("a stream reused over texts, cache warm, gives the same terms") {
  const Analyzer english({"the"}, Stemmer::kEnglish);
  TermStream stream(english);
  std::vector<std::string> first, second;
  const std::string text = "the generously running generous runner runs café";
  for (auto* out : {&first, &second}) {
    stream.reset(text);
    std::string_view term;
    while (stream.next(&term)) out->emplace_back(term);
  }
  CHECK_EQ(join(first), join(second));
  CHECK_EQ(join(first), std::string("generous|run|generous|runner|run|cafe"));
}

TEST_CASE("property: the analyzer equals the brute-force model") {
  const std::vector<std::string> pieces = {
      "a", "B", "z", "Y", "e", "s", "ing", "ed", "ly", "tion", "ness", "0", "9", " ", "  ", ".",
      ",", "-", "_", "'", "\n", "\t", "é", "É", "ß", "ẞ", "ç", "ã", "õ", "ﬁ", "½", "²", "Σ",
      "ς", "İ", "ı", "æ", "Œ", "Ø", "ł", "ð", "þ", "ħ", "\xCC\x81", "\xCC\xA3", "中", "한",
      "\xF0\x9F\x98\x80", "\xFF", "\xC3", "\xED\xA0\x80", "\xE2\x80\x99", "\xC2\xA0", "ações",
      "mente", "the", "The", "and", "de", "que", "Straße", "running", "quilométricas"};
  std::mt19937 rng(20261124);
  const std::vector<std::string> stop_entries = {"the", "and", "de", "que", "Straße"};
  std::set<std::string> stop;
  for (const auto& s : stop_entries) stop.insert(casefold(s));
  for (Stemmer stemmer : {Stemmer::kNone, Stemmer::kEnglish, Stemmer::kPortuguese}) {
    for (bool with_stop : {false, true}) {
      const Analyzer analyzer(with_stop ? stop_entries : std::vector<std::string>{}, stemmer);
      const std::set<std::string> model_stop = with_stop ? stop : std::set<std::string>{};
      int failures = 0;
      for (int round = 0; round < 3000 && failures < 3; ++round) {
        std::string text;
        const int n = static_cast<int>(rng() % 40);
        for (int i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
        const auto got = join(terms_of(analyzer, text));
        const auto want = join(model(text, model_stop, stemmer));
        if (got != want) {
          ++failures;
          CHECK_EQ(got, want);
        }
      }
    }
  }
}

TEST_CASE("property: random bytes never break the stream and match the model") {
  std::mt19937 rng(99);
  const Analyzer analyzer({"the"}, Stemmer::kEnglish);
  const Analyzer plain;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 64);
    for (int i = 0; i < n; ++i) {
      // Mostly bytes that matter: ASCII letters, separators, lead and continuation bytes.
      const unsigned r = rng() % 8;
      text.push_back(static_cast<char>(r < 3 ? 'a' + rng() % 26 : r < 4 ? ' ' : 0x80 + rng() % 0x80));
    }
    const auto want = join(model(text, {"the"}, Stemmer::kEnglish));
    const auto got = join(terms_of(analyzer, text));
    if (got != want) {
      CHECK_EQ(got, want);
      break;
    }
    CHECK_EQ(join(terms_of(plain, text)), join(model(text, {}, Stemmer::kNone)));
  }
}

int main() { return tomes::test::run_all(); }
