#include "common/build_info.h"

#include <oneapi/tbb/version.h>
#include <zlib.h>

namespace tomes {

BuildInfo build_info() {
  BuildInfo info;
  info.tomes = TOMES_VERSION;
  info.tbb = TBB_runtime_version();
  info.zlib = zlibVersion();
  return info;
}

}  // namespace tomes
