// batch_dictionary.h: the terms of one batch -> dense term ids, filled by all
// parsing threads at once, so a parsed book carries term ids, not strings.
//
// Ids are handed out in whatever order the threads meet the terms, so they
// differ from run to run; nothing written depends on them: the segment
// writer orders terms by their bytes (ordinals) and postings by doc id.
//
// Sharded by hash: 64 shards, each a StringTable behind its own mutex, so
// two threads rarely wait for each other.
//
// Thread safety: intern() from any number of threads at once; terms() only
// once every intern() has returned.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/string_table.h"

namespace tomes::index {

class BatchDictionary {
 public:
  // The id of term (hash = hash_bytes(term)), added if new.
  std::uint32_t intern(std::string_view term, std::uint64_t hash) {
    Shard& shard = shards_[hash >> (64 - kShardBits)];
    std::lock_guard<std::mutex> lock(shard.mutex);
    if (const std::uint64_t* found = shard.table.find(term, hash)) return static_cast<std::uint32_t>(*found);
    const std::uint32_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
    shard.table.insert_new(term, hash, id);
    shard.bytes.append(term);
    shard.ends.push_back(shard.bytes.size());
    shard.ids.push_back(id);
    return id;
  }

  std::uint32_t size() const { return next_id_.load(std::memory_order_relaxed); }

  // terms[id] for every id. The views point into the dictionary.
  void terms(std::vector<std::string_view>* out) const {
    out->assign(size(), std::string_view());
    for (const Shard& shard : shards_) {
      std::size_t begin = 0;
      for (std::size_t i = 0; i < shard.ids.size(); ++i) {
        (*out)[shard.ids[i]] = std::string_view(shard.bytes).substr(begin, shard.ends[i] - begin);
        begin = shard.ends[i];
      }
    }
  }

 private:
  static constexpr int kShardBits = 6;
  struct alignas(64) Shard {
    std::mutex mutex;
    StringTable table;
    std::string bytes;               // the shard's terms, back to back
    std::vector<std::size_t> ends;   // end of each in bytes
    std::vector<std::uint32_t> ids;  // id of each
  };
  std::array<Shard, std::size_t{1} << kShardBits> shards_;
  std::atomic<std::uint32_t> next_id_{0};
};

}  // namespace tomes::index
