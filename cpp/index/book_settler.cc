#include "index/book_settler.h"

namespace tomes::index {

Status BookSettler::begin(Batch* batch, std::size_t first, const std::string& text_path) {
  batch_ = batch;
  first_ = first;
  next_ = 0;
  kept_ = 0;
  parsed_ = std::make_unique<std::atomic<bool>[]>(batch->books.size());
  for (std::size_t i = 0; i < batch->books.size(); ++i) parsed_[i].store(false, std::memory_order_relaxed);
  text_.reset();
  if (text_path.empty()) return Status::ok();
  text_ = std::make_unique<segment::TextStoreAppender>();
  return text_->open(text_path);
}

void BookSettler::book_parsed(std::size_t index) {
  parsed_[index - first_].store(true, std::memory_order_release);
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (lock.owns_lock()) settle_ready();
}

Status BookSettler::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    settle_ready();
  }
  if (!text_) return Status::ok();
  const Status status = text_->close();
  batch_->text_bytes = text_->size();
  batch_->text_crc = text_->crc();
  text_.reset();
  return status;
}

void BookSettler::settle_ready() {
  while (next_ < batch_->books.size() && parsed_[next_].load(std::memory_order_acquire)) {
    settle(first_ + next_, &batch_->books[next_]);
    ++next_;
  }
}

void BookSettler::drop(ParsedBook* book) {
  book->duplicate = true;
  std::string().swap(book->pairs);  // the writer skips it
  std::string().swap(book->deflated);
}

void BookSettler::settle(std::size_t index, ParsedBook* book) {
  if (book->skipped) return;
  if (hook_ != nullptr) {
    switch (hook_->settle(*book, batch_->segment_name, kept_, &book->duplicate_of_id)) {
      case SettleHook::Verdict::kKeep:
        ++kept_;
        break;
      case SettleHook::Verdict::kUnchanged:
        book->unchanged = true;
        drop(book);
        return;
      case SettleHook::Verdict::kDuplicate:
        drop(book);
        return;
    }
  } else {
    const Fingerprint key{book->text_hash[0], book->text_hash[1]};
    const auto [it, inserted] = first_with_text_.emplace(key, index);
    if (!inserted) {
      book->duplicate_of = it->second;
      drop(book);
      return;
    }
  }
  if (!text_) return;
  // An error is kept by the appender and returned by finish().
  static_cast<void>(text_->append(book->deflated));
  std::string().swap(book->deflated);
}

}  // namespace tomes::index
