// bitpacking.h: the two packed integer codings of postings blocks
// (postings_format.h): 128 u32 values bit-packed at one width in 4
// interleaved lanes (full blocks), and up to 127 values bit-packed at one
// width in one sequential bit stream (tails of 3 or more). Tails of 1 or 2
// are LEB128 varints, coded by common/coding.h like every varint in tomes.
//
// The packed kernels are unchecked and fast: one specialization per width
// (0..32) whose shifts are compile-time constants, each step working on the
// 4 lanes at once, which the compiler turns into SIMD instructions. Their
// byte size is fixed by the width (full_block_size), so a caller checks the
// bounds once before calling. The tail kernels take any width and read or
// write exactly ceil(k * w / 8) bytes (packed_tail_size less the width byte),
// also unchecked.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "postings/postings_format.h"

namespace tomes::postings {

// Bits needed to write v (0 for v == 0).
inline unsigned bit_width(std::uint32_t v) {
  return v == 0 ? 0u : 32u - static_cast<unsigned>(__builtin_clz(v));
}

// The width needed by every value of in[0..kBlockSize).
unsigned block_bit_width(const std::uint32_t* in);

// Packs in[0..kBlockSize) at width w into out[0..16*w) (no width byte).
// REQUIRES: w <= 32; every in[i] < 2^w; out has 16*w writable bytes.
void pack_block(const std::uint32_t* in, unsigned w, std::uint8_t* out);

// Unpacks 16*w bytes at width w into out[0..kBlockSize).
// REQUIRES: w <= 32; in has 16*w readable bytes.
void unpack_block(const std::uint8_t* in, unsigned w, std::uint32_t* out);

// The width needed by every value of in[0..k).
unsigned values_bit_width(const std::uint32_t* in, std::uint32_t k);

// Packs in[0..k) at width w into out[0..ceil(k*w/8)) (no width byte): value
// i at bits [i*w, i*w + w) of a little-endian bit stream; the unused high
// bits of the final byte are 0.
// REQUIRES: k < kBlockSize; w <= 32; every in[i] < 2^w; out has ceil(k*w/8)
// writable bytes.
void pack_tail(const std::uint32_t* in, std::uint32_t k, unsigned w, std::uint8_t* out);

// Unpacks k values of width w from in[0..ceil(k*w/8)) into out[0..k). Reads
// no byte outside that range; ignores the unused bits of the final byte
// (tail_padding_clear checks them).
// REQUIRES: k < kBlockSize; w <= 32; in has ceil(k*w/8) readable bytes.
void unpack_tail(const std::uint8_t* in, std::uint32_t k, unsigned w, std::uint32_t* out);

// Whether the bits past value k - 1 in the final byte of a packed tail are 0
// (always true when k*w is a multiple of 8).
// REQUIRES: in has ceil(k*w/8) readable bytes.
inline bool tail_padding_clear(const std::uint8_t* in, std::uint32_t k, unsigned w) {
  const std::size_t bits = std::size_t{k} * w;
  return bits % 8 == 0 || (in[bits / 8] >> (bits % 8)) == 0;
}

}  // namespace tomes::postings
