#include "parse/html_text.h"

#include <cstring>

#include "parse/html_char_refs.h"
#include "parse/html_charset.h"
#include "parse/html_elements.h"

namespace tomes::parse {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_alpha(char c) { return static_cast<unsigned char>((c | 0x20) - 'a') < 26; }
// Where a tag name ends (HTML5's tag name state).
bool ends_name(char c) { return is_space(c) || c == '/' || c == '>'; }

const char* find_char(const char* p, const char* end, char c) {
  return static_cast<const char*>(std::memchr(p, c, static_cast<std::size_t>(end - p)));
}

// The first occurrence of needle in [p, end), or nullptr.
const char* find_str(const char* p, const char* end, std::string_view needle) {
  const std::string_view hay(p, static_cast<std::size_t>(end - p));
  const std::size_t at = hay.find(needle);
  return at == std::string_view::npos ? nullptr : p + at;
}

// One page's text, appended to *out as the tokenizer meets it. The whole
// state is a cursor, three counters and a raw-text flag (html_text.h).
class Extractor {
 public:
  Extractor(const HtmlOptions& options, std::string* out) : options_(options), out_(out) {}

  Status run(std::string_view html) {
    start_size_ = out_->size();
    end_ = html.data() + html.size();
    const char* text = html.data();  // the start of text not yet appended
    const char* scan = text;         // where to look for the next '<'
    while (scan < end_) {
      if (raw_ != HtmlElement::kInline) {
        scan = text = skip_raw_text(scan);
        continue;
      }
      const char* lt = find_char(scan, end_, '<');
      if (lt == nullptr) break;
      if (!starts_markup(lt)) {
        scan = lt + 1;  // a '<' that is text: it stays in the pending text
        continue;
      }
      if (!append_text(text, lt)) return cap_error();
      scan = text = markup(lt);
      if (over_cap_) return cap_error();
    }
    if (!append_text(text, end_)) return cap_error();
    return Status::ok();
  }

 private:
  Status cap_error() const {
    return Status::invalid_argument("the text is larger than the cap of " + std::to_string(options_.max_text_bytes) +
                                    " bytes");
  }

  bool dropped() const { return head_ != 0 || noscript_ != 0 || template_ != 0; }

  bool append(const char* s, std::size_t n) {
    if (out_->size() + n > options_.max_text_bytes) {
      over_cap_ = true;
      return false;
    }
    out_->append(s, n);
    return true;
  }

  // The text [b, e) with its character references decoded (unless dropped).
  bool append_text(const char* b, const char* e) {
    if (b >= e || dropped()) return true;
    for (;;) {
      const char* amp = find_char(b, e, '&');
      if (amp == nullptr) return append(b, static_cast<std::size_t>(e - b));
      if (!append(b, static_cast<std::size_t>(amp - b))) return false;
      ref_.clear();
      const std::size_t used = append_char_ref(std::string_view(amp, static_cast<std::size_t>(e - amp)), &ref_);
      if (used == 0) {
        if (!append(amp, 1)) return false;
        b = amp + 1;
      } else {
        if (!append(ref_.data(), ref_.size())) return false;
        b = amp + used;
      }
    }
  }

  // A line break between blocks: none before the page's first text (so what
  // a page appends does not depend on what *out held), never two in a row.
  void separate() {
    if (dropped() || out_->size() == start_size_ || out_->back() == '\n') return;
    append("\n", 1);
  }

  // Whether the '<' at lt opens markup rather than being text.
  bool starts_markup(const char* lt) const {
    if (lt + 1 >= end_) return false;
    const char c = lt[1];
    if (c == '/') return lt + 2 < end_;
    return is_alpha(c) || c == '!' || c == '?';
  }

  // Consumes the markup at lt (starts_markup(lt)); returns where text resumes.
  const char* markup(const char* lt) {
    const char c = lt[1];
    if (is_alpha(c)) return start_tag(lt);
    if (c == '/') {
      if (is_alpha(lt[2])) return end_tag(lt);
      if (lt[2] == '>') return lt + 3;  // "</>": nothing
      return past_gt(lt + 2);           // bogus comment
    }
    if (c == '?') return past_gt(lt + 2);
    return bang(lt);
  }

  const char* past_gt(const char* p) const {
    const char* gt = find_char(p, end_, '>');
    return gt == nullptr ? end_ : gt + 1;
  }

  // "<!": a comment, CDATA, or a doctype / bogus comment.
  const char* bang(const char* lt) {
    const std::string_view rest(lt, static_cast<std::size_t>(end_ - lt));
    if (rest.compare(0, 4, "<!--") == 0) {
      const char* p = lt + 4;
      if (p < end_ && *p == '>') return p + 1;                      // "<!-->"
      if (p + 1 < end_ && p[0] == '-' && p[1] == '>') return p + 2;  // "<!--->"
      for (const char* d = find_str(p, end_, "--"); d != nullptr; d = find_str(d + 1, end_, "--")) {
        if (d + 2 < end_ && d[2] == '>') return d + 3;
        if (d + 3 < end_ && d[2] == '!' && d[3] == '>') return d + 4;
      }
      return end_;
    }
    if (rest.compare(0, 9, "<![CDATA[") == 0) {
      const char* close = find_str(lt + 9, end_, "]]>");
      return close == nullptr ? end_ : close + 3;
    }
    return past_gt(lt + 2);
  }

  const char* start_tag(const char* lt) {
    const char* p = lt + 1;
    while (p < end_ && !ends_name(*p)) ++p;
    const HtmlElement kind = classify_element(std::string_view(lt + 1, static_cast<std::size_t>(p - lt - 1)));
    bool self_closing = false;
    for (;;) {
      // Before an attribute: whitespace and stray '/' (a '/' right before
      // the '>' makes the tag self-closing).
      while (p < end_ && (is_space(*p) || *p == '/')) {
        if (*p == '/' && p + 1 < end_ && p[1] == '>') self_closing = true;
        ++p;
      }
      if (p >= end_) return end_;  // EOF in a tag: the tag is dropped
      if (*p == '>') break;
      // The attribute's name (its first character may be '=').
      ++p;
      while (p < end_ && !ends_name(*p) && *p != '=') ++p;
      while (p < end_ && is_space(*p)) ++p;
      if (p >= end_ || *p != '=') continue;
      ++p;
      while (p < end_ && is_space(*p)) ++p;
      if (p >= end_) return end_;
      if (*p == '"' || *p == '\'') {
        const char* close = find_char(p + 1, end_, *p);
        if (close == nullptr) return end_;
        p = close + 1;
      } else {
        while (p < end_ && !is_space(*p) && *p != '>') ++p;
      }
    }
    on_start(kind, self_closing && options_.xhtml);
    return p + 1;
  }

  const char* end_tag(const char* lt) {
    const char* p = lt + 2;
    while (p < end_ && !ends_name(*p)) ++p;
    const HtmlElement kind = classify_element(std::string_view(lt + 2, static_cast<std::size_t>(p - lt - 2)));
    const char* gt = find_char(p, end_, '>');
    if (gt == nullptr) return end_;
    on_end(kind);
    return gt + 1;
  }

  // closed: an XHTML "<x/>", a start and an end tag at once.
  void on_start(HtmlElement kind, bool closed) {
    switch (kind) {
      case HtmlElement::kInline: return;
      case HtmlElement::kBody: head_ = 0; [[fallthrough]];
      case HtmlElement::kBlock: return separate();
      case HtmlElement::kHead: head_ += closed ? 0 : 1; return;
      case HtmlElement::kNoscript: noscript_ += closed ? 0 : 1; return;
      case HtmlElement::kTemplate: template_ += closed ? 0 : 1; return;
      case HtmlElement::kScript:
      case HtmlElement::kStyle:
        if (!closed) raw_ = kind;
        return;
    }
  }

  void on_end(HtmlElement kind) {
    switch (kind) {
      case HtmlElement::kBody:
      case HtmlElement::kBlock: return separate();
      case HtmlElement::kHead: head_ -= head_ != 0; return;
      case HtmlElement::kNoscript: noscript_ -= noscript_ != 0; return;
      case HtmlElement::kTemplate: template_ -= template_ != 0; return;
      default: return;
    }
  }

  // Inside script or style: past the matching end tag, or the end.
  const char* skip_raw_text(const char* p) {
    const std::string_view name = raw_ == HtmlElement::kScript ? "script" : "style";
    for (;;) {
      const char* lt = find_char(p, end_, '<');
      if (lt == nullptr) return end_;
      const char* after = lt + 2 + name.size();
      if (after <= end_ && lt[1] == '/' && matches_lower(lt + 2, name) && (after == end_ || ends_name(*after))) {
        raw_ = HtmlElement::kInline;
        return past_gt(after);
      }
      p = lt + 1;
    }
  }

  static bool matches_lower(const char* p, std::string_view lower) {
    for (std::size_t i = 0; i < lower.size(); ++i) {
      const char c = p[i];
      if (((c >= 'A' && c <= 'Z') ? c + 32 : c) != lower[i]) return false;
    }
    return true;
  }

  const HtmlOptions& options_;
  std::string* out_;
  const char* end_ = nullptr;
  std::size_t start_size_ = 0;  // out_->size() when the page began
  std::uint64_t head_ = 0, noscript_ = 0, template_ = 0;
  HtmlElement raw_ = HtmlElement::kInline;  // kScript or kStyle inside one
  bool over_cap_ = false;
  std::string ref_;  // one decoded character reference
};

}  // namespace

Status append_html_text_utf8(std::string_view text, const HtmlOptions& options, std::string* out) {
  Extractor extractor(options, out);
  return extractor.run(text);
}

Status append_html_text(std::string_view bytes, const HtmlOptions& options, std::string* out, bool* invalid_utf8) {
  bool declared = false;
  const TextEncoding encoding = sniff_html_encoding(bytes, options.encoding, &declared);
  bool invalid = false;
  const std::string text = decode_text(bytes, encoding, &invalid);
  if (invalid_utf8 != nullptr) *invalid_utf8 = invalid && !declared;
  return append_html_text_utf8(text, options, out);
}

}  // namespace tomes::parse
