#include "chunk/chunker.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "chunk/whitespace.h"

namespace tomes::chunk {

namespace {

// A maximal run of non-whitespace: [start, end) in code points and bytes.
struct Word {
  std::uint32_t start, end;
  std::uint32_t byte_start, byte_end;
};

// Reads the words of a text in order, one pass.
class WordReader {
 public:
  explicit WordReader(std::string_view text)
      : begin_(reinterpret_cast<const unsigned char*>(text.data())),
        p_(begin_),
        end_(begin_ + text.size()) {}

  // The next word, or false at the end of the text. The ASCII loops only
  // move p_; the code point index is the byte offset minus extra_, the
  // continuation bytes seen so far.
  bool next(Word* word) {
    using whitespace::kByteClass;
    for (;;) {  // skip whitespace
      while (p_ != end_ && kByteClass[*p_] == whitespace::kAsciiSpace) ++p_;
      if (p_ == end_) return false;
      if (kByteClass[*p_] == whitespace::kAsciiOther) break;
      bool space;
      const std::size_t length = read_char(p_, end_, &space);
      if (!space) break;
      p_ += length;
      extra_ += static_cast<std::uint32_t>(length - 1);
    }
    word->byte_start = static_cast<std::uint32_t>(p_ - begin_);
    word->start = word->byte_start - extra_;
    for (;;) {  // read non-whitespace
      skip_plain_ascii();
      while (p_ != end_ && kByteClass[*p_] == whitespace::kAsciiOther) ++p_;
      if (p_ == end_ || kByteClass[*p_] == whitespace::kAsciiSpace) break;
      bool space;
      const std::size_t length = read_char(p_, end_, &space);
      if (space) break;
      p_ += length;
      extra_ += static_cast<std::uint32_t>(length - 1);
    }
    word->byte_end = static_cast<std::uint32_t>(p_ - begin_);
    word->end = word->byte_end - extra_;
    return true;
  }

  // Moves p_ over bytes 0x21..0x7F (never whitespace), eight at a time,
  // stopping at or before the first other byte. Words are short, so this
  // mostly replaces a byte loop and its mispredicted exit by one test.
  void skip_plain_ascii() {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    while (end_ - p_ >= 8) {
      std::uint64_t x;
      std::memcpy(&x, p_, 8);
      // High bit set in each byte < 0x21 (exact for the lowest such byte,
      // which is all we use) or >= 0x80.
      const std::uint64_t stop = ((x - kOnes * 0x21) & ~x & kHigh) | (x & kHigh);
      if (stop != 0) {
        p_ += __builtin_ctzll(stop) >> 3;
        return;
      }
      p_ += 8;
    }
#endif
  }

  // The byte offset count code points after byte offset from, all inside one word.
  std::uint32_t advance(std::uint32_t from, std::uint32_t count) const {
    const unsigned char* p = begin_ + from;
    bool space;
    for (std::uint32_t i = 0; i < count; ++i) p += read_char(p, end_, &space);
    return static_cast<std::uint32_t>(p - begin_);
  }

 private:
  const unsigned char* begin_;
  const unsigned char* p_;
  const unsigned char* end_;
  std::uint32_t extra_ = 0;  // bytes read so far that did not start a character
};

}  // namespace

Status check_chunk_options(std::uint64_t chunk_size, std::uint64_t overlap) {
  if (chunk_size > UINT32_MAX) {
    return Status::invalid_argument("chunk_size must be below 2^32, got " +
                                    std::to_string(chunk_size));
  }
  if (chunk_size != 0 && overlap >= chunk_size) {
    return Status::invalid_argument("chunk_overlap must be smaller than chunk_size, got " +
                                    std::to_string(overlap) +
                                    " >= " + std::to_string(chunk_size));
  }
  return Status::ok();
}

void chunk_text(std::string_view text, std::uint32_t chunk_size, std::uint32_t overlap,
                std::vector<ChunkSpan>* out) {
  out->clear();
  WordReader reader(text);
  Word first;
  if (!reader.next(&first)) return;

  if (chunk_size == 0) {
    Word last = first, word;
    while (reader.next(&word)) last = word;
    out->push_back({first.start, last.end, first.byte_start, last.byte_end});
    return;
  }

  // The words from the one holding pos onwards, as far as the reader has
  // read: at most one past pos + chunk_size. words[i] holds pos.
  std::vector<Word> words{first};
  std::size_t i = 0;
  std::uint32_t pos = first.start, pos_byte = first.byte_start;
  bool exhausted = false;
  for (;;) {
    const std::uint64_t limit = std::uint64_t(pos) + chunk_size;
    while (!exhausted && words.back().end <= limit) {
      Word word;
      if (reader.next(&word)) {
        words.push_back(word);
      } else {
        exhausted = true;
      }
    }
    // Only words.back() can end past limit: reading stops at the first that
    // does, and limit never decreases.
    const Word& back = words.back();
    if (back.end <= limit) {  // exhausted, and last - pos <= chunk_size
      out->push_back({pos, back.end, pos_byte, back.byte_end});
      return;
    }
    if (words[i].end > limit) {
      // No whitespace in (pos, pos + chunk_size]: a hard cut inside words[i].
      const std::uint32_t end = pos + chunk_size;
      const std::uint32_t end_byte = reader.advance(pos_byte, chunk_size);
      out->push_back({pos, end, pos_byte, end_byte});
      pos = end;
      pos_byte = end_byte;
      continue;
    }
    // words[k] is the last word that ends within the limit: the chunk ends
    // with it (e is in the whitespace after it). f = words[k + 1].
    const std::size_t k = words.size() - 2;
    const Word& last_word = words[k];
    const Word& f = words[k + 1];
    out->push_back({pos, last_word.end, pos_byte, last_word.byte_end});
    const std::int64_t lo =
        std::max({std::int64_t(last_word.end) - std::int64_t(overlap), std::int64_t(pos) + 1,
                  std::int64_t(f.end) - std::int64_t(chunk_size)});
    // The smallest word start >= lo among words i+1 .. k (all start > pos
    // and < end); f when there is none.
    std::size_t t = k + 1;
    while (t - 1 > i && std::int64_t(words[t - 1].start) >= lo) --t;
    i = t;
    pos = words[t].start;
    pos_byte = words[t].byte_start;
    // Forget the words before pos, now and then (amortised O(1) per word).
    if (i >= 256 && i * 2 >= words.size()) {
      words.erase(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(i));
      i = 0;
    }
  }
}

}  // namespace tomes::chunk
