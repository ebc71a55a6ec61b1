#include "segment/text_store.h"

#include <zlib.h>

#include <algorithm>

#include "common/coding.h"
#include "common/file_system.h"
#include "segment/segment_format.h"

namespace tomes::segment {

bool deflate_text_blocks(std::string_view text, std::string* deflated, std::vector<TextBlock>* blocks) {
  for (std::size_t at = 0; at < text.size(); at += kTextBlockBytes) {
    const std::string_view block = text.substr(at, kTextBlockBytes);
    uLongf bound = compressBound(static_cast<uLong>(block.size()));
    const std::size_t before = deflated->size();
    deflated->resize(before + bound);
    // Level 1: indexing speed first; text compresses ~2.5x even so.
    const int rc = compress2(reinterpret_cast<Bytef*>(&(*deflated)[before]), &bound,
                             reinterpret_cast<const Bytef*>(block.data()), static_cast<uLong>(block.size()), 1);
    if (rc != Z_OK) return false;
    deflated->resize(before + bound);
    blocks->push_back(TextBlock{static_cast<std::uint32_t>(block.size()), static_cast<std::uint32_t>(bound)});
  }
  return true;
}

Status TextStoreAppender::open(const std::string& path) {
  file_ = std::make_unique<FileSink>(path);
  sink_ = std::make_unique<ChecksumSink>(file_.get());
  status_ = file_->status();
  return status_;
}

Status TextStoreAppender::append(std::string_view deflated) {
  if (status_.is_ok()) status_ = sink_->write(deflated);
  return status_;
}

Status TextStoreAppender::close() {
  if (status_.is_ok()) status_ = file_->close();
  return status_;
}

void TextTableWriter::add_book(const std::vector<TextBlock>& blocks) {
  for (const TextBlock& block : blocks) {
    put_u64(&table_, deflated_bytes_);
    put_u32(&table_, block.deflated_bytes);
    put_u32(&table_, block.raw_bytes);
    deflated_bytes_ += block.deflated_bytes;
    ++blocks_;
  }
}

Status TextTableWriter::write(const std::string& dir, std::uint64_t size, std::uint32_t crc,
                              std::vector<FileRecord>* files) {
  const std::string path = dir + "/" + std::string(kTextFile);
  Result<std::uint64_t> spilled = file_size(path);  // changed by another process?
  if (!spilled.is_ok()) return spilled.status();
  if (spilled.value() != size) {
    return Status::io_error(path + ": holds " + std::to_string(spilled.value()) + " bytes, " + std::to_string(size) +
                            " were written to it");
  }
  put_u64(&table_, blocks_);
  FootedFileWriter file(dir, kTextFile, kTextMagic, size, crc);
  if (!file.status().is_ok()) return file.status();
  if (Status s = file.write(table_); !s.is_ok()) return s;
  return file.finish(files);
}

Result<TextStore> TextStore::open(std::string_view body, const std::string& path) {
  if (body.size() < kTextCountBytes) return body_size_error(path, kTextCountBytes, body.size());
  TextStore store;
  store.path_ = path;
  store.num_blocks_ = get_u64(body.data() + body.size() - kTextCountBytes);
  const std::uint64_t table_bytes = store.num_blocks_ * text_block_entry::kBytes;
  if (store.num_blocks_ > body.size() / text_block_entry::kBytes || table_bytes + kTextCountBytes > body.size()) {
    return Status::corruption(path + ": block count " + std::to_string(store.num_blocks_) + " does not fit the file");
  }
  store.data_ = body.substr(0, body.size() - kTextCountBytes - table_bytes);
  store.table_ = body.substr(store.data_.size(), table_bytes);
  for (std::uint64_t i = 0; i < store.num_blocks_; ++i) {
    const char* e = store.table_.data() + i * text_block_entry::kBytes;
    const std::uint64_t offset = get_u64(e + text_block_entry::kOffset);
    const std::uint32_t length = get_u32(e + text_block_entry::kDeflatedLength);
    const std::uint32_t raw = get_u32(e + text_block_entry::kRawLength);
    if (offset > store.data_.size() || length > store.data_.size() - offset || raw > kTextBlockBytes) {
      return Status::corruption(path + ": text block " + std::to_string(i) + " is out of bounds");
    }
  }
  return store;
}

std::string_view TextStore::deflated_block(std::uint64_t i, TextBlock* sizes) const {
  const char* e = table_.data() + i * text_block_entry::kBytes;
  sizes->deflated_bytes = get_u32(e + text_block_entry::kDeflatedLength);
  sizes->raw_bytes = get_u32(e + text_block_entry::kRawLength);
  return data_.substr(get_u64(e + text_block_entry::kOffset), sizes->deflated_bytes);
}

Result<std::string> TextStore::read(std::uint32_t first_block, std::uint32_t byte_start, std::uint32_t byte_end,
                                    std::uint32_t chunk) const {
  const std::uint32_t first = byte_start / kTextBlockBytes;
  const std::uint32_t last = (byte_end - 1) / kTextBlockBytes;
  std::string out;
  std::string raw;
  for (std::uint32_t k = first; k <= last; ++k) {
    const std::uint32_t block = first_block + k;
    const char* e = table_.data() + std::size_t{block} * text_block_entry::kBytes;
    const std::string_view deflated =
        data_.substr(get_u64(e + text_block_entry::kOffset), get_u32(e + text_block_entry::kDeflatedLength));
    const std::uint32_t raw_len = get_u32(e + text_block_entry::kRawLength);
    raw.resize(raw_len);
    uLongf got = raw_len;
    const int rc = uncompress(reinterpret_cast<Bytef*>(raw.data()), &got,
                              reinterpret_cast<const Bytef*>(deflated.data()), static_cast<uLong>(deflated.size()));
    if (rc != Z_OK || got != raw_len) {
      return Status::corruption(path_ + ": text block " + std::to_string(block) + " does not inflate to " +
                                std::to_string(raw_len) + " bytes");
    }
    const std::uint64_t block_start = std::uint64_t{k} * kTextBlockBytes;
    const std::uint64_t from = std::max<std::uint64_t>(byte_start, block_start) - block_start;
    const std::uint64_t to = std::min<std::uint64_t>(byte_end, block_start + raw_len);
    if (to < block_start + from) {
      return Status::corruption(path_ + ": text block " + std::to_string(block) + " is shorter than the chunk needs");
    }
    out.append(raw, from, to - block_start - from);
  }
  if (out.size() != byte_end - byte_start) {
    return Status::corruption(path_ + ": the stored text is shorter than chunk " + std::to_string(chunk));
  }
  return out;
}

}  // namespace tomes::segment
