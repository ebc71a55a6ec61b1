#include "index/index_files.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "segment/manifest.h"
#include "segment/segment_format.h"

namespace tomes::index {

namespace {

constexpr std::string_view kTemporaryPrefix = ".tmp-";

bool starts_with(const std::string& name, std::string_view prefix) { return name.rfind(prefix, 0) == 0; }

// A segment being written, or a manifest being written (write_file_atomic's
// temporary names start with the target's name and ".tmp").
bool is_temporary(const std::string& name) {
  return starts_with(name, std::string(kTemporaryPrefix) + "segment_") ||
         starts_with(name, std::string(segment::kManifestFile) + ".tmp");
}

}  // namespace

std::string segment_name(std::uint64_t generation, std::uint64_t number) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "segment_%06llu_%06llu", static_cast<unsigned long long>(generation),
                static_cast<unsigned long long>(number));
  return buf;
}

bool parse_segment_name(const std::string& name, std::uint64_t* generation) {
  unsigned long long g = 0, n = 0;
  char tail = 0;
  if (std::sscanf(name.c_str(), "segment_%llu_%llu%c", &g, &n, &tail) != 2) return false;
  // sscanf also takes "segment_3_+12" or unpadded numbers: only the exact
  // spelling is ours.
  if (segment_name(g, n) != name) return false;
  *generation = g;
  return true;
}

std::string temporary_segment_name(const std::string& segment_name) {
  return std::string(kTemporaryPrefix) + segment_name;
}

Status clean_leftovers(const std::string& index_dir, const std::set<std::string>& keep, bool known) {
  Result<std::vector<std::string>> names = list_directory(index_dir);
  if (!names.is_ok()) return names.status();
  for (const std::string& name : names.value()) {
    std::uint64_t generation = 0;
    const bool stale_segment = known && parse_segment_name(name, &generation) && keep.count(name) == 0;
    if (is_temporary(name) || stale_segment) {
      if (Status s = remove_tree(index_dir + "/" + name); !s.is_ok()) return s;
    }
  }
  return Status::ok();
}

namespace {

// Inside one listed segment: deletes files other than `deletes`, temporaries.
Status clean_segment(const std::string& segment_dir, const std::string& deletes) {
  Result<std::vector<std::string>> names = list_directory(segment_dir);
  if (!names.is_ok()) return names.status();
  for (const std::string& name : names.value()) {
    const bool stale_deletes = starts_with(name, segment::kDeletesPrefix) && name != deletes;
    if (stale_deletes || starts_with(name, kTemporaryPrefix)) {
      if (Status s = remove_tree(segment_dir + "/" + name); !s.is_ok()) return s;
    }
  }
  return Status::ok();
}

}  // namespace

Status clean_leftovers(const std::string& index_dir, const segment::Manifest& committed) {
  std::set<std::string> keep;
  for (const segment::SegmentInfo& s : committed.segments) keep.insert(s.name);
  if (Status s = clean_leftovers(index_dir, keep, true); !s.is_ok()) return s;
  for (const segment::SegmentInfo& s : committed.segments) {
    if (Status st = clean_segment(index_dir + "/" + s.name, s.deletes); !st.is_ok()) return st;
  }
  return Status::ok();
}

Result<std::uint64_t> next_generation(const std::string& index_dir, std::uint64_t committed) {
  Result<std::vector<std::string>> names = list_directory(index_dir);
  if (!names.is_ok()) return names.status();
  std::uint64_t highest = committed;
  for (const std::string& name : names.value()) {
    std::uint64_t generation = 0;
    if (parse_segment_name(name, &generation)) highest = std::max(highest, generation);
  }
  return highest + 1;
}

void remove_generation(const std::string& index_dir, std::uint64_t generation, std::uint64_t count) {
  for (std::uint64_t n = 0; n < count; ++n) {
    const std::string name = segment_name(generation, n);
    (void)remove_tree(index_dir + "/" + name);
    (void)remove_tree(index_dir + "/" + temporary_segment_name(name));
  }
}

}  // namespace tomes::index
