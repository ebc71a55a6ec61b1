// coding.h: every byte coding of integers in tomes, in one place:
// little-endian fixed widths (the fixed fields of every segment file, the
// FST's header, footer and n-byte node fields, the postings skip table) and
// LEB128 varints (postings tails, FST deltas, the indexer's in-memory pairs).
//
// Names say where the bytes go or come from:
//   put_*     append to a std::string
//   encode_*  write into a raw buffer the caller sized
//   get_*     read from a raw pointer
// Fixed-width reads and the unchecked varint read assume the caller checked
// the bounds (readers check sizes once, on open; the indexer's pairs are its
// own). Bytes from disk whose length is not known in advance go through the
// checked varint reads, which refuse truncated, overlong and too-large
// encodings instead of reading past `end`.
//
// Fixed-width reads are written as one OR of shifted bytes, which compilers
// turn into a single (unaligned) load on little-endian machines: keep that
// form, a loop over the bytes is not fused. Everything is inline: these are
// on the postings, FST and indexing hot paths.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tomes {

// --- Little-endian fixed widths -----------------------------------------------------

// Writes v at out[0..2), out[0..4), out[0..8). REQUIRES: those bytes writable.
inline void encode_u16(char* out, std::uint32_t v) {
  out[0] = static_cast<char>(v);
  out[1] = static_cast<char>(v >> 8);
}

inline void encode_u32(char* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (8 * i));
}

inline void encode_u64(char* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (8 * i));
}

inline void put_u32(std::string* out, std::uint32_t v) {
  char b[4];
  encode_u32(b, v);
  out->append(b, 4);
}

inline void put_u64(std::string* out, std::uint64_t v) {
  char b[8];
  encode_u64(b, v);
  out->append(b, 8);
}

// Appends the low `width` bytes of v (the FST's node fields, 0..8 bytes, as
// wide as their largest value). REQUIRES: width <= 8.
inline void put_fixed(std::string* out, std::uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// REQUIRES: p[0..2) readable.
inline std::uint32_t get_u16(const unsigned char* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8;
}

// REQUIRES: p[0..4) readable.
inline std::uint32_t get_u32(const unsigned char* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

// REQUIRES: p[0..8) readable.
inline std::uint64_t get_u64(const unsigned char* p) {
  return std::uint64_t{get_u32(p)} | std::uint64_t{get_u32(p + 4)} << 32;
}

inline std::uint32_t get_u16(const char* p) {
  return get_u16(reinterpret_cast<const unsigned char*>(p));
}
inline std::uint32_t get_u32(const char* p) {
  return get_u32(reinterpret_cast<const unsigned char*>(p));
}
inline std::uint64_t get_u64(const char* p) {
  return get_u64(reinterpret_cast<const unsigned char*>(p));
}

// Reads the `width`-byte value put_fixed wrote: p[0] is its lowest byte.
// ByteIt is a pointer to bytes, or a std::reverse_iterator over one (the FST
// writes its nodes backwards). REQUIRES: width <= 8; p[0..width) readable.
template <class ByteIt>
inline std::uint64_t get_fixed(ByteIt p, unsigned width) {
  std::uint64_t v = 0;
  // *p++ rather than p[j]: through a reverse_iterator it compiles to the
  // FST's former hand-written loop, p[j] to a few more instructions.
  for (unsigned j = 0; j < width; ++j, ++p) {
    v |= std::uint64_t{static_cast<unsigned char>(*p)} << (8 * j);
  }
  return v;
}

// --- LEB128 varints -------------------------------------------------------------------
// 7 bits a byte, lowest first; the high bit says another byte follows. The
// canonical form (the only one the encoders write) has no trailing 0x00 byte.

// Most bytes a u32 takes.
inline constexpr std::size_t kMaxVarint32Bytes = 5;

// Bytes encode_varint32 writes for v (1..5).
inline std::size_t varint32_size(std::uint32_t v) {
  return 1 + static_cast<std::size_t>(31 - __builtin_clz(v | 1)) / 7;
}

// Writes v at out; returns the bytes written (1..5).
// REQUIRES: out has kMaxVarint32Bytes writable bytes.
inline std::size_t encode_varint32(std::uint8_t* out, std::uint32_t v) {
  std::size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<std::uint8_t>(v);
  return n;
}

// Appends v (1..10 bytes).
inline void put_varint64(std::string* out, std::uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint at *p and advances *p past it. Unchecked: for bytes this
// process wrote itself (the indexer's in-memory pairs), never for bytes from
// disk. REQUIRES: *p points at a whole varint of at most 64 bits.
inline std::uint64_t get_varint64_unchecked(const unsigned char** p) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const unsigned char b = *(*p)++;
    v |= std::uint64_t{b & 0x7Fu} << shift;
    if (b < 0x80) return v;
  }
}

// Why a checked read refused its bytes. kTruncated: they end inside the
// varint; kOverlong: a redundant trailing 0x00 byte; kTooLarge: more bits
// than the value type has.
enum class VarintError { kOk, kTruncated, kOverlong, kTooLarge };

// Reads one canonical varint of at most 8 * sizeof(UInt) bits from [*p, end)
// into *v and advances *p past it. On error *p and *v are unspecified.
// ByteIt is a pointer to bytes, or a std::reverse_iterator over one (the
// FST's backwards nodes). REQUIRES: *p <= end.
template <class UInt, class ByteIt>
inline VarintError get_varint(ByteIt* p, ByteIt end, UInt* v) {
  constexpr unsigned kBits = 8 * sizeof(UInt);
  // The shift of the last byte a value can have, and that byte's largest value.
  constexpr unsigned kLastShift = (kBits - 1) / 7 * 7;
  constexpr unsigned kLastMax = (1u << (kBits - kLastShift)) - 1;
  ByteIt q = *p;
  UInt value = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (q == end) return VarintError::kTruncated;
    const auto byte = static_cast<std::uint8_t>(*q++);
    if (shift == kLastShift && byte > kLastMax) return VarintError::kTooLarge;
    value |= static_cast<UInt>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      if (byte == 0 && shift != 0) return VarintError::kOverlong;
      *p = q;
      *v = value;
      return VarintError::kOk;
    }
  }
}

// get_varint for a u32 (postings tails).
inline VarintError get_varint32(const std::uint8_t** p, const std::uint8_t* end,
                                std::uint32_t* v) {
  return get_varint<std::uint32_t>(p, end, v);
}

}  // namespace tomes
