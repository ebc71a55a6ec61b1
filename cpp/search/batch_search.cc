// batch_search.cc: see batch_search.h.
//
// Why no chunks: the brief's first idea was to run the batch in chunks and
// ask should_stop between them. Each chunk boundary is a barrier, though,
// where threads that drew cheap queries wait for the one that drew the
// expensive one, and a chunk small enough for a prompt Ctrl-C makes many
// barriers. Instead the workers claim queries from one counter without a
// pause, and the calling thread, left free, polls should_stop on a timer.
#include "search/batch_search.h"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

namespace tomes::search {

namespace {

constexpr std::size_t kNoError = std::numeric_limits<std::size_t>::max();

// One call's shared state: the next query to claim, the lowest failed query
// so far, and the stop flag. Thread safety: work() and stop() from any
// thread; result() once every work() has returned.
class BatchRun {
 public:
  BatchRun(const IndexReader& reader, const std::vector<std::string>& queries, const SearchOptions& options,
           std::int64_t* ids, float* scores, std::size_t width)
      : reader_(reader), queries_(queries), options_(options), ids_(ids), scores_(scores), width_(width) {}

  // Claims queries in order and searches them until none is left, one
  // below has failed, or stop() was called. A claimed query is always
  // finished, so every query below the lowest failure runs.
  void work() {
    std::vector<Hit> hits;  // reused: one allocation per thread, not per query
    while (!stopped_.load(std::memory_order_relaxed)) {
      const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= queries_.size() || i > first_error_.load(std::memory_order_relaxed)) return;
      hits.clear();
      Status status = reader_.search(queries_[i], options_, &hits);
      if (status.is_ok()) {
        write_row(i, hits);
      } else {
        record_error(i, std::move(status));
      }
    }
  }

  void stop() { stopped_.store(true, std::memory_order_relaxed); }

  Status result() const {
    const std::size_t failed = first_error_.load();
    // A stop that came after every query that decides the answer ran
    // changes nothing; otherwise some row was never written.
    const std::size_t needed = failed == kNoError ? queries_.size() : failed + 1;
    if (next_.load() < needed) {
      return Status::cancelled("search_batch stopped before query " + std::to_string(next_.load()) + " of " +
                               std::to_string(queries_.size()));
    }
    return error_;
  }

 private:
  void write_row(std::size_t i, const std::vector<Hit>& hits) {
    std::int64_t* id = ids_ + i * width_;
    float* score = scores_ + i * width_;
    const std::size_t found = std::min(hits.size(), width_);
    for (std::size_t c = 0; c < found; ++c) {
      id[c] = hits[c].doc_id;
      score[c] = static_cast<float>(hits[c].score);
    }
    std::fill(id + found, id + width_, std::int64_t{-1});
    std::fill(score + found, score + width_, std::numeric_limits<float>::quiet_NaN());
  }

  void record_error(std::size_t i, Status status) {
    std::lock_guard<std::mutex> lock(error_mutex_);
    if (i >= first_error_.load(std::memory_order_relaxed)) return;
    first_error_.store(i, std::memory_order_relaxed);
    error_ = with_prefix(status, "query " + std::to_string(i) + ": ");
  }

  // status with its message prefixed, same code.
  static Status with_prefix(const Status& status, const std::string& prefix) {
    std::string message = prefix + status.message();
    switch (status.code()) {
      case Status::Code::kInvalidArgument: return Status::invalid_argument(std::move(message));
      case Status::Code::kNotFound: return Status::not_found(std::move(message));
      case Status::Code::kCorruption: return Status::corruption(std::move(message));
      case Status::Code::kIOError: return Status::io_error(std::move(message));
      case Status::Code::kCancelled: return Status::cancelled(std::move(message));
      case Status::Code::kLocked: return Status::locked(std::move(message));
      case Status::Code::kOk: break;
    }
    return status;
  }

  const IndexReader& reader_;
  const std::vector<std::string>& queries_;
  const SearchOptions& options_;
  std::int64_t* const ids_;
  float* const scores_;
  const std::size_t width_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::size_t> first_error_{kNoError};
  std::atomic<bool> stopped_{false};
  std::mutex error_mutex_;  // guards error_ and the writes of first_error_
  Status error_;
};

// Every thread of the arena (at most one per query) runs run->work(). An
// exception (std::bad_alloc) stops the others too: TBB would cancel only
// the slots not yet begun, and a begun one runs until the queries run out.
void work_in_arena(tbb::task_arena& arena, std::size_t queries, BatchRun* run) {
  arena.execute([&] {
    const int slots = static_cast<int>(
        std::min<std::size_t>(queries, static_cast<std::size_t>(tbb::this_task_arena::max_concurrency())));
    tbb::parallel_for(
        0, slots,
        [&](int) {
          try {
            run->work();
          } catch (...) {
            run->stop();
            throw;
          }
        },
        tbb::simple_partitioner());
  });
}

// Runs work on a thread of its own and polls should_stop on this one until
// work returns; a true answer (or an exception) stops run. Exceptions from
// either side are rethrown here once work has returned.
void work_polling(const std::function<void()>& work, const std::function<bool()>& should_stop, BatchRun* run) {
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::exception_ptr work_failure, stop_failure;
  std::thread runner([&] {
    try {
      work();
    } catch (...) {
      work_failure = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
    finished.notify_one();
  });
  bool stopping = false;
  std::unique_lock<std::mutex> lock(mutex);
  while (!finished.wait_for(lock, kStopPollInterval, [&] { return done; })) {
    if (stopping) continue;
    lock.unlock();  // should_stop may block (on the GIL): the runner must be able to finish meanwhile
    try {
      stopping = should_stop();
    } catch (...) {
      stop_failure = std::current_exception();
      stopping = true;
    }
    if (stopping) run->stop();
    lock.lock();
  }
  lock.unlock();
  runner.join();
  if (work_failure) std::rethrow_exception(work_failure);
  if (stop_failure) std::rethrow_exception(stop_failure);
}

}  // namespace

Status search_batch(const IndexReader& reader, const std::vector<std::string>& queries, const SearchOptions& options,
                    unsigned threads, std::int64_t* ids, float* scores, std::size_t width,
                    const std::function<bool()>* should_stop) {
  if (queries.empty()) return Status::ok();
  BatchRun run(reader, queries, options, ids, scores, width);
  const int slots = static_cast<int>(std::min<unsigned>(threads, std::numeric_limits<int>::max()));
  tbb::task_arena arena(threads == 0 ? tbb::task_arena::automatic : slots);
  auto work = [&] { work_in_arena(arena, queries.size(), &run); };
  if (should_stop != nullptr && *should_stop) {
    work_polling(work, *should_stop, &run);
  } else {
    work();
  }
  return run.result();
}

}  // namespace tomes::search
