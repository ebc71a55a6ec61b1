#include "fst/fst_fuzzy.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "common/utf8.h"

namespace tomes::fst {

namespace {

// A unit of comparison: a code point, or 0x110000 + byte for a byte that is
// not part of a well-formed sequence.
using Unit = std::uint32_t;
constexpr Unit kInvalidByteBase = 0x110000;
// Equal to no unit of any query: the unit "anything else".
constexpr Unit kNoUnit = 0xFFFFFFFF;

std::vector<Unit> units_of(std::string_view text) {
  std::vector<Unit> units;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    char32_t cp;
    const std::size_t len = utf8::decode(p, end, &cp);
    const bool invalid = len == 1 && *p >= 0x80;
    units.push_back(invalid ? kInvalidByteBase + *p : static_cast<Unit>(cp));
    p += len;
  }
  return units;
}

// Length of the sequence a lead byte starts, or 0 if it starts none.
unsigned sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Whether byte b may stand at position i (>= 1) of a sequence led by lead.
bool fits(unsigned char lead, unsigned i, unsigned char b) {
  if (i == 1) {
    if (lead == 0xE0) return b >= 0xA0 && b <= 0xBF;
    if (lead == 0xED) return b >= 0x80 && b <= 0x9F;
    if (lead == 0xF0) return b >= 0x90 && b <= 0xBF;
    if (lead == 0xF4) return b >= 0x80 && b <= 0x8F;
  }
  return (b & 0xC0) == 0x80;
}

// The first byte of a unit as it appears in a key.
unsigned char first_byte(Unit u) {
  if (u >= kInvalidByteBase) return static_cast<unsigned char>(u - kInvalidByteBase);
  if (u < 0x80) return static_cast<unsigned char>(u);
  if (u < 0x800) return static_cast<unsigned char>(0xC0 | (u >> 6));
  if (u < 0x10000) return static_cast<unsigned char>(0xE0 | (u >> 12));
  return static_cast<unsigned char>(0xF0 | (u >> 18));
}

class ByteSet {
 public:
  void add(unsigned char b) { bits_[b >> 6] |= std::uint64_t{1} << (b & 63); }
  bool has(unsigned char b) const { return (bits_[b >> 6] >> (b & 63)) & 1; }

 private:
  std::array<std::uint64_t, 4> bits_{};
};

// One row of the edit-distance matrix, kept only within the band where a
// distance <= bound is possible: after `units` units of the key, cell k holds
// the distance to the query's first j = units - bound + k units. Cells outside
// the band (or outside the query) exceed the bound and are not stored, so a
// step costs O(bound), whatever the query's length.
struct BandRow {
  std::array<std::uint8_t, 2 * kMaxFuzzyDistance + 1> cells{};
  std::size_t units = 0;
};

// Bytes of a code point still incomplete.
struct Pending {
  unsigned char bytes[4] = {0, 0, 0, 0};
  unsigned count = 0;
};

// What the search knows of a key prefix.
struct Cursor {
  BandRow row;       // after all its units
  BandRow previous;  // after all but the last: a swap looks two rows back
  Unit last = kNoUnit;
  Pending pending;
};

// The edit-distance arithmetic for one query, on band rows. Cells are capped
// at bound + 1 ("too far"), so they fit a byte. The bound is a template
// argument so that the loops over a row's cells unroll: the row arithmetic is
// most of a search's time.
template <unsigned kBound>
class Rows {
 public:
  Rows(std::string_view query, bool transpositions)
      : query_(units_of(query)), swaps_(transpositions) {
    // One set per row position a live branch can reach (a longer key is
    // out of the band), computed once rather than at every node.
    near_.resize(query_.size() + bound_ + 1);
    for (std::size_t units = 0; units < near_.size(); ++units) {
      const std::size_t next = units + 1;
      const std::size_t lo = next >= bound_ + 2 ? next - bound_ - 2 : 0;
      const std::size_t hi = std::min(query_.size(), next + bound_);
      for (std::size_t i = lo; i < hi; ++i) near_[units].add(first_byte(query_[i]));
    }
  }

  unsigned bound() const { return bound_; }

  // The row before any unit: the distance to the query's first j units is j.
  BandRow start() const {
    BandRow row;
    for (unsigned k = 0; k <= 2 * bound_; ++k) {
      row.cells[k] = k < bound_ || k - bound_ > query_.size() ? outside() : cap(k - bound_);
    }
    return row;
  }

  // The row after `unit`, given the cursor's rows and last unit.
  BandRow step(const Cursor& c, Unit unit) const {
    const BandRow& old = c.row;
    BandRow row;
    const std::size_t units = old.units + 1;
    row.units = units;
    std::uint8_t left = outside();
    for (unsigned k = 0; k <= 2 * bound_; ++k) {
      std::uint8_t value = outside();  // j < 0 or j > m
      if (units + k >= bound_ && units + k - bound_ <= query_.size()) {
        const std::size_t j = units + k - bound_;
        value = j == 0 ? cap(units) : cell(c, k, j, left, unit);
      }
      row.cells[k] = value;
      left = value;
    }
    return row;
  }

  void advance(Cursor& c, Unit unit) const {
    const BandRow next = step(c, unit);
    c.previous = c.row;
    c.row = next;
    c.last = unit;
  }

  // The distance to the whole query, or bound + 1.
  std::uint8_t distance(const BandRow& row) const {
    const std::size_t m = query_.size();
    if (m + bound_ < row.units || m > row.units + bound_) return outside();
    return row.cells[m + bound_ - row.units];
  }

  bool alive(const BandRow& row) const {
    return *std::min_element(row.cells.begin(), row.cells.begin() + 2 * bound_ + 1) <= bound_;
  }

  // The first bytes of the query units that the unit after `units` units
  // is compared with (match or swap): any other unit gives the row
  // step(c, kNoUnit) gives. REQUIRES: a live row has `units` units.
  const ByteSet& near_first_bytes(std::size_t units) const { return near_[units]; }

 private:
  std::uint8_t outside() const { return static_cast<std::uint8_t>(bound_ + 1); }
  std::uint8_t cap(std::size_t v) const {
    return static_cast<std::uint8_t>(std::min<std::size_t>(v, bound_ + 1));
  }

  // Cell k (query prefix j >= 1) of the next row. Band offsets: the cell
  // above (same j, one unit less) is old cell k + 1, the diagonal old cell
  // k, and the swap's cell (two units and two query units less) previous
  // cell k.
  std::uint8_t cell(const Cursor& c, unsigned k, std::size_t j, std::uint8_t left, Unit unit) const {
    const unsigned above = k + 1 <= 2 * bound_ ? c.row.cells[k + 1] : outside();
    const unsigned diagonal = c.row.cells[k] + (query_[j - 1] == unit ? 0u : 1u);
    unsigned best = std::min({above + 1u, left + 1u, diagonal});
    if (swaps_ && j >= 2 && c.row.units >= 1 && unit == query_[j - 2] && c.last == query_[j - 1]) {
      best = std::min(best, c.previous.cells[k] + 1u);
    }
    return cap(best);
  }

  static constexpr unsigned bound_ = kBound;
  const std::vector<Unit> query_;
  const bool swaps_;
  std::vector<ByteSet> near_;  // by units of the key so far
};

template <unsigned kBound>
class FuzzySearch {
 public:
  FuzzySearch(const FstReader& reader, std::string_view query, bool transpositions, const FuzzyEmit& emit)
      : reader_(reader), rows_(query, transpositions), emit_(emit) {}

  // Depth first, with an explicit stack (keys can be far longer than any
  // call stack could follow).
  Status run() {
    Cursor start;
    start.row = rows_.start();
    if (Status s = enter(reader_.root(), 0, start); !s.is_ok()) return s;
    while (!stack_.empty()) {
      Frame& frame = stack_.back();
      if (frame.next == frame.node.count) {
        stack_.pop_back();
        if (!stack_.empty()) key_.pop_back();
        continue;
      }
      if (frame.shared && !frame.other_alive) {
        if (Status s = skip_far(frame); !s.is_ok()) return s;
        if (frame.next == frame.node.count) continue;
      }
      const unsigned i = frame.next++;
      const std::uint8_t b = reader_.input(frame.node, i);
      if (i > 0 && b <= reader_.input(frame.node, i - 1)) return out_of_order(frame);
      // Every transition examined counts, entered or not: a crafted FST of
      // 256-way nodes would otherwise cost 256 row updates per counted state.
      if (++transitions_ > kMaxFuzzyTransitions) return stopped(kMaxFuzzyTransitions, "transitions");
      Cursor child;
      if (!follow(frame, b, &child)) continue;
      if (++visits_ > kMaxFuzzyVisits) return stopped(kMaxFuzzyVisits, "states");
      key_.push_back(static_cast<char>(b));
      const std::uint64_t address = reader_.target(frame.node, i);
      const std::uint64_t output = frame.output + reader_.output(frame.node, i);
      if (Status s = enter(address, output, child); !s.is_ok()) return s;
    }
    return Status::ok();
  }

 private:
  struct Frame {
    FstReader::Node node;
    unsigned next = 0;
    std::uint64_t output = 0;
    Cursor cursor;
    // At a unit boundary of a node with several transitions, the row of
    // every unit outside `near` is one row, computed once: most transitions
    // then cost a byte test instead of a row update.
    bool shared = false;
    bool other_alive = false;
    BandRow other;
    const ByteSet* near = nullptr;
  };

  Status stopped(std::uint64_t limit, const char* what) const {
    return Status::invalid_argument(reader_.source() + ": fuzzy search stopped after visiting " +
                                    std::to_string(limit) + " " + what +
                                    ": too many keys near the term");
  }

  Status out_of_order(const Frame& frame) const {
    return reader_.corruption_at(frame.node.address, "inputs not in increasing order");
  }

  // Moves frame.next past the transitions outside frame.near, which lead
  // nowhere when frame.other is dead: a byte test each, no row update.
  Status skip_far(Frame& frame) {
    const unsigned from = frame.next;
    unsigned i = from;
    for (; i < frame.node.count; ++i) {
      const std::uint8_t b = reader_.input(frame.node, i);
      if (i > 0 && b <= reader_.input(frame.node, i - 1)) return out_of_order(frame);
      if (frame.near->has(b)) break;
    }
    transitions_ += i - from;
    if (transitions_ > kMaxFuzzyTransitions) return stopped(kMaxFuzzyTransitions, "transitions");
    frame.next = i;
    return Status::ok();
  }

  // The cursor after byte b from frame's; false when no key below it can be
  // near enough.
  bool follow(const Frame& frame, unsigned char b, Cursor* child) const {
    *child = frame.cursor;
    if (frame.shared && !frame.near->has(b)) {
      // Whatever unit b starts, it matches no query unit near here.
      if (!frame.other_alive) return false;
      if (sequence_length(b) <= 1) {  // b is a whole unit
        child->previous = frame.cursor.row;
        child->row = frame.other;
        child->last = b < 0x80 ? b : kInvalidByteBase + b;
        return true;
      }
    }
    feed(*child, b);
    return rows_.alive(child->row);
  }

  // Pushes the node at address, reached with cursor, and emits its key if it
  // is final and near enough.
  Status enter(std::uint64_t address, std::uint64_t output, const Cursor& cursor) {
    Frame& frame = stack_.emplace_back();
    if (Status s = reader_.node(address, &frame.node); !s.is_ok()) return s;
    frame.output = output;
    frame.cursor = cursor;
    frame.shared = cursor.pending.count == 0 && frame.node.count >= 2;
    if (frame.shared) {
      frame.other = rows_.step(cursor, kNoUnit);
      frame.other_alive = rows_.alive(frame.other);
      frame.near = &rows_.near_first_bytes(cursor.row.units);
    }
    if (frame.node.final) {
      // An incomplete sequence at the end is one unit per byte.
      Cursor end = cursor;
      for (unsigned i = 0; i < cursor.pending.count; ++i) {
        rows_.advance(end, kInvalidByteBase + cursor.pending.bytes[i]);
      }
      const std::uint8_t d = rows_.distance(end.row);
      if (d <= rows_.bound()) emit_(key_, output + frame.node.final_output, d);
    }
    return Status::ok();
  }

  // Appends byte b to the pending bytes and turns what it completes (or
  // breaks) into units.
  void feed(Cursor& c, unsigned char b) const {
    Pending& pending = c.pending;
    pending.bytes[pending.count++] = b;
    while (pending.count > 0) {
      const unsigned char lead = pending.bytes[0];
      const unsigned need = sequence_length(lead);
      bool broken = need == 0;
      for (unsigned i = 1; !broken && i < pending.count; ++i) broken = !fits(lead, i, pending.bytes[i]);
      if (broken) {
        rows_.advance(c, kInvalidByteBase + lead);
        for (unsigned i = 1; i < pending.count; ++i) pending.bytes[i - 1] = pending.bytes[i];
        --pending.count;
        continue;  // the rest may start a sequence afresh
      }
      if (pending.count < need) return;  // wait for more bytes
      char32_t cp;
      utf8::decode(pending.bytes, pending.bytes + need, &cp);
      rows_.advance(c, static_cast<Unit>(cp));
      pending.count = 0;
    }
  }

  const FstReader& reader_;
  const Rows<kBound> rows_;
  const FuzzyEmit& emit_;
  std::string key_;
  std::uint64_t visits_ = 0;
  std::uint64_t transitions_ = 0;
  std::vector<Frame> stack_;
};

}  // namespace

Status fuzzy_search(const FstReader& reader, std::string_view query, FuzzyOptions options,
                    const FuzzyEmit& emit) {
  if (options.max_distance > kMaxFuzzyDistance) {
    return Status::invalid_argument("fuzzy distance must be 0, 1 or 2, got " +
                                    std::to_string(options.max_distance));
  }
  switch (options.max_distance) {
    case 0: return FuzzySearch<0>(reader, query, options.transpositions, emit).run();
    case 1: return FuzzySearch<1>(reader, query, options.transpositions, emit).run();
    default: return FuzzySearch<2>(reader, query, options.transpositions, emit).run();
  }
}

Status fuzzy_search(const FstReader& reader, std::string_view query, unsigned max_distance,
                    const FuzzyEmit& emit) {
  return fuzzy_search(reader, query, FuzzyOptions{max_distance, false}, emit);
}

}  // namespace tomes::fst
