// The FST against brute-force models: std::map for get, iteration, range and
// prefix; a minimal DAFSA computed on a trie for the node count; every byte
// flipped or cut must be refused or at least never read out of bounds.
#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "check.h"
#include "common/byte_sink.h"
#include "common/file_system.h"
#include "common/utf8.h"
#include "fst/fst_background_builder.h"
#include "fst/fst_builder.h"
#include "fst/fst_file.h"
#include "fst/fst_fuzzy.h"
#include "fst/fst_reader.h"

using namespace tomes;
using namespace tomes::fst;

namespace {

using Map = std::map<std::string, std::uint64_t>;

std::string build(const Map& map, std::uint64_t* nodes = nullptr) {
  std::string out;
  StringSink sink(&out);
  FstBuilder builder(&sink);
  for (const auto& [key, value] : map) {
    if (!builder.add(key, value).is_ok()) return "";
  }
  if (!builder.finish().is_ok()) return "";
  if (nodes) *nodes = builder.node_count();
  return out;
}

// The number of states of the minimal FST of map, with outputs pushed toward
// the root: distinct (final, final output, transitions) signatures on a trie.
std::size_t minimal_state_count(const Map& map) {
  struct TrieNode {
    bool final = false;
    std::uint64_t value = 0;
    std::map<unsigned char, int> children;
  };
  std::vector<TrieNode> trie(1);
  for (const auto& [key, value] : map) {
    int at = 0;
    for (unsigned char c : key) {
      auto it = trie[at].children.find(c);
      if (it == trie[at].children.end()) {
        trie.emplace_back();
        it = trie[at].children.emplace(c, static_cast<int>(trie.size() - 1)).first;
      }
      at = it->second;
    }
    trie[at].final = true;
    trie[at].value = value;
  }
  std::vector<std::uint64_t> min_below(trie.size());
  std::vector<int> cls(trie.size());
  std::map<std::tuple<bool, std::uint64_t, std::vector<std::tuple<unsigned char, std::uint64_t, int>>>, int> classes;
  // Children have larger indexes than parents: go backwards.
  for (int u = static_cast<int>(trie.size()) - 1; u >= 0; --u) {
    std::uint64_t m = trie[u].final ? trie[u].value : UINT64_MAX;
    for (const auto& [c, v] : trie[u].children) m = std::min(m, min_below[v]);
    min_below[u] = m;
  }
  for (int u = static_cast<int>(trie.size()) - 1; u >= 0; --u) {
    const std::uint64_t emitted = u == 0 ? 0 : min_below[u];
    std::vector<std::tuple<unsigned char, std::uint64_t, int>> transitions;
    for (const auto& [c, v] : trie[u].children) transitions.emplace_back(c, min_below[v] - emitted, cls[v]);
    auto key = std::make_tuple(trie[u].final, trie[u].final ? trie[u].value - emitted : 0, transitions);
    auto it = classes.emplace(key, static_cast<int>(classes.size())).first;
    cls[u] = it->second;
  }
  return classes.size();
}

Map random_map(std::mt19937_64& rng, std::size_t n, unsigned alphabet, std::size_t max_len,
               bool ordinals) {
  std::set<std::string> keys;
  // Small alphabets and lengths have few distinct keys: stop trying after a while.
  for (std::size_t attempt = 0; keys.size() < n && attempt < 20 * n; ++attempt) {
    std::string key;
    const std::size_t len = rng() % (max_len + 1);
    for (std::size_t i = 0; i < len; ++i) {
      const unsigned r = static_cast<unsigned>(rng() % alphabet);
      key.push_back(static_cast<char>(alphabet >= 256 ? r : 'a' + r));
    }
    keys.insert(key);
  }
  Map map;
  std::uint64_t ordinal = 0;
  for (const auto& key : keys) {
    const std::uint64_t big = rng() % 4 == 0 ? (rng() >> (rng() % 64)) : rng() % 100;
    map[key] = ordinals ? ordinal++ : big;
  }
  return map;
}

std::vector<std::pair<std::string, std::uint64_t>> stream_all(const FstReader& reader,
                                                              FstStream::Bounds bounds) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  FstStream stream(reader, std::move(bounds));
  std::string_view key;
  std::uint64_t value;
  while (stream.next(&key, &value)) out.emplace_back(std::string(key), value);
  CHECK(stream.status().is_ok());
  return out;
}

// Units as fst_fuzzy.h defines them, decoded independently of it.
std::vector<std::uint32_t> units(const std::string& s) {
  std::vector<std::uint32_t> out;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    char32_t cp;
    const std::size_t len = tomes::utf8::decode(p, end, &cp);
    out.push_back(len == 1 && *p >= 0x80 ? 0x110000u + *p : static_cast<std::uint32_t>(cp));
    p += len;
  }
  return out;
}

unsigned levenshtein(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  std::vector<unsigned> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<unsigned>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    unsigned diagonal = row[0];
    row[0] = static_cast<unsigned>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const unsigned above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Optimal string alignment: Levenshtein plus a swap of two adjacent units,
// no unit edited twice. The whole matrix, as the textbook has it.
unsigned osa(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  std::vector<std::vector<unsigned>> d(a.size() + 1, std::vector<unsigned>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<unsigned>(i);
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<unsigned>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      if (i >= 2 && j >= 2 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

using FuzzyHits = std::vector<std::tuple<std::string, std::uint64_t, unsigned>>;

FuzzyHits fuzzy_all(const FstReader& reader, const std::string& query, FuzzyOptions options) {
  FuzzyHits hits;
  const Status s = fuzzy_search(reader, query, options, [&](std::string_view k, std::uint64_t v, unsigned dist) {
    hits.emplace_back(std::string(k), v, dist);
  });
  CHECK(s.is_ok());
  return hits;
}

// The plain-Levenshtein overload, which must equal FuzzyOptions{d, false}.
FuzzyHits fuzzy_all(const FstReader& reader, const std::string& query, unsigned d) {
  FuzzyHits hits;
  const Status s = fuzzy_search(reader, query, d, [&](std::string_view k, std::uint64_t v, unsigned dist) {
    hits.emplace_back(std::string(k), v, dist);
  });
  CHECK(s.is_ok());
  CHECK(hits == fuzzy_all(reader, query, FuzzyOptions{d, false}));
  return hits;
}

std::string keys_of(const FuzzyHits& hits) {
  std::string out;
  for (const auto& [key, value, d] : hits) out += key + ":" + std::to_string(d) + " ";
  return out;
}

}  // namespace

TEST_CASE("empty FST") {
  const std::string bytes = build({});
  auto reader = FstReader::open(bytes, "<empty>");
  CHECK(reader.is_ok());
  CHECK_EQ(reader.value().key_count(), 0u);
  bool found = true;
  std::uint64_t value;
  CHECK(reader.value().get("", &found, &value).is_ok());
  CHECK(!found);
  CHECK(stream_all(reader.value(), {}).empty());
}

TEST_CASE("hand-checked small map") {
  const Map map = {{"", 7}, {"a", 1}, {"ab", 5}, {"abc", 5}, {"b", 0}, {"mop", 12}, {"moth", 3}};
  std::uint64_t nodes = 0;
  const std::string bytes = build(map, &nodes);
  auto reader = FstReader::open(bytes, "<small>");
  CHECK(reader.is_ok());
  for (const auto& [key, want] : map) {
    bool found = false;
    std::uint64_t value = 0;
    CHECK(reader.value().get(key, &found, &value).is_ok());
    CHECK(found);
    CHECK_EQ(value, want);
  }
  for (const char* absent : {"c", "abcd", "mo", "m", "moth\xFF"}) {
    bool found = true;
    std::uint64_t value;
    CHECK(reader.value().get(absent, &found, &value).is_ok());
    CHECK(!found);
  }
  CHECK_EQ(nodes, minimal_state_count(map));
}

TEST_CASE("unsorted and duplicate keys are errors naming both keys") {
  std::string out;
  StringSink sink(&out);
  FstBuilder builder(&sink);
  CHECK(builder.add("b", 1).is_ok());
  const Status s = builder.add("a", 2);
  CHECK(!s.is_ok());
  CHECK(s.message().find("b'a' after b'b'") != std::string::npos);
  CHECK(!builder.add("c", 3).is_ok());  // sticky
  FstBuilder again(&sink);
  CHECK(again.add("x\xFF", 1).is_ok());
  const Status dup = again.add("x\xFF", 1);
  CHECK(dup.message().find(R"(duplicate key: b'x\xff')") != std::string::npos);
}

TEST_CASE("property: get, iteration, range, prefix equal std::map; node count is minimal") {
  std::mt19937_64 rng(20261124);
  for (int round = 0; round < 300; ++round) {
    const unsigned alphabet = round % 3 == 0 ? 256 : 2 + round % 5;
    const std::size_t n = 1 + rng() % (round % 10 == 0 ? 3000 : 60);
    const Map map = random_map(rng, n, alphabet, 1 + rng() % 9, round % 2 == 0);
    std::uint64_t nodes = 0;
    const std::string bytes = build(map, &nodes);
    auto opened = FstReader::open(bytes, "<random>");
    if (!opened.is_ok()) {
      CHECK(false);
      return;
    }
    const FstReader& reader = opened.value();
    CHECK_EQ(reader.key_count(), map.size());
    if (nodes != minimal_state_count(map)) CHECK_EQ(nodes, minimal_state_count(map));
    // Every key, and keys near them.
    for (const auto& [key, want] : map) {
      bool found = false;
      std::uint64_t value = 0;
      CHECK(reader.get(key, &found, &value).is_ok());
      if (!found || value != want) {
        CHECK(found);
        CHECK_EQ(value, want);
        return;
      }
      const std::string near = key + "a";
      CHECK(reader.get(near, &found, &value).is_ok());
      CHECK_EQ(found, map.count(near) == 1);
    }
    const std::vector<std::pair<std::string, std::uint64_t>> all(map.begin(), map.end());
    CHECK(stream_all(reader, {}) == all);
    // Random ranges and prefixes.
    for (int q = 0; q < 20; ++q) {
      FstStream::Bounds bounds;
      auto pick = [&] {
        std::string s = all.empty() ? "" : all[rng() % all.size()].first;
        if (rng() % 2 && !s.empty()) s.resize(rng() % s.size());
        if (rng() % 3 == 0) s.push_back(static_cast<char>('a' + rng() % 3));
        return s;
      };
      bounds.has_ge = rng() % 4 != 0;
      bounds.ge = pick();
      bounds.has_lt = rng() % 4 != 0;
      bounds.lt = pick();
      std::vector<std::pair<std::string, std::uint64_t>> want;
      for (const auto& kv : all) {
        if (bounds.has_ge && kv.first < bounds.ge) continue;
        if (bounds.has_lt && kv.first >= bounds.lt) continue;
        want.push_back(kv);
      }
      if (stream_all(reader, bounds) != want) {
        CHECK(false);
        return;
      }
      // prefix p == range [p, successor(p))
      const std::string p = pick();
      FstStream::Bounds pb;
      pb.has_ge = true;
      pb.ge = p;
      pb.has_lt = prefix_successor(p, &pb.lt);
      std::vector<std::pair<std::string, std::uint64_t>> with_prefix;
      for (const auto& kv : all) {
        if (kv.first.compare(0, p.size(), p) == 0) with_prefix.push_back(kv);
      }
      CHECK(stream_all(reader, pb) == with_prefix);
    }
  }
}

TEST_CASE("many keys: the builder's caches evict, the FST stays exact and minimal") {
  std::mt19937_64 rng(3);
  for (const bool ordinals : {true, false}) {
    const Map map = random_map(rng, 60000, 5, 14, ordinals);
    std::uint64_t nodes = 0;
    const std::string bytes = build(map, &nodes);
    const FstReader reader = FstReader::open(bytes, "<many>").value();
    CHECK_EQ(nodes, minimal_state_count(map));
    std::size_t wrong = 0;
    for (const auto& [key, want] : map) {
      bool found = false;
      std::uint64_t value = 0;
      CHECK(reader.get(key, &found, &value).is_ok());
      wrong += !found || value != want;
    }
    CHECK_EQ(wrong, 0u);
  }
}

TEST_CASE("equal suffixes frozen close together: parked lookups never duplicate a node") {
  // Many prefixes, each followed by a few of a small set of suffixes: equal
  // suffix nodes freeze a few keys apart, while the registry lookups of
  // earlier ones are still parked.
  std::mt19937_64 rng(11);
  std::vector<std::string> suffixes;
  for (int i = 0; i < 24; ++i) {
    std::string s;
    const std::size_t length = 1 + rng() % 7;
    for (std::size_t j = 0; j < length; ++j) s.push_back(static_cast<char>('a' + rng() % 3));
    suffixes.push_back(s);
  }
  for (const bool ordinals : {true, false}) {
    Map map;
    for (int i = 0; i < 4000; ++i) {
      std::string prefix;
      const std::size_t length = 1 + rng() % 5;
      for (std::size_t j = 0; j < length; ++j) prefix.push_back(static_cast<char>('a' + rng() % 8));
      for (int k = 0; k < 3; ++k) map[prefix + suffixes[rng() % suffixes.size()]] = 0;
    }
    std::uint64_t ordinal = 0;
    for (auto& kv : map) kv.second = ordinals ? ordinal++ : rng() % 4;
    std::uint64_t nodes = 0;
    const std::string bytes = build(map, &nodes);
    const FstReader reader = FstReader::open(bytes, "<suffixes>").value();
    CHECK_EQ(nodes, minimal_state_count(map));
    const std::vector<std::pair<std::string, std::uint64_t>> all(map.begin(), map.end());
    CHECK(stream_all(reader, {}) == all);
  }
}

TEST_CASE("background builder: same bytes as the plain one; errors come back") {
  std::mt19937_64 rng(8);
  const Map map = random_map(rng, 5000, 6, 10, true);
  std::string out;
  {
    StringSink sink(&out);
    BackgroundFstBuilder builder(&sink);
    KeyBatch batch;
    for (const auto& [key, value] : map) {
      batch.add(key, value);
      if (batch.size() == 777) {
        CHECK(builder.add_batch(std::move(batch)).is_ok());
        batch.clear();
      }
    }
    CHECK(builder.add_batch(std::move(batch)).is_ok());
    CHECK(builder.finish().is_ok());
  }
  CHECK(out == build(map));
  std::string ignored;
  StringSink sink(&ignored);
  BackgroundFstBuilder failing(&sink);
  KeyBatch first, second;
  first.add("b", 1);
  second.add("a", 2);
  static_cast<void>(failing.add_batch(std::move(first)));  // an error shows here or in finish()
  static_cast<void>(failing.add_batch(std::move(second)));  // an error shows here or in finish()
  const Status s = failing.finish();
  CHECK(!s.is_ok());
  CHECK(s.message().find("b'a' after b'b'") != std::string::npos);
  // Dropped without finish(): the thread stops, nothing hangs.
  BackgroundFstBuilder abandoned(&sink);
  KeyBatch third;
  third.add("x", 1);
  static_cast<void>(abandoned.add_batch(std::move(third)));  // an error shows here or in finish()
}

TEST_CASE("fst file: appears whole, same bytes as in memory; failures leave nothing behind") {
  char pattern[] = "/tmp/tomes-test-fst-XXXXXX";
  const char* made = mkdtemp(pattern);
  CHECK(made != nullptr);
  if (made == nullptr) return;
  const std::string dir = made;
  const std::string path = dir + "/terms.fst";
  std::mt19937_64 rng(9);
  const Map map = random_map(rng, 3000, 5, 9, true);
  const std::vector<std::pair<std::string, std::uint64_t>> pairs(map.begin(), map.end());
  const std::vector<std::string> only_path{"terms.fst"};

  CHECK(write_fst_file(path, pairs).is_ok());
  CHECK(read_small_file(path, 1 << 26).value() == build(map));
  CHECK(list_directory(dir).value() == only_path);

  // Keys out of order: an error, the old file untouched, no temporary left.
  Result<std::unique_ptr<FstFileWriter>> writer = FstFileWriter::create(path);
  CHECK(writer.is_ok());
  KeyBatch batch;
  batch.add("b", 1);
  batch.add("a", 2);
  static_cast<void>(writer.value()->add_batch(std::move(batch)));  // the error shows here or in commit()
  const Status unsorted = writer.value()->commit();
  CHECK(unsorted.code() == Status::Code::kInvalidArgument);
  writer.value().reset();
  CHECK(read_small_file(path, 1 << 26).value() == build(map));
  CHECK(list_directory(dir).value() == only_path);

  // Dropped without commit(): nothing changes.
  {
    Result<std::unique_ptr<FstFileWriter>> abandoned = FstFileWriter::create(path);
    CHECK(abandoned.is_ok());
    KeyBatch one;
    one.add("x", 1);
    CHECK(abandoned.value()->add_batch(std::move(one)).is_ok());
  }
  CHECK(list_directory(dir).value() == only_path);

  // A directory that does not exist: an error naming it, nothing created.
  const std::string missing = dir + "/no/such/dir";
  const Status no_dir = write_fst_file(missing + "/terms.fst", pairs);
  CHECK(!no_dir.is_ok());
  CHECK(no_dir.message().find(missing) != std::string::npos);
  CHECK(list_directory(dir).value() == only_path);

  // The rename fails (path is a non-empty directory): an error naming
  // path, and the temporary removed.
  const std::string occupied = dir + "/occupied";
  CHECK(make_directory(occupied).is_ok());
  CHECK(write_fst_file(occupied + "/inside.fst", {{"a", 1}}).is_ok());
  const Status blocked = write_fst_file(occupied, pairs);
  CHECK(!blocked.is_ok());
  CHECK(blocked.message().find(occupied) != std::string::npos);
  const std::vector<std::string> both{"occupied", "terms.fst"};
  CHECK(list_directory(dir).value() == both);
  CHECK(remove_tree(dir).is_ok());
}

TEST_CASE("fuzzy: hand-checked") {
  const Map map = {{"whale", 0}, {"whales", 1}, {"wale", 2}, {"while", 3}, {"café", 4}, {"cafe", 5},
                   {"xyz", 6}};
  const std::string bytes = build(map);
  const FstReader reader = FstReader::open(bytes, "<fuzzy>").value();
  const FuzzyHits one = fuzzy_all(reader, "wahle", 1);
  CHECK_EQ(one.size(), 1u);  // wale (h deleted); whale is a transposition: two edits
  CHECK(std::get<0>(one[0]) == "wale" && std::get<1>(one[0]) == 2u && std::get<2>(one[0]) == 1u);
  const FuzzyHits two = fuzzy_all(reader, "wahle", 2);
  CHECK_EQ(two.size(), 3u);  // wale 1, whale 2, while 2; whales is 3 away
  const FuzzyHits cafe = fuzzy_all(reader, "cafe", 1);
  CHECK_EQ(cafe.size(), 2u);
  CHECK(std::get<0>(cafe[0]) == "cafe" && std::get<2>(cafe[0]) == 0u);
  CHECK(std::get<0>(cafe[1]) == "café" && std::get<2>(cafe[1]) == 1u);  // é is one code point
  CHECK(!fuzzy_search(reader, "x", 3, [](std::string_view, std::uint64_t, unsigned) {}).is_ok());
}

TEST_CASE("fuzzy with transpositions: hand-checked") {
  const Map map = {{"abc", 0}, {"ab", 1},    {"whale", 2}, {"wale", 3},  {"while", 4},
                   {"ac", 5},  {"ba", 6},    {"café", 7},  {"cfaé", 8},  {"éclair", 9},
                   {"cé", 10}, {"\xFF\xC3", 11}};
  const std::string bytes = build(map);
  const FstReader reader = FstReader::open(bytes, "<fuzzy>").value();
  // "wahle": whale is one swap away with transpositions, two edits without.
  CHECK_EQ(keys_of(fuzzy_all(reader, "wahle", FuzzyOptions{1, true})), std::string("wale:1 whale:1 "));
  CHECK_EQ(keys_of(fuzzy_all(reader, "wahle", FuzzyOptions{1, false})), std::string("wale:1 "));
  CHECK_EQ(keys_of(fuzzy_all(reader, "wahle", FuzzyOptions{2, false})), std::string("wale:1 whale:2 while:2 "));
  // OSA("ca", "abc") = 3 (unrestricted Damerau-Levenshtein: 2, swapping to
  // "ac" then inserting b inside the swapped pair): never within 2.
  CHECK_EQ(osa(units("ca"), units("abc")), 3u);
  for (const auto& [key, value, d] : fuzzy_all(reader, "ca", FuzzyOptions{2, true})) CHECK(key != "abc");
  CHECK_EQ(keys_of(fuzzy_all(reader, "ca", FuzzyOptions{1, true})), std::string("ac:1 ba:1 cé:1 "));
  CHECK_EQ(keys_of(fuzzy_all(reader, "ab", FuzzyOptions{0, true})), std::string("ab:0 "));
  // A swap of multi-byte code points is one edit; of invalid bytes too.
  CHECK_EQ(keys_of(fuzzy_all(reader, "cfaé", FuzzyOptions{1, true})), std::string("café:1 cfaé:0 "));
  CHECK_EQ(keys_of(fuzzy_all(reader, "\xC3\xA9" "calir", FuzzyOptions{1, true})), std::string("éclair:1 "));
  CHECK_EQ(keys_of(fuzzy_all(reader, "\xC3\xFF", FuzzyOptions{1, true})), std::string("\xFF\xC3:1 "));
  CHECK_EQ(keys_of(fuzzy_all(reader, "\xC3\xFF", FuzzyOptions{1, false})), std::string(""));
  CHECK(!fuzzy_search(reader, "x", FuzzyOptions{3, true}, [](std::string_view, std::uint64_t, unsigned) {}).is_ok());
}

TEST_CASE("property: fuzzy equals brute-force Levenshtein and OSA over all keys") {
  std::mt19937_64 rng(11);
  // Letters, a 2-byte and a 3-byte character, and bytes that break UTF-8.
  const std::vector<std::string> pieces = {"a", "b", "c", "\xC3\xA9", "\xE2\x82\xAC", "\xC3",
                                           "\xA9", "\xE2\x82", "\xFF", "\xED\xA0\x80"};
  for (int round = 0; round < 150; ++round) {
    Map map;
    const std::size_t n = 1 + rng() % 80;
    std::uint64_t ordinal = 0;
    std::set<std::string> keys;
    for (std::size_t i = 0; i < n; ++i) {
      std::string key;
      const std::size_t len = rng() % 6;
      for (std::size_t j = 0; j < len; ++j) key += pieces[rng() % (round % 2 ? pieces.size() : 4)];
      keys.insert(key);
    }
    for (const auto& key : keys) map[key] = ordinal++;
    const std::string bytes = build(map);
    const FstReader reader = FstReader::open(bytes, "<fuzzy>").value();
    for (int q = 0; q < 10; ++q) {
      std::string query;
      const std::size_t len = rng() % 6;
      for (std::size_t j = 0; j < len; ++j) query += pieces[rng() % pieces.size()];
      for (unsigned d = 0; d <= 2; ++d) {
        FuzzyHits want;
        FuzzyHits want_osa;
        for (const auto& [key, value] : map) {
          const unsigned dist = levenshtein(units(key), units(query));
          if (dist <= d) want.emplace_back(key, value, dist);
          const unsigned dist_osa = osa(units(key), units(query));
          if (dist_osa <= d) want_osa.emplace_back(key, value, dist_osa);
        }
        if (fuzzy_all(reader, query, d) != want || fuzzy_all(reader, query, FuzzyOptions{d, true}) != want_osa) {
          CHECK(false);
          return;
        }
      }
    }
  }
}

TEST_CASE("damaged bytes: every flip and cut is refused, never read out of bounds") {
  std::mt19937_64 rng(5);
  const Map map = random_map(rng, 200, 6, 8, true);
  const std::string bytes = build(map);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    CHECK(!FstReader::open(std::string_view(bytes).substr(0, cut), "<cut>").is_ok());
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ (1 + rng() % 255));
    const auto r = FstReader::open(damaged, "<flip>");
    if (r.is_ok()) {
      CHECK(false);
    } else {
      CHECK_EQ(static_cast<int>(r.status().code()), static_cast<int>(Status::Code::kCorruption));
    }
  }
}

int main() { return tomes::test::run_all(); }
