// fuzz_fst.cc: a fuzz target for the FST reader, stream, fuzzy search and
// builder (cpp/fst/). The contract under test: nothing a caller passes, a
// damaged file included, may crash, read out of bounds, hang or exhaust
// memory; damaged bytes give Status::Code::kCorruption.
//
// open() checks a CRC-32 over the whole file, so random bytes would never get
// past it. Every mode therefore builds a file and patches its CRC field before
// opening it, so the node decoder sees the fuzzer's bytes:
//
//   file:       an input that starts with "tomesFST" is the whole file (so
//               a valid FST is a seed); only its CRC is fixed.
//   Otherwise the first byte picks a mode:
//   mode 0  raw:        after a control byte and probe bytes, the rest is the
//                       whole file; the CRC is fixed (or not, as it says).
//   mode 1  body:       a valid header, the input's bytes as the nodes, a
//                       footer with a root address derived from the input.
//   mode 7  nodes:      nodes described field by field (kind, count,
//                       widths, inputs, targets by index or raw deltas),
//                       encoded by the target, so any header, width, input
//                       order or delta is reachable.
//   mode 2-6 structured: keys and values from the input are built into a valid
//                       FST, checked against a std::map model (get, full
//                       iteration, a range, fuzzy search against brute-force
//                       Levenshtein), then damaged by a few edits the input
//                       describes (the CRC fixed up or not) and queried again.
//
// Each opened file gets: get() on keys derived from the input, a full
// FstStream iteration, a bounded range, and fuzzy_search with distance 0..2
// on a short query from the input. Any non-OK status must be kCorruption.
//
// Build:
//   libFuzzer:  clang++ -fsanitize=fuzzer,address,undefined ... fuzz_fst.cc
//   replay:     g++ -DTOMES_FUZZ_REPLAY -fsanitize=address,undefined ...
// The replay build has a main() (fuzz_harness.h) that runs the target over every file in the
// directories (or files) named as arguments, then over TOMES_FUZZ_ITERATIONS
// (default 20000) pseudo-random and mutated inputs from TOMES_FUZZ_SEED
// (default 1). A failing input is written to TOMES_FUZZ_ARTIFACT_DIR (default
// the current directory) as fuzz_fst-failure-*.bin; TOMES_FUZZ_DUMP_FST=path
// writes the FST file an input builds (the last one opened) to path.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/utf8.h"
#include "common/byte_sink.h"
#include "common/crc32.h"
#include "common/status.h"
#include "fst/fst_builder.h"
#include "fst/fst_format.h"
#include "fst/fst_fuzzy.h"
#include "fst/fst_reader.h"


#include "fuzz_harness.h"

using namespace tomes;
using namespace tomes::fst;

namespace tomes::fuzz {

const char* const kTargetName = "fuzz_fst";

// Every failure the reader reports on bytes must be Corruption.
void check_status(const Status& s) {
  if (!s.is_ok() && s.code() != Status::Code::kCorruption) {
    std::fprintf(stderr, "fuzz_fst: unexpected status code %d: %s\n", static_cast<int>(s.code()),
                 s.message().c_str());
    fail("status is OK or Corruption", __LINE__);
  }
}

// --- Input consumption ---------------------------------------------------------

// Hands out the fuzz input byte by byte; zeros once it runs dry.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ == end_; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  std::uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(byte() | (byte() << 8)); }
  std::uint64_t u64(unsigned width) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) v |= std::uint64_t{byte()} << (8 * i);
    return v;
  }
  std::string bytes(std::size_t n) {
    n = std::min(n, remaining());
    std::string out(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return out;
  }
  std::string rest() { return bytes(remaining()); }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// --- Files -----------------------------------------------------------------------

// An exactly sized heap copy, so ASan sees any read past either end (a
// std::string's spare capacity would hide one).
class ExactBytes {
 public:
  explicit ExactBytes(std::string_view bytes)
      : size_(bytes.size()), data_(new char[bytes.size() == 0 ? 1 : bytes.size()]) {
    if (size_ != 0) std::memcpy(data_.get(), bytes.data(), size_);
  }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::size_t size_;
  std::unique_ptr<char[]> data_;
};

void put_fixed(std::string& out, std::uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Patches the last 4 bytes with the CRC-32 of everything before them.
void fix_crc(std::string& file) {
  if (file.size() < 4) return;
  const std::uint32_t crc = crc32_update(0, std::string_view(file).substr(0, file.size() - 4));
  for (int i = 0; i < 4; ++i) {
    file[file.size() - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  }
}

std::string header_bytes() {
  std::string out(kMagic, sizeof(kMagic));
  put_fixed(out, kFormatVersion, 4);
  put_fixed(out, 0, 4);
  return out;
}

// --- The model -------------------------------------------------------------------

using Map = std::map<std::string, std::uint64_t>;
using Unit = std::uint32_t;

// Comparison units as fst_fuzzy.h defines them.
std::vector<Unit> units_of(std::string_view text) {
  std::vector<Unit> units;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    char32_t cp;
    const std::size_t len = utf8::decode(p, end, &cp);
    const bool invalid = len == 1 && *p >= 0x80;
    units.push_back(invalid ? 0x110000u + *p : static_cast<Unit>(cp));
    p += len;
  }
  return units;
}

unsigned levenshtein(const std::vector<Unit>& a, const std::vector<Unit>& b) {
  std::vector<unsigned> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<unsigned>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    unsigned diagonal = row[0];
    row[0] = static_cast<unsigned>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const unsigned above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

using Hits = std::vector<std::tuple<std::string, std::uint64_t, unsigned>>;

// --- Queries ---------------------------------------------------------------------

// Caps that keep one run short even on an FST with astronomically many keys
// (a valid 1 KB FST can hold 256^4 of them). Queries are short (a few bytes)
// but for the occasional long one (see probes_from).
constexpr std::size_t kMaxStreamed = 4096;
constexpr std::size_t kMaxQueryBytes = 6;

struct Probes {
  std::vector<std::string> keys;  // for get()
  FstStream::Bounds range;
  std::string query;              // for fuzzy_search
};

Probes probes_from(Input& in, const Map* map) {
  Probes p;
  const unsigned n = 1 + in.byte() % 6;
  for (unsigned i = 0; i < n; ++i) p.keys.push_back(in.bytes(in.byte() % 12));
  if (map != nullptr && !map->empty()) {
    // Some keys of the map, and their neighbours.
    const unsigned picks = 1 + in.byte() % 4;
    for (unsigned i = 0; i < picks; ++i) {
      auto it = map->begin();
      std::advance(it, in.u16() % map->size());
      p.keys.push_back(it->first);
      if (!it->first.empty()) p.keys.push_back(it->first.substr(0, it->first.size() - 1));
      p.keys.push_back(it->first + static_cast<char>(in.byte()));
    }
  }
  const std::uint8_t flags = in.byte();
  p.range.has_ge = flags & 1;
  p.range.has_lt = flags & 2;
  if (p.range.has_ge) p.range.ge = in.bytes(in.byte() % 8);
  if (p.range.has_lt) p.range.lt = in.bytes(in.byte() % 8);
  if ((flags & 4) && map != nullptr && !map->empty()) {
    auto it = map->begin();
    std::advance(it, in.u16() % map->size());
    p.query = it->first.substr(0, kMaxQueryBytes);
    if (!p.query.empty() && (flags & 8)) p.query[in.byte() % p.query.size()] ^= in.byte();
  } else {
    p.query = in.bytes(in.byte() % (kMaxQueryBytes + 1));
  }
  // Now and then a long query (64 to 319 bytes, the short one repeated): the
  // work of a search must stay bounded however long the query is.
  if ((flags & 16) && !p.query.empty()) {
    const std::size_t length = 64 + in.byte();
    const std::string piece = p.query;
    while (p.query.size() < length) p.query += piece;
    p.query.resize(length);
  }
  return p;
}

// Streams [bounds) into out (at most kMaxStreamed pairs); returns the status.
Status stream(const FstReader& reader, const FstStream::Bounds& bounds,
              std::vector<std::pair<std::string, std::uint64_t>>* out) {
  FstStream s(reader, bounds);
  std::string_view key;
  std::uint64_t value;
  while (out->size() < kMaxStreamed && s.next(&key, &value)) out->emplace_back(key, value);
  return s.status();
}

Status fuzzy(const FstReader& reader, std::string_view query, unsigned d, Hits* out) {
  return fuzzy_search(reader, query, d, [&](std::string_view key, std::uint64_t value,
                                            unsigned distance) {
    // Collect a bounded number; the search itself must stay bounded anyway.
    if (out->size() < kMaxStreamed) out->emplace_back(std::string(key), value, distance);
  });
}

// Runs every query on reader; no result is checked but the status codes.
void exercise(const FstReader& reader, const Probes& probes) {
  for (const std::string& key : probes.keys) {
    bool found = false;
    std::uint64_t value = 0;
    check_status(reader.get(key, &found, &value));
  }
  std::vector<std::pair<std::string, std::uint64_t>> all;
  check_status(stream(reader, FstStream::Bounds{}, &all));
  std::vector<std::pair<std::string, std::uint64_t>> part;
  check_status(stream(reader, probes.range, &part));
  std::string successor;
  if (!probes.keys.empty() && prefix_successor(probes.keys[0], &successor)) {
    FstStream::Bounds prefix;
    prefix.has_ge = prefix.has_lt = true;
    prefix.ge = probes.keys[0];
    prefix.lt = successor;
    std::vector<std::pair<std::string, std::uint64_t>> hits;
    check_status(stream(reader, prefix, &hits));
  }
  for (unsigned d = 0; d <= kMaxFuzzyDistance; ++d) {
    Hits hits;
    const Status s = fuzzy(reader, probes.query, d, &hits);
    // A crafted FST can hold astronomically many keys near the query: the
    // search then stops at its work limit, as an argument error.
    const bool work_limit = s.code() == Status::Code::kInvalidArgument &&
                            s.message().find("fuzzy search stopped after") != std::string::npos;
    if (!work_limit) check_status(s);
  }
  // Out of range is an argument error, not a crash.
  Hits none;
  FUZZ_CHECK(fuzzy(reader, probes.query, kMaxFuzzyDistance + 1, &none).code() ==
             Status::Code::kInvalidArgument);
}

// Opens bytes (in an exact-size buffer) and exercises it if open succeeds.
void open_and_exercise(std::string_view file, const Probes& probes) {
#ifdef TOMES_FUZZ_REPLAY
  // TOMES_FUZZ_DUMP_FST=path: write the FST an input makes (to study a failure).
  if (const char* dump = std::getenv("TOMES_FUZZ_DUMP_FST"); dump && *dump) {
    if (std::FILE* f = std::fopen(dump, "wb")) {
      std::fwrite(file.data(), 1, file.size(), f);
      std::fclose(f);
    }
  }
#endif
  const ExactBytes exact(file);
  Result<FstReader> reader = FstReader::open(exact.view(), "<fuzz>");
  if (!reader.is_ok()) {
    FUZZ_CHECK(reader.status().code() == Status::Code::kCorruption);
    return;
  }
  exercise(reader.value(), probes);
}

// Checks a reader built from map against the model: everything must agree.
void check_against_model(const FstReader& reader, const Map& map, const Probes& probes) {
  FUZZ_CHECK(reader.key_count() == map.size());
  auto check_get = [&](const std::string& key) {
    bool found = true;
    std::uint64_t value = 0;
    FUZZ_CHECK(reader.get(key, &found, &value).is_ok());
    const auto it = map.find(key);
    FUZZ_CHECK(found == (it != map.end()));
    if (found) FUZZ_CHECK(value == it->second);
  };
  std::size_t gets = 0;
  for (const auto& [key, value] : map) {
    if (++gets > 512) break;
    check_get(key);
  }
  for (const std::string& key : probes.keys) check_get(key);

  auto check_range = [&](const FstStream::Bounds& bounds) {
    std::vector<std::pair<std::string, std::uint64_t>> got;
    FUZZ_CHECK(stream(reader, bounds, &got).is_ok());
    std::vector<std::pair<std::string, std::uint64_t>> want;
    for (const auto& [key, value] : map) {
      if (want.size() == kMaxStreamed) break;
      if (bounds.has_ge && key < bounds.ge) continue;
      if (bounds.has_lt && key >= bounds.lt) continue;
      want.emplace_back(key, value);
    }
    FUZZ_CHECK(got == want);
  };
  check_range(FstStream::Bounds{});
  check_range(probes.range);
  std::string successor;
  if (!probes.keys.empty() && prefix_successor(probes.keys[0], &successor)) {
    FstStream::Bounds prefix;
    prefix.has_ge = prefix.has_lt = true;
    prefix.ge = probes.keys[0];
    prefix.lt = successor;
    check_range(prefix);
  }

  const std::vector<Unit> query = units_of(probes.query);
  for (unsigned d = 0; d <= kMaxFuzzyDistance; ++d) {
    Hits got;
    FUZZ_CHECK(fuzzy(reader, probes.query, d, &got).is_ok());
    Hits want;
    for (const auto& [key, value] : map) {
      if (want.size() == kMaxStreamed) break;
      const unsigned distance = levenshtein(units_of(key), query);
      if (distance <= d) want.emplace_back(key, value, distance);
    }
    FUZZ_CHECK(got == want);
  }
}

// --- Modes -----------------------------------------------------------------------

// Mode 0: the input is the file; the CRC is made right.
void run_raw(Input& in) {
  const std::uint8_t control = in.byte();
  const std::size_t probe_bytes = control % 32;
  std::string probe_source = in.bytes(probe_bytes);
  std::string file = in.rest();
  Input pin(reinterpret_cast<const std::uint8_t*>(probe_source.data()), probe_source.size());
  const Probes probes = probes_from(pin, nullptr);
  if (!(control & 0x80)) fix_crc(file);
  open_and_exercise(file, probes);
}

// Mode 1: header + the input's bytes as nodes + a footer whose root is near
// the end of the nodes (or anywhere, as the input says).
void run_body(Input& in) {
  const std::uint8_t control = in.byte();
  const std::uint8_t root_choice = in.byte();
  const std::uint64_t key_count = in.u64(control & 1 ? 8 : 1);
  std::string probe_source = in.bytes(control >> 3);
  Input pin(reinterpret_cast<const std::uint8_t*>(probe_source.data()), probe_source.size());
  const Probes probes = probes_from(pin, nullptr);
  const std::string body = in.rest();
  std::string file = header_bytes() + body;
  const std::uint64_t nodes_end = file.size();
  std::uint64_t root;
  if (control & 2) {
    root = std::uint64_t{root_choice} | (std::uint64_t{root_choice} << 56);  // wild
  } else {
    root = nodes_end - std::min<std::uint64_t>(root_choice % 16, body.size());
  }
  put_fixed(file, key_count, 8);
  put_fixed(file, root, 8);
  put_fixed(file, kFormatVersion, 4);
  put_fixed(file, 0, 4);
  fix_crc(file);
  open_and_exercise(file, probes);
}

// Delta values a damaged file may hold: the edges of each width, and values
// near 2^64 that wrap around when subtracted from a node's start.
std::uint64_t interesting_delta(Input& in) {
  const std::uint8_t pick = in.byte();
  switch (pick % 8) {
    case 0: return pick >> 3;                                   // small
    case 1: return ~std::uint64_t{0} - (pick >> 3);             // near 2^64
    case 2: return (std::uint64_t{1} << (8 * (1 + (pick >> 3) % 7))) - 1;  // a width's max
    case 3: return std::uint64_t{1} << (pick >> 2);             // a power of two
    default: return in.u64(1 + pick % 8);                       // any
  }
}

// Mode 7: nodes described field by field, so any header, width, count,
// input order and delta is reachable (including DAGs whose paths all end in
// non-final nodes, and deltas larger than the node's start); a node can be
// repeated, making deep chains and DAGs a single mutation away.
void run_nodes(Input& in) {
  std::string file = header_bytes();
  std::vector<std::uint64_t> addresses;  // of the nodes written so far
  const unsigned n = 1 + in.byte() % 48;
  std::string logical;
  for (unsigned i = 0; i < n && !in.empty(); ++i) {
    const std::uint64_t start = file.size();
    // The target of a transition: a node written before (by index from the
    // newest), or a raw delta.
    auto delta_for = [&](std::uint8_t choice) -> std::uint64_t {
      if ((choice & 0x80) || addresses.empty()) return interesting_delta(in);
      const std::uint64_t target = addresses[addresses.size() - 1 - choice % addresses.size()];
      return start - target;
    };
    logical.clear();
    const std::uint8_t kind = in.byte();
    if (kind & 1) {  // one-transition node
      const std::uint8_t input = in.byte();
      const std::uint8_t choice = in.byte();
      const bool next = (kind & 2) && !(choice & 0x80) && choice % std::max<std::size_t>(addresses.size(), 1) == 0;
      const std::uint8_t common = (kind & 4) ? kCommonIndex[input] : 0;
      logical.push_back(static_cast<char>(kOneTransition | (next ? kOneTransitionNext : 0) | common));
      if (common == 0) logical.push_back(static_cast<char>(input));
      if (!next) {
        std::uint64_t delta = delta_for(choice);
        if (kind & 8) {  // an overlong or unterminated varint
          for (unsigned k = 0; k < 1u + (kind >> 4) % 11u; ++k) logical.push_back(static_cast<char>(0x80 | (delta & 0x7F)));
          if (!(kind & 0x80)) logical.push_back(static_cast<char>(delta & 0x7F));
        } else {
          while (delta >= 0x80) {
            logical.push_back(static_cast<char>((delta & 0x7F) | 0x80));
            delta >>= 7;
          }
          logical.push_back(static_cast<char>(delta));
        }
      }
    } else {  // general node
      const bool final = kind & 2;
      const bool has_final_output = kind & 4;
      const std::uint8_t count_byte = in.byte();
      unsigned count = count_byte < 224 ? count_byte % 8 : 1 + in.byte();  // up to 256
      const std::uint8_t widths = in.byte();
      unsigned ow = (widths >> 4) % 9;
      unsigned aw = (widths & 0x0F) % 9;
      if (kind & 0x80) {  // out-of-range widths now and then
        ow = widths >> 4;
        aw = widths & 0x0F;
      }
      std::uint8_t header = (final ? kFinal : 0) | (has_final_output ? kHasFinalOutput : 0);
      header |= count < kExplicitCount ? static_cast<std::uint8_t>(count) : kExplicitCount;
      logical.push_back(static_cast<char>(header));
      if (count >= kExplicitCount) logical.push_back(static_cast<char>(count - 1));
      if (count > 0 || has_final_output) logical.push_back(static_cast<char>((ow << 4) | aw));
      const unsigned ow_bytes = std::min(ow, 8u);
      const unsigned aw_bytes = std::min(aw, 8u);
      if (has_final_output) put_fixed(logical, in.u64(ow_bytes), ow_bytes);
      // Inputs: increasing from a first byte, unless the input says otherwise.
      std::uint8_t b = in.byte();
      const bool any_order = kind & 8;
      for (unsigned t = 0; t < count; ++t) {
        logical.push_back(static_cast<char>(b));
        b = static_cast<std::uint8_t>(any_order ? in.byte() : b + 1 + (t < 8 ? in.byte() % 4 : 0));
      }
      for (unsigned t = 0; t < count; ++t) put_fixed(logical, delta_for(in.byte()), aw_bytes);
      for (unsigned t = 0; t < count; ++t) put_fixed(logical, in.u64(ow_bytes), ow_bytes);
    }
    if (kind & 0x40 && !logical.empty()) logical.resize(logical.size() - 1);  // truncated
    std::reverse(logical.begin(), logical.end());
    // Copies of the node one after another: a delta of 0 then links each to
    // the one before, so one spec makes a long chain or a deep DAG.
    const unsigned copies = (kind & 0x20) ? 1 + in.byte() % 64 : 1;
    for (unsigned c = 0; c < copies; ++c) {
      file += logical;
      addresses.push_back(file.size());
    }
  }
  const std::uint8_t root_choice = in.byte();
  std::uint64_t root = file.size();
  if (!addresses.empty() && (root_choice & 0x80)) {
    root = addresses[addresses.size() - 1 - root_choice % addresses.size()];
  }
  const std::uint64_t key_count = in.byte();
  const Probes probes = probes_from(in, nullptr);
  put_fixed(file, key_count, 8);
  put_fixed(file, root, 8);
  put_fixed(file, kFormatVersion, 4);
  put_fixed(file, 0, 4);
  fix_crc(file);
  open_and_exercise(file, probes);
}

// The few bytes a key is drawn from, by alphabet.
unsigned char key_byte(unsigned alphabet, std::uint8_t b) {
  static const unsigned char kUtf8Pieces[] = {'a', 'e', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0,
                                              0x9F, 0x98, 0x80, 0xED, 0xA0, 0xFF, 0x00, 'z'};
  switch (alphabet) {
    case 0: return b;
    case 1: return static_cast<unsigned char>('a' + b % 3);
    case 2: return static_cast<unsigned char>(kCommonBytes[b % 63]);
    default: return kUtf8Pieces[b % sizeof(kUtf8Pieces)];
  }
}

// Modes 2-6: build a valid FST from the input's keys, check it against the
// model, then damage it and query it again.
void run_structured(Input& in, std::uint8_t mode) {
  const unsigned alphabet = mode & 3;
  const std::uint8_t value_style = in.byte();
  const unsigned n = in.byte() % 64;
  Map map;
  std::vector<std::pair<std::string, std::uint64_t>> order;  // as the input gives them
  for (unsigned i = 0; i < n && !in.empty(); ++i) {
    const std::uint8_t len_byte = in.byte();
    std::size_t len = len_byte % 10;
    if (len_byte >= 250) len = 10 + (len_byte - 250) * 20;  // now and then a long key
    std::string key;
    for (std::size_t j = 0; j < len; ++j) key.push_back(static_cast<char>(key_byte(alphabet, in.byte())));
    std::uint64_t value;
    switch (value_style % 4) {
      case 0: value = i; break;                        // ordinals
      case 1: value = in.byte(); break;                // small, shared
      case 2: value = in.u64(1 + in.byte() % 8); break;  // any width
      default: value = ~std::uint64_t{0} - in.byte(); break;  // near the top
    }
    order.emplace_back(key, value);
    map.emplace(key, value);  // the first value of a duplicate key wins
  }

  // The builder must refuse unsorted or duplicate input with InvalidArgument.
  if (value_style & 0x80) {
    std::string out;
    StringSink sink(&out);
    FstBuilder builder(&sink);
    Status s;
    std::string previous;
    bool first = true;
    for (const auto& [key, value] : order) {
      s = builder.add(key, value);
      const bool in_order = first || key > previous;
      if (in_order) FUZZ_CHECK(s.is_ok());
      if (!s.is_ok()) {
        FUZZ_CHECK(s.code() == Status::Code::kInvalidArgument);
        FUZZ_CHECK(!in_order);
        break;
      }
      previous = key;
      first = false;
    }
    if (s.is_ok()) {
      FUZZ_CHECK(builder.finish().is_ok());
      // Sorted input: the result must equal the model.
      Map own(order.begin(), order.end());
      const ExactBytes exact(out);
      Result<FstReader> reader = FstReader::open(exact.view(), "<fuzz-unsorted>");
      FUZZ_CHECK(reader.is_ok());
      Input probe_in(nullptr, 0);
      check_against_model(reader.value(), own, probes_from(probe_in, &own));
    } else {
      FUZZ_CHECK(builder.add("zzz", 1).code() == Status::Code::kInvalidArgument);  // sticky
      FUZZ_CHECK(builder.finish().code() == Status::Code::kInvalidArgument);
    }
  }

  std::string file;
  {
    StringSink sink(&file);
    FstBuilder builder(&sink);
    for (const auto& [key, value] : map) FUZZ_CHECK(builder.add(key, value).is_ok());
    FUZZ_CHECK(builder.finish().is_ok());
    FUZZ_CHECK(builder.key_count() == map.size());
    FUZZ_CHECK(builder.bytes_written() == file.size());
  }
  const Probes probes = probes_from(in, &map);
  {
    const ExactBytes exact(file);
    Result<FstReader> reader = FstReader::open(exact.view(), "<fuzz-valid>");
    FUZZ_CHECK(reader.is_ok());
    check_against_model(reader.value(), map, probes);
  }

  // Damage: a few edits, mostly inside the nodes, then the CRC fixed or not.
  const std::uint8_t edit_control = in.byte();
  const unsigned edits = edit_control % 8;
  for (unsigned e = 0; e < edits && !file.empty(); ++e) {
    const std::uint8_t kind = in.byte();
    const std::uint16_t where = in.u16();
    const std::uint8_t what = in.byte();
    std::size_t pos;
    const std::size_t nodes = file.size() > kHeaderSize + kFooterSize
        ? file.size() - kHeaderSize - kFooterSize
        : 0;
    if ((kind & 0x10) || nodes == 0) {
      pos = where % file.size();
    } else {
      pos = kHeaderSize + where % nodes;
    }
    switch (kind % 8) {
      case 0: case 1: file[pos] = static_cast<char>(what); break;
      case 2: file[pos] = static_cast<char>(file[pos] ^ (1u << (what % 8))); break;
      case 3: file.insert(pos, 1, static_cast<char>(what)); break;
      case 4: file.erase(pos, 1 + what % 4); break;
      case 5: file.resize(pos); break;
      case 6: {  // a run of one byte value, as a wide delta or output
        const std::size_t len = 1 + (what >> 4);
        for (std::size_t k = 0; k < len && pos + k < file.size(); ++k) {
          file[pos + k] = static_cast<char>((what & 0x0F) == 0 ? 0xFF : what);
        }
        break;
      }
      default: {  // the root address, pointed somewhere nearby
        if (file.size() >= kFooterSize) {
          const std::size_t at = file.size() - kFooterSize + 8;
          std::uint64_t root = 0;
          for (int i = 0; i < 8; ++i) root |= std::uint64_t{static_cast<unsigned char>(file[at + i])} << (8 * i);
          root += static_cast<std::int8_t>(what);
          for (int i = 0; i < 8; ++i) file[at + i] = static_cast<char>((root >> (8 * i)) & 0xFF);
        }
        break;
      }
    }
  }
  if (!(edit_control & 0x80)) fix_crc(file);
  open_and_exercise(file, probes);
}

// An input that starts with the magic is an FST file as it is (the seed
// corpus holds such files): its CRC is fixed, and its own node bytes give the
// probes, so they name keys it may hold.
void run_file(const std::uint8_t* data, std::size_t size) {
  std::string file(reinterpret_cast<const char*>(data), size);
  fix_crc(file);
  const std::size_t skip = std::min(size, kHeaderSize);
  Input pin(data + skip, size - skip);
  open_and_exercise(file, probes_from(pin, nullptr));
}

void run_one(const std::uint8_t* data, std::size_t size) {
  if (size >= sizeof(kMagic) && std::memcmp(data, kMagic, sizeof(kMagic)) == 0) {
    run_file(data, size);
    return;
  }
  Input in(data, size);
  const std::uint8_t mode = in.byte();
  switch (mode % 8) {
    case 0: run_raw(in); break;
    case 1: run_body(in); break;
    case 7: run_nodes(in); break;
    default: run_structured(in, static_cast<std::uint8_t>(mode % 8 - 2 + (mode >> 3))); break;
  }
}

}  // namespace tomes::fuzz

#ifdef TOMES_FUZZ_REPLAY
namespace tomes::fuzz {

// A random input: bytes, a corpus file mutated, or a structured recipe.
std::string random_input(std::mt19937_64& rng, const std::vector<std::string>& corpus) {
  auto byte = [&] { return static_cast<char>(rng() & 0xFF); };
  std::string input;
  const unsigned kind = rng() % 8;
  if (kind < 3 || corpus.empty()) {
    // Fresh: a mode byte, then random bytes. Structured modes dominate.
    static const char kDecoderModes[] = {0, 1, 7, 7};
    input.push_back(kind == 0 ? kDecoderModes[rng() % 4]
                              : static_cast<char>(2 + rng() % 6 + 8 * (rng() % 32)));
    const std::size_t len = rng() % (kind == 0 ? 600 : 200);
    for (std::size_t i = 0; i < len; ++i) input.push_back(byte());
    return input;
  }
  return mutate(corpus[rng() % corpus.size()], rng, corpus);
}

}  // namespace tomes::fuzz
#endif  // TOMES_FUZZ_REPLAY
