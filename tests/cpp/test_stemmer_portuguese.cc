// test_stemmer_portuguese.cc: hand-checked cases for the Portuguese stemmer.
//
// Expected stems are Snowball's: the sample table on snowballstem.org's
// Portuguese page, and one or more words per step of the algorithm, each
// confirmed with PyStemmer 3.1.0. The exhaustive comparison with PyStemmer
// over large word lists is tests/python/test_stemmers.py (it needs Python).
#include <string>
#include <utility>
#include <vector>

#include "analysis/stemmer_portuguese.h"
#include "check.h"

namespace {

using Cases = std::vector<std::pair<std::string, std::string>>;

std::string stem(std::string word) {
  tomes::analysis::stem_portuguese(word);
  return word;
}

void check_all(const Cases& cases) {
  for (const auto& [word, expected] : cases) CHECK_EQ(stem(word), expected);
}

}  // namespace

TEST_CASE("sample table from the Snowball description") {
  check_all({
      {"boa", "boa"},           {"boainain", "boainain"}, {"boas", "boas"},
      {"bôas", "bôas"},         {"boassu", "boassu"},     {"boataria", "boat"},
      {"boate", "boat"},        {"boates", "boat"},       {"boatos", "boat"},
      {"bob", "bob"},           {"boba", "bob"},          {"bobagem", "bobag"},
      {"bobagens", "bobagens"}, {"bobalhões", "bobalhõ"}, {"bobear", "bob"},
      {"bobeira", "bobeir"},    {"bobinho", "bobinh"},    {"bobinhos", "bobinh"},
      {"bobo", "bob"},          {"bobs", "bobs"},         {"boca", "boc"},
      {"bocadas", "boc"},       {"bocadinho", "bocadinh"}, {"bocado", "boc"},
      {"bocaiúva", "bocaiúv"},  {"boçal", "boçal"},       {"bocarra", "bocarr"},
      {"bocas", "boc"},         {"bode", "bod"},          {"bodoque", "bodoqu"},
      {"body", "body"},         {"boeing", "boeing"},     {"boem", "boem"},
      {"boemia", "boem"},       {"boêmio", "boêmi"},      {"boêmios", "boêmi"},
      {"bogotá", "bogot"},      {"boi", "boi"},           {"bóia", "bói"},
      {"boiando", "boi"},
      {"quiabo", "quiab"},      {"quicaram", "quic"},     {"quickly", "quickly"},
      {"quieto", "quiet"},      {"quilate", "quilat"},    {"quilinhos", "quilinh"},
      {"quilo", "quil"},        {"quilombo", "quilomb"},  {"quilométricas", "quilométr"},
      {"quilométricos", "quilométr"}, {"quilômetro", "quilômetr"},
      {"quilômetros", "quilômetr"},   {"química", "químic"}, {"químicos", "químic"},
      {"quimioterapia", "quimioterap"}, {"quimioterápicos", "quimioteráp"},
      {"quimono", "quimon"},    {"quincas", "quinc"},     {"quinhão", "quinhã"},
      {"quinhentos", "quinhent"}, {"quinn", "quinn"},     {"quintal", "quintal"},
      {"quintanilha", "quintanilh"}, {"quintão", "quintã"},
      {"quintessência", "quintessent"}, {"quintuplicou", "quintuplic"},
      {"quinze", "quinz"},      {"quinzena", "quinzen"},  {"quiosque", "quiosqu"},
  });
}

TEST_CASE("step 1: endings deleted in R2") {
  check_all({
      {"beleza", "belez"},         {"românticos", "românt"},   {"comunismo", "comun"},
      {"agradável", "agrad"},      {"jornalista", "jornal"},   {"famosas", "famos"},
      {"conhecimentos", "conhec"}, {"trabalhadoras", "trabalh"}, {"organização", "organiz"},
      {"organizações", "organiz"}, {"importante", "import"},   {"importância", "import"},
  });
  // -ível lies outside R2 ("possív|el"), and no other step applies.
  CHECK_EQ(stem("possível"), "possível");
  // -amento is outside R2 here, so step 1 fails; the residual -o goes.
  CHECK_EQ(stem("casamento"), "casament");
}

TEST_CASE("step 1: endings replaced in R2") {
  check_all({
      {"biologia", "biolog"},     {"ecologias", "ecolog"},      // -logia -> log
      {"revolução", "revolu"},                                  // -ução -> u
      {"existência", "existent"}, {"quintessência", "quintessent"},  // -ência -> ente
  });
  // -uções is not in R2 of "soluções"; the nasal vowel survives the round trip.
  CHECK_EQ(stem("soluções"), "soluçõ");
}

TEST_CASE("step 1: adverbs and their inner endings") {
  check_all({
      {"rapidamente", "rapid"},     // -amente in R1
      {"positivamente", "posit"},   // then -iv, then -at, in R2
      {"relativamente", "relat"},   // -iv in R2, -at not
      {"cuidadosamente", "cuidad"}, // then -os
      {"basicamente", "basic"},     // -ic not in R2
      {"felizmente", "feliz"},      // -mente in R2
      {"constantemente", "constant"},
      {"notavelmente", "notavel"},
      {"incrivelmente", "incrivel"},
  });
}

TEST_CASE("step 1: -idade, -iva, -eira") {
  check_all({
      {"universidade", "univers"}, {"possibilidade", "possibil"}, {"autenticidade", "autent"},
      {"atividades", "ativ"},      {"ativa", "ativ"},             {"criativo", "criativ"},
      {"cadeira", "cadeir"},       {"brasileiras", "brasileir"},
  });
  // -ira not after e is a verb ending (step 2).
  CHECK_EQ(stem("mentira"), "ment");
}

TEST_CASE("step 2: verb endings, confined to RV") {
  check_all({
      {"falávamos", "fal"}, {"cantaríamos", "cant"}, {"comeram", "com"},
      {"partiu", "part"},   {"falou", "fal"},        {"correndo", "corr"},
      {"bobear", "bob"},    {"quicaram", "quic"},
  });
  // RV of "amássemos" starts after "amá": -ássemos reaches out of it, so the
  // shorter -emos is removed instead.
  CHECK_EQ(stem("amássemos"), "amáss");
}

TEST_CASE("step 3: final i after c, after steps 1 or 2") {
  CHECK_EQ(stem("comerciais"), "comerc");
}

TEST_CASE("step 4 and 5: residual suffix and residual form") {
  check_all({
      {"gatos", "gat"},  {"menino", "menin"}, {"bogotá", "bogot"}, {"bóia", "bói"},
      {"averigue", "averig"},  // -e, then u after g
      {"espécie", "espéc"},    // -e, then i after c
      {"pense", "pens"},       {"bodoque", "bodoqu"},
      {"faç", "fac"},          {"aç", "ac"}, {"ç", "c"},  // ç -> c, region or not
  });
}

TEST_CASE("nasal vowels: prelude and postlude") {
  check_all({
      {"pão", "pã"},  {"corações", "coraçõ"}, {"mãe", "mã"}, {"cães", "cã"},
      {"mães", "mã"}, {"bobalhões", "bobalhõ"},
      {"ã", "ã"},
      // Snowball's postlude turns any a~ / o~ into ã / õ, input ones included.
      {"a~", "ã"},    {"o~", "õ"}, {"ca~o", "cã"}, {"a~~", "ã~"}, {"ç~", "ç~"},
  });
}

TEST_CASE("short words") {
  check_all({
      {"", ""}, {"a", "a"}, {"e", "e"}, {"u", "u"}, {"é", "é"},
      {"ao", "ao"}, {"os", "os"}, {"boa", "boa"}, {"boi", "boi"},
  });
}

TEST_CASE("non-Portuguese and non-letter input") {
  check_all({
      {"москва", "москва"}, {"東京", "東京"}, {"straße", "straß"}, {"naïve", "naïv"},
      {"café", "caf"},
      {"cafe\xCC\x81", "cafe\xCC\x81"},  // e + combining acute: the mark is a non-vowel
      {"ações\xF0\x9F\x8E\x89", "ações\xF0\x9F\x8E\x89"},  // 4-byte code point
      {"2020", "2020"}, {"abc123", "abc123"}, {"ñandú", "ñandú"},
  });
}

TEST_CASE("malformed UTF-8 is handled without harm") {
  const std::vector<std::string> inputs = {
      "\xC3", "\xC3\xA3\xC3", "a\xFF", "\xE2\x82", "\xF0\x9F\x8E", "ama\x80\x80mente",
      "\xC3~", "o\xC3", std::string("a\0o", 3), "\xF8\x88\x80\x80\x80",
  };
  for (const std::string& input : inputs) {
    const std::string output = stem(input);
    CHECK(output.size() <= input.size());
  }
}

TEST_CASE("stems are stable under repeated calls on the same buffer") {
  std::string word = "organizações";
  tomes::analysis::stem_portuguese(word);
  CHECK_EQ(word, std::string("organiz"));
  word = "quilométricas";
  tomes::analysis::stem_portuguese(word);
  CHECK_EQ(word, std::string("quilométr"));
}

int main() { return tomes::test::run_all(); }
