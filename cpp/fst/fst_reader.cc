#include "fst/fst_reader.h"

#include <cstring>

#include "common/coding.h"
#include "common/crc32.h"
#include "fst/fst_format.h"

namespace tomes::fst {

Result<FstReader> FstReader::open(std::string_view bytes, std::string source) {
  auto corrupt = [&](const std::string& what) {
    return Status::corruption(source + ": not a valid tomes FST: " + what);
  };
  if (bytes.size() < kHeaderSize + 1 + kFooterSize) {
    return corrupt("expected at least " + std::to_string(kHeaderSize + 1 + kFooterSize) +
                   " bytes, got " + std::to_string(bytes.size()));
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return corrupt("expected magic \"tomesFST\" at offset 0");
  }
  const std::uint32_t version = get_u32(bytes.data() + 8);
  if (version != kFormatVersion) {
    return corrupt("expected format version " + std::to_string(kFormatVersion) + ", got " +
                   std::to_string(version));
  }
  const char* footer = bytes.data() + bytes.size() - kFooterSize;
  const std::uint32_t footer_version = get_u32(footer + 16);
  if (footer_version != kFormatVersion) {
    return corrupt("expected format version " + std::to_string(kFormatVersion) +
                   " in the footer, got " + std::to_string(footer_version) +
                   " (truncated or damaged)");
  }
  const std::uint32_t stored_crc = get_u32(footer + 20);
  const std::uint32_t crc = crc32_update(0, bytes.substr(0, bytes.size() - 4));
  if (crc != stored_crc) {
    return corrupt("checksum mismatch: expected CRC-32 " + std::to_string(stored_crc) + ", got " +
                   std::to_string(crc));
  }
  const std::uint64_t key_count = get_u64(footer);
  // The builder adds keys one by one: 2**63 of them is beyond any real file.
  if (key_count > (std::uint64_t{1} << 63) - 1) {
    return corrupt("implausible key count " + std::to_string(key_count));
  }
  FstReader reader;
  reader.bytes_ = bytes;
  reader.source_ = std::move(source);
  reader.key_count_ = key_count;
  reader.root_ = get_u64(footer + 8);
  reader.nodes_end_ = bytes.size() - kFooterSize;
  Node root;
  if (Status s = reader.node(reader.root_, &root); !s.is_ok()) return s;
  return reader;
}

Status FstReader::corruption_at(std::uint64_t address, const char* what) const {
  return corrupt(address, what);
}

Status FstReader::corrupt(std::uint64_t address, const char* what) const {
  return Status::corruption(source_ + ": not a valid tomes FST: node at " +
                            std::to_string(address) + ": " + what);
}

Status FstReader::node(std::uint64_t address, Node* out) const {
  if (address <= kHeaderSize || address > nodes_end_) return corrupt(address, "address out of range");
  const std::uint64_t available = address - kHeaderSize;  // logical bytes this node may use
  Node& n = *out;
  n.address = address;
  const std::uint8_t header = logical(n, 0);
  std::uint64_t size = 1;
  if (header & kOneTransition) {
    n.one = true;
    n.final = false;
    n.final_output = 0;
    n.count = 1;
    const std::uint8_t common = header & kCommonIndexMask;
    if (common != 0) {
      n.one_input = static_cast<std::uint8_t>(kCommonBytes[common - 1]);
    } else {
      if (size >= available) return corrupt(address, "truncated node");
      n.one_input = logical(n, size++);
    }
    std::uint64_t delta = 0;
    if (!(header & kOneTransitionNext)) {
      const LogicalIt from = logical_at(n, size);
      LogicalIt p = from;
      if (get_varint(&p, logical_at(n, available), &delta) != VarintError::kOk) {
        return corrupt(address, "bad varint");
      }
      size += static_cast<std::uint64_t>(p - from);
    }
    n.start = address - size;
    if (delta > n.start) return corrupt(address, "transition points before the file");
    n.one_target = n.start - delta;
    return Status::ok();
  }
  n.one = false;
  n.final = header & kFinal;
  unsigned count = header & kCountMask;
  if (count == kExplicitCount) {
    if (size >= available) return corrupt(address, "truncated node");
    count = static_cast<unsigned>(logical(n, size++)) + 1;
  }
  n.count = count;
  n.output_width = 0;
  n.delta_width = 0;
  n.final_output = 0;
  const bool has_final_output = header & kHasFinalOutput;
  if (count > 0 || has_final_output) {
    if (size >= available) return corrupt(address, "truncated node");
    const std::uint8_t widths = logical(n, size++);
    n.output_width = widths >> 4;
    n.delta_width = widths & 0x0F;
    if (n.output_width > 8 || n.delta_width > 8) return corrupt(address, "width above 8 bytes");
  }
  if (has_final_output) {
    if (size + n.output_width > available) return corrupt(address, "truncated node");
    n.final_output = fixed(n, size, n.output_width);
    size += n.output_width;
  }
  n.inputs_at = static_cast<std::uint32_t>(size);
  size += std::uint64_t{count} * (1 + n.delta_width + n.output_width);
  if (size > available) return corrupt(address, "truncated node");
  // In a minimal FST every state leads to a key: only the root of the empty
  // FST is a dead end. (Dead ends would let a walk run without producing.)
  if (count == 0 && !n.final && address != root_) return corrupt(address, "dead-end state");
  n.start = address - size;
  return Status::ok();
}

int FstReader::find(const Node& n, std::uint8_t b) const {
  if (n.one) return n.one_input == b ? 0 : -1;
  const char* inputs_end = bytes_.data() + n.address - n.inputs_at;  // logical order runs down
  for (unsigned i = 0; i < n.count; ++i) {
    const auto c = static_cast<std::uint8_t>(inputs_end[-1 - static_cast<std::ptrdiff_t>(i)]);
    if (c == b) return static_cast<int>(i);
    if (c > b) return -1;
  }
  return -1;
}

unsigned FstReader::lower_bound(const Node& n, std::uint8_t b) const {
  unsigned i = 0;
  while (i < n.count && input(n, i) < b) ++i;
  return i;
}

Status FstReader::get(std::string_view key, bool* found, std::uint64_t* value) const {
  Node n;
  if (Status s = node(root_, &n); !s.is_ok()) return s;
  std::uint64_t total = 0;
  for (const char c : key) {
    const int i = find(n, static_cast<std::uint8_t>(c));
    if (i < 0) {
      *found = false;
      return Status::ok();
    }
    total += output(n, static_cast<unsigned>(i));
    if (Status s = node(target(n, static_cast<unsigned>(i)), &n); !s.is_ok()) return s;
  }
  *found = n.final;
  if (n.final) *value = total + n.final_output;
  return Status::ok();
}

bool prefix_successor(std::string_view prefix, std::string* out) {
  out->assign(prefix.data(), prefix.size());
  while (!out->empty() && static_cast<unsigned char>(out->back()) == 0xFF) out->pop_back();
  if (out->empty()) return false;
  out->back() = static_cast<char>(static_cast<unsigned char>(out->back()) + 1);
  return true;
}

FstStream::FstStream(const FstReader& reader, Bounds bounds)
    : reader_(reader), bounds_(std::move(bounds)) {
  seek();
}

bool FstStream::push(std::uint64_t address, std::uint64_t output, unsigned next, bool emit_final) {
  Frame frame;
  if (Status s = reader_.node(address, &frame.node); !s.is_ok()) {
    status_ = s;
    done_ = true;
    return false;
  }
  frame.output = output;
  frame.next = next;
  frame.emit_final = emit_final;
  stack_.push_back(frame);
  return true;
}

void FstStream::seek() {
  if (!push(reader_.root(), 0, 0, true)) return;
  if (!bounds_.has_ge) return;
  const std::string& ge = bounds_.ge;
  for (std::size_t i = 0; i < ge.size(); ++i) {
    Frame& frame = stack_.back();
    frame.emit_final = false;  // its key is a proper prefix of ge: smaller
    const auto b = static_cast<std::uint8_t>(ge[i]);
    const unsigned j = reader_.lower_bound(frame.node, b);
    frame.next = j;
    if (j == frame.node.count || reader_.input(frame.node, j) != b) return;
    frame.next = j + 1;
    key_.push_back(static_cast<char>(b));
    const std::uint64_t output = frame.output + reader_.output(frame.node, j);
    if (!push(reader_.target(frame.node, j), output, 0, true)) return;
  }
}

bool FstStream::next(std::string_view* key, std::uint64_t* value) {
  while (!done_ && !stack_.empty()) {
    Frame& frame = stack_.back();
    if (frame.emit_final) {
      frame.emit_final = false;
      if (frame.node.final) {
        if (past_end()) break;
        *key = key_;
        *value = frame.output + frame.node.final_output;
        return true;
      }
    }
    if (frame.next < frame.node.count) {
      const unsigned i = frame.next++;
      // Keys come out in order only if each node's inputs increase.
      if (i > 0 && reader_.input(frame.node, i) <= reader_.input(frame.node, i - 1)) {
        status_ = reader_.corruption_at(frame.node.address, "inputs not in increasing order");
        done_ = true;
        return false;
      }
      key_.push_back(static_cast<char>(reader_.input(frame.node, i)));
      if (past_end()) break;  // every key below is >= lt too
      const std::uint64_t output = frame.output + reader_.output(frame.node, i);
      if (!push(reader_.target(frame.node, i), output, 0, true)) return false;
      continue;
    }
    stack_.pop_back();
    if (!stack_.empty()) key_.pop_back();
  }
  done_ = true;
  return false;
}

}  // namespace tomes::fst
