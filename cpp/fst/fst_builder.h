// fst_builder.h: builds a minimal acyclic FST in one pass over sorted keys.
//
// Keys arrive in strictly increasing byte order with u64 values. The builder
// keeps only the path of the last key unfinished; when the next key leaves
// that path, the nodes below the branching point are frozen: looked up in a
// registry of every node frozen so far, and written out only if no equal node
// exists (Daciuk et al.'s incremental algorithm for sorted input, with
// outputs pushed toward the root as Mihov & Maurel describe). The registry
// holds every distinct node, so the result is exactly minimal: no two states
// have the same right language, whatever the input size.
//
// Memory: the unfinished path, plus the registry, which stores each distinct
// node once in a compact canonical form (a few bytes per transition): it
// grows with the size of the minimal FST, never with the number of keys.
// Output bytes stream to the ByteSink as nodes freeze.
//
// Errors are sticky: after the first failed add() (out of order, duplicate,
// sink error), every later call returns that error.
//
// Thread safety: a builder belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_sink.h"
#include "common/status.h"
#include "common/string_table.h"

namespace tomes::fst {

class FstBuilder {
  static constexpr std::size_t kCachedCanonicalBytes = 30;
  static constexpr std::size_t kCacheEntries = std::size_t{1} << 12;
  static constexpr unsigned kSimpleCacheBits = 12;

 public:
  // Writes the header to sink at once. REQUIRES: sink outlives the builder.
  explicit FstBuilder(ByteSink* sink);

  // Adds key -> value. REQUIRES: key is greater (in byte order) than every key
  // added before; otherwise InvalidArgument naming the previous and the
  // offending key.
  Status add(std::string_view key, std::uint64_t value);

  // Sizes the registry for about `keys` keys at once (one node a key), so
  // that it does not grow step by step. Optional: a hint, never a limit.
  void reserve(std::uint64_t keys);

  // Freezes the remaining nodes and writes the root and the footer, then
  // finishes the sink. No add() after this.
  Status finish();

  std::uint64_t key_count() const { return key_count_; }
  // Bytes written so far (all of them after finish()).
  std::uint64_t bytes_written() const { return position_; }
  // Distinct nodes written so far.
  std::uint64_t node_count() const { return node_count_; }

 private:
  struct Transition {
    std::uint8_t input;
    std::uint64_t output;
    std::uint64_t target;  // address; set once the target is frozen
  };
  struct PendingNode {
    bool final = false;
    std::uint64_t final_output = 0;
    std::vector<Transition> transitions;
  };

  // Freezes the nodes deeper than `depth` on the unfinished path.
  Status freeze_below(std::size_t depth);
  // Returns the address of a node equal to `node`, writing it if new.
  Status freeze(const PendingNode& node, std::uint64_t* address);
  Status freeze_through_registry(const PendingNode& node, std::uint64_t* address);
  void encode(const PendingNode& node, std::uint64_t start);
  Status emit(std::string_view bytes);
  Status flush();
  PendingNode& push_node();

  ByteSink* sink_;
  Status status_;
  bool finished_ = false;
  std::uint64_t key_count_ = 0;
  std::uint64_t node_count_ = 0;
  std::uint64_t position_ = 0;  // bytes emitted, header included
  std::uint64_t leaf_address_ = 0;  // of the final node without transitions, once written
  bool last_was_new_ = false;       // the node frozen last was written, not found
  std::uint32_t crc_ = 0;
  std::string previous_key_;
  std::vector<PendingNode> path_;  // path_[d]: the node at depth d; size() - 1 = depth in use
  std::size_t depth_ = 0;          // nodes path_[0..depth_] are live; the rest are spares
  StringTable registry_;           // canonical node bytes -> address
  // A small direct-mapped cache in front of the registry: most frozen nodes
  // equal a recent, popular one (a leaf, a common suffix), found here
  // without touching the registry's large table.
  struct CacheEntry {
    std::uint64_t hash = 0;
    std::uint64_t address = 0;
    std::uint8_t length = 0;  // of the canonical bytes; 0: empty
    char canonical[kCachedCanonicalBytes];
  };
  std::vector<CacheEntry> cache_;
  // Smaller still, for the commonest node of all: non-final, one transition
  // without output. Keyed by (target << 8 | input), small enough for L1/L2.
  struct SimpleEntry {
    std::uint64_t key = ~std::uint64_t{0};
    std::uint64_t address = 0;
  };
  std::vector<SimpleEntry> simple_cache_;
  std::string canonical_;          // scratch
  std::string logical_;            // scratch: a node in logical byte order
  std::string buffer_;             // emitted, not yet written to the sink
};

}  // namespace tomes::fst
