#include "fst/fst_builder.h"

#include <algorithm>
#include <cstring>

#include "common/coding.h"
#include "common/crc32.h"
#include "common/huge_buffer.h"
#include "fst/fst_format.h"

namespace tomes::fst {

namespace {

constexpr std::size_t kFlushBytes = std::size_t{1} << 20;

// For error messages: the key as Python would print bytes.
std::string printable(std::string_view key) {
  std::string out = "b'";
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : key) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out + "'";
}

}  // namespace

// The registry: every distinct node written so far, its canonical bytes ->
// its address. Probed at random over millions of nodes, so its size is its
// speed: an open-addressing table of 16-byte slots, four to a cache line,
// probed linearly (at most 3/4 full):
//
//   head  bits 0-39   the address (0: a free slot; no node ends before 16)
//         bits 40-47  the key's length, 255 if over 8 bytes
//         bits 48-63  the key hash's top 16 bits
//   body  the key, if at most 8 bytes (most nodes: one transition without
//         output), zero-padded little-endian; else its offset in arena_,
//         where it is stored as a u32 length and its bytes
//
// Inserts of surely new nodes are deferred: the slot is prefetched and
// written kDeferred such inserts later; find() scans those first.
class FstBuilder::Registry {
 public:
  static constexpr std::uint64_t kMaxAddress = (std::uint64_t{1} << 40) - 1;

  Registry() { reset(16); }

  void reserve(std::size_t count) {
    std::size_t slots = slots_.size();
    while (count * 4 > slots * 3) slots *= 2;
    if (slots != slots_.size()) rehash(slots);
  }

  void prefetch(std::uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }

  // The address of the node with this canonical key (h its hash_bytes), or 0.
  std::uint64_t find(std::string_view key, std::uint64_t h) const {
    const std::uint64_t tag = tag_of(key, h);
    const std::uint64_t body = key.size() <= 8 ? pack(key) : 0;
    for (std::size_t k = 0; k < deferred_count_; ++k) {
      if (matches(deferred_[k].slot, key, tag, body)) return deferred_[k].slot.head & kMaxAddress;
    }
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.head == 0) return 0;
      if (matches(slot, key, tag, body)) return slot.head & kMaxAddress;
    }
  }

  // REQUIRES: find(key, h) == 0; 16 <= address <= kMaxAddress.
  void insert(std::string_view key, std::uint64_t h, std::uint64_t address) {
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
    place(make_slot(key, h, address), h);
    ++size_;
  }

  // The same, written later; the slot loads meanwhile.
  void insert_deferred(std::string_view key, std::uint64_t h, std::uint64_t address) {
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
    if (deferred_count_ == kDeferred) {
      place(deferred_[deferred_next_].slot, deferred_[deferred_next_].hash);
      deferred_[deferred_next_] = {make_slot(key, h, address), h};
      deferred_next_ = (deferred_next_ + 1) % kDeferred;
    } else {
      deferred_[deferred_count_++] = {make_slot(key, h, address), h};
    }
    __builtin_prefetch(&slots_[h & mask_], 1);
    ++size_;
  }

 private:
  static constexpr std::size_t kDeferred = 16;
  static constexpr std::uint64_t kLong = 255;

  struct Slot {
    std::uint64_t head;
    std::uint64_t body;
  };
  struct Deferred {
    Slot slot;
    std::uint64_t hash;
  };

  static std::uint64_t pack(std::string_view key) {
    std::uint64_t v = 0;
    if (!key.empty()) std::memcpy(&v, key.data(), key.size());
    return v;
  }
  // head's bits 40-63 for this key.
  static std::uint64_t tag_of(std::string_view key, std::uint64_t h) {
    const std::uint64_t length = key.size() <= 8 ? key.size() : kLong;
    return ((h >> 48) << 8) | length;
  }

  bool matches(const Slot& slot, std::string_view key, std::uint64_t tag, std::uint64_t body) const {
    if ((slot.head >> 40) != tag) return false;
    if (key.size() <= 8) return slot.body == body;
    std::uint32_t length;
    std::memcpy(&length, arena_.data() + slot.body, 4);
    return length == key.size() && std::memcmp(arena_.data() + slot.body + 4, key.data(), key.size()) == 0;
  }

  Slot make_slot(std::string_view key, std::uint64_t h, std::uint64_t address) {
    Slot slot;
    slot.head = (address & kMaxAddress) | (tag_of(key, h) << 40);  // past 1 TiB: an error already
    if (key.size() <= 8) {
      slot.body = pack(key);
    } else {
      slot.body = arena_.size();
      const std::uint32_t length = static_cast<std::uint32_t>(key.size());
      arena_.append(reinterpret_cast<const char*>(&length), 4);
      arena_.append(key);
    }
    return slot;
  }

  std::uint64_t hash_of(const Slot& slot) const {
    const std::uint64_t length = (slot.head >> 40) & 0xFF;
    if (length != kLong) {
      char bytes[8];
      std::memcpy(bytes, &slot.body, 8);
      return hash_bytes(std::string_view(bytes, length));
    }
    std::uint32_t long_length;
    std::memcpy(&long_length, arena_.data() + slot.body, 4);
    return hash_bytes(std::string_view(arena_.data() + slot.body + 4, long_length));
  }

  void place(const Slot& slot, std::uint64_t h) {
    std::size_t i = h & mask_;
    while (slots_[i].head != 0) i = (i + 1) & mask_;
    slots_[i] = slot;
  }

  void reset(std::size_t count) {
    slots_.reset(count);
    for (std::size_t i = 0; i < count; ++i) slots_[i] = Slot{0, 0};
    mask_ = count - 1;
  }

  void rehash(std::size_t count) {
    for (std::size_t k = 0; k < deferred_count_; ++k) place(deferred_[k].slot, deferred_[k].hash);
    deferred_count_ = 0;
    deferred_next_ = 0;
    HugeBuffer<Slot> old;
    old.swap(slots_);
    reset(count);
    for (std::size_t k = 0; k < old.size(); ++k) {
      if (old[k].head != 0) place(old[k], hash_of(old[k]));
    }
  }

  HugeBuffer<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;  // deferred inserts included
  std::string arena_;
  Deferred deferred_[kDeferred];  // the oldest at deferred_next_ once full
  std::size_t deferred_count_ = 0;
  std::size_t deferred_next_ = 0;
};

FstBuilder::FstBuilder(ByteSink* sink) : sink_(sink), registry_(std::make_unique<Registry>()) {
  std::string header(kMagic, sizeof(kMagic));
  put_u32(&header, kFormatVersion);
  put_u32(&header, 0);
  status_ = emit(header);
  path_.push_back(new_node());
  cache_.resize(kCacheEntries);
  simple_cache_.resize(std::size_t{1} << kSimpleCacheBits);
}

FstBuilder::~FstBuilder() = default;

void FstBuilder::reserve(std::uint64_t keys) {
  // A bound against a wild hint: 2^24 keys reserve a registry of 512 MiB
  // (2^25 slots of 16 bytes); beyond that it grows as it fills.
  constexpr std::uint64_t kMaxReserved = std::uint64_t{1} << 24;
  if (!finished_) registry_->reserve(static_cast<std::size_t>(std::min(keys, kMaxReserved)));
}

std::uint32_t FstBuilder::new_node() {
  std::uint32_t n;
  if (!free_.empty()) {
    n = free_.back();
    free_.pop_back();
  } else {
    n = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  Node& node = nodes_[n];
  node.final = false;
  node.frozen = false;
  node.final_output = 0;
  node.transitions.clear();
  node.unsettled = 0;
  node.parent = kNone;
  node.child_written = 0;
  return n;
}

std::uint32_t FstBuilder::push_node() {
  const std::uint32_t n = new_node();
  path_.push_back(n);
  return n;
}

Status FstBuilder::add(std::string_view key, std::uint64_t value) {
  if (!status_.is_ok()) return status_;
  if (finished_) return status_ = Status::invalid_argument("FstBuilder: add() after finish()");
  if (key_count_ > 0 && key <= std::string_view(previous_key_)) {
    return status_ = Status::invalid_argument(
               std::string(key == std::string_view(previous_key_) ? "duplicate key" : "keys out of order") +
               ": " + printable(key) + " after " + printable(previous_key_) +
               "; keys must be unique and sorted by their bytes");
  }
  const std::size_t common = key_count_ == 0
      ? 0
      : static_cast<std::size_t>(
            std::mismatch(key.begin(), key.begin() + std::min(key.size(), previous_key_.size()),
                          previous_key_.begin()).first - key.begin());
  freeze_below(common);
  if (!write_status_.is_ok()) return status_ = write_status_;

  // Along the shared prefix, each transition keeps what both keys need; the
  // excess moves one level down, onto every way out of the child.
  for (std::size_t d = 0; d < common; ++d) {
    Transition& t = nodes_[path_[d]].transitions.back();
    const std::uint64_t kept = std::min(t.output, value);
    const std::uint64_t excess = t.output - kept;
    if (excess != 0) {
      Node& child = nodes_[path_[d + 1]];
      for (Transition& ct : child.transitions) ct.output += excess;
      if (child.final) child.final_output += excess;
      t.output = kept;
    }
    value -= kept;
  }
  if (key.size() == common) {
    // Only the first key can end here: the empty key, at the root.
    nodes_[path_[common]].final = true;
    nodes_[path_[common]].final_output = value;
  } else {
    nodes_[path_[common]].transitions.push_back({static_cast<std::uint8_t>(key[common]), value, 0});
    for (std::size_t d = common + 1; d < key.size(); ++d) {
      const std::uint32_t n = push_node();
      nodes_[n].transitions.push_back({static_cast<std::uint8_t>(key[d]), 0, 0});
    }
    nodes_[push_node()].final = true;
  }
  previous_key_.assign(key.data(), key.size());
  ++key_count_;
  return status_;
}

void FstBuilder::freeze_below(std::size_t depth) {
  while (path_.size() > depth + 1) {
    const std::uint32_t n = path_.back();
    path_.pop_back();
    freeze(n, path_.back());
  }
}

void FstBuilder::freeze(std::uint32_t n, std::uint32_t parent) {
  Node& node = nodes_[n];
  node.frozen = true;
  node.parent = parent;
  if (parent != kNone) {
    Node& p = nodes_[parent];
    node.parent_transition = static_cast<std::uint32_t>(p.transitions.size() - 1);
    ++p.unsettled;
  }
  if (node.unsettled == 0) settle(n);
}

void FstBuilder::settle(std::uint32_t n) {
  while (n != kNone) n = settle_one(n);
}

void FstBuilder::make_canonical(const Node& node, std::string* out) const {
  // The registry key: everything that makes two nodes equal.
  out->clear();
  out->push_back(static_cast<char>((node.final ? 1 : 0) | (node.final_output != 0 ? 2 : 0)));
  if (node.final_output != 0) put_varint64(out, node.final_output);
  for (const Transition& t : node.transitions) {
    out->push_back(static_cast<char>(t.input));
    put_varint64(out, t.output);
    put_varint64(out, t.target);
  }
}

std::uint32_t FstBuilder::settle_one(std::uint32_t n) {
  Node& node = nodes_[n];
  // The end of every key is the same node: skip the registry for it.
  const bool leaf = node.final && node.final_output == 0 && node.transitions.empty();
  if (leaf && leaf_address_ != 0) return settled(n, leaf_address_, false);
  // A node whose child was written just now cannot exist yet.
  const bool surely_new = node.child_written == stamp_ && !node.transitions.empty();
  const bool simple = !node.final && node.transitions.size() == 1 && node.transitions[0].output == 0;
  SimpleEntry* entry = nullptr;
  std::uint64_t simple_key = 0;
  if (simple) {
    simple_key = (node.transitions[0].target << 8) | node.transitions[0].input;
    entry = &simple_cache_[(simple_key * 0x9E3779B97F4A7C15ull) >> (64 - kSimpleCacheBits)];
    if (!surely_new && entry->key == simple_key) return settled(n, entry->address, false);
  }
  make_canonical(node, &canonical_);
  const std::uint64_t hash = hash_bytes(canonical_);
  const bool cacheable = canonical_.size() <= kCachedCanonicalBytes;
  CacheEntry& cached = cache_[hash & (kCacheEntries - 1)];
  if (surely_new) {
    const std::uint64_t address = write(node);
    // Its parent is surely new too: no lookup follows at once, so the
    // insert can wait and overlap with the next ones.
    registry_->insert_deferred(canonical_, hash, address);
    if (entry != nullptr) {
      entry->key = simple_key;
      entry->address = address;
    }
    if (cacheable) {
      cached.hash = hash;
      cached.address = address;
      cached.length = static_cast<std::uint8_t>(canonical_.size());
      std::memcpy(cached.canonical, canonical_.data(), canonical_.size());
    }
    return settled(n, address, true);
  }
  if (cacheable && cached.hash == hash && cached.length == canonical_.size() &&
      std::memcmp(cached.canonical, canonical_.data(), canonical_.size()) == 0) {
    return settled(n, cached.address, false);
  }
  // Park the node: its registry slot loads while later nodes are handled.
  registry_->prefetch(hash);
  node.hash = hash;
  node.canonical.swap(canonical_);
  parked_[(parked_head_ + parked_count_) % (kInFlight + 1)] = n;
  ++parked_count_;
  return parked_count_ > kInFlight ? unpark_oldest() : kNone;
}

std::uint32_t FstBuilder::unpark_oldest() {
  const std::uint32_t n = parked_[parked_head_];
  parked_head_ = (parked_head_ + 1) % (kInFlight + 1);
  --parked_count_;
  Node& node = nodes_[n];
  std::uint64_t address = registry_->find(node.canonical, node.hash);
  const bool written = address == 0;
  if (written) {
    address = write(node);
    registry_->insert(node.canonical, node.hash, address);
  }
  if (!node.final && node.transitions.size() == 1 && node.transitions[0].output == 0) {
    const std::uint64_t key = (node.transitions[0].target << 8) | node.transitions[0].input;
    SimpleEntry& entry = simple_cache_[(key * 0x9E3779B97F4A7C15ull) >> (64 - kSimpleCacheBits)];
    entry.key = key;
    entry.address = address;
  }
  if (node.canonical.size() <= kCachedCanonicalBytes) {
    CacheEntry& cached = cache_[node.hash & (kCacheEntries - 1)];
    cached.hash = node.hash;
    cached.address = address;
    cached.length = static_cast<std::uint8_t>(node.canonical.size());
    std::memcpy(cached.canonical, node.canonical.data(), node.canonical.size());
  }
  return settled(n, address, written);
}

std::uint32_t FstBuilder::settled(std::uint32_t n, std::uint64_t address, bool written) {
  ++stamp_;
  const std::uint32_t parent = nodes_[n].parent;
  free_.push_back(n);
  if (parent == kNone) {
    root_address_ = address;
    return kNone;
  }
  Node& p = nodes_[parent];
  p.transitions[nodes_[n].parent_transition].target = address;
  if (written) p.child_written = stamp_;
  --p.unsettled;
  return p.frozen && p.unsettled == 0 ? parent : kNone;
}

std::uint64_t FstBuilder::write(const Node& node) {
  const std::uint64_t start = position_;
  encode(node, start);
  // Nodes are stored backwards: logical byte 0 (the header) is the last byte.
  std::reverse(logical_.begin(), logical_.end());
  if (Status s = emit(logical_); !s.is_ok() && write_status_.is_ok()) write_status_ = s;
  if (position_ > Registry::kMaxAddress && write_status_.is_ok()) {
    write_status_ = Status::invalid_argument("FstBuilder: the FST would pass 1 TiB (node addresses are 40 bits)");
  }
  ++node_count_;
  if (node.final && node.final_output == 0 && node.transitions.empty()) leaf_address_ = position_;
  return position_;
}

void FstBuilder::encode(const Node& node, std::uint64_t start) {
  logical_.clear();
  const std::size_t n = node.transitions.size();
  if (!node.final && n == 1 && node.transitions[0].output == 0) {
    const Transition& t = node.transitions[0];
    const std::uint8_t common = kCommonIndex[t.input];
    const bool next = t.target == start;
    logical_.push_back(static_cast<char>(kOneTransition | (next ? kOneTransitionNext : 0) | common));
    if (common == 0) logical_.push_back(static_cast<char>(t.input));
    if (!next) put_varint64(&logical_, start - t.target);
    return;
  }
  std::uint64_t max_output = node.final_output;
  std::uint64_t max_delta = 0;
  for (const Transition& t : node.transitions) {
    max_output = std::max(max_output, t.output);
    max_delta = std::max(max_delta, start - t.target);
  }
  const unsigned ow = byte_width(max_output);
  const unsigned aw = byte_width(max_delta);
  const bool has_final_output = node.final_output != 0;
  std::uint8_t header = (node.final ? kFinal : 0) | (has_final_output ? kHasFinalOutput : 0);
  header |= n < kExplicitCount ? static_cast<std::uint8_t>(n) : kExplicitCount;
  logical_.push_back(static_cast<char>(header));
  if (n >= kExplicitCount) logical_.push_back(static_cast<char>(n - 1));
  if (n > 0 || has_final_output) logical_.push_back(static_cast<char>((ow << 4) | aw));
  if (has_final_output) put_fixed(&logical_, node.final_output, ow);
  for (const Transition& t : node.transitions) logical_.push_back(static_cast<char>(t.input));
  for (const Transition& t : node.transitions) put_fixed(&logical_, start - t.target, aw);
  for (const Transition& t : node.transitions) put_fixed(&logical_, t.output, ow);
}

Status FstBuilder::emit(std::string_view bytes) {
  buffer_.append(bytes);
  position_ += bytes.size();
  return buffer_.size() >= kFlushBytes ? flush() : Status::ok();
}

Status FstBuilder::flush() {
  crc_ = crc32_update(crc_, buffer_);
  Status s = sink_->write(buffer_);
  buffer_.clear();
  return s;
}

Status FstBuilder::finish() {
  if (!status_.is_ok()) return status_;
  if (finished_) return status_ = Status::invalid_argument("FstBuilder: finish() called twice");
  finished_ = true;
  freeze_below(0);
  freeze(path_[0], kNone);
  while (parked_count_ > 0) settle(unpark_oldest());
  if (!write_status_.is_ok()) return status_ = write_status_;
  const std::uint64_t root = root_address_;
  char footer[kFooterSize];
  encode_u64(footer, key_count_);
  encode_u64(footer + 8, root);
  encode_u32(footer + 16, kFormatVersion);
  buffer_.append(footer, 20);
  const std::uint32_t crc = crc32_update(crc_, buffer_);
  encode_u32(footer + 20, crc);
  buffer_.append(footer + 20, 4);
  position_ += kFooterSize;
  crc_ = crc;
  Status written = sink_->write(buffer_);
  buffer_.clear();
  if (!written.is_ok()) return status_ = written;
  status_ = sink_->finish();
  registry_.reset();
  nodes_.clear();
  nodes_.shrink_to_fit();
  cache_.clear();
  cache_.shrink_to_fit();
  simple_cache_.clear();
  simple_cache_.shrink_to_fit();
  return status_;
}

}  // namespace tomes::fst
