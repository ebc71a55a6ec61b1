#include "segment/packed_columns.h"

#include <algorithm>

#include "common/bit_fields.h"
#include "common/coding.h"
#include "segment/segment_format.h"

namespace tomes::segment {

namespace {

using namespace packed_columns;

}  // namespace

// --- Writer ---------------------------------------------------------------------------

void PackedColumnsWriter::add(const std::uint64_t* row) {
  values_.insert(values_.end(), row, row + columns_);
  ++rows_;
}

void PackedColumnsWriter::flush(const std::uint64_t* values, std::uint64_t rows, std::string* headers,
                                std::string* packed) const {
  std::uint64_t bases[kMaxColumns], highest[kMaxColumns];
  unsigned widths[kMaxColumns], record = 0;
  for (unsigned c = 0; c < columns_; ++c) {
    bases[c] = highest[c] = values[c];
    for (std::uint64_t r = 1; r < rows; ++r) {
      bases[c] = std::min(bases[c], values[r * columns_ + c]);
      highest[c] = std::max(highest[c], values[r * columns_ + c]);
    }
    widths[c] = bit_width_of(highest[c] - bases[c]);
    record += widths[c];
  }
  put_u32(headers, static_cast<std::uint32_t>(packed->size()));
  for (unsigned c = 0; c < columns_; ++c) {
    put_u64(headers, bases[c]);
    headers->push_back(static_cast<char>(widths[c]));
  }
  const std::uint64_t at = packed->size();
  packed->resize(at + packed_bytes(rows, record), '\0');
  std::uint64_t bit = at * 8;
  for (std::uint64_t r = 0; r < rows; ++r) {
    for (unsigned c = 0; c < columns_; ++c) {
      put_bits(packed, bit, values[r * columns_ + c] - bases[c], widths[c]);
      bit += widths[c];
    }
  }
}

void PackedColumnsWriter::finish(std::string* out) const {
  std::string headers, packed;
  for (std::uint64_t first = 0; first < rows_; first += kRowsPerBlock) {
    flush(values_.data() + first * columns_, std::min(kRowsPerBlock, rows_ - first), &headers, &packed);
  }
  out->append(headers);
  out->append(packed);
}

// --- Reader ---------------------------------------------------------------------------

Result<PackedColumns> PackedColumns::open(std::string_view bytes, std::uint64_t rows, unsigned columns,
                                          const std::string& path, const std::string& what, std::uint64_t* size) {
  PackedColumns t;
  t.path_ = path;
  t.what_ = what;
  t.rows_ = rows;
  t.columns_ = columns;
  t.header_bytes_ = header_bytes(columns);
  const std::uint64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  if (blocks > bytes.size() / t.header_bytes_) {
    return Status::corruption(path + ": " + what + ": " + std::to_string(bytes.size()) +
                              " bytes cannot hold the block headers of " + std::to_string(rows) + " rows");
  }
  t.headers_ = bytes.substr(0, blocks * t.header_bytes_);
  std::uint64_t end = 0;
  for (std::uint64_t b = 0; b < blocks; ++b) {
    bool widths_ok = true;
    for (unsigned c = 0; c < columns; ++c) widths_ok = widths_ok && t.width(b, c) <= 64;
    if (!widths_ok || t.block_start(b) != end) {
      return Status::corruption(path + ": " + what + ": block " + std::to_string(b) +
                                " has a width over 64 or starts at " + std::to_string(t.block_start(b)) +
                                ", expected " + std::to_string(end));
    }
    const std::uint64_t k = std::min(kRowsPerBlock, rows - b * kRowsPerBlock);
    end += packed_bytes(k, t.record_bits(b));
    if (end > bytes.size() - t.headers_.size() || end > UINT32_MAX) {
      return Status::corruption(path + ": " + what + ": block " + std::to_string(b) + " ends past the file");
    }
  }
  t.packed_ = bytes.substr(t.headers_.size(), end);
  *size = t.headers_.size() + end;
  return t;
}

std::uint64_t PackedColumns::base(std::uint64_t block, unsigned column) const {
  return get_u64(headers_.data() + block * header_bytes_ + kColumns + column * kColumnBytes);
}

unsigned PackedColumns::width(std::uint64_t block, unsigned column) const {
  return static_cast<unsigned char>(headers_[block * header_bytes_ + kColumns + column * kColumnBytes + 8]);
}

std::uint64_t PackedColumns::block_start(std::uint64_t block) const {
  return get_u32(headers_.data() + block * header_bytes_ + kPackedStart);
}

unsigned PackedColumns::record_bits(std::uint64_t block) const {
  unsigned bits = 0;
  for (unsigned c = 0; c < columns_; ++c) bits += width(block, c);
  return bits;
}

std::uint64_t PackedColumns::packed_value(std::uint64_t row, unsigned column) const {
  const std::uint64_t block = row / kRowsPerBlock;
  std::uint64_t bit = block_start(block) * 8 + (row % kRowsPerBlock) * record_bits(block);
  for (unsigned c = 0; c < column; ++c) bit += width(block, c);
  return get_bits(reinterpret_cast<const unsigned char*>(packed_.data()), bit, width(block, column));
}

std::uint64_t PackedColumns::get(std::uint64_t row, unsigned column) const {
  return base(row / kRowsPerBlock, column) + packed_value(row, column);
}

std::uint64_t PackedColumns::decode_block(std::uint64_t block, std::uint64_t* out) const {
  const std::uint64_t k = std::min(kRowsPerBlock, rows_ - block * kRowsPerBlock);
  const auto* p = reinterpret_cast<const unsigned char*>(packed_.data());
  unsigned widths[kMaxColumns];
  for (unsigned c = 0; c < columns_; ++c) widths[c] = width(block, c);
  std::uint64_t bit = block_start(block) * 8;
  for (std::uint64_t r = 0; r < k; ++r) {
    for (unsigned c = 0; c < columns_; ++c) {
      out[r * columns_ + c] = get_bits(p, bit, widths[c]);
      bit += widths[c];
    }
  }
  return k;
}

Status PackedColumns::verify() const {
  const std::uint64_t blocks = headers_.size() / header_bytes_;
  std::vector<std::uint64_t> values(kRowsPerBlock * columns_);
  for (std::uint64_t b = 0; b < blocks; ++b) {
    const std::uint64_t k = decode_block(b, values.data());
    for (unsigned c = 0; c < columns_; ++c) {
      std::uint64_t least = UINT64_MAX, most = 0;
      for (std::uint64_t r = 0; r < k; ++r) {
        least = std::min(least, values[r * columns_ + c]);
        most = std::max(most, values[r * columns_ + c]);
      }
      if (least != 0 || bit_width_of(most) != width(b, c) || base(b, c) > UINT64_MAX - most) {
        return Status::corruption(path_ + ": " + what_ + ": block " + std::to_string(b) + ", column " +
                                  std::to_string(c) + ": base or width is not the least one");
      }
    }
    const std::uint64_t used = k * record_bits(b), end_bit = (block_start(b) + packed_bytes(k, record_bits(b))) * 8;
    const std::uint64_t bit = block_start(b) * 8 + used;
    if (bit < end_bit && get_bits(reinterpret_cast<const unsigned char*>(packed_.data()), bit,
                                  static_cast<unsigned>(end_bit - bit)) != 0) {
      return Status::corruption(path_ + ": " + what_ + ": block " + std::to_string(b) + ": bits set after its last row");
    }
  }
  return Status::ok();
}

std::uint64_t PackedColumns::values(std::uint64_t block, std::uint64_t* out) const {
  const std::uint64_t k = decode_block(block, out);
  for (unsigned c = 0; c < columns_; ++c) {
    const std::uint64_t b = base(block, c);
    for (std::uint64_t r = 0; r < k; ++r) out[r * columns_ + c] += b;
  }
  return k;
}

}  // namespace tomes::segment
