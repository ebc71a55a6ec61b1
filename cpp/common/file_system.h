// file_system.h: the few POSIX file-system steps an atomic commit needs,
// as Status-returning functions whose errors name the path.
//
// Thread safety: pure functions over the file system.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace tomes {

// "path: what: strerror(err)": NotFound for ENOENT, else IOError.
Status errno_status(const std::string& what, const std::string& path, int err);

bool is_directory(const std::string& path);
// mkdir -p.
Status make_directories(const std::string& path);
// Creates path, which must not exist (IOError naming it otherwise).
Status make_directory(const std::string& path);
// rm -rf (no error if path does not exist). Never follows symlinks.
Status remove_tree(const std::string& path);
// rename(2): atomic replacement within one file system.
Status rename_path(const std::string& from, const std::string& to);
// The size of a regular file (symlinks not followed).
Result<std::uint64_t> file_size(const std::string& path);
// fsync of a directory, so the names in it (renames, new files) are durable.
Status sync_directory(const std::string& path);
// The names in a directory, without . and .., sorted.
Result<std::vector<std::string>> list_directory(const std::string& path);
// Reads a whole (small) file.
Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes);

}  // namespace tomes
