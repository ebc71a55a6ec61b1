#include "fst/fst_background_builder.h"

namespace tomes::fst {

BackgroundFstBuilder::BackgroundFstBuilder(ByteSink* sink, std::uint64_t expected_keys)
    : builder_(sink) {
  queue_.set_capacity(1);
  thread_ = std::thread([this, expected_keys] { run(expected_keys); });
}

BackgroundFstBuilder::~BackgroundFstBuilder() {
  if (!finished_) {
    queue_.push(KeyBatch{});  // an empty batch ends the thread
    thread_.join();
  }
}

void BackgroundFstBuilder::run(std::uint64_t expected_keys) {
  if (expected_keys > 0) builder_.reserve(expected_keys);
  for (;;) {
    KeyBatch batch;
    queue_.pop(batch);
    if (batch.size() == 0) return;
    if (failed_.load(std::memory_order_acquire)) continue;  // drain after an error
    std::size_t begin = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Status s = builder_.add(std::string_view(batch.keys).substr(begin, batch.ends[i] - begin),
                              batch.values[i]);
      if (!s.is_ok()) {
        status_ = std::move(s);
        failed_.store(true, std::memory_order_release);
        break;
      }
      begin = batch.ends[i];
    }
  }
}

Status BackgroundFstBuilder::error() const {
  return failed_.load(std::memory_order_acquire) ? status_ : Status::ok();
}

Status BackgroundFstBuilder::add_batch(KeyBatch&& batch) {
  if (finished_) return Status::invalid_argument("BackgroundFstBuilder: add_batch() after finish()");
  if (batch.size() > 0) queue_.push(std::move(batch));
  return error();
}

Status BackgroundFstBuilder::finish() {
  if (finished_) return Status::invalid_argument("BackgroundFstBuilder: finish() called twice");
  finished_ = true;
  queue_.push(KeyBatch{});
  thread_.join();
  if (Status s = error(); !s.is_ok()) return s;
  return builder_.finish();
}

}  // namespace tomes::fst
