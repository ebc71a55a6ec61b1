#include "index/merge_policy.h"

#include <algorithm>
#include <limits>

namespace tomes::index {

namespace {

// A stretch of original segments [begin, end) that the plan merges (or
// keeps, if one) and its total live bytes.
struct Group {
  std::size_t begin, end;
  std::uint64_t bytes;
};

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

// One left-to-right scan of the rule; true if it joined any window.
bool join_windows(std::vector<Group>* groups, const MergePolicy& policy) {
  const std::size_t f = static_cast<std::size_t>(policy.merge_factor);
  bool joined = false;
  std::size_t start = 0;
  while (start < groups->size()) {
    std::uint32_t top = 0;
    for (std::size_t i = start; i < groups->size(); ++i) top = std::max(top, merge_level((*groups)[i].bytes, policy));
    std::size_t upto = start;  // the last group of level `top`
    for (std::size_t i = start; i < groups->size(); ++i) {
      if (merge_level((*groups)[i].bytes, policy) == top) upto = i;
    }
    // Full windows of f groups within [start, upto], each joined into one.
    while (start + f <= upto + 1) {
      Group& first = (*groups)[start];
      for (std::size_t i = start + 1; i < start + f; ++i) first.bytes = saturating_add(first.bytes, (*groups)[i].bytes);
      first.end = (*groups)[start + f - 1].end;
      groups->erase(groups->begin() + static_cast<std::ptrdiff_t>(start + 1),
                    groups->begin() + static_cast<std::ptrdiff_t>(start + f));
      upto -= f - 1;
      ++start;
      joined = true;
    }
    start = upto + 1;
  }
  return joined;
}

}  // namespace

std::uint64_t live_bytes(const segment::SegmentInfo& segment) {
  if (segment.num_docs == 0 || segment.deleted_docs == 0) return segment.bytes;
  const long double share = static_cast<long double>(segment.live_docs()) / static_cast<long double>(segment.num_docs);
  return static_cast<std::uint64_t>(static_cast<long double>(segment.bytes) * share);
}

std::uint32_t merge_level(std::uint64_t size, const MergePolicy& policy) {
  // Divides instead of multiplying the bound, so nothing overflows.
  std::uint64_t units = std::max<std::uint64_t>(size, policy.floor_bytes) / policy.floor_bytes;
  std::uint32_t level = 0;
  while (units >= policy.merge_factor) {
    units /= policy.merge_factor;
    ++level;
  }
  return level;
}

bool needs_rewrite(const segment::SegmentInfo& segment, const MergePolicy& policy) {
  if (segment.num_docs == 0 || segment.deleted_docs == 0) return false;
  return static_cast<double>(segment.deleted_docs) >= policy.max_deleted_fraction * static_cast<double>(segment.num_docs);
}

MergeRuns plan_policy_merges(const std::vector<segment::SegmentInfo>& segments, const MergePolicy& policy) {
  std::vector<Group> groups;
  for (std::size_t i = 0; i < segments.size(); ++i) groups.push_back(Group{i, i + 1, live_bytes(segments[i])});
  while (join_windows(&groups, policy)) {
  }
  MergeRuns runs;
  for (const Group& g : groups) {
    if (g.end - g.begin >= 2 || needs_rewrite(segments[g.begin], policy)) runs.emplace_back(g.begin, g.end);
  }
  return runs;
}

MergeRuns plan_merges(const std::vector<std::uint64_t>& sizes, std::uint64_t max_segments) {
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
  MergeRuns runs;
  for (const Group& g : groups) {
    if (g.end - g.begin >= 2) runs.emplace_back(g.begin, g.end);
  }
  return runs;
}

}  // namespace tomes::index
