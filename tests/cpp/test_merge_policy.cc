// test_merge_policy.cc: the merge policy (index/merge_policy.h), a pure
// function. Checked against exact models where the answer is known (equal
// commits: the segments are the base-F digits of the commit count, and the
// bytes rewritten a carry count), and by properties on random segment lists
// (runs adjacent and disjoint, every segment with >= 25 % deletions
// rewritten, the plan a fixed point, at most F - 1 segments per level).
// Also prints the simulated figures ARCHITECTURE.md quotes.
#include <cmath>
#include <cstdio>
#include <random>

#include "check.h"
#include "index/merge_policy.h"

using namespace tomes;
using index::MergePolicy;
using index::MergeRuns;
using segment::SegmentInfo;

namespace {

SegmentInfo segment_of(std::uint64_t bytes, std::uint64_t docs = 100, std::uint64_t deleted = 0) {
  SegmentInfo s;
  s.bytes = bytes;
  s.num_docs = docs;
  s.deleted_docs = deleted;
  return s;
}

// Runs are ascending, disjoint, inside the list, and each merges two or
// more segments or rewrites one that needs it.
void check_runs_well_formed(const std::vector<SegmentInfo>& segments, const MergeRuns& runs,
                            const MergePolicy& policy) {
  std::size_t last_end = 0;
  for (const auto& [begin, end] : runs) {
    CHECK(begin >= last_end);
    CHECK(begin < end && end <= segments.size());
    CHECK(end - begin >= 2 || index::needs_rewrite(segments[begin], policy));
    last_end = end;
  }
}

// The segment list after the runs are merged: a merged segment's bytes the
// sum of its inputs' live bytes, nothing deleted.
std::vector<SegmentInfo> apply(const std::vector<SegmentInfo>& segments, const MergeRuns& runs,
                               std::uint64_t* rewritten) {
  std::vector<SegmentInfo> out;
  std::size_t next = 0;
  for (const auto& [begin, end] : runs) {
    out.insert(out.end(), segments.begin() + static_cast<std::ptrdiff_t>(next),
               segments.begin() + static_cast<std::ptrdiff_t>(begin));
    std::uint64_t bytes = 0, docs = 0;
    for (std::size_t i = begin; i < end; ++i) {
      bytes += index::live_bytes(segments[i]);
      docs += segments[i].live_docs();
    }
    out.push_back(segment_of(bytes, docs));
    *rewritten += bytes;
    next = end;
  }
  out.insert(out.end(), segments.begin() + static_cast<std::ptrdiff_t>(next), segments.end());
  return out;
}

// Figures of a run of commits: the segment count at the end and the bytes
// written (commits plus merges) over the bytes committed.
struct Simulation {
  std::size_t segments = 0, max_segments = 0;
  double write_amplification = 0;
};

Simulation simulate(const std::vector<std::uint64_t>& commits, const MergePolicy& policy) {
  std::vector<SegmentInfo> segments;
  std::uint64_t committed = 0, rewritten = 0;
  Simulation sim;
  for (std::uint64_t bytes : commits) {
    segments.push_back(segment_of(bytes));
    committed += bytes;
    segments = apply(segments, index::plan_policy_merges(segments, policy), &rewritten);
    sim.max_segments = std::max(sim.max_segments, segments.size());
  }
  sim.segments = segments.size();
  sim.write_amplification = static_cast<double>(committed + rewritten) / static_cast<double>(committed);
  return sim;
}

}  // namespace

TEST_CASE("merge_level_is_floor_log_f_of_size_over_floor") {
  MergePolicy p;
  p.merge_factor = 10;
  p.floor_bytes = 1000;
  CHECK_EQ(index::merge_level(0, p), 0u);
  CHECK_EQ(index::merge_level(9999, p), 0u);
  CHECK_EQ(index::merge_level(10000, p), 1u);
  CHECK_EQ(index::merge_level(99999, p), 1u);
  CHECK_EQ(index::merge_level(100000, p), 2u);
  CHECK_EQ(index::merge_level(UINT64_MAX, p), 16u);  // 1.8e19 / 1e3 = 1.8e16
  p.merge_factor = 2;
  p.floor_bytes = 1;
  CHECK_EQ(index::merge_level(UINT64_MAX, p), 63u);
  CHECK_EQ(index::live_bytes(segment_of(1000, 100, 25)), std::uint64_t{750});
  CHECK(index::needs_rewrite(segment_of(1000, 100, 25), MergePolicy{}));
  CHECK(!index::needs_rewrite(segment_of(1000, 100, 24), MergePolicy{}));
  CHECK(!index::needs_rewrite(segment_of(1000, 100, 0), MergePolicy{}));
}

TEST_CASE("equal_commits_are_a_base_f_counter") {
  // Commits of exactly floor_bytes: F segments of level L merge into one of
  // level L + 1, so after n commits the segment sizes are n's base-F digits
  // (most significant first). A cascade of carries is one merge, written
  // once from its inputs: the bytes rewritten by a commit are F^(L+1)
  // commits for its highest carry L.
  for (std::uint64_t f : {2, 3, 10}) {
    MergePolicy p;
    p.merge_factor = f;
    p.floor_bytes = 1000;
    std::vector<SegmentInfo> segments;
    std::uint64_t rewritten = 0, model_rewritten = 0;
    std::vector<std::uint64_t> digits;  // least significant first
    for (std::uint64_t n = 1; n <= 1500; ++n) {
      segments.push_back(segment_of(p.floor_bytes));
      segments = apply(segments, index::plan_policy_merges(segments, p), &rewritten);
      // The model: add one to the digits, counting carries.
      std::size_t level = 0;
      std::uint64_t unit = 1;
      for (;;) {
        if (digits.size() == level) digits.push_back(0);
        if (++digits[level] < f) break;
        digits[level] = 0;
        unit *= f;
        ++level;
      }
      if (level > 0) model_rewritten += unit * p.floor_bytes;
      std::vector<std::uint64_t> want;
      std::uint64_t place = 1;
      for (std::size_t i = 0; i < digits.size(); ++i, place *= f) {
        for (std::uint64_t k = 0; k < digits[i]; ++k) want.insert(want.begin(), place * p.floor_bytes);
      }
      CHECK_EQ(segments.size(), want.size());
      for (std::size_t i = 0; i < segments.size() && i < want.size(); ++i) CHECK_EQ(segments[i].bytes, want[i]);
      CHECK_EQ(rewritten, model_rewritten);
      const double log_n = std::floor(std::log(static_cast<double>(n)) / std::log(static_cast<double>(f)) + 1e-9);
      CHECK(static_cast<double>(segments.size()) <= static_cast<double>(f - 1) * (log_n + 1));
    }
  }
}

TEST_CASE("random_lists_plan_adjacent_runs_to_a_fixed_point_with_every_heavy_deletion_rewritten") {
  std::mt19937_64 rng(14);
  for (int round = 0; round < 3000; ++round) {
    MergePolicy p;
    p.merge_factor = 2 + rng() % 9;
    p.floor_bytes = 1 + rng() % 5000;
    std::vector<SegmentInfo> segments(rng() % 60);
    for (SegmentInfo& s : segments) {
      const double log_size = static_cast<double>(rng() % 10000) / 1000.0;  // 1 B .. 10 GB, log-uniform
      const std::uint64_t docs = 1 + rng() % 1000;
      const std::uint64_t deleted = rng() % 4 == 0 ? rng() % docs : 0;  // never every doc (such a segment is dropped)
      s = segment_of(static_cast<std::uint64_t>(std::pow(10.0, log_size)), docs, deleted);
    }
    const MergeRuns runs = index::plan_policy_merges(segments, p);
    check_runs_well_formed(segments, runs, p);
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (!index::needs_rewrite(segments[i], p)) continue;
      bool covered = false;
      for (const auto& [begin, end] : runs) covered = covered || (begin <= i && i < end);
      CHECK(covered);
    }
    std::uint64_t rewritten = 0;
    const std::vector<SegmentInfo> after = apply(segments, runs, &rewritten);
    CHECK(index::plan_policy_merges(after, p).empty());  // a fixed point
    // Each stretch of the scan keeps fewer than F segments, and the
    // stretches' levels strictly decrease: at most F - 1 per level.
    std::uint32_t max_level = 0;
    for (const SegmentInfo& s : after) max_level = std::max(max_level, index::merge_level(s.bytes, p));
    CHECK(after.size() <= (p.merge_factor - 1) * (max_level + 1));
  }
}

TEST_CASE("simulated_commits_figures") {
  // The figures ARCHITECTURE.md "Merging segments" quotes (default policy:
  // F = 10, floor 1 MiB). Printed, and bounded loosely: they are a model.
  const MergePolicy p;
  std::mt19937_64 rng(2026);
  const auto row = [&](const char* name, const std::vector<std::uint64_t>& commits) {
    const Simulation s = simulate(commits, p);
    std::printf("%-40s commits %5zu  segments %3zu (max %3zu)  write amplification %.2f\n", name, commits.size(),
                s.segments, s.max_segments, s.write_amplification);
    CHECK(s.max_segments <= 9 * 6);
    return s;
  };
  for (std::size_t n : {100, 1000}) {
    const Simulation even = row("equal commits of 8 MiB", std::vector<std::uint64_t>(n, std::uint64_t{8} << 20));
    CHECK(even.write_amplification <= 1 + std::log10(static_cast<double>(n)) + 1);
    row("equal commits of 100 KiB (under the floor)", std::vector<std::uint64_t>(n, std::uint64_t{100} << 10));
    std::vector<std::uint64_t> mixed(n);
    for (auto& b : mixed) b = static_cast<std::uint64_t>(std::pow(10.0, 4 + static_cast<double>(rng() % 4000) / 1000.0));
    row("log-uniform commits of 10 KB .. 100 MB", mixed);
  }
}

int main() { return tomes::test::run_all(); }
