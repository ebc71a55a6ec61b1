// Stopword lists are Snowball's; sets match case-folded tokens exactly.
#include <string>
#include <vector>

#include "analysis/stopwords.h"
#include "check.h"

using tomes::analysis::builtin_stopwords;
using tomes::analysis::StopwordSet;

TEST_CASE("built-in lists have Snowball's sizes and entries") {
  const auto english = builtin_stopwords("english");
  CHECK(english.is_ok());
  CHECK_EQ(english.value().size(), 174u);  // stop.txt: 174 entries not commented out
  const auto portuguese = builtin_stopwords("portuguese");
  CHECK(portuguese.is_ok());
  CHECK_EQ(portuguese.value().size(), 203u);
  CHECK_EQ(portuguese.value().front(), std::string("de"));
  CHECK_EQ(portuguese.value().back(), std::string("teriam"));
}

TEST_CASE("an unknown list name is an error listing the accepted names") {
  const auto r = builtin_stopwords("klingon");
  CHECK(!r.is_ok());
  CHECK(r.status().message().find("'english', 'portuguese'") != std::string::npos);
  CHECK(r.status().message().find("klingon") != std::string::npos);
}

TEST_CASE("entries are case-folded and deduplicated") {
  const StopwordSet set(std::vector<std::string>{"The", "THE", "Straße", "", "ΌΣΟΣ"});
  CHECK(set.contains("the"));
  CHECK(set.contains("strasse"));
  CHECK(set.contains("όσοσ"));
  CHECK(!set.contains("The"));  // tokens arrive case-folded
  CHECK(!set.contains("th"));
  CHECK(!set.contains("thee"));
  CHECK_EQ(set.words().size(), 4u);  // "", "strasse", "the", "όσοσ"
  const StopwordSet copy = set;
  CHECK(copy.contains("strasse"));
}

TEST_CASE("the empty set contains nothing") {
  const StopwordSet set;
  CHECK(set.empty());
  CHECK(!set.contains("a"));
}

int main() { return tomes::test::run_all(); }
