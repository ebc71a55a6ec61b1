// fst_reader.h: reads an FST (fst_format.h) in place, from any byte span
// (a memory-mapped file, a Python bytes object), copying nothing.
//
// open() checks the header, the footer, the sizes and the CRC-32 before
// anything else is read, so a damaged or truncated FST is refused as
// Corruption naming the source. Every node decode is bounds-checked as well,
// so even bytes crafted to carry a valid checksum cannot make the reader read
// out of bounds or loop: each transition leads strictly backwards in the file.
//
// Thread safety: a reader is immutable; any number of threads may call its
// const methods and run their own FstStream at once. REQUIRES: the bytes
// outlive the reader and every stream over it.
#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "common/coding.h"
#include "common/status.h"

namespace tomes::fst {

class FstReader {
 public:
  // A decoded node. Positions are logical offsets (see fst_format.h).
  struct Node {
    std::uint64_t address = 0;  // one past the node's last byte
    std::uint64_t start = 0;    // its first byte
    bool final = false;
    std::uint64_t final_output = 0;
    unsigned count = 0;  // transitions
    // One-transition nodes:
    bool one = false;
    std::uint8_t one_input = 0;
    std::uint64_t one_target = 0;
    // General nodes: where the arrays begin, and their widths.
    std::uint32_t inputs_at = 0;
    std::uint8_t output_width = 0;
    std::uint8_t delta_width = 0;
  };

  FstReader() = default;

  // Checks and opens bytes; `source` (a path, or "<bytes>") names it in errors.
  static Result<FstReader> open(std::string_view bytes, std::string source);

  std::uint64_t key_count() const { return key_count_; }
  std::string_view bytes() const { return bytes_; }
  const std::string& source() const { return source_; }
  std::uint64_t root() const { return root_; }

  // Decodes the node ending at address, or Corruption.
  Status node(std::uint64_t address, Node* out) const;

  std::uint8_t input(const Node& n, unsigned i) const {
    return n.one ? n.one_input : logical(n, n.inputs_at + i);
  }
  std::uint64_t output(const Node& n, unsigned i) const {
    if (n.one || n.output_width == 0) return 0;
    return fixed(n, n.inputs_at + n.count + n.count * n.delta_width + i * n.output_width,
                 n.output_width);
  }
  // REQUIRES: i < n.count. A delta beyond n.start gives address 0, which
  // node() refuses, so every accepted target lies before n.start.
  std::uint64_t target(const Node& n, unsigned i) const {
    if (n.one) return n.one_target;
    const std::uint64_t delta = fixed(n, n.inputs_at + n.count + i * n.delta_width, n.delta_width);
    return delta > n.start ? 0 : n.start - delta;
  }
  // Index of the transition on byte b, or -1.
  int find(const Node& n, std::uint8_t b) const;
  // Index of the first transition whose input is >= b (count if none).
  unsigned lower_bound(const Node& n, std::uint8_t b) const;

  // The Corruption status for a node found inconsistent while walking.
  Status corruption_at(std::uint64_t address, const char* what) const;

  // Looks key up: *found, and *value when found.
  Status get(std::string_view key, bool* found, std::uint64_t* value) const;

 private:
  // A node's logical bytes run down in memory from its address (fst_format.h):
  // logical byte k is bytes_[address - 1 - k]. LogicalIt walks them in
  // logical order, for coding.h's readers.
  using LogicalIt = std::reverse_iterator<const char*>;
  std::uint8_t logical(const Node& n, std::uint64_t k) const {
    return static_cast<std::uint8_t>(bytes_[n.address - 1 - k]);
  }
  LogicalIt logical_at(const Node& n, std::uint64_t k) const {
    return LogicalIt(bytes_.data() + (n.address - k));
  }
  // The `width`-byte little-endian field at logical offset `at`.
  std::uint64_t fixed(const Node& n, std::uint64_t at, unsigned width) const {
    return get_fixed(logical_at(n, at), width);
  }
  Status corrupt(std::uint64_t address, const char* what) const;

  std::string_view bytes_;
  std::string source_;
  std::uint64_t key_count_ = 0;
  std::uint64_t root_ = 0;
  std::uint64_t nodes_end_ = 0;
};

// Keys and values in key order, within [ge, lt) when bounds are given.
class FstStream {
 public:
  struct Bounds {
    bool has_ge = false;
    std::string ge;
    bool has_lt = false;
    std::string lt;
  };
  // REQUIRES: reader outlives the stream.
  FstStream(const FstReader& reader, Bounds bounds);

  // The next pair in key order; false at the end or on corruption (status()).
  // *key stays valid until the next call.
  bool next(std::string_view* key, std::uint64_t* value);
  const Status& status() const { return status_; }

 private:
  struct Frame {
    FstReader::Node node;
    unsigned next = 0;
    std::uint64_t output = 0;  // sum of outputs on the way to this node
    bool emit_final = false;   // its own key is still to be produced
  };
  void seek();
  bool push(std::uint64_t address, std::uint64_t output, unsigned next, bool emit_final);
  bool past_end() const { return bounds_.has_lt && std::string_view(key_) >= bounds_.lt; }

  const FstReader& reader_;
  Bounds bounds_;
  std::vector<Frame> stack_;
  std::string key_;
  Status status_;
  bool done_ = false;
};

// The smallest string greater than every string starting with prefix, for
// prefix search as a range; false when there is none (prefix all 0xFF).
bool prefix_successor(std::string_view prefix, std::string* out);

}  // namespace tomes::fst
