// temp_files.h: scratch directories and files for the ctest suites that
// build indexes on disk (test_index, test_search, test_batch_search).
//
// Thread safety: as the C library's mkdtemp and std::ofstream.
#pragma once

#include <stdlib.h>

#include <fstream>
#include <string>

#include "check.h"

namespace tomes::test {

// A new empty directory /tmp/tomes-test-<suite>-XXXXXX.
inline std::string temp_dir(const std::string& suite) {
  std::string pattern = "/tmp/tomes-test-" + suite + "-XXXXXX";
  const char* dir = mkdtemp(pattern.data());
  CHECK(dir != nullptr);
  return pattern;
}

// Writes bytes to path, replacing what was there.
inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

}  // namespace tomes::test
