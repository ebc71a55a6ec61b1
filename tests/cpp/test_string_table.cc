// StringTable against std::unordered_map on random keys, through growth and
// clear(); keys include the empty string and long ones.
#include <random>
#include <string>
#include <unordered_map>

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
