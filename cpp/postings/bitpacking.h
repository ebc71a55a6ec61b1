// bitpacking.h: the three integer codings of postings blocks
// (postings_format.h), in one place: 128 u32 values bit-packed at one width
// in 4 interleaved lanes (full blocks), up to 127 values bit-packed at one
// width in one sequential bit stream (tails of 3 or more), and LEB128
// varints (tails of 1 or 2).
//
// The packed kernels are unchecked and fast: one specialization per width
// (0..32) whose shifts are compile-time constants, each step working on the
// 4 lanes at once, which the compiler turns into SIMD instructions. Their
// byte size is fixed by the width (full_block_size), so a caller checks the
// bounds once before calling. The tail kernels take any width and read or
// write exactly ceil(k * w / 8) bytes (packed_tail_size less the width byte),
// also unchecked. The varint reader is bounds-checked and refuses truncated,
// overlong and over-32-bit encodings.
//
// (The FST keeps its own u64 varint writer private to fst_builder.cc; these
// are u32, with a canonical-form check the FST does not need.)
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

// Writes v as a LEB128 varint at out; returns the bytes written (1..5).
// REQUIRES: out has kMaxVarintSize writable bytes.
inline std::size_t put_varint32(std::uint8_t* out, std::uint32_t v) {
  std::size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<std::uint8_t>(v);
  return n;
}

// Bytes put_varint32 writes for v.
inline std::size_t varint32_size(std::uint32_t v) { return 1 + (bit_width(v | 1) - 1) / 7; }

enum class VarintError { kOk, kTruncated, kOverlong, kTooLarge };

// Reads one varint from [*p, end) into *v and advances *p past it. On error
// *p and *v are unspecified. kTruncated: the bytes end inside it; kOverlong:
// a redundant trailing 0x00 byte; kTooLarge: more than 32 bits.
inline VarintError get_varint32(const std::uint8_t** p, const std::uint8_t* end,
                                std::uint32_t* v) {
  const std::uint8_t* q = *p;
  std::uint32_t value = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (q == end) return VarintError::kTruncated;
    const std::uint8_t byte = *q++;
    if (shift == 28 && byte > 0x0F) return VarintError::kTooLarge;
    value |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      if (byte == 0 && shift != 0) return VarintError::kOverlong;
      *p = q;
      *v = value;
      return VarintError::kOk;
    }
  }
}

// Words for error messages.
const char* varint_error_name(VarintError e);

}  // namespace tomes::postings
