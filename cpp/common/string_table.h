// string_table.h: an open-addressing hash map from byte strings to u64 values.
//
// Built for the hot loops of analysis and indexing, where std::unordered_map
// costs a node allocation per key and a pointer chase per lookup: slots are a
// flat power-of-two array probed linearly; each keeps the key's full 64-bit
// hash, so a probe compares bytes only when the hashes are equal, and keys of
// up to 12 bytes inside the slot itself, so such a lookup touches one cache
// line. Longer keys live back to back in one arena.
//
// Keys are any bytes (empty included). The arena is bounded to 4 GiB of key
// bytes (u32 offsets): callers that may exceed it clear() first.
//
// Thread safety: none; one table belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/huge_buffer.h"

namespace tomes {

// A fast hash for short strings: 8 bytes at a time, multiply-xorshift mixing.
// The bytes after the last whole word are read by at most two loads that
// may overlap what was read before (the length, mixed in first, keeps that
// unambiguous), never byte by byte: a word stored byte by byte and then
// loaded whole stalls on store forwarding, which cost more than the mixing.
// The values live only in memory (hash tables); nothing stores them.
inline std::uint64_t hash_bytes(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = 0x2545F4914F6CDD1Dull ^ (s.size() * kMul);
  const char* p = s.data();
  const std::size_t size = s.size();
  std::size_t n = size;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    std::uint64_t w;
    if (size >= 8) {
      std::memcpy(&w, p + n - 8, 8);  // the last 8 bytes of s
    } else if (n >= 4) {
      std::uint32_t first, last;
      std::memcpy(&first, p, 4);
      std::memcpy(&last, p + n - 4, 4);
      w = std::uint64_t{last} << 32 | first;
    } else {
      const auto* u = reinterpret_cast<const unsigned char*>(p);
      w = std::uint64_t{u[0]} | std::uint64_t{u[n / 2]} << 8 | std::uint64_t{u[n - 1]} << 16;
    }
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 31);
}

class StringTable {
 public:
  StringTable() { reset_slots(16); }

  std::size_t size() const { return size_; }
  // Bytes of keys too long to fit in their slot.
  std::size_t key_bytes() const { return arena_.size(); }

  // The value stored for key, or nullptr.
  const std::uint64_t* find(std::string_view key) const { return find(key, hash_bytes(key)); }
  // The same, for a caller that has hash_bytes(key) already.
  const std::uint64_t* find(std::string_view key, std::uint64_t h) const {
    if (key.size() <= kInlineBytes) {
      // Short keys (most): compared as two zero-padded words, not by a call
      // to memcmp.
      const InlineKey padded = inline_key(key);
      for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
        const Slot& slot = slots_[i];
        if (slot.key_length == kEmpty) return nullptr;
        if (slot.hash == h && slot.key_length == key.size()) {
          std::uint64_t low;
          std::uint32_t high;
          std::memcpy(&low, slot.key.bytes, 8);
          std::memcpy(&high, slot.key.bytes + 8, 4);
          if (low == padded.low && high == padded.high) return &slot.value;
        }
      }
    }
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.key_length == kEmpty) return nullptr;
      if (slot.hash == h && key_equals(slot, key)) return &slot.value;
    }
  }

  // Starts loading the slot a key with hash h would use, ahead of use.
  void prefetch(std::uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }

  // Stores value under key. REQUIRES: key is not present (find() said so).
  void insert_new(std::string_view key, std::uint64_t value) {
    insert_new(key, hash_bytes(key), value);
  }
  // REQUIRES: h == hash_bytes(key).
  void insert_new(std::string_view key, std::uint64_t h, std::uint64_t value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    std::size_t i = h & mask_;
    while (slots_[i].key_length != kEmpty) i = (i + 1) & mask_;
    Slot& slot = slots_[i];
    slot.hash = h;
    slot.value = value;
    slot.key_length = static_cast<std::uint32_t>(key.size());
    if (key.size() <= kInlineBytes) {
      const InlineKey padded = inline_key(key);  // find() compares all 12 bytes
      std::memcpy(slot.key.bytes, &padded.low, 8);
      std::memcpy(slot.key.bytes + 8, &padded.high, 4);
    } else {
      slot.key.offset = arena_.size();
      arena_.append(key);
    }
    ++size_;
  }

  // Removes every key. The slots stay allocated when the table was well
  // used (a table cleared between similar inputs, such as books, does not
  // regrow from 16 slots each time); an oversized table shrinks to fit what
  // it held.
  void clear() {
    arena_.clear();
    std::size_t count = 16;
    while (count < 2 * size_) count *= 2;
    size_ = 0;
    if (count * 4 >= slots_.size()) {
      for (std::size_t i = 0; i < slots_.size(); ++i) slots_[i].key_length = kEmpty;
    } else {
      reset_slots(count);
    }
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr std::size_t kInlineBytes = 12;

  struct Slot {
    std::uint64_t hash;
    std::uint64_t value;
    std::uint32_t key_length;  // kEmpty: free slot
    union {
      char bytes[kInlineBytes];  // key_length <= kInlineBytes
      std::uint64_t offset;      // else: where the key starts in arena_
    } key;
  };

  // A key of at most kInlineBytes as little-endian words, zero-padded: byte
  // i of the key is byte i of low (i < 8) or of high (i >= 8). Built from
  // whole loads that may overlap (never byte by byte: a word stored byte by
  // byte and loaded whole stalls on store forwarding).
  struct InlineKey {
    std::uint64_t low = 0;
    std::uint32_t high = 0;
  };
  static InlineKey inline_key(std::string_view key) {
    const auto* p = reinterpret_cast<const unsigned char*>(key.data());
    const std::size_t n = key.size();
    InlineKey k;
    if (n >= 8) {
      std::memcpy(&k.low, p, 8);
      if (n > 8) {  // bytes 8 .. n-1: the top n - 8 bytes of the last 4
        std::uint32_t last;
        std::memcpy(&last, p + n - 4, 4);
        k.high = last >> (8 * (12 - n));
      }
    } else if (n >= 4) {
      std::uint32_t first, last;
      std::memcpy(&first, p, 4);
      std::memcpy(&last, p + n - 4, 4);
      k.low = std::uint64_t{first} | std::uint64_t{last} << (8 * (n - 4));
    } else if (n > 0) {
      k.low = std::uint64_t{p[0]} | std::uint64_t{p[n / 2]} << (8 * (n / 2)) |
              std::uint64_t{p[n - 1]} << (8 * (n - 1));
    }
    return k;
  }

  bool key_equals(const Slot& slot, std::string_view key) const {
    if (slot.key_length != key.size()) return false;
    if (key.empty()) return true;
    const char* stored = key.size() <= kInlineBytes ? slot.key.bytes : arena_.data() + slot.key.offset;
    return std::memcmp(stored, key.data(), key.size()) == 0;
  }

  void reset_slots(std::size_t count) {
    slots_.reset(count);
    for (std::size_t i = 0; i < count; ++i) slots_[i].key_length = kEmpty;
    mask_ = count - 1;
  }

  void grow() {
    HugeBuffer<Slot> old;
    old.swap(slots_);
    reset_slots(old.size() * 2);
    for (std::size_t k = 0; k < old.size(); ++k) {
      const Slot& slot = old[k];
      if (slot.key_length == kEmpty) continue;
      std::size_t i = slot.hash & mask_;
      while (slots_[i].key_length != kEmpty) i = (i + 1) & mask_;
      slots_[i] = slot;
    }
  }

  HugeBuffer<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  std::string arena_;
};

}  // namespace tomes
