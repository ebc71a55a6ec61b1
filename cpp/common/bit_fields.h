// bit_fields.h: values of any width from 0 to 64 bits laid end to end in a
// byte string, least significant bit first (bit p is bit p % 8 of byte
// p / 8): the records of the packed tables in cpp/segment (term_table.h,
// packed_columns.h).
//
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "common/coding.h"

namespace tomes {

// The bits needed to write v: 0 for 0, else 1 + floor(log2 v).
inline unsigned bit_width_of(std::uint64_t v) {
  return v == 0 ? 0u : 64u - static_cast<unsigned>(__builtin_clzll(v));
}

// Bytes holding `count` records of `record_bits` bits each.
inline std::uint64_t packed_bytes(std::uint64_t count, unsigned record_bits) {
  return (count * record_bits + 7) / 8;
}

// ORs the low `width` bits of v into out at bit position `bit`.
// REQUIRES: the bytes covered exist (and are 0 there, for v to read back).
inline void put_bits(std::string* out, std::uint64_t bit, std::uint64_t v, unsigned width) {
  while (width > 0) {
    const unsigned at = static_cast<unsigned>(bit % 8);
    const unsigned take = std::min(8u - at, width);
    const std::uint64_t low = v & ((std::uint64_t{1} << take) - 1);
    (*out)[bit / 8] = static_cast<char>(static_cast<unsigned char>((*out)[bit / 8]) | (low << at));
    v >>= take;
    bit += take;
    width -= take;
  }
}

// The `width`-bit value at bit position `bit` of p, reading only the bytes
// it covers (up to 9 for a 64-bit value). REQUIRES: width <= 64 and those
// bytes readable.
inline std::uint64_t get_bits(const unsigned char* p, std::uint64_t bit, unsigned width) {
  if (width == 0) return 0;
  const unsigned shift = static_cast<unsigned>(bit % 8);
  const unsigned bytes = (shift + width + 7) / 8;
  p += bit / 8;
  std::uint64_t v = get_fixed(p, std::min(bytes, 8u)) >> shift;
  if (bytes == 9) v |= std::uint64_t{p[8]} << (64 - shift);
  return width == 64 ? v : v & ((std::uint64_t{1} << width) - 1);
}

}  // namespace tomes
