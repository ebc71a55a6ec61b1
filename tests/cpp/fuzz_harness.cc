// fuzz_harness.cc: see fuzz_harness.h.
#include "fuzz_harness.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tomes::fuzz {

namespace {

// The input being run, so a failure can be saved (replay build).
const std::uint8_t* g_current_data = nullptr;
std::size_t g_current_size = 0;

#ifdef TOMES_FUZZ_REPLAY
// Where failing inputs go: TOMES_FUZZ_ARTIFACT_DIR, read once at start-up so
// that saving needs only async-signal-safe calls (it runs from SIGALRM too).
char g_artifact_dir[2048] = "";
// What is running, for the failure message: a corpus path or a random input.
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
  append_str(path, sizeof(path), kTargetName);
  append_str(path, sizeof(path), "-failure-");
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
  char message[4400] = "";
  append_str(message, sizeof(message), kTargetName);
  append_str(message, sizeof(message), ": failing input (");
  append_str(message, sizeof(message), g_current_label);
  append_str(message, sizeof(message), ") saved to ");
  append_str(message, sizeof(message), path);
  append_str(message, sizeof(message), "\n");
  (void)!::write(2, message, std::strlen(message));
#else
  (void)why;
#endif
}

}  // namespace

void fail(const char* what, int line) {
  std::fprintf(stderr, "%s: CHECK failed at line %d: %s\n", kTargetName, line, what);
  save_current_input("check");
  std::abort();
}

}  // namespace tomes::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tomes::fuzz::g_current_data = data;
  tomes::fuzz::g_current_size = size;
  tomes::fuzz::run_one(data, size);
  tomes::fuzz::g_current_data = nullptr;
  return 0;
}

#ifdef TOMES_FUZZ_REPLAY
// --- Replay driver (no libFuzzer) ---------------------------------------------
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <memory>

extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace tomes::fuzz {

std::string mutate(std::string input, std::mt19937_64& rng, const std::vector<std::string>& corpus) {
  auto byte = [&] { return static_cast<char>(rng() & 0xFF); };
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

namespace {

unsigned g_timeout_seconds = 10;

void on_sanitizer_death() { save_current_input("sanitizer"); }

void on_alarm(int) {
  (void)!write(2, kTargetName, std::strlen(kTargetName));
  static const char kMessage[] = ": an input ran too long (hang)\n";
  (void)!write(2, kMessage, sizeof(kMessage) - 1);
  save_current_input("timeout");
  std::_Exit(1);
}

void run_guarded(const std::string& input) {
  // An exact-size copy, as libFuzzer gives, so ASan sees a read past the end.
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

// The files under path (itself if a file), sorted, dot files left out.
void collect(const std::string& path, std::vector<std::string>* files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "%s: cannot stat %s\n", kTargetName, path.c_str());
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

}  // namespace
}  // namespace tomes::fuzz

// Under ASan, a memory limit like libFuzzer's -rss_limit_mb, so that a run
// away allocation fails the test instead of the machine (ASAN_OPTIONS
// overrides it).
extern "C" const char* __asan_default_options() { return "hard_rss_limit_mb=2048"; }

int main(int argc, char** argv) {
  using namespace tomes::fuzz;
  const char* const name = kTargetName;
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
      std::fprintf(stderr, "%s: cannot read %s\n", name, path.c_str());
      return 1;
    }
    g_current_label[0] = '\0';
    append_str(g_current_label, sizeof(g_current_label), path.c_str());
    run_guarded(input);
    corpus.push_back(std::move(input));
  }
  std::fprintf(stderr, "%s: replayed %zu corpus files\n", name, corpus.size());

  const std::uint64_t iterations = env_u64("TOMES_FUZZ_ITERATIONS", 20000);
  const std::uint64_t seed = env_u64("TOMES_FUZZ_SEED", 1);
  std::mt19937_64 rng(seed);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    const std::string input = random_input(rng, corpus);
    std::snprintf(g_current_label, sizeof(g_current_label), "random input %llu of TOMES_FUZZ_SEED=%llu",
                  static_cast<unsigned long long>(i), static_cast<unsigned long long>(seed));
    run_guarded(input);
    if (i > 0 && i % 5000 == 0) {
      std::fprintf(stderr, "%s: %llu random inputs\n", name, static_cast<unsigned long long>(i));
    }
  }
  std::fprintf(stderr, "%s: %llu random inputs (seed %llu): no failures\n", name,
               static_cast<unsigned long long>(iterations), static_cast<unsigned long long>(seed));
  return 0;
}
#endif  // TOMES_FUZZ_REPLAY
