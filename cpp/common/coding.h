// coding.h: little-endian fixed-width integers in byte buffers, the one
// encoding of every tomes segment file's fixed fields.
//
// put_* append to a std::string; get_* read from raw pointers and assume the
// caller has checked the bounds (readers check sizes once, on open).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace tomes {

inline void put_u32(std::string* out, std::uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}

inline void put_u64(std::string* out, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}

// REQUIRES: p[0..4) readable.
inline std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// REQUIRES: p[0..8) readable.
inline std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace tomes
