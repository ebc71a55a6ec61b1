#include "postings/bitpacking.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

// The packed words are copied to and from memory as host u32s: the format is
// little-endian, and so is every platform tomes builds for (x86-64, AArch64).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "postings bit-packing copies little-endian words as host words");

namespace tomes::postings {

namespace {

// Value j of every lane (values 4j..4j+3 of the block), at width W: bits
// [j*W, j*W + W) of each lane's stream, in word m = j*W / 32 at shift s, and
// in word m + 1 too when it straddles. The lane loop is what becomes one SIMD
// instruction per operation; the fold over j is unrolled with constant m, s.
template <unsigned W, unsigned J>
inline void unpack_step(const std::uint32_t* words, std::uint32_t* out) {
  constexpr unsigned bit = J * W, m = bit / 32, s = bit % 32;
  constexpr std::uint32_t mask = W == 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << W) - 1;
  for (unsigned lane = 0; lane < kLanes; ++lane) {
    std::uint32_t v = words[m * kLanes + lane] >> s;
    if constexpr (s + W > 32) v |= words[(m + 1) * kLanes + lane] << (32 - s);
    out[J * kLanes + lane] = v & mask;
  }
}

template <unsigned W, unsigned... J>
inline void unpack_all(const std::uint32_t* words, std::uint32_t* out,
                       std::integer_sequence<unsigned, J...>) {
  (unpack_step<W, J>(words, out), ...);
}

template <unsigned W>
void unpack_width(const std::uint8_t* in, std::uint32_t* out) {
  if constexpr (W == 0) {
    std::memset(out, 0, kBlockSize * sizeof(std::uint32_t));
  } else {
    std::uint32_t words[kLanes * W];
    std::memcpy(words, in, sizeof(words));
    unpack_all<W>(words, out, std::make_integer_sequence<unsigned, kBlockSize / kLanes>{});
  }
}

template <unsigned W, unsigned J>
inline void pack_step(const std::uint32_t* in, std::uint32_t* words) {
  constexpr unsigned bit = J * W, m = bit / 32, s = bit % 32;
  for (unsigned lane = 0; lane < kLanes; ++lane) {
    const std::uint32_t v = in[J * kLanes + lane];
    words[m * kLanes + lane] |= v << s;
    if constexpr (s + W > 32) words[(m + 1) * kLanes + lane] |= v >> (32 - s);
  }
}

template <unsigned W, unsigned... J>
inline void pack_all(const std::uint32_t* in, std::uint32_t* words,
                     std::integer_sequence<unsigned, J...>) {
  (pack_step<W, J>(in, words), ...);
}

template <unsigned W>
void pack_width(const std::uint32_t* in, std::uint8_t* out) {
  if constexpr (W != 0) {
    std::uint32_t words[kLanes * W] = {};
    pack_all<W>(in, words, std::make_integer_sequence<unsigned, kBlockSize / kLanes>{});
    std::memcpy(out, words, sizeof(words));
  }
}

using UnpackFn = void (*)(const std::uint8_t*, std::uint32_t*);
using PackFn = void (*)(const std::uint32_t*, std::uint8_t*);

template <unsigned... W>
constexpr std::array<UnpackFn, sizeof...(W)> unpackers(std::integer_sequence<unsigned, W...>) {
  return {&unpack_width<W>...};
}
template <unsigned... W>
constexpr std::array<PackFn, sizeof...(W)> packers(std::integer_sequence<unsigned, W...>) {
  return {&pack_width<W>...};
}

constexpr auto kUnpackers = unpackers(std::make_integer_sequence<unsigned, kMaxWidth + 1>{});
constexpr auto kPackers = packers(std::make_integer_sequence<unsigned, kMaxWidth + 1>{});

}  // namespace

unsigned block_bit_width(const std::uint32_t* in) {
  std::uint32_t any = 0;
  for (std::uint32_t i = 0; i < kBlockSize; ++i) any |= in[i];
  return bit_width(any);
}

void pack_block(const std::uint32_t* in, unsigned w, std::uint8_t* out) { kPackers[w](in, out); }

unsigned values_bit_width(const std::uint32_t* in, std::uint32_t k) {
  std::uint32_t any = 0;
  for (std::uint32_t i = 0; i < k; ++i) any |= in[i];
  return bit_width(any);
}

void pack_tail(const std::uint32_t* in, std::uint32_t k, unsigned w, std::uint8_t* out) {
  // A bit accumulator: fewer than 8 bits wait in it between values, so it
  // never holds more than 7 + 32 bits.
  std::uint64_t acc = 0;
  unsigned bits = 0;
  for (std::uint32_t i = 0; i < k; ++i) {
    acc |= std::uint64_t{in[i]} << bits;
    for (bits += w; bits >= 8; bits -= 8, acc >>= 8) *out++ = static_cast<std::uint8_t>(acc);
  }
  if (bits > 0) *out = static_cast<std::uint8_t>(acc);
}

void unpack_tail(const std::uint8_t* in, std::uint32_t k, unsigned w, std::uint32_t* out) {
  if (w == 0) {
    std::fill(out, out + k, 0u);
    return;
  }
  // Copied into a buffer with 8 spare zero bytes, so every value is one
  // unaligned 8-byte load and a shift, none depending on the one before:
  // a value starts at bit p % 8 <= 7 of its first byte and spans at most
  // 7 + 32 bits.
  constexpr std::size_t kMaxBytes = ((kBlockSize - 1) * kMaxWidth + 7) / 8;
  std::uint8_t buf[kMaxBytes + 8];
  const std::size_t size = (std::size_t{k} * w + 7) / 8;
  std::memcpy(buf, in, size);
  std::memset(buf + size, 0, 8);
  const std::uint64_t mask = (std::uint64_t{1} << w) - 1;
  for (std::uint32_t i = 0; i < k; ++i) {
    const std::size_t p = std::size_t{i} * w;
    std::uint64_t word;
    std::memcpy(&word, buf + p / 8, 8);
    out[i] = static_cast<std::uint32_t>((word >> (p % 8)) & mask);
  }
}

void unpack_block(const std::uint8_t* in, unsigned w, std::uint32_t* out) {
  kUnpackers[w](in, out);
}

}  // namespace tomes::postings
