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
// Lookups overlap: a frozen node whose registry lookup would miss the CPU
// caches is parked, its slot prefetched, and looked up only after kInFlight
// more such nodes (or at finish()); meanwhile later keys go on. A node is
// settled once every child has its address, and nodes are written in the
// order they settle, children first. Parking changes the order of the
// written nodes, never which nodes exist: lookups still happen one at a
// time, each against every node written before it, so of two equal parked
// nodes the second looked up finds the first.
//
// Memory: the unfinished path and the parked nodes, plus the registry, which
// stores each distinct node once: a 16-byte slot (at most 3/4 of them used),
// plus its canonical form (a few bytes per transition) if over 8 bytes. It
// grows with the size of the minimal FST, never with the number of keys.
// Output bytes stream to the ByteSink as nodes are written; node addresses
// are 40 bits, so an FST is at most 1 TiB.
//
// Errors are sticky: after the first failed add() (out of order, duplicate,
// sink error), every later call returns that error.
//
// Thread safety: a builder belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
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
  static constexpr std::size_t kInFlight = 8;  // parked lookups

 public:
  // Writes the header to sink at once. REQUIRES: sink outlives the builder.
  explicit FstBuilder(ByteSink* sink);
  ~FstBuilder();
  FstBuilder(const FstBuilder&) = delete;
  FstBuilder& operator=(const FstBuilder&) = delete;

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
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  class Registry;  // canonical node bytes -> address, in fst_builder.cc

  struct Transition {
    std::uint8_t input;
    std::uint64_t output;
    std::uint64_t target;  // address; set once the target is settled
  };
  // A node of the unfinished path, or frozen and waiting to settle. Nodes
  // live in a pool (nodes_) and refer to each other by index.
  struct Node {
    bool final = false;
    bool frozen = false;
    std::uint64_t final_output = 0;
    std::vector<Transition> transitions;
    std::uint32_t unsettled = 0;         // frozen children without an address yet
    std::uint32_t parent = kNone;        // once frozen: the node whose transition leads here
    std::uint32_t parent_transition = 0;
    std::uint64_t child_written = 0;     // stamp_ when a child was written; 0: never
    std::uint64_t hash = 0;              // of canonical, while parked
    std::string canonical;               // the registry key, while parked
  };

  // Freezes the nodes deeper than `depth` on the unfinished path.
  void freeze_below(std::size_t depth);
  void freeze(std::uint32_t n, std::uint32_t parent);
  // Gives node n (frozen, every child settled) its address, and the parents
  // that become settled in turn theirs, unless one is parked.
  void settle(std::uint32_t n);
  // One step of settle(): the parent now ready to settle, or kNone.
  std::uint32_t settle_one(std::uint32_t n);
  // Looks up the oldest parked node; returns its parent if now ready, or kNone.
  std::uint32_t unpark_oldest();
  // Records n's address; returns its parent if that is now ready, else kNone.
  std::uint32_t settled(std::uint32_t n, std::uint64_t address, bool written);
  std::uint64_t write(const Node& node);
  void encode(const Node& node, std::uint64_t start);
  void make_canonical(const Node& node, std::string* out) const;
  Status emit(std::string_view bytes);
  Status flush();
  std::uint32_t new_node();
  std::uint32_t push_node();

  ByteSink* sink_;
  Status status_;
  Status write_status_;  // the first sink error while writing nodes
  bool finished_ = false;
  std::uint64_t key_count_ = 0;
  std::uint64_t node_count_ = 0;
  std::uint64_t position_ = 0;  // bytes emitted, header included
  std::uint64_t leaf_address_ = 0;  // of the final node without transitions, once written
  std::uint64_t root_address_ = 0;
  // Counts settled nodes. A node whose child was written at the current
  // stamp (nothing settled since) is surely new: an equal node would point to
  // that child, whose address nobody has been given yet.
  std::uint64_t stamp_ = 0;
  std::uint32_t crc_ = 0;
  std::string previous_key_;
  std::vector<Node> nodes_;          // the pool
  std::vector<std::uint32_t> free_;  // pool entries to reuse
  std::vector<std::uint32_t> path_;  // path_[d]: the node at depth d
  std::uint32_t parked_[kInFlight + 1];  // a ring, oldest at parked_head_
  std::size_t parked_head_ = 0;
  std::size_t parked_count_ = 0;
  std::unique_ptr<Registry> registry_;
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
