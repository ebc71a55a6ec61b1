#include "parse/binary_text.h"

#include <string>

namespace tomes::parse {

namespace {

// Whether a one-byte (ASCII) code point is a control the rule counts.
constexpr bool is_ascii_control(unsigned char b) {
  return (b >= 0x01 && b <= 0x08) || (b >= 0x0E && b <= 0x1F) || b == 0x7F;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  return std::to_string(whole == 0 ? 0 : (part * 100 + whole / 2) / whole) + "%";
}

std::string percent_of(double share) { return std::to_string(static_cast<int>(share * 100 + 0.5)) + "%"; }

}  // namespace

TextCensus take_census(std::string_view text) {
  // Byte by byte: every code point starts with a non-continuation byte; the
  // C1 controls are C2 80..C2 9F and U+FFFD is EF BF BD. One pass over text
  // the tokenizer is about to read anyway.
  TextCensus c;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char b = p[i];
    if ((b & 0xC0) == 0x80) continue;  // a continuation byte
    ++c.code_points;
    if (b < 0x80) {
      c.controls += is_ascii_control(b);
    } else if (b == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F && p[i + 1] != 0x85) {
      ++c.controls;
    } else if (b == 0xEF && i + 2 < n && p[i + 1] == 0xBF && p[i + 2] == 0xBD) {
      ++c.replacements;
    }
  }
  return c;
}

bool looks_binary(const TextCensus& c) {
  const std::uint64_t evidence = c.controls + c.replacements;
  if (evidence < kMinEvidence) return false;
  const double n = static_cast<double>(c.code_points);
  return static_cast<double>(c.controls) >= kControlShare * n ||
         static_cast<double>(evidence) >= kGarbageShare * n;
}

Status check_not_binary(std::string_view text) {
  const TextCensus c = take_census(text);
  if (!looks_binary(c)) return Status::ok();
  return Status::invalid_argument(
      "binary content: " + percent(c.controls + c.replacements, c.code_points) + " of its " +
      std::to_string(c.code_points) + " characters are control characters (" +
      percent(c.controls, c.code_points) + ") or U+FFFD, undecodable bytes (" +
      percent(c.replacements, c.code_points) +
      "); a book is skipped as binary at " + percent_of(kControlShare) + " control characters or " +
      percent_of(kGarbageShare) +
      " of both (if it is text in a legacy encoding, try encoding=\"auto\" or a single-byte codec)");
}

}  // namespace tomes::parse
