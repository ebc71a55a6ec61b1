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

// One row of the edit-distance matrix, kept only within the band where a
// distance <= bound is possible: after `units` units of the key, cell k holds
// the distance to the query's first j = units - bound + k units. Cells outside
// the band (or outside the query) exceed the bound and are not stored, so a
// step costs O(bound), whatever the query's length.
struct BandRow {
  std::array<std::uint8_t, 2 * kMaxFuzzyDistance + 1> cells{};
  std::size_t units = 0;
};

class FuzzySearch {
 public:
  FuzzySearch(const FstReader& reader, std::string_view query, unsigned max_distance,
              const std::function<void(std::string_view, std::uint64_t, unsigned)>& emit)
      : reader_(reader), query_(units_of(query)), bound_(max_distance), emit_(emit) {}

  // Depth first, with an explicit stack (keys can be far longer than any
  // call stack could follow).
  Status run() {
    BandRow row;
    for (unsigned k = 0; k <= 2 * bound_; ++k) row.cells[k] = cell_at_start(k);
    if (Status s = enter(reader_.root(), 0, row, Pending{}); !s.is_ok()) return s;
    while (!stack_.empty()) {
      Frame& frame = stack_.back();
      if (frame.next == frame.node.count) {
        stack_.pop_back();
        if (!stack_.empty()) key_.pop_back();
        continue;
      }
      const unsigned i = frame.next++;
      const std::uint8_t b = reader_.input(frame.node, i);
      if (i > 0 && b <= reader_.input(frame.node, i - 1)) {
        return reader_.corruption_at(frame.node.address, "inputs not in increasing order");
      }
      // Every transition examined costs a row update, entered or not: a
      // crafted FST of 256-way nodes would otherwise cost 256 updates per
      // counted state.
      if (++transitions_ > kMaxFuzzyTransitions) return stopped(kMaxFuzzyTransitions, "transitions");
      BandRow child = frame.row;
      Pending pending = frame.pending;
      feed(child, pending, b);
      if (!alive(child)) continue;
      if (++visits_ > kMaxFuzzyVisits) return stopped(kMaxFuzzyVisits, "states");
      key_.push_back(static_cast<char>(b));
      const std::uint64_t address = reader_.target(frame.node, i);
      const std::uint64_t output = frame.output + reader_.output(frame.node, i);
      if (Status s = enter(address, output, child, pending); !s.is_ok()) return s;
    }
    return Status::ok();
  }

 private:
  struct Pending {
    unsigned char bytes[4] = {0, 0, 0, 0};
    unsigned count = 0;
  };
  struct Frame {
    FstReader::Node node;
    unsigned next = 0;
    std::uint64_t output = 0;
    BandRow row;
    Pending pending;
  };

  Status stopped(std::uint64_t limit, const char* what) const {
    return Status::invalid_argument(reader_.source() + ": fuzzy search stopped after visiting " +
                                    std::to_string(limit) + " " + what +
                                    ": too many keys near the term");
  }

  std::uint8_t outside() const { return static_cast<std::uint8_t>(bound_ + 1); }

  std::uint8_t cap(std::size_t v) const {
    return static_cast<std::uint8_t>(std::min<std::size_t>(v, bound_ + 1));
  }

  // Cell k of the row before any unit: the distance to the query's first j units is j.
  std::uint8_t cell_at_start(unsigned k) const {
    if (k < bound_) return outside();  // j < 0
    const std::size_t j = k - bound_;
    return j <= query_.size() ? cap(j) : outside();
  }

  // The distance to the whole query, or bound + 1.
  std::uint8_t distance(const BandRow& row) const {
    const std::size_t m = query_.size();
    if (m + bound_ < row.units || m > row.units + bound_) return outside();
    return row.cells[m + bound_ - row.units];
  }

  // The row after one more unit of the key.
  void advance(BandRow& row, Unit unit) const {
    const BandRow old = row;
    const std::size_t units = old.units + 1;
    row.units = units;
    std::uint8_t left = outside();
    for (unsigned k = 0; k <= 2 * bound_; ++k) {
      std::uint8_t value;
      if (units + k < bound_ || units + k - bound_ > query_.size()) {
        value = outside();  // j < 0 or j > m
      } else {
        const std::size_t j = units + k - bound_;
        if (j == 0) {
          value = cap(units);
        } else {
          const unsigned above = k + 1 <= 2 * bound_ ? old.cells[k + 1] : outside();
          const unsigned diagonal = old.cells[k];
          const unsigned substitute = diagonal + (query_[j - 1] == unit ? 0u : 1u);
          value = cap(std::min({above + 1u, left + 1u, substitute}));
        }
      }
      row.cells[k] = value;
      left = value;
    }
  }

  bool alive(const BandRow& row) const {
    return *std::min_element(row.cells.begin(), row.cells.begin() + 2 * bound_ + 1) <= bound_;
  }

  // Pushes the node at address, reached with row, and emits its key if it is
  // final and near enough.
  Status enter(std::uint64_t address, std::uint64_t output, const BandRow& row,
               const Pending& pending) {
    Frame frame;
    if (Status s = reader_.node(address, &frame.node); !s.is_ok()) return s;
    frame.output = output;
    frame.row = row;
    frame.pending = pending;
    if (frame.node.final) {
      // An incomplete sequence at the end is one unit per byte.
      BandRow end_row = row;
      for (unsigned i = 0; i < pending.count; ++i) advance(end_row, kInvalidByteBase + pending.bytes[i]);
      const std::uint8_t d = distance(end_row);
      if (d <= bound_) emit_(key_, output + frame.node.final_output, d);
    }
    stack_.push_back(frame);
    return Status::ok();
  }

  // Appends byte b to the pending bytes and turns what it completes (or
  // breaks) into units.
  void feed(BandRow& row, Pending& pending, unsigned char b) const {
    pending.bytes[pending.count++] = b;
    while (pending.count > 0) {
      const unsigned char lead = pending.bytes[0];
      const unsigned need = sequence_length(lead);
      bool broken = need == 0;
      for (unsigned i = 1; !broken && i < pending.count; ++i) broken = !fits(lead, i, pending.bytes[i]);
      if (broken) {
        advance(row, kInvalidByteBase + lead);
        for (unsigned i = 1; i < pending.count; ++i) pending.bytes[i - 1] = pending.bytes[i];
        --pending.count;
        continue;  // the rest may start a sequence afresh
      }
      if (pending.count < need) return;  // wait for more bytes
      char32_t cp;
      utf8::decode(pending.bytes, pending.bytes + need, &cp);
      advance(row, static_cast<Unit>(cp));
      pending.count = 0;
    }
  }

  const FstReader& reader_;
  const std::vector<Unit> query_;
  const unsigned bound_;
  const std::function<void(std::string_view, std::uint64_t, unsigned)>& emit_;
  std::string key_;
  std::uint64_t visits_ = 0;
  std::uint64_t transitions_ = 0;
  std::vector<Frame> stack_;
};

}  // namespace

Status fuzzy_search(const FstReader& reader, std::string_view query, unsigned max_distance,
                    const std::function<void(std::string_view, std::uint64_t, unsigned)>& emit) {
  if (max_distance > kMaxFuzzyDistance) {
    return Status::invalid_argument("fuzzy distance must be 0, 1 or 2, got " +
                                    std::to_string(max_distance));
  }
  return FuzzySearch(reader, query, max_distance, emit).run();
}

}  // namespace tomes::fst
