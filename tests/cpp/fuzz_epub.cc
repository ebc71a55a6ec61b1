// fuzz_epub.cc: a fuzz target for the EPUB reader (cpp/parse/epub.h) and
// what it stands on: the zip reader (zip_archive.h, zip_member.h), the XML
// scanner (xml_scanner.h) and container/OPF/href handling (opf_package.h).
// The contract under test: nothing an archive holds may crash, read out of
// bounds, hang or exhaust memory; the text is valid UTF-8 and within the
// cap; a refusal is InvalidArgument with a one-line, valid UTF-8 reason.
//
// Random bytes rarely get past the zip layer, so most modes build a valid
// zip around the fuzzer's bytes:
//
//   "PK..."   the input is the archive as it is (seeds are real EPUBs and
//             hostile fixtures); the cap is 1 MiB.
//   Otherwise the first byte picks a mode, the second the cap (256 << k
//   bytes, k < 13) and the third the zip options (stored/deflated members,
//   data descriptors, ZIP64 extras and end record, the default container):
//   mode 0    raw: the rest is the archive.
//   mode 1-5  structured: the rest, split at "@@", is container.xml, the
//             OPF (at OEBPS/content.opf) and chapters OEBPS/c0.xhtml,
//             OEBPS/c1.xhtml, ...; built into a valid zip.
//   mode 6-7  structured, then damaged: the last 4 bytes of every 16 at the
//             end of the input (if any) are (offset, byte) edits of the
//             built archive, so headers, sizes and CRCs are hit after the
//             zip is valid.
// Each input is also given to the XML scanner, container_rootfile and
// parse_opf directly, and each href found to resolve_href.
//
// Build and replay as fuzz_fst.cc (TOMES_FUZZ_REPLAY, ctest fuzz_epub_replay);
// failing inputs go to TOMES_FUZZ_ARTIFACT_DIR as fuzz_epub-failure-*.bin.
#include <zlib.h>

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
#include "parse/epub.h"
#include "parse/opf_package.h"
#include "parse/xml_scanner.h"

#ifdef TOMES_FUZZ_REPLAY
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace tomes;
using namespace tomes::parse;

namespace {

// --- Failure reporting ---------------------------------------------------------

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

void save_current_input(const char* why) {
#ifdef TOMES_FUZZ_REPLAY
  if (g_current_data == nullptr) return;
  char path[2200] = "";
  if (g_artifact_dir[0]) {
    append_str(path, sizeof(path), g_artifact_dir);
    append_str(path, sizeof(path), "/");
  }
  append_str(path, sizeof(path), "fuzz_epub-failure-");
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
  char message[4400] = "fuzz_epub: failing input (";
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
  std::fprintf(stderr, "fuzz_epub: CHECK failed at line %d: %s\n", line, what);
  save_current_input("check");
  std::abort();
}

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) fail(#cond, __LINE__); \
  } while (0)

// Strict UTF-8: every U+FFFD decoded must be a real EF BF BD.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    char32_t cp;
    const std::size_t n = utf8::decode(p, end, &cp);
    if (cp == utf8::kReplacement && n != 3) return false;
    p += n;
  }
  return true;
}

// --- A zip writer (the same layout as tests/cpp/test_zip_writer.h, kept
// here so the target compiles alone) ---------------------------------------------

void put16(std::string* s, std::uint32_t v) {
  s->push_back(static_cast<char>(v & 0xFF));
  s->push_back(static_cast<char>((v >> 8) & 0xFF));
}
void put32(std::string* s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}
void put64(std::string* s, std::uint64_t v) {
  put32(s, static_cast<std::uint32_t>(v));
  put32(s, static_cast<std::uint32_t>(v >> 32));
}

std::string raw_deflate(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(&out[0]);
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct Options {
  bool deflate;      // else stored
  bool descriptors;  // flag bit 3, sizes after the data
  bool zip64;        // ZIP64 extras and end record
};

std::string build_zip(const std::vector<std::pair<std::string, std::string>>& members, const Options& o) {
  std::string out, central;
  for (const auto& [name, data] : members) {
    const std::string body = o.deflate ? raw_deflate(data) : data;
    const std::uint32_t crc = static_cast<std::uint32_t>(
        ::crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const std::uint64_t offset = out.size();
    const std::uint16_t flags = o.descriptors ? 8 : 0;
    const std::uint16_t method = o.deflate ? 8 : 0;
    put32(&out, 0x04034b50);
    put16(&out, 20);
    put16(&out, flags);
    put16(&out, method);
    put32(&out, 0);
    put32(&out, o.descriptors ? 0 : crc);
    put32(&out, o.descriptors ? 0 : static_cast<std::uint32_t>(body.size()));
    put32(&out, o.descriptors ? 0 : static_cast<std::uint32_t>(data.size()));
    put16(&out, static_cast<std::uint32_t>(name.size()));
    put16(&out, 0);
    out += name;
    out += body;
    if (o.descriptors) {
      put32(&out, 0x08074b50);
      put32(&out, crc);
      put32(&out, static_cast<std::uint32_t>(body.size()));
      put32(&out, static_cast<std::uint32_t>(data.size()));
    }
    std::string extra;
    if (o.zip64) {
      put16(&extra, 1);
      put16(&extra, 24);
      put64(&extra, data.size());
      put64(&extra, body.size());
      put64(&extra, offset);
    }
    put32(&central, 0x02014b50);
    put16(&central, 45);
    put16(&central, 45);
    put16(&central, flags);
    put16(&central, method);
    put32(&central, 0);
    put32(&central, crc);
    put32(&central, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(body.size()));
    put32(&central, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(data.size()));
    put16(&central, static_cast<std::uint32_t>(name.size()));
    put16(&central, static_cast<std::uint32_t>(extra.size()));
    put16(&central, 0);
    put16(&central, 0);
    put16(&central, 0);
    put32(&central, 0);
    put32(&central, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(offset));
    central += name;
    central += extra;
  }
  const std::uint64_t cd_offset = out.size();
  out += central;
  if (o.zip64) {
    const std::uint64_t record = out.size();
    put32(&out, 0x06064b50);
    put64(&out, 44);
    put16(&out, 45);
    put16(&out, 45);
    put32(&out, 0);
    put32(&out, 0);
    put64(&out, members.size());
    put64(&out, members.size());
    put64(&out, central.size());
    put64(&out, cd_offset);
    put32(&out, 0x07064b50);
    put32(&out, 0);
    put64(&out, record);
    put32(&out, 1);
  }
  put32(&out, 0x06054b50);
  put32(&out, 0);
  const std::uint32_t count = o.zip64 ? 0xFFFF : static_cast<std::uint32_t>(members.size() & 0xFFFF);
  put16(&out, count);
  put16(&out, count);
  put32(&out, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(central.size()));
  put32(&out, o.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(cd_offset));
  put16(&out, 0);
  return out;
}

constexpr char kDefaultContainer[] =
    "<?xml version=\"1.0\"?><container><rootfiles><rootfile full-path=\"OEBPS/content.opf\" "
    "media-type=\"application/oebps-package+xml\"/></rootfiles></container>";

// --- The checks ------------------------------------------------------------------

void check_epub(std::string_view archive, std::uint64_t cap) {
  EpubOptions options;
  options.max_text_bytes = cap;
  Result<std::string> text = epub_text_of_bytes(archive, options);
  if (text.is_ok()) {
    FUZZ_CHECK(text.value().size() <= cap);
    FUZZ_CHECK(valid_utf8(text.value()));
  } else {
    const std::string& reason = text.status().message();
    FUZZ_CHECK(text.status().code() == Status::Code::kInvalidArgument);
    FUZZ_CHECK(!reason.empty() && reason.size() < 400);
    FUZZ_CHECK(reason.find('\n') == std::string::npos);
    FUZZ_CHECK(valid_utf8(reason));
  }
}

// The XML layer alone: every tag's name and attributes lie in or come from
// the input; hrefs resolve to normalized names or are refused.
void check_xml(std::string_view xml) {
  XmlScanner scan(xml);
  XmlTag tag;
  std::size_t tags = 0;
  while (scan.next(&tag)) {
    FUZZ_CHECK(++tags <= xml.size());  // each tag takes at least one byte
    FUZZ_CHECK(tag.name.data() >= xml.data() && tag.name.data() + tag.name.size() <= xml.data() + xml.size());
    for (const XmlAttribute& a : tag.attributes) FUZZ_CHECK(a.value.size() <= xml.size() * 4);
  }
  (void)container_rootfile(xml);
  const OpfPackage package = parse_opf(xml);
  for (const auto& [id, item] : package.manifest) {
    std::string member;
    if (resolve_href("OEBPS/content.opf", item.href, &member) == RefResolution::kInArchive) {
      FUZZ_CHECK(member.empty() || (member.front() != '/' && member.back() != '/'));
      FUZZ_CHECK(member.find("//") == std::string::npos);
      FUZZ_CHECK(member != ".." && member.rfind("../", 0) != 0 && member.find("/../") == std::string::npos);
    }
  }
}

std::vector<std::string_view> split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t at = s.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(s.substr(0, at));
    s.remove_prefix(at + sep.size());
  }
  out.push_back(s);
  return out;
}

void run_structured(std::string_view rest, std::uint64_t cap, std::uint8_t control, bool damage) {
  std::vector<std::pair<std::size_t, std::uint8_t>> edits;
  if (damage) {
    // Edits from the tail: (3-byte offset, byte), 4 bytes each, at most 8.
    const std::size_t n = std::min<std::size_t>(rest.size() / 16, 8);
    for (std::size_t i = 0; i < n; ++i) {
      const auto* e = reinterpret_cast<const unsigned char*>(rest.data() + rest.size() - 4 * (i + 1));
      edits.emplace_back(e[0] | (e[1] << 8) | (e[2] << 16), e[3]);
    }
    rest.remove_suffix(4 * n);
  }
  const std::vector<std::string_view> pieces = split(rest, "@@");
  const Options o{(control & 1) != 0, (control & 2) != 0, (control & 4) != 0};
  std::vector<std::pair<std::string, std::string>> members;
  members.emplace_back("mimetype", "application/epub+zip");
  std::size_t next = 0;
  if (control & 8) {
    members.emplace_back("META-INF/container.xml", kDefaultContainer);
  } else {
    members.emplace_back("META-INF/container.xml", std::string(pieces[next++]));
  }
  if (next < pieces.size()) members.emplace_back("OEBPS/content.opf", std::string(pieces[next++]));
  for (std::size_t c = 0; next < pieces.size(); ++c) {
    members.emplace_back("OEBPS/c" + std::to_string(c) + ".xhtml", std::string(pieces[next++]));
  }
  if (control & 16) std::reverse(members.begin() + 1, members.end());
  std::string zip = build_zip(members, o);
  for (const auto& [at, byte] : edits) {
    if (!zip.empty()) zip[at % zip.size()] = static_cast<char>(byte);
  }
  for (std::string_view piece : pieces) check_xml(piece);
  check_epub(zip, cap);
}

void run_one(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
    check_epub(input, std::uint64_t{1} << 20);
    return;
  }
  if (size < 3) return;
  const std::uint8_t mode = data[0] % 8;
  const std::uint64_t cap = std::uint64_t{256} << (data[1] % 13);
  const std::uint8_t control = data[2];
  const std::string_view rest = input.substr(3);
  if (mode == 0) {
    check_epub(rest, cap);
    check_xml(rest);
  } else {
    run_structured(rest, cap, control, mode >= 6);
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
  static const char kMessage[] = "fuzz_epub: an input ran too long (hang)\n";
  (void)!write(2, kMessage, sizeof(kMessage) - 1);
  save_current_input("timeout");
  std::_Exit(1);
}

unsigned g_timeout_seconds = 10;

void run_guarded(const std::string& input) {
  // An exact-size copy, as libFuzzer gives.
  std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[input.empty() ? 1 : input.size()]);
  if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
  alarm(g_timeout_seconds);
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
    std::fprintf(stderr, "fuzz_epub: cannot stat %s\n", path.c_str());
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

// A random input: bytes, a corpus file mutated, or a structured recipe.
std::string random_input(std::mt19937_64& rng, const std::vector<std::string>& corpus) {
  auto byte = [&] { return static_cast<char>(rng() & 0xFF); };
  std::string input;
  const unsigned kind = rng() % 8;
  if (kind < 3 || corpus.empty()) {
    // Fresh: a structured recipe of XML-ish pieces joined by "@@".
    static const char* const kPieces[] = {
        "<rootfile full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/>",
        "<item id=\"a\" href=\"c0.xhtml\" media-type=\"application/xhtml+xml\"/>",
        "<item id=\"b\" href=\"c1.xhtml#x\" media-type=\"text/html\"/>",
        "<spine>", "<itemref idref=\"a\"/>", "<itemref idref=\"b\"/>", "</spine>", "<p>word</p>",
        "<!DOCTYPE x [<!ENTITY e \"&e;&e;\">]>", "<!--", "-->", "<![CDATA[", "&amp;", "&#x41;", "<br/>",
        "@@", "../", "%2e%2e/", "<", ">", "\"", "\xC3\xA9", "\xFF"};
    input.push_back(static_cast<char>(1 + rng() % 7));
    input.push_back(static_cast<char>(rng() % 13));
    input.push_back(static_cast<char>(rng() & 0xFF));
    const std::size_t n = rng() % 24;
    for (std::size_t i = 0; i < n; ++i) {
      if (rng() % 4 == 0) input.push_back(byte());
      else input += kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))];
    }
    return input;
  }
  input = corpus[rng() % corpus.size()];
  const unsigned mutations = 1 + rng() % 6;
  for (unsigned m = 0; m < mutations; ++m) {
    const std::size_t size = input.size();
    switch (rng() % 7) {
      case 0:  // flip a bit
        if (size) input[rng() % size] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // set a byte
        if (size) input[rng() % size] = byte();
        break;
      case 2:  // insert bytes
        input.insert(size ? rng() % (size + 1) : 0, 1 + rng() % 4, byte());
        break;
      case 3:  // erase bytes
        if (size) {
          const std::size_t at = rng() % size;
          input.erase(at, 1 + rng() % 4);
        }
        break;
      case 4:  // an interesting run: 0xFF.. or 0x00..
        if (size) {
          const std::size_t at = rng() % size;
          const char v = (rng() & 1) ? '\xFF' : '\0';
          for (std::size_t k = 0, n = 1 + rng() % 8; k < n && at + k < size; ++k) input[at + k] = v;
        }
        break;
      case 5: {  // splice with another corpus file
        const std::string& other = corpus[rng() % corpus.size()];
        if (!other.empty()) {
          const std::size_t from = rng() % other.size();
          input = input.substr(0, size ? rng() % size : 0) + other.substr(from);
        }
        break;
      }
      default:  // change the mode byte
        if (size) input[0] = static_cast<char>(rng() & 0xFF);
        break;
    }
  }
  return input;
}

}  // namespace

// Under ASan, a memory limit like libFuzzer's -rss_limit_mb, so that a run
// away allocation fails the test instead of the machine (ASAN_OPTIONS
// overrides it).
extern "C" const char* __asan_default_options() { return "hard_rss_limit_mb=2048"; }

int main(int argc, char** argv) {
  if (&__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(on_sanitizer_death);
  if (const char* dir = std::getenv("TOMES_FUZZ_ARTIFACT_DIR")) {
    append_str(g_artifact_dir, sizeof(g_artifact_dir), dir);
  }
  std::signal(SIGALRM, on_alarm);
  g_timeout_seconds = static_cast<unsigned>(env_u64("TOMES_FUZZ_TIMEOUT", 10));

  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) collect(argv[i], &paths);
  std::vector<std::string> corpus;
  for (const std::string& path : paths) {
    std::string input;
    if (!read_file(path, &input)) {
      std::fprintf(stderr, "fuzz_epub: cannot read %s\n", path.c_str());
      return 1;
    }
    g_current_label[0] = '\0';
    append_str(g_current_label, sizeof(g_current_label), path.c_str());
    run_guarded(input);
    corpus.push_back(std::move(input));
  }
  std::fprintf(stderr, "fuzz_epub: replayed %zu corpus files\n", corpus.size());

  const std::uint64_t iterations = env_u64("TOMES_FUZZ_ITERATIONS", 20000);
  const std::uint64_t seed = env_u64("TOMES_FUZZ_SEED", 1);
  std::mt19937_64 rng(seed);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    const std::string input = random_input(rng, corpus);
    std::snprintf(g_current_label, sizeof(g_current_label),
                  "random input %llu of TOMES_FUZZ_SEED=%llu",
                  static_cast<unsigned long long>(i), static_cast<unsigned long long>(seed));
    run_guarded(input);
    if (i > 0 && i % 5000 == 0) {
      std::fprintf(stderr, "fuzz_epub: %llu random inputs\n", static_cast<unsigned long long>(i));
    }
  }
  std::fprintf(stderr, "fuzz_epub: %llu random inputs (seed %llu): no failures\n",
               static_cast<unsigned long long>(iterations), static_cast<unsigned long long>(seed));
  return 0;
}
#endif  // TOMES_FUZZ_REPLAY
