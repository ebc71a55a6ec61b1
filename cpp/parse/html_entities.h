// html_entities.h: the HTML5 named character references, generated from
// Python's html.entities.html5 (scripts/gen_html_entities.py writes
// html_entities_table.cc; never edit it by hand).
//
// A name is spelt as in the table: with its semicolon ("amp;") or, for the
// 106 legacy names HTML also accepts bare, without it ("amp"). find() is an
// exact lookup; the longest-prefix rule of html.unescape is in
// html_char_refs.h.
//
// Thread safety: immutable tables and a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tomes::parse::html_entities {

inline constexpr std::size_t kEntityCount = 2231;
// The longest name, semicolon included ("CounterClockwiseContourIntegral;").
inline constexpr std::size_t kMaxEntityNameLength = 32;
// The longest name without a semicolon ("frac34", "middot", ...).
inline constexpr std::size_t kMaxLegacyNameLength = 6;
inline constexpr unsigned kSlotBits = 12;

struct Entity {
  std::uint16_t name_offset;  // into kNamePool
  std::uint8_t name_length;
  std::uint16_t value_offset;  // into kValuePool: UTF-8, one or two code points
  std::uint8_t value_length;
};

extern const char kNamePool[];
extern const char kValuePool[];
extern const Entity kEntities[kEntityCount];
// Open addressing, linear probing from fnv1a(name) & (slots - 1):
// 1 + an index into kEntities, 0 for an empty slot.
extern const std::uint16_t kEntitySlots[std::size_t{1} << kSlotBits];

// 32-bit FNV-1a, the hash the generator placed the names with.
inline std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 0x811C9DC5u;
  for (unsigned char c : s) h = (h ^ c) * 0x01000193u;
  return h;
}

// The UTF-8 value of the entity named exactly `name`, or false.
bool find(std::string_view name, std::string_view* value);

}  // namespace tomes::parse::html_entities
