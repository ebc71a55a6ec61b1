#include "search/expansion.h"

#include <algorithm>
#include <map>
#include <utility>

#include "fst/fst_fuzzy.h"
#include "fst/fst_reader.h"

namespace tomes::search {

namespace {

// Candidates by term, merged across segments (segments visited in order,
// so each candidate's segments are in order too).
using Candidates = std::map<std::string, FoundTerm, std::less<>>;

// Records key (with its entry in segment) as a candidate at the given distance.
void add_candidate(const segment::SegmentReader& segment, std::string_view key, const segment::TermEntry& entry,
                   unsigned distance, Candidates* candidates) {
  auto it = candidates->find(key);
  if (it == candidates->end()) {
    it = candidates->emplace(std::string(key), FoundTerm{}).first;
    it->second.term = std::string(key);
  }
  it->second.distance = distance;
  it->second.df += entry.live_count;
  it->second.found.push_back(SegmentTerm{&segment, entry});
}

// The best kMaxExpansions candidates by `before` (a stable sort of term
// order, so term order breaks the remaining ties).
template <class Before>
void keep_best(Candidates* candidates, Before before, std::vector<FoundTerm>* out) {
  std::vector<FoundTerm> list;
  list.reserve(candidates->size());
  for (auto& [key, term] : *candidates) list.push_back(std::move(term));
  std::stable_sort(list.begin(), list.end(), before);
  if (list.size() > kMaxExpansions) list.resize(kMaxExpansions);
  out->insert(out->end(), std::make_move_iterator(list.begin()), std::make_move_iterator(list.end()));
}

}  // namespace

Status find_exact(const Segments& segments, std::string_view term, FoundTerm* out) {
  *out = FoundTerm{};
  out->term = std::string(term);
  for (const auto& segment : segments) {
    bool present = false;
    SegmentTerm t{segment.get(), {}};
    if (Status s = segment->find_term(term, &present, &t.entry); !s.is_ok()) return s;
    if (!present || t.entry.live_count == 0) continue;
    out->df += t.entry.live_count;
    out->found.push_back(t);
  }
  return Status::ok();
}

Status expand_fuzzy(const Segments& segments, const std::string& term, unsigned distance,
                    bool transpositions, std::vector<FoundTerm>* out) {
  Candidates candidates;
  for (const auto& segment : segments) {
    Status failed;
    Status s = fst::fuzzy_search(segment->terms(), term, fst::FuzzyOptions{distance, transpositions},
                                 [&](std::string_view key, std::uint64_t ordinal, unsigned d) {
                                   segment::TermEntry entry;
                                   if (!failed.is_ok()) return;
                                   failed = segment->term_entry(ordinal, &entry);
                                   if (failed.is_ok() && entry.live_count != 0) {
                                     add_candidate(*segment, key, entry, d, &candidates);
                                   }
                                 });
    if (!s.is_ok()) return s;
    if (!failed.is_ok()) return failed;
  }
  keep_best(&candidates,
            [](const FoundTerm& a, const FoundTerm& b) {
              return a.distance != b.distance ? a.distance < b.distance : a.df > b.df;
            },
            out);
  return Status::ok();
}

Status expand_prefix(const Segments& segments, const std::string& prefix, std::vector<FoundTerm>* out) {
  Candidates candidates;
  Status s = for_each_prefix_term(segments, prefix,
                                  [&](const segment::SegmentReader& segment, std::string_view key,
                                      const segment::TermEntry& entry) {
                                    add_candidate(segment, key, entry, 0, &candidates);
                                    return Status::ok();
                                  });
  if (!s.is_ok()) return s;
  keep_best(&candidates, [](const FoundTerm& a, const FoundTerm& b) { return a.df > b.df; }, out);
  return Status::ok();
}

Status for_each_prefix_term(
    const Segments& segments, std::string_view prefix,
    const std::function<Status(const segment::SegmentReader&, std::string_view, const segment::TermEntry&)>& visit) {
  fst::FstStream::Bounds bounds;
  bounds.has_ge = true;
  bounds.ge = std::string(prefix);
  bounds.has_lt = fst::prefix_successor(prefix, &bounds.lt);
  for (const auto& segment : segments) {
    fst::FstStream stream(segment->terms(), bounds);
    std::string_view key;
    std::uint64_t ordinal = 0;
    while (stream.next(&key, &ordinal)) {
      segment::TermEntry entry;
      if (Status s = segment->term_entry(ordinal, &entry); !s.is_ok()) return s;
      if (entry.live_count == 0) continue;
      if (Status s = visit(*segment, key, entry); !s.is_ok()) return s;
    }
    if (!stream.status().is_ok()) return stream.status();
  }
  return Status::ok();
}

}  // namespace tomes::search
