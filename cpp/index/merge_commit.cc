#include "index/merge_commit.h"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <new>
#include <thread>

#include "common/file_system.h"
#include "index/index_files.h"
#include "index/segment_merger.h"
#include "segment/segment_reader.h"

namespace tomes::index {

namespace {

using segment::Manifest;
using segment::SegmentInfo;
using segment::SegmentReader;
using Readers = std::vector<std::shared_ptr<SegmentReader>>;

// Opens the segments of one run of the manifest, every file's checksum
// checked.
Result<Readers> open_run(const std::string& index_dir, const Manifest& manifest,
                         std::pair<std::size_t, std::size_t> run) {
  Readers readers;
  for (std::size_t i = run.first; i < run.second; ++i) {
    const SegmentInfo& info = manifest.segments[i];
    auto reader = SegmentReader::open(index_dir + "/" + info.name, info, manifest.settings.store_text);
    if (!reader.is_ok()) return reader.status();
    // open() checks the small files (and the deletes file); the postings and
    // text are checked here in full, so that no damaged byte is copied into
    // a new, freshly checksummed segment.
    if (Status s = reader.value()->verify_checksums(); !s.is_ok()) return s;
    readers.push_back(std::move(reader).value());
  }
  return readers;
}

// The merge of one run without its deleted books; a thrown bad_alloc (a
// huge term group) becomes an error like any other.
Result<SegmentInfo> merge_run(const Readers& run, const std::string& index_dir, const std::string& name,
                              bool store_text, const MergeOptions& options, tbb::task_arena& arena) {
  try {
    return merge_segments(run, index_dir, name, store_text, options, arena);
  } catch (const std::bad_alloc&) {
    return Status::io_error(index_dir + ": out of memory while merging into " + name);
  }
}

std::uint64_t live_books(const Manifest& manifest, std::pair<std::size_t, std::size_t> run) {
  std::uint64_t books = 0;
  for (std::size_t i = run.first; i < run.second; ++i) books += manifest.segments[i].live_books();
  return books;
}

// Writes every planned run; *written counts the names used (for roll back).
// The segments the new manifest lists, in order.
Result<std::vector<SegmentInfo>> write_runs(const std::string& index_dir, const Manifest& committed,
                                            std::uint64_t generation, const MergeRuns& runs,
                                            const MergeCommitOptions& options, const OptimizeProgress& progress,
                                            std::uint64_t* written) {
  const unsigned threads = options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : options.threads;
  tbb::global_control workers(tbb::global_control::max_allowed_parallelism, threads);
  tbb::task_arena arena(static_cast<int>(threads));
  bool cancelled = false;
  MergeOptions merge;
  merge.postings_per_group = options.postings_per_group;
  std::uint64_t done = 0, total = 0;
  for (const auto& run : runs) total += run.second - run.first;
  merge.should_stop = [&] { return cancelled = cancelled || (progress && !progress(done, total)); };
  const Status stop = Status::cancelled(index_dir + ": the merge was cancelled");
  std::vector<SegmentInfo> segments;
  std::size_t next = 0;
  for (const auto& run : runs) {
    segments.insert(segments.end(), committed.segments.begin() + static_cast<std::ptrdiff_t>(next),
                    committed.segments.begin() + static_cast<std::ptrdiff_t>(run.first));
    next = run.second;
    if (merge.should_stop()) return stop;
    if (live_books(committed, run) == 0) {  // nothing to keep: the run leaves the index
      done += run.second - run.first;
      continue;
    }
    auto readers = open_run(index_dir, committed, run);
    if (!readers.is_ok()) return readers.status();
    const std::string name = segment_name(generation, (*written)++);
    auto info = merge_run(readers.value(), index_dir, name, committed.settings.store_text, merge, arena);
    if (!info.is_ok()) return info.status();
    segments.push_back(std::move(info).value());
    done += run.second - run.first;
  }
  segments.insert(segments.end(), committed.segments.begin() + static_cast<std::ptrdiff_t>(next),
                  committed.segments.end());
  if (progress && !progress(done, total)) return stop;
  return segments;
}

MergeRuns plan(const Manifest& committed, const MergeCommitOptions& options) {
  if (options.rule == MergeRule::kMaxSegments) return plan_max_segments(committed.segments, options.max_segments);
  return plan_policy_merges(committed.segments, options.policy);
}

Status check_options(const MergeCommitOptions& options) {
  if (options.rule == MergeRule::kMaxSegments && options.max_segments == 0) {
    return Status::invalid_argument("max_segments must be at least 1");
  }
  if (options.postings_per_group == 0) return Status::invalid_argument("postings_per_group must be at least 1");
  if (options.rule == MergeRule::kPolicy && (options.policy.merge_factor < 2 || options.policy.floor_bytes == 0)) {
    return Status::invalid_argument("the merge policy needs merge_factor >= 2 and floor_bytes >= 1");
  }
  return Status::ok();
}

}  // namespace

MergeRuns plan_max_segments(const std::vector<SegmentInfo>& segments, std::uint64_t max_segments) {
  std::vector<std::uint64_t> sizes;
  for (const SegmentInfo& s : segments) sizes.push_back(live_bytes(s));
  const MergeRuns merges = plan_merges(sizes, max_segments);
  MergeRuns runs;
  std::size_t next = 0;  // the first segment no run covers yet
  const auto rewrite_deleted_until = [&](std::size_t end) {
    for (; next < end; ++next) {
      if (segments[next].deleted_docs > 0) runs.emplace_back(next, next + 1);
    }
  };
  for (const auto& run : merges) {
    rewrite_deleted_until(run.first);
    runs.push_back(run);
    next = run.second;
  }
  rewrite_deleted_until(segments.size());
  return runs;
}

Result<Manifest> merge_committed(const std::string& index_dir, const Manifest& committed, std::uint64_t generation,
                                 const MergeCommitOptions& options, const OptimizeProgress& progress) {
  if (Status s = check_options(options); !s.is_ok()) return s;
  const MergeRuns runs = plan(committed, options);
  if (runs.empty()) return committed;
  std::uint64_t written = 0;
  auto segments = write_runs(index_dir, committed, generation, runs, options, progress, &written);
  Manifest manifest = committed;
  Status status = segments.status();
  if (status.is_ok()) {
    manifest.generation = generation;
    manifest.segments = std::move(segments).value();
    manifest.recount();
    status = segment::write_manifest(index_dir, manifest);
  }
  if (!status.is_ok()) {
    remove_generation(index_dir, generation, written);
    return status;
  }
  // After the commit only: the merged-away directories (best effort).
  for (const auto& [begin, end] : runs) {
    for (std::size_t i = begin; i < end; ++i) (void)remove_tree(index_dir + "/" + committed.segments[i].name);
  }
  return manifest;
}

}  // namespace tomes::index
