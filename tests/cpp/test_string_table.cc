// StringTable against std::unordered_map on random keys, through growth and
// clear(); keys include the empty string and long ones.
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "check.h"
#include "common/string_table.h"

using tomes::StringTable;

TEST_CASE("empty table finds nothing") {
  StringTable table;
  CHECK(table.find("") == nullptr);
  CHECK(table.find("abc") == nullptr);
  CHECK_EQ(table.size(), 0u);
}

TEST_CASE("empty and binary keys") {
  StringTable table;
  table.insert_new("", 7);
  table.insert_new(std::string("a\0b", 3), 8);
  CHECK(table.find("") != nullptr && *table.find("") == 7u);
  CHECK(table.find(std::string("a\0b", 3)) != nullptr);
  CHECK(table.find("a") == nullptr);
  CHECK_EQ(table.key_bytes(), 0u);  // short keys live in their slots
  const std::string long_key(40, 'x');
  table.insert_new(long_key, 9);
  CHECK_EQ(table.key_bytes(), 40u);
  CHECK(table.find(long_key) != nullptr && *table.find(long_key) == 9u);
  CHECK(table.find(std::string(39, 'x')) == nullptr);
}

TEST_CASE("keys sharing one hash are told apart by their bytes alone") {
  // Every key over {NUL, 'a'} of up to 13 bytes, all inserted under one hash
  // value: every lookup meets every other key in its probe chain, so the
  // byte comparison (short keys as padded words, long ones in the arena)
  // decides alone. NUL bytes look like the padding; lengths cross 8 and 12.
  StringTable table;
  std::vector<std::string> keys;
  for (std::size_t length = 0; length <= 13; ++length) {
    for (std::size_t bits = 0; bits < (std::size_t{1} << length); ++bits) {
      std::string key;
      for (std::size_t i = 0; i < length; ++i) key.push_back((bits >> i) & 1 ? 'a' : '\0');
      keys.push_back(key);
    }
  }
  constexpr std::uint64_t kSameHash = 12345;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i % 2 == 0) table.insert_new(keys[i], kSameHash, i);
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::uint64_t* found = table.find(keys[i], kSameHash);
    if (i % 2 == 0) {
      CHECK(found != nullptr && *found == i);
    } else {
      CHECK(found == nullptr);
    }
  }
}

TEST_CASE("property: equals std::unordered_map through growth and clear") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 4; ++round) {
    StringTable table;
    std::unordered_map<std::string, std::uint64_t> model;
    for (int i = 0; i < 50000; ++i) {
      std::string key;
      const std::size_t length = rng() % (round == 3 ? 40 : round == 1 ? 16 : 6);
      for (std::size_t j = 0; j < length; ++j) key.push_back(static_cast<char>('a' + rng() % 4));
      const std::uint64_t* found = table.find(key);
      const auto it = model.find(key);
      if ((found == nullptr) != (it == model.end())) {
        CHECK(false);
        return;
      }
      if (found != nullptr) {
        if (*found != it->second) CHECK_EQ(*found, it->second);
      } else {
        const std::uint64_t value = rng();
        table.insert_new(key, value);
        model.emplace(key, value);
      }
      if (round == 2 && i == 25000) {
        table.clear();
        model.clear();
      }
    }
    CHECK_EQ(table.size(), model.size());
  }
}

int main() { return tomes::test::run_all(); }
