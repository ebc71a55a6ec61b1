#include "common/build_info.h"

#include <oneapi/tbb/version.h>
#include <zlib.h>

#include "analysis/unicode_tables.h"

namespace tomes {

BuildInfo build_info() {
  BuildInfo info;
  info.tomes = TOMES_VERSION;
  info.tbb = TBB_runtime_version();
  info.zlib = zlibVersion();
  info.unicode = analysis::unicode::kUnicodeVersion;
  return info;
}

}  // namespace tomes
