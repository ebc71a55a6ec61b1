// fuzz_html.cc: a fuzz target for the HTML extractor (parse/html_text.h,
// html_charset.h, html_char_refs.h). The contract under test: no page, however
// malformed, may crash, read out of bounds, hang, go quadratic or exhaust
// memory, and the text out is always
//   - valid UTF-8 (whatever bytes and encoding went in),
//   - within the cap: status OK, or InvalidArgument "the text is larger than
//     the cap of N bytes" with *out then a prefix of the uncapped text no
//     longer than N,
//   - no longer than twice the decoded page (the most a character reference
//     grows is "&nGt;" -> 6 bytes; a tag gives at most one "\n"),
//   - the same on a second run (no hidden state).
//
// Input: byte 0 holds options (bit 0: xhtml; bits 1-2: the fallback
// encoding utf-8/auto/latin-1/cp1252; bit 3: a small cap, from bytes 1-2);
// the rest is the page.
//
// Build:
//   libFuzzer:  cmake -DTOMES_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... --target fuzz_html
//   replay:     the ctest fuzz_html_replay (-DTOMES_FUZZ_REPLAY) runs every
//               file of tests/cpp/fuzz_corpus/html, then TOMES_FUZZ_ITERATIONS
//               (default 20000) random and mutated inputs from
//               TOMES_FUZZ_SEED (default 1). A failing input is written to
//               TOMES_FUZZ_ARTIFACT_DIR as fuzz_html-failure-*.bin.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/utf8.h"
#include "parse/html_char_refs.h"
#include "parse/html_charset.h"
#include "parse/html_text.h"
#include "parse/text_decode.h"

#ifdef TOMES_FUZZ_REPLAY
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace tomes;
using namespace tomes::parse;

namespace {

const std::uint8_t* g_current_data = nullptr;
std::size_t g_current_size = 0;

#ifdef TOMES_FUZZ_REPLAY
char g_artifact_dir[2048] = "";
char g_current_label[2048] = "";

void append_str(char* out, std::size_t cap, const char* s) {
  std::size_t n = std::strlen(out);
  while (*s && n + 1 < cap) out[n++] = *s++;
  out[n] = '\0';
}
#endif

// Async-signal-safe: runs from SIGALRM and the sanitizer's death callback.
void save_current_input(const char* why) {
#ifdef TOMES_FUZZ_REPLAY
  if (g_current_data == nullptr) return;
  char path[2200] = "";
  if (g_artifact_dir[0]) {
    append_str(path, sizeof(path), g_artifact_dir);
    append_str(path, sizeof(path), "/");
  }
  append_str(path, sizeof(path), "fuzz_html-failure-");
  append_str(path, sizeof(path), why);
  append_str(path, sizeof(path), ".bin");
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  std::size_t done = 0;
  while (done < g_current_size) {
    const ssize_t n = ::write(fd, g_current_data + done, g_current_size - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  char message[4400] = "fuzz_html: failing input (";
  append_str(message, sizeof(message), g_current_label);
  append_str(message, sizeof(message), ") saved to ");
  append_str(message, sizeof(message), path);
  append_str(message, sizeof(message), "\n");
  (void)!::write(2, message, std::strlen(message));
#else
  (void)why;
#endif
}

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "fuzz_html: CHECK failed at line %d: %s\n", line, what);
  save_current_input("check");
  std::abort();
}

#define FUZZ_CHECK(cond)                  \
  do {                                    \
    if (!(cond)) fail(#cond, __LINE__);   \
  } while (0)

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    char32_t cp;
    const std::size_t len = utf8::decode(p, end, &cp);
    if (cp == utf8::kReplacement && len == 1 && *p >= 0x80) return false;
    p += len;
  }
  return true;
}

constexpr TextEncoding kEncodings[] = {TextEncoding::kUtf8, TextEncoding::kAuto, TextEncoding::kLatin1,
                                       TextEncoding::kCp1252};

void run_one(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  const std::uint8_t flags = data[0];
  HtmlOptions options;
  options.xhtml = (flags & 1) != 0;
  options.encoding = kEncodings[(flags >> 1) & 3];
  std::size_t skip = 1;
  std::uint64_t small_cap = 0;
  const bool capped = (flags & 8) != 0 && size >= 3;
  if (capped) {
    small_cap = data[1] | (std::uint64_t{data[2]} << 8);
    skip = 3;
  }
  const std::string_view page(reinterpret_cast<const char*>(data) + skip, size - skip);

  std::string text;
  const Status s = append_html_text(page, options, &text);
  FUZZ_CHECK(s.is_ok());  // the default cap (256 MB) is far above any input
  FUZZ_CHECK(valid_utf8(text));
  const std::string decoded = decode_text(page, sniff_html_encoding(page, options.encoding));
  FUZZ_CHECK(text.size() <= 2 * decoded.size());

  std::string again = "prefix ";
  FUZZ_CHECK(append_html_text(page, options, &again).is_ok());
  FUZZ_CHECK(again.compare(0, 7, "prefix ") == 0);
  FUZZ_CHECK(again.size() >= 7 && std::string_view(again).substr(7) == text);

  if (capped) {
    options.max_text_bytes = small_cap;
    std::string out;
    const Status c = append_html_text(page, options, &out);
    FUZZ_CHECK(out.size() <= small_cap);
    if (text.size() <= small_cap) {
      FUZZ_CHECK(c.is_ok() && out == text);
    } else {
      FUZZ_CHECK(c.code() == Status::Code::kInvalidArgument);
      FUZZ_CHECK(c.message() == "the text is larger than the cap of " + std::to_string(small_cap) + " bytes");
      FUZZ_CHECK(text.compare(0, out.size(), out) == 0);
    }
  }

  // The character reference decoder alone, on the page as text.
  if (valid_utf8(page)) {
    std::string unescaped;
    append_unescaped(page, &unescaped);
    FUZZ_CHECK(valid_utf8(unescaped));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  g_current_data = data;
  g_current_size = size;
  run_one(data, size);
  g_current_data = nullptr;
  return 0;
}

#ifdef TOMES_FUZZ_REPLAY
// --- Replay driver (no libFuzzer) ---------------------------------------------
#include <csignal>
#include <dirent.h>
#include <sys/stat.h>

#include <random>

extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

void on_sanitizer_death() { save_current_input("sanitizer"); }

void on_alarm(int) {
  static const char kMessage[] = "fuzz_html: an input ran too long (hang)\n";
  (void)!write(2, kMessage, sizeof(kMessage) - 1);
  save_current_input("timeout");
  std::_Exit(1);
}

void run_guarded(const std::string& input, unsigned timeout_seconds) {
  // An exact-size copy, as libFuzzer gives, so ASan sees a read past the end.
  std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[input.empty() ? 1 : input.size()]);
  if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
  alarm(timeout_seconds);
  LLVMFuzzerTestOneInput(copy.get(), input.size());
  alarm(0);
}

bool read_file(const std::string& path, std::string* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  out->clear();
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out->append(buf, n);
  std::fclose(f);
  return true;
}

void collect(const std::string& path, std::vector<std::string>* files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "fuzz_html: cannot stat %s\n", path.c_str());
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    files->push_back(path);
    return;
  }
  DIR* dir = opendir(path.c_str());
  if (!dir) return;
  std::vector<std::string> names;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    names.push_back(entry->d_name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) collect(path + "/" + name, files);
}

std::uint64_t env_u64(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtoull(v, nullptr, 10);
}

// Pieces of markup the random inputs are stitched from, so that tags,
// comments, references and raw text meet in every order.
const char* const kPieces[] = {
    "<p>", "</p>", "<b>", "</b>", "<div class=\"a>b\">", "</div>", "<br/>", "<script>", "</script>",
    "<style>", "</STYLE >", "<head>", "</head>", "<body>", "<noscript>", "</noscript>", "<template>",
    "</template>", "<!--", "-->", "--!>", "<!-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<?xml ?>",
    "&amp;", "&amp", "&notin;", "&notanentity;", "&#x80;", "&#0;", "&#xD800;", "&#99999999999;", "&#",
    "&", "<", ">", "</", "</>", "\"", "'", "=", "/", " ", "\n", "word", "\xC3\xA9", "\xFF", "\x93",
    "<meta charset=\"windows-1252\">", "\xEF\xBB\xBF", "\xFF\xFE", "<a href='x'", "<img src=a/>"};

std::string random_input(std::mt19937_64& rng, const std::vector<std::string>& corpus) {
  std::string input;
  const unsigned kind = rng() % 4;
  if (kind < 2 || corpus.empty()) {
    input.push_back(static_cast<char>(rng() & 0xFF));
    input.push_back(static_cast<char>(rng() & 0xFF));
    input.push_back(static_cast<char>(rng() & 0x0F));
    const std::size_t pieces = rng() % 60;
    for (std::size_t i = 0; i < pieces; ++i) {
      if (kind == 0) {
        input += kPieces[rng() % std::size(kPieces)];
      } else {
        input.push_back(static_cast<char>(rng() & 0xFF));
      }
    }
    return input;
  }
  input = corpus[rng() % corpus.size()];
  const unsigned mutations = 1 + rng() % 6;
  for (unsigned m = 0; m < mutations; ++m) {
    const std::size_t size = input.size();
    switch (rng() % 5) {
      case 0:
        if (size) input[rng() % size] = static_cast<char>(rng() & 0xFF);
        break;
      case 1:
        input.insert(size ? rng() % (size + 1) : 0, kPieces[rng() % std::size(kPieces)]);
        break;
      case 2:
        if (size) input.erase(rng() % size, 1 + rng() % 8);
        break;
      case 3:
        if (size) input.resize(rng() % size);
        break;
      default:
        if (size) input[0] = static_cast<char>(rng() & 0xFF);
        break;
    }
  }
  return input;
}

}  // namespace

extern "C" const char* __asan_default_options() { return "hard_rss_limit_mb=2048"; }

int main(int argc, char** argv) {
  if (&__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(on_sanitizer_death);
  if (const char* dir = std::getenv("TOMES_FUZZ_ARTIFACT_DIR")) {
    append_str(g_artifact_dir, sizeof(g_artifact_dir), dir);
  }
  std::signal(SIGALRM, on_alarm);
  const unsigned timeout = static_cast<unsigned>(env_u64("TOMES_FUZZ_TIMEOUT", 10));

  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) collect(argv[i], &paths);
  std::vector<std::string> corpus;
  for (const std::string& path : paths) {
    std::string input;
    if (!read_file(path, &input)) {
      std::fprintf(stderr, "fuzz_html: cannot read %s\n", path.c_str());
      return 1;
    }
    g_current_label[0] = '\0';
    append_str(g_current_label, sizeof(g_current_label), path.c_str());
    run_guarded(input, timeout);
    corpus.push_back(std::move(input));
  }
  std::fprintf(stderr, "fuzz_html: replayed %zu corpus files\n", corpus.size());

  const std::uint64_t iterations = env_u64("TOMES_FUZZ_ITERATIONS", 20000);
  const std::uint64_t seed = env_u64("TOMES_FUZZ_SEED", 1);
  std::mt19937_64 rng(seed);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    const std::string input = random_input(rng, corpus);
    std::snprintf(g_current_label, sizeof(g_current_label), "random input %llu of TOMES_FUZZ_SEED=%llu",
                  static_cast<unsigned long long>(i), static_cast<unsigned long long>(seed));
    run_guarded(input, timeout);
  }
  std::fprintf(stderr, "fuzz_html: %llu random inputs (seed %llu): no failures\n",
               static_cast<unsigned long long>(iterations), static_cast<unsigned long long>(seed));
  return 0;
}
#endif  // TOMES_FUZZ_REPLAY
