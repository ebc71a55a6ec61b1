#include "index/optimize.h"

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <new>
#include <thread>

#include "common/file_system.h"
#include "index/index_files.h"
#include "index/index_lock.h"
#include "index/segment_merger.h"
#include "segment/manifest.h"
#include "segment/segment_reader.h"

namespace tomes::index {

namespace {

using segment::Manifest;
using segment::SegmentInfo;
using segment::SegmentReader;
using Clock = std::chrono::steady_clock;
using Runs = std::vector<std::pair<std::size_t, std::size_t>>;

// The locked index: its committed manifest, cleared of earlier leftovers,
// and the generation this run's names take.
struct LockedIndex {
  IndexLock lock;
  Manifest manifest;
  std::uint64_t generation;
};

Result<LockedIndex> lock_index(const std::string& index_dir) {
  if (!is_directory(index_dir)) return Status::not_found(index_dir + ": no index here (not a directory)");
  Result<IndexLock> lock = IndexLock::acquire(index_dir);
  if (!lock.is_ok()) return lock.status();
  Result<Manifest> manifest = segment::read_manifest(index_dir);
  if (!manifest.is_ok()) {
    if (manifest.status().code() == Status::Code::kNotFound) {
      return Status::not_found(index_dir + ": no index here (index.json is missing)");
    }
    return manifest.status();
  }
  if (Status s = clean_leftovers(index_dir, manifest.value()); !s.is_ok()) return s;
  Result<std::uint64_t> generation = next_generation(index_dir, manifest.value().generation);
  if (!generation.is_ok()) return generation.status();
  return LockedIndex{std::move(lock).value(), std::move(manifest).value(), generation.value()};
}

// The merge of one run, named segment `number` of the new generation; a
// thrown bad_alloc (a huge term group) becomes an error like any other.
Result<SegmentInfo> merge_run(const std::vector<std::shared_ptr<SegmentReader>>& run, const std::string& index_dir,
                              const std::string& name, bool store_text, const MergeOptions& options,
                              tbb::task_arena& arena) {
  try {
    return merge_segments(run, index_dir, name, store_text, options, arena);
  } catch (const std::bad_alloc&) {
    return Status::io_error(index_dir + ": out of memory while merging into " + name);
  }
}

// Opens the segments of one run of the manifest, every file's checksum
// checked.
Result<std::vector<std::shared_ptr<SegmentReader>>> open_run(const std::string& index_dir, const Manifest& manifest,
                                                             std::pair<std::size_t, std::size_t> run) {
  std::vector<std::shared_ptr<SegmentReader>> readers;
  for (std::size_t i = run.first; i < run.second; ++i) {
    const SegmentInfo& info = manifest.segments[i];
    auto reader = SegmentReader::open(index_dir + "/" + info.name, info, manifest.settings.store_text);
    if (!reader.is_ok()) return reader.status();
    // open() checks the small files; the postings and text are checked here
    // in full, so that no damaged byte is copied into a new, freshly
    // checksummed segment.
    if (Status s = reader.value()->verify_checksums(); !s.is_ok()) return s;
    readers.push_back(std::move(reader).value());
  }
  return readers;
}

// Writes every planned run; *written counts the names used (for roll back).
// The segments the new manifest lists, in order.
Result<std::vector<SegmentInfo>> write_runs(const std::string& index_dir, const LockedIndex& index, const Runs& runs,
                                            const OptimizeOptions& options, const OptimizeProgress& progress,
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
  std::vector<SegmentInfo> segments;
  const Manifest& manifest = index.manifest;
  std::size_t next = 0;
  for (const auto& run : runs) {
    segments.insert(segments.end(), manifest.segments.begin() + next, manifest.segments.begin() + run.first);
    if (merge.should_stop()) return Status::cancelled(index_dir + ": optimize was cancelled");
    auto readers = open_run(index_dir, manifest, run);
    if (!readers.is_ok()) return readers.status();
    const std::string name = segment_name(index.generation, (*written)++);
    auto info = merge_run(readers.value(), index_dir, name, manifest.settings.store_text, merge, arena);
    if (!info.is_ok()) return info.status();
    segments.push_back(std::move(info).value());
    done += run.second - run.first;
    next = run.second;
  }
  segments.insert(segments.end(), manifest.segments.begin() + next, manifest.segments.end());
  if (progress && !progress(done, total)) return Status::cancelled(index_dir + ": optimize was cancelled");
  return segments;
}

std::uint64_t total_bytes(const std::vector<SegmentInfo>& segments) {
  std::uint64_t bytes = 0;
  for (const SegmentInfo& s : segments) bytes += s.bytes;
  return bytes;
}

}  // namespace

Runs plan_merges(const std::vector<std::uint64_t>& sizes, std::uint64_t max_segments) {
  // Groups of original segments [begin, end) with their total sizes; the
  // cheapest adjacent pair of groups is joined until few enough remain.
  // O(n^2) in the number of segments, which is small (one per batch).
  struct Group {
    std::size_t begin, end;
    std::uint64_t bytes;
  };
  std::vector<Group> groups;
  for (std::size_t i = 0; i < sizes.size(); ++i) groups.push_back(Group{i, i + 1, sizes[i]});
  while (groups.size() > std::max<std::uint64_t>(max_segments, 1)) {
    std::size_t best = 0;
    for (std::size_t i = 1; i + 1 < groups.size(); ++i) {
      if (groups[i].bytes + groups[i + 1].bytes < groups[best].bytes + groups[best + 1].bytes) best = i;
    }
    groups[best] = Group{groups[best].begin, groups[best + 1].end, groups[best].bytes + groups[best + 1].bytes};
    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
  Runs runs;
  for (const Group& g : groups) {
    if (g.end - g.begin >= 2) runs.emplace_back(g.begin, g.end);
  }
  return runs;
}

Result<OptimizeReport> optimize(const std::string& index_dir, const OptimizeOptions& options,
                                const OptimizeProgress& progress) {
  const auto started = Clock::now();
  if (options.max_segments == 0) return Status::invalid_argument("max_segments must be at least 1");
  if (options.postings_per_group == 0) return Status::invalid_argument("postings_per_group must be at least 1");
  Result<LockedIndex> locked = lock_index(index_dir);
  if (!locked.is_ok()) return locked.status();
  const LockedIndex& index = locked.value();
  OptimizeReport report;
  report.segments_before = report.segments_after = index.manifest.segments.size();
  report.bytes_before = report.bytes_after = total_bytes(index.manifest.segments);
  report.generation = index.manifest.generation;
  std::vector<std::uint64_t> sizes;
  for (const SegmentInfo& s : index.manifest.segments) sizes.push_back(s.bytes);
  const Runs runs = plan_merges(sizes, options.max_segments);
  if (!runs.empty()) {
    std::uint64_t written = 0;
    auto segments = write_runs(index_dir, index, runs, options, progress, &written);
    Manifest manifest = index.manifest;
    Status status = segments.status();
    if (status.is_ok()) {
      manifest.generation = index.generation;
      manifest.segments = std::move(segments).value();
      status = segment::write_manifest(index_dir, manifest);
    }
    if (!status.is_ok()) {
      remove_generation(index_dir, index.generation, written);
      return status;
    }
    // After the commit only: the merged-away directories (best effort; the
    // next writer removes what stays).
    (void)clean_leftovers(index_dir, manifest);
    report.segments_after = manifest.segments.size();
    report.bytes_after = total_bytes(manifest.segments);
    report.generation = manifest.generation;
    report.merged = true;
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return report;
}

}  // namespace tomes::index
