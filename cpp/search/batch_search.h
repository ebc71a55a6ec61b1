// batch_search.h: many queries searched at once, spread over a TBB arena,
// their hits written into caller-owned row-major arrays (the layout numpy
// gives, so the binding fills its arrays in place).
//
// Each query is exactly IndexReader::search(query, options): the arrays hold
// what a loop over search() would give, whatever the thread count.
//
// Thread safety: search_batch may run from any number of threads at once on
// one reader (search() is thread-safe); each call owns its arena. The output
// arrays must not be touched by anyone else until it returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "search/index_reader.h"

namespace tomes::search {

// How often the calling thread asks should_stop while the batch runs: the
// latency of a Ctrl-C is this plus the longest query a thread is in.
inline constexpr std::chrono::milliseconds kStopPollInterval{20};

// Searches queries[i] for every i and writes row i of the (n, width) arrays
// ids and scores (n = queries.size()): the first min(width, hits) hits, best
// first, then padding (-1 ids, NaN scores). Scores are rounded to float.
//
// threads: the arena's size; 0 = every hardware thread. Queries are claimed
// one at a time in query order, as threads free up (query costs are
// uneven, so no thread is handed a run of expensive ones).
//
// should_stop (optional): called on the calling thread about every
// kStopPollInterval while the workers search, never from a worker (so it
// may take a lock such as Python's GIL, which the workers never need). When
// it returns true, the queries not yet begun are dropped and the call
// returns Cancelled once the ones under way finish. Without it, the calling
// thread joins the workers.
//
// Errors: when queries fail, the Status of the one with the lowest index,
// its message prefixed "query <i>: " (the same whatever the threads: every
// query before it has run, queries after it may be skipped). An exception
// from search() or should_stop (std::bad_alloc) is rethrown on the calling
// thread after the workers stop.
//
// On any Status but ok, the rows' contents are unspecified.
//
// REQUIRES: ids and scores each hold queries.size() * width elements.
Status search_batch(const IndexReader& reader, const std::vector<std::string>& queries, const SearchOptions& options,
                    unsigned threads, std::int64_t* ids, float* scores, std::size_t width,
                    const std::function<bool()>* should_stop = nullptr);

}  // namespace tomes::search
