// build_info.h: versions of what the core was built with and runs against,
// for `tomes --version` and bug reports. (The Unicode version of the
// analysis tables is analysis/unicode_tables.h's: common depends on nothing.)
//
// Thread safety: pure functions.
#pragma once

#include <string>

namespace tomes {

struct BuildInfo {
  std::string tomes;            // this library
  std::string tbb;              // oneTBB at run time (the shared library loaded)
  std::string zlib;             // zlib at run time
};

BuildInfo build_info();

}  // namespace tomes
