// hash128.h: a 128-bit fingerprint of a byte string, for telling duplicate
// books apart without keeping their texts. Two 64-bit lanes with different
// multipliers and rotations over 8-byte words, the length mixed in; not
// cryptographic (books are not adversaries of each other), but with 128 bits
// an accidental collision among even 10^9 books has odds of ~10^-21.
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tomes {

inline void hash128(std::string_view s, std::uint64_t out[2]) {
  constexpr std::uint64_t kMulA = 0x9E3779B97F4A7C15ull;
  constexpr std::uint64_t kMulB = 0xC2B2AE3D27D4EB4Full;
  auto rotl = [](std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  auto mix = [](std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return x;
  };
  std::uint64_t a = 0x243F6A8885A308D3ull ^ s.size();
  std::uint64_t b = 0x13198A2E03707344ull + s.size() * kMulB;
  const char* p = s.data();
  std::size_t n = s.size();
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    a = rotl((a ^ w) * kMulA, 29);
    b = rotl(b + w * kMulB, 31) * kMulA;
    p += 8;
    n -= 8;
  }
  std::uint64_t w = 0;
  if (n > 0) std::memcpy(&w, p, n);
  a = rotl((a ^ w ^ (n << 56)) * kMulA, 29);
  b = rotl(b + (w ^ (n << 56)) * kMulB, 31) * kMulA;
  out[0] = mix(a ^ rotl(b, 17));
  out[1] = mix(b + rotl(a, 43));
}

}  // namespace tomes
