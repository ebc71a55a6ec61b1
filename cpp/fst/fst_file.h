// fst_file.h: an FST built straight into a file, atomically.
//
// The builder streams into a temporary file beside `path` (same directory,
// so the rename stays within one file system). commit() finishes the FST,
// fsyncs the file, renames it to `path` and fsyncs the directory, so that
// the new name survives a crash. Whoever opens `path` meanwhile sees the old
// file or the whole new one, never a part. Until commit() succeeds (an
// error, or the writer dropped) the temporary file is removed and `path` is
// left as it was.
//
// Every error is a Status whose message names the file it concerns: the
// temporary path (which starts with `path`) or `path` itself.
//
// Thread safety: a writer belongs to one producer thread; the building runs
// on a thread of its own (fst_background_builder.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/byte_sink.h"
#include "common/status.h"
#include "fst/fst_background_builder.h"

namespace tomes::fst {

class FstFileWriter {
 public:
  // Creates the temporary file for path and starts the builder on it.
  // expected_keys: as BackgroundFstBuilder's (0: unknown).
  static Result<std::unique_ptr<FstFileWriter>> create(const std::string& path, std::uint64_t expected_keys = 0);
  // Stops the builder and removes the temporary file unless commit() succeeded.
  ~FstFileWriter();
  FstFileWriter(const FstFileWriter&) = delete;
  FstFileWriter& operator=(const FstFileWriter&) = delete;

  // Queues a batch of pairs. REQUIRES: keys strictly increasing across all
  // batches (the builder's InvalidArgument names both keys otherwise).
  // Returns the builder's first error so far, so a producer can stop early.
  Status add_batch(KeyBatch&& batch);
  // Finishes the FST and puts it in place (see above). REQUIRES: called once.
  Status commit();

  const std::string& path() const { return path_; }

 private:
  FstFileWriter(std::string path, std::string temporary, std::unique_ptr<FileSink> sink,
                std::uint64_t expected_keys);

  std::string path_;
  std::string temporary_;
  // The sink outlives the builder that writes to it: the destructor resets
  // builder_ first.
  std::unique_ptr<FileSink> sink_;
  std::unique_ptr<BackgroundFstBuilder> builder_;
  bool committed_ = false;
};

// Writes the FST of pairs to path through an FstFileWriter.
// REQUIRES: pairs sorted by key (bytes), keys unique.
Status write_fst_file(const std::string& path, const std::vector<std::pair<std::string, std::uint64_t>>& pairs);

}  // namespace tomes::fst
