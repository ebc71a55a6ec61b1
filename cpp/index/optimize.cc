#include "index/optimize.h"

#include <chrono>

#include "common/file_system.h"
#include "index/index_files.h"
#include "index/index_lock.h"
#include "segment/manifest.h"

namespace tomes::index {

namespace {

using segment::Manifest;
using segment::SegmentInfo;
using Clock = std::chrono::steady_clock;

// The locked index: its committed manifest, cleared of earlier leftovers,
// and the generation this run's names take.
struct LockedIndex {
  IndexLock lock;
  Manifest manifest;
  std::uint64_t generation;
};

Result<LockedIndex> lock_index(const std::string& index_dir, double lock_timeout) {
  if (!is_directory(index_dir)) return Status::not_found(index_dir + ": no index here (not a directory)");
  Result<IndexLock> lock = IndexLock::acquire(index_dir, lock_timeout);
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

std::uint64_t total_bytes(const std::vector<SegmentInfo>& segments) {
  std::uint64_t bytes = 0;
  for (const SegmentInfo& s : segments) bytes += s.bytes;
  return bytes;
}

}  // namespace

Result<OptimizeReport> optimize(const std::string& index_dir, const OptimizeOptions& options,
                                const OptimizeProgress& progress) {
  const auto started = Clock::now();
  if (options.max_segments == 0) return Status::invalid_argument("max_segments must be at least 1");
  if (options.postings_per_group == 0) return Status::invalid_argument("postings_per_group must be at least 1");
  Result<LockedIndex> locked = lock_index(index_dir, options.lock_timeout);
  if (!locked.is_ok()) return locked.status();
  const LockedIndex& index = locked.value();
  MergeCommitOptions merge;
  merge.rule = MergeRule::kMaxSegments;
  merge.max_segments = options.max_segments;
  merge.threads = options.threads;
  merge.postings_per_group = options.postings_per_group;
  Result<Manifest> now = merge_committed(index_dir, index.manifest, index.generation, merge, progress);
  if (!now.is_ok()) return now.status();
  OptimizeReport report;
  report.segments_before = index.manifest.segments.size();
  report.bytes_before = total_bytes(index.manifest.segments);
  report.segments_after = now.value().segments.size();
  report.bytes_after = total_bytes(now.value().segments);
  report.generation = now.value().generation;
  report.merged = now.value().generation != index.manifest.generation;
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return report;
}

}  // namespace tomes::index
