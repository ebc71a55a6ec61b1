// fst_background_builder.h: an FstBuilder on a thread of its own, fed with
// batches of pairs, so that whoever produces the pairs (the Python binding,
// converting Python objects) works while the previous batch is being added.
//
// The hand-off is a tbb::concurrent_bounded_queue of capacity 1, as in the
// indexing pipeline: at most one batch being filled, one queued, one being
// added. The first builder error stops the adding; it is reported by every
// later call, and the remaining batches are dropped.
//
// Thread safety: one producer thread calls add_batch() and finish().
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <oneapi/tbb/concurrent_queue.h>

#include "common/byte_sink.h"
#include "common/status.h"
#include "fst/fst_builder.h"

namespace tomes::fst {

// Keys packed back to back: key i is keys[ends[i-1] .. ends[i]).
struct KeyBatch {
  std::string keys;
  std::vector<std::size_t> ends;
  std::vector<std::uint64_t> values;

  std::size_t size() const { return values.size(); }
  void add(std::string_view key, std::uint64_t value) {
    keys.append(key);
    ends.push_back(keys.size());
    values.push_back(value);
  }
  void clear() {
    keys.clear();
    ends.clear();
    values.clear();
  }
};

class BackgroundFstBuilder {
 public:
  // Starts the builder thread. REQUIRES: sink outlives this object.
  // expected_keys: how many keys will come, if known (0: unknown); the thread
  // first sizes the builder's registry for them (FstBuilder::reserve), while
  // the producer fills the first batch.
  explicit BackgroundFstBuilder(ByteSink* sink, std::uint64_t expected_keys = 0);
  // Stops the thread if finish() was not called (the output is then incomplete).
  ~BackgroundFstBuilder();
  BackgroundFstBuilder(const BackgroundFstBuilder&) = delete;
  BackgroundFstBuilder& operator=(const BackgroundFstBuilder&) = delete;

  // Queues a batch (blocks while one is already queued). Returns the first
  // error of the builder so far, so a producer can stop early.
  Status add_batch(KeyBatch&& batch);
  // Adds what is queued, finishes the FST and joins the thread.
  Status finish();

 private:
  void run(std::uint64_t expected_keys);
  Status error() const;

  FstBuilder builder_;
  oneapi::tbb::concurrent_bounded_queue<KeyBatch> queue_;
  std::thread thread_;
  std::atomic<bool> failed_{false};
  Status status_;  // written by the thread before failed_ is set, and at the end
  bool finished_ = false;
};

}  // namespace tomes::fst
