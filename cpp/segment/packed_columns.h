// packed_columns.h: a table of rows of a few u64 columns, bit-packed in
// blocks of 128 rows with frame of reference, read in O(1) per value. The
// one encoding of chunks.bin's chunk spans and book entries (chunk_table.h)
// and of books.bin's per-book numbers (book_table.h); docs/FORMAT.md
// section 4 gives the bytes.
//
// Layout (segment_format.h, packed_columns): one header per block, then the
// packed area. A header is a u32 (where the block's records start in the
// packed area, in bytes) then per column a u64 base (the least value of the
// column in the block) and a u8 width (bits of its largest value - base).
// A block's records are row after row, each column's value - base in its
// width, lowest bit first (bit p is bit p % 8 of byte p / 8), the block
// padded with 0 bits to a whole byte. The table's size follows from its
// headers, so tables are laid back to back without sizes.
//
// Thread safety: the writer belongs to one thread; a PackedColumns is
// immutable after open() and may be read from any number of threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tomes::segment {

class PackedColumnsWriter {
 public:
  // REQUIRES: 1 <= columns <= packed_columns::kMaxColumns.
  explicit PackedColumnsWriter(unsigned columns) : columns_(columns) {}
  // Appends a row of columns() values.
  void add(const std::uint64_t* row);
  std::uint64_t rows() const { return rows_; }
  // Appends the table (headers, then packed area) to *out.
  void finish(std::string* out) const;

 private:
  void flush(const std::uint64_t* values, std::uint64_t rows, std::string* headers, std::string* packed) const;

  unsigned columns_;
  std::uint64_t rows_ = 0;
  std::vector<std::uint64_t> values_;  // row-major, every row so far
};

class PackedColumns {
 public:
  // Reads a table of `rows` rows of `columns` columns from the start of
  // bytes; *size gets its size. Corruption naming path and what unless
  // every header is in bytes, every width <= 64 and every block's start is
  // where the blocks before it end: O(blocks), after which get() reads only
  // inside the table.
  static Result<PackedColumns> open(std::string_view bytes, std::uint64_t rows, unsigned columns,
                                    const std::string& path, const std::string& what, std::uint64_t* size);
  // Corruption unless the table is the one the writer writes for its values:
  // every base the least value of its column in its block, every width that
  // of its largest value - base, base + value within 64 bits, padding 0.
  // O(rows).
  Status verify() const;
  // The values of block `block` (rows [128 block, 128 block + 128)) into
  // out, row-major; returns its number of rows. REQUIRES: the block
  // exists, out holds 128 x columns values.
  std::uint64_t values(std::uint64_t block, std::uint64_t* out) const;

  std::uint64_t rows() const { return rows_; }
  // REQUIRES: row < rows(), column < columns.
  std::uint64_t get(std::uint64_t row, unsigned column) const;

 private:
  std::uint64_t packed_value(std::uint64_t row, unsigned column) const;  // value - base
  // The values - base of a block's rows into out (row-major); its rows.
  std::uint64_t decode_block(std::uint64_t block, std::uint64_t* out) const;
  std::uint64_t base(std::uint64_t block, unsigned column) const;
  unsigned width(std::uint64_t block, unsigned column) const;
  std::uint64_t block_start(std::uint64_t block) const;  // in packed_, bytes
  unsigned record_bits(std::uint64_t block) const;

  std::string path_, what_;
  std::uint64_t rows_ = 0;
  unsigned columns_ = 0;
  std::size_t header_bytes_ = 0;
  std::string_view headers_, packed_;
};

}  // namespace tomes::segment
