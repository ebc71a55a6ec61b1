// test_chunk_table.cc: the packed tables of chunks.bin (segment/chunk_table.h)
// and books.bin (segment/book_table.h), and their one encoding
// (segment/packed_columns.h), against the plain values they encode: random
// round trips (empty, partial and full blocks, values up to 64 bits, chunk
// starts that fall, books of one chunk and of thousands, with and without
// stored text), and damage: every bit flip of a small file is Corruption or
// a table whose every lookup is still in bounds, every truncation Corruption.
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "segment/book_table.h"
#include "segment/chunk_table.h"
#include "segment/packed_columns.h"
#include "segment/segment_format.h"
#include "temp_files.h"

using namespace tomes;
using segment::BookRecord;
using segment::ChunkEntry;
using segment::ChunkTable;
using segment::PackedColumns;

namespace {

struct PlainBook {
  std::string name;
  std::uint32_t text_blocks = 0;
  std::vector<ChunkEntry> chunks;
};

// Books of mostly overlapping ~1000-point chunks, some of one chunk, some
// of thousands, with occasional falling or huge starts.
std::vector<PlainBook> random_books(std::uint32_t n, std::mt19937_64& rng) {
  std::vector<PlainBook> books(n);
  for (std::uint32_t b = 0; b < n; ++b) {
    PlainBook& book = books[b];
    book.name = "dir/book-" + std::string(rng() % 20, 'x') + std::to_string(b) + ".txt";
    const unsigned shape = rng() % 10;
    const std::uint32_t chunks = shape == 0 ? 1 + rng() % 700 : 1 + rng() % 6;
    std::uint32_t start = 0, byte_start = 0;
    for (std::uint32_t c = 0; c < chunks; ++c) {
      ChunkEntry e;
      e.book = b;
      e.chunk = c;
      e.start = rng() % 50 == 0 ? static_cast<std::uint32_t>(rng() % 4000000000u) : start;
      e.end = e.start + 1 + static_cast<std::uint32_t>(rng() % 1000);
      e.byte_start = byte_start;
      e.byte_end = byte_start + (e.end - e.start) + static_cast<std::uint32_t>(rng() % 30);
      start = e.end > 100 ? e.end - 100 : e.end;
      byte_start = e.byte_end - static_cast<std::uint32_t>(rng() % (e.byte_end - e.byte_start));
      book.chunks.push_back(e);
    }
    book.text_blocks = book.chunks.back().byte_end / segment::kTextBlockBytes + 1 + rng() % 2;
  }
  return books;
}

std::string read_body(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::string bytes = s.str();
  CHECK(bytes.size() >= 16);
  return bytes.substr(0, bytes.size() - 16);  // the footer
}

std::string write_chunks(const std::vector<PlainBook>& books, bool store_text) {
  segment::ChunkTableWriter w(store_text);
  for (const PlainBook& book : books) {
    w.add_book(book.name, book.text_blocks);
    for (const ChunkEntry& c : book.chunks) w.add_chunk(c.start, c.end, c.byte_start, c.byte_end);
  }
  const std::string dir = test::temp_dir("chunk-table");
  std::vector<segment::FileRecord> files;
  CHECK(w.write(dir, &files).is_ok());
  return read_body(dir + "/chunks.bin");
}

std::uint64_t total_blocks(const std::vector<PlainBook>& books) {
  std::uint64_t n = 0;
  for (const PlainBook& b : books) n += b.text_blocks;
  return n;
}

std::uint64_t total_chunks(const std::vector<PlainBook>& books) {
  std::uint64_t n = 0;
  for (const PlainBook& b : books) n += b.chunks.size();
  return n;
}

void check_same(const ChunkTable& t, const std::vector<PlainBook>& books, bool store_text) {
  std::uint32_t local = 0, block = 0;
  CHECK_EQ(t.num_books(), books.size());
  for (std::uint32_t b = 0; b < books.size(); ++b) {
    CHECK(t.book_name(b) == books[b].name);
    CHECK_EQ(t.first_chunk(b), local);
    CHECK_EQ(t.end_chunk(b), local + books[b].chunks.size());
    CHECK_EQ(t.text_blocks(b), store_text ? books[b].text_blocks : 0);
    CHECK_EQ(t.first_text_block(b), store_text ? block : 0);
    block += books[b].text_blocks;
    for (const ChunkEntry& want : books[b].chunks) {
      const ChunkEntry got = t.chunk(local++);
      CHECK_EQ(got.book, want.book);
      CHECK_EQ(got.chunk, want.chunk);
      CHECK_EQ(got.start, want.start);
      CHECK_EQ(got.end, want.end);
      CHECK_EQ(got.byte_start, store_text ? want.byte_start : 0);
      CHECK_EQ(got.byte_end, store_text ? want.byte_end : 0);
    }
  }
}

Result<ChunkTable> open_checked(std::string_view body, std::uint64_t chunks, std::uint64_t books, bool store_text,
                                std::uint64_t text_blocks) {
  Result<ChunkTable> t = ChunkTable::open(body, chunks, books, store_text, "chunks.bin");
  if (!t.is_ok()) return t;
  if (Status s = t.value().check_entries(text_blocks); !s.is_ok()) return s;
  return t;
}

// A table accepted from a damaged file must still keep every lookup in
// bounds: chunks inside their books, names inside the names, spans whole.
void check_in_bounds(const ChunkTable& t, bool store_text, std::uint64_t text_blocks) {
  for (std::uint32_t b = 0; b < t.num_books(); ++b) {
    CHECK(t.first_chunk(b) < t.end_chunk(b));
    CHECK(t.end_chunk(b) <= t.num_chunks());
    (void)t.book_name(b);
    CHECK(std::uint64_t{t.first_text_block(b)} + t.text_blocks(b) <= text_blocks);
  }
  for (std::uint32_t c = 0; c < t.num_chunks(); ++c) {
    const ChunkEntry e = t.chunk(c);
    CHECK(e.book < t.num_books());
    CHECK(e.start < e.end);
    if (store_text) {
      CHECK(e.byte_start < e.byte_end);
      CHECK(std::uint64_t{e.byte_end} <= std::uint64_t{t.text_blocks(e.book)} * segment::kTextBlockBytes);
    }
  }
}

}  // namespace

TEST_CASE("packed_columns_round_trip_random_values") {
  std::mt19937_64 rng(3);
  for (std::uint64_t rows : {0, 1, 127, 128, 129, 300, 1000}) {
    for (unsigned columns = 1; columns <= segment::packed_columns::kMaxColumns; ++columns) {
      segment::PackedColumnsWriter w(columns);
      std::vector<std::uint64_t> plain;
      for (std::uint64_t r = 0; r < rows; ++r) {
        for (unsigned c = 0; c < columns; ++c) {
          const unsigned shape = rng() % 6;
          plain.push_back(shape == 0 ? rng() : shape == 1 ? UINT64_MAX - rng() % 3 : 1000 + rng() % (1u << (rng() % 20)));
        }
        w.add(plain.data() + r * columns);
      }
      std::string bytes;
      w.finish(&bytes);
      std::uint64_t size = 0;
      const std::string with_tail = bytes + "tail";  // open() reads only its table
      Result<PackedColumns> t = PackedColumns::open(with_tail, rows, columns, "p", "t", &size);
      CHECK(t.is_ok());
      CHECK_EQ(size, bytes.size());
      CHECK(t.value().verify().is_ok());
      for (std::uint64_t r = 0; r < rows; ++r) {
        for (unsigned c = 0; c < columns; ++c) CHECK_EQ(t.value().get(r, c), plain[r * columns + c]);
      }
    }
  }
}

TEST_CASE("packed_columns_refuse_a_wider_than_needed_block_on_verify") {
  segment::PackedColumnsWriter w(1);
  for (std::uint64_t v : {5, 6, 7}) w.add(&v);
  std::string bytes;
  w.finish(&bytes);
  // Header: u32 start, u64 base 5, u8 width 2; values 0, 1, 2 in 6 bits.
  CHECK_EQ(bytes.size(), 13u + 1u);
  CHECK_EQ(bytes[4], 5);
  CHECK_EQ(bytes[12], 2);
  CHECK_EQ(static_cast<unsigned char>(bytes[13]), 0b100100u);
  std::string wider = bytes;
  wider[12] = 3;
  wider[13] = 0b010001000;
  wider.push_back('\0');
  std::uint64_t size = 0;
  Result<PackedColumns> t = PackedColumns::open(wider, 3, 1, "p", "t", &size);
  CHECK(t.is_ok());
  CHECK_EQ(t.value().get(2, 0), 7u);
  CHECK(t.value().verify().code() == Status::Code::kCorruption);
  // Base 4 under values 1, 2, 3: the same 5, 6, 7, but not the least base.
  std::string base_low = bytes;
  base_low[4] = 4;
  base_low[13] = 0b111001;
  Result<PackedColumns> low = PackedColumns::open(base_low, 3, 1, "p", "t", &size);
  CHECK(low.is_ok());
  CHECK_EQ(low.value().get(0, 0), 5u);
  CHECK(low.value().verify().code() == Status::Code::kCorruption);
}

TEST_CASE("chunk_table_round_trips_random_books") {
  std::mt19937_64 rng(11);
  for (bool store_text : {false, true}) {
    for (std::uint32_t n : {0u, 1u, 5u, 200u}) {
      const std::vector<PlainBook> books = random_books(n, rng);
      const std::string body = write_chunks(books, store_text);
      Result<ChunkTable> t = open_checked(body, total_chunks(books), n, store_text, total_blocks(books));
      CHECK(t.is_ok());
      if (t.is_ok()) check_same(t.value(), books, store_text);
    }
  }
}

TEST_CASE("chunk_table_damage_is_corruption_or_still_in_bounds") {
  std::mt19937_64 rng(5);
  for (bool store_text : {false, true}) {
    std::vector<PlainBook> books = random_books(12, rng);
    const std::string body = write_chunks(books, store_text);
    const std::uint64_t chunks = total_chunks(books), blocks = total_blocks(books);
    for (std::size_t byte = 0; byte < body.size(); ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string damaged = body;
        damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
        Result<ChunkTable> t = open_checked(damaged, chunks, 12, store_text, blocks);
        if (t.is_ok()) {
          // A flip in a name or a value may give another valid table (the
          // footer's CRC catches those); never one in the header.
          CHECK(byte >= segment::chunks_header::kBytes);
          check_in_bounds(t.value(), store_text, blocks);
        } else {
          CHECK(t.status().code() == Status::Code::kCorruption);
          CHECK(t.status().message().find("chunks.bin") != std::string::npos);
        }
      }
    }
    for (std::size_t size = 0; size < body.size(); ++size) {
      CHECK(open_checked(body.substr(0, size), chunks, 12, store_text, blocks).status().code() ==
            Status::Code::kCorruption);
    }
    CHECK(open_checked(body + '\0', chunks, 12, store_text, blocks).status().code() == Status::Code::kCorruption);
    CHECK(open_checked(body, chunks, 12, !store_text, blocks).status().code() == Status::Code::kCorruption);
  }
}

namespace {

std::vector<BookRecord> random_records(std::uint32_t n, std::mt19937_64& rng, std::vector<std::string>* metadata) {
  metadata->resize(n);
  std::vector<BookRecord> records(n);
  for (std::uint32_t b = 0; b < n; ++b) {
    BookRecord& r = records[b];
    const unsigned shape = rng() % 5;
    r.file_size = shape == 0 ? segment::book_record::kNoFile : rng() % 10000000;
    r.mtime_ns = shape == 0 ? 0 : shape == 1 ? -static_cast<std::int64_t>(rng() % 1000) : 1796532869672185555 + rng() % 30000000000;
    r.hash[0] = rng();
    r.hash[1] = rng();
    (*metadata)[b] = rng() % 3 == 0 ? "{\"n\": " + std::to_string(b) + "}" : "";
    r.metadata = (*metadata)[b];
  }
  return records;
}

std::string write_books(const std::vector<BookRecord>& records) {
  segment::BookTableWriter w;
  for (const BookRecord& r : records) w.add(r);
  const std::string dir = test::temp_dir("book-table");
  std::vector<segment::FileRecord> files;
  CHECK(w.write(dir, &files).is_ok());
  return read_body(dir + "/books.bin");
}

}  // namespace

TEST_CASE("book_table_round_trips_random_records") {
  std::mt19937_64 rng(13);
  for (std::uint32_t n : {0u, 1u, 128u, 300u}) {
    std::vector<std::string> metadata;
    const std::vector<BookRecord> records = random_records(n, rng, &metadata);
    const std::string body = write_books(records);  // the table views it
    Result<segment::BookTable> t = segment::BookTable::open(body, n, "books.bin");
    CHECK(t.is_ok());
    for (std::uint32_t b = 0; b < n && t.is_ok(); ++b) {
      const BookRecord got = t.value().book(b);
      CHECK_EQ(got.file_size, records[b].file_size);
      CHECK_EQ(got.mtime_ns, records[b].mtime_ns);
      CHECK_EQ(got.hash[0], records[b].hash[0]);
      CHECK_EQ(got.hash[1], records[b].hash[1]);
      CHECK(got.metadata == records[b].metadata);
    }
  }
}

TEST_CASE("book_table_damage_is_corruption_or_still_in_bounds") {
  std::mt19937_64 rng(17);
  std::vector<std::string> metadata;
  const std::string body = write_books(random_records(20, rng, &metadata));
  for (std::size_t byte = 0; byte < body.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = body;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      Result<segment::BookTable> t = segment::BookTable::open(damaged, 20, "books.bin");
      if (!t.is_ok()) {
        CHECK(t.status().code() == Status::Code::kCorruption);
        continue;
      }
      std::uint64_t total = 0;
      for (std::uint32_t b = 0; b < 20; ++b) total += t.value().book(b).metadata.size();
      CHECK(total <= damaged.size());
    }
  }
  for (std::size_t size = 0; size < body.size(); ++size) {
    CHECK(segment::BookTable::open(body.substr(0, size), 20, "books.bin").status().code() ==
          Status::Code::kCorruption);
  }
}

int main() { return tomes::test::run_all(); }
