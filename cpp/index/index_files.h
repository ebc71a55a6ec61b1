// index_files.h: the names a writer gives the entries of an index directory,
// and the removal of what earlier runs left there. Every name is built and
// recognised here, so the writer, the clean-up and the tests agree on them.
//
//   index.json                      the manifest (manifest.h): the commit
//   index.json.tmp-<pid>-<n>        a manifest being written
//   segment_GGGGGG_NNNNNN/          segment N of generation G (segment_name)
//   .tmp-segment_GGGGGG_NNNNNN/     that segment being written
//   .tomes.lock                     the writer's lock (index_lock.h)
//   segment_.../deletes_GGGGGG.bin  a segment's deletions as of generation G
//                                   (segment/deletes.h); only the one
//                                   index.json names counts
//   segment_.../.tmp-*              a file being written inside a segment
//
// G and N are decimal, zero-padded to at least 6 digits. Every run writes a
// generation of its own, above every one present, so the names of a run that
// fails are nobody else's and can be removed without looking at them.
//
// Thread safety: pure functions over names and the file system; the
// functions that change the directory REQUIRE the index lock held.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "common/status.h"
#include "segment/manifest.h"

namespace tomes::index {

// "segment_000003_000012" for generation 3, segment 12.
std::string segment_name(std::uint64_t generation, std::uint64_t number);

// True if name is exactly what segment_name() writes for some generation and
// number; then *generation is set to that generation.
bool parse_segment_name(const std::string& name, std::uint64_t* generation);

// The name a segment is written under before it is renamed to segment_name:
// ".tmp-" + segment_name.
std::string temporary_segment_name(const std::string& segment_name);

// Removes what earlier runs left in index_dir: temporary segments and
// manifests always; segment directories not in `keep` only when `known` is
// true (the committed manifest was read, so what is committed is certain).
// REQUIRES: the index lock is held.
Status clean_leftovers(const std::string& index_dir, const std::set<std::string>& keep, bool known);

// The same with what is committed certain (known): keeps the segments
// `committed` lists and removes, inside each of them, every deletes file
// other than the one it names (older commits', or an uncommitted one) and
// every ".tmp-" entry.
// REQUIRES: the index lock is held; committed is index_dir/index.json's.
Status clean_leftovers(const std::string& index_dir, const segment::Manifest& committed);

// A generation above `committed` and above every segment directory present,
// committed or not.
Result<std::uint64_t> next_generation(const std::string& index_dir, std::uint64_t committed);

// Removes segments 0 .. count - 1 of `generation`, finished or temporary,
// and ignores errors: it runs after a run failed, and that failure is the
// error to report.
// REQUIRES: the index lock is held; no reader knows these names (the
// generation was never committed).
void remove_generation(const std::string& index_dir, std::uint64_t generation, std::uint64_t count);

}  // namespace tomes::index
