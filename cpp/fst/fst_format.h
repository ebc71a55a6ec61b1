// fst_format.h: the serialized form of a tomes FST, version 1. The builder
// writes it, the reader reads it, docs/FORMAT.md mirrors it.
//
// An FST maps byte-string keys to u64 values. It is a minimal acyclic
// transducer: states with equal right languages are one state, and outputs are
// pushed toward the root (each transition carries the least output any key
// below it still needs; a key's value is the sum of the outputs on its path,
// plus the final output of its last state).
//
// FILE LAYOUT (all integers little-endian unless said otherwise)
//
//   offset 0    header, 16 bytes
//                 u8[8]  magic "tomesFST"
//                 u32    format version (kFormatVersion)
//                 u32    reserved, 0
//   offset 16   nodes, back to back, in the order they were frozen (every
//               node after all nodes it points to)
//   size - 24   footer, 24 bytes
//                 u64    key count
//                 u64    root address
//                 u32    format version (again, so a truncated file fails)
//                 u32    CRC-32 (zlib's) of every byte before this field
//
// NODE ADDRESSES. A node's address is the offset one past its LAST byte, and
// a node is read backwards from there: its header is the byte at address-1,
// and "logical byte k" of a node is the byte at address-1-k. Because nodes
// are written after their children, a transition's target ends at or before
// the start of the node that points to it, so a target is stored as
//   delta = this node's start - target address  (>= 0)
// and every path strictly descends in the file: no cycle can exist, even in
// a damaged file. delta 0 means "the node written just before this one",
// which is the common case of a fresh suffix.
//
// NODE ENCODINGS (logical byte order; header first)
//
//   One-transition node: non-final, one transition, transition output 0 (in
//   canonical form every non-final single-transition node but the root has
//   output 0, so this is most nodes).
//     header  1 N iiiiii   N: the target is the node just before (no delta)
//                          iiiiii: 1..63, the input byte is kCommonBytes[i-1];
//                                  0, an explicit input byte follows
//     [u8 input]           if iiiiii == 0
//     [varint delta]       if N == 0 (LEB128, 7 bits a byte, low first)
//
//   General node: anything else.
//     header  0 F O nnnnn  F: final; O: a final output follows
//                          nnnnn: 0..30 transitions, 31: explicit count
//     [u8 count - 1]       if nnnnn == 31 (1..256 transitions)
//     [u8 widths]          if the node has transitions or O: high nibble ow,
//                          low nibble aw, each 0..8: bytes per output / delta
//     [final output]       ow bytes, if O
//     inputs               count bytes, strictly increasing
//     deltas               count x aw bytes (little-endian in logical order)
//     outputs              count x ow bytes (likewise)
//
//   A final node with no transitions and no final output (the end of every
//   key but the root's) is the one-byte general node 0x40.
//
// Thread safety: constants only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tomes::fst {

inline constexpr char kMagic[8] = {'t', 'o', 'm', 'e', 's', 'F', 'S', 'T'};
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kHeaderSize = 16;
inline constexpr std::size_t kFooterSize = 24;

inline constexpr std::uint8_t kOneTransition = 0x80;
inline constexpr std::uint8_t kOneTransitionNext = 0x40;
inline constexpr std::uint8_t kCommonIndexMask = 0x3F;
inline constexpr std::uint8_t kFinal = 0x40;
inline constexpr std::uint8_t kHasFinalOutput = 0x20;
inline constexpr std::uint8_t kCountMask = 0x1F;
inline constexpr std::uint8_t kExplicitCount = 31;

// The 63 input bytes a one-transition node can name in its header, most
// frequent in index terms first: lowercase letters by English frequency,
// digits, then uppercase and punctuation. Part of the format: never reorder.
inline constexpr char kCommonBytes[64] =
    "etaoinsrhldcumfpgwybvkxjqz0123456789-_.ETAOINSRHLDCUMFPGWYBVK/ ";
static_assert(sizeof(kCommonBytes) == 64, "63 common bytes and the terminator");

// Index + 1 of byte b in kCommonBytes, or 0.
inline constexpr std::array<std::uint8_t, 256> make_common_index() {
  std::array<std::uint8_t, 256> index{};
  for (std::size_t i = 0; i < 63; ++i) {
    index[static_cast<unsigned char>(kCommonBytes[i])] = static_cast<std::uint8_t>(i + 1);
  }
  return index;
}
inline constexpr std::array<std::uint8_t, 256> kCommonIndex = make_common_index();

// Bytes needed to write v little-endian (0 for v == 0).
inline constexpr unsigned byte_width(std::uint64_t v) {
  unsigned width = 0;
  while (v != 0) {
    ++width;
    v >>= 8;
  }
  return width;
}

}  // namespace tomes::fst
