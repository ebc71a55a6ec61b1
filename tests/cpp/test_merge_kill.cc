// test_merge_kill.cc: a SIGKILL at any moment of optimize() on an index
// with deletions (merge_commit.h) leaves the old or the new index.json,
// byte for byte, both verify-clean with the same search answers, and the
// next writer cleans up and merges. test_optimize.py does the same without
// deletions; this suite runs itself as the child (`--optimize DIR`), a fresh
// process, killed after a random delay spread over one measured optimize.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "merge_fixtures.h"

extern char** environ;

using namespace tomes;
using namespace tomes::test::merge;

namespace {

// A copy of an index directory (files and segment directories).
void copy_index(const std::string& from, const std::string& to) {
  CHECK(make_directories(to).is_ok());
  const std::vector<std::string> names = list_directory(from).value();
  for (const std::string& name : names) {
    if (!is_directory(from + "/" + name)) {
      write_file(to + "/" + name, read_bytes(from + "/" + name));
      continue;
    }
    CHECK(make_directories(to + "/" + name).is_ok());
    const std::vector<std::string> files = list_directory(from + "/" + name).value();
    for (const std::string& f : files) write_file(to + "/" + name + "/" + f, read_bytes(from + "/" + name + "/" + f));
  }
}

std::string self_path() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  CHECK(n > 0);
  return std::string(path, n > 0 ? static_cast<std::size_t>(n) : 0);
}

pid_t spawn_optimizer(const std::string& ix) {
  const std::string self = self_path();
  std::vector<std::string> args = {self, "--optimize", ix};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  CHECK(::posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), environ) == 0);
  return pid;
}

// Waits until the child's temporary segment exists, or it has ended (at
// most 30 s).
void wait_for_temporary_segment(const std::string& ix, pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
      return;  // ended (reaped later)
    }
    const std::vector<std::string> names = list_directory(ix).value();
    for (const std::string& n : names) {
      if (n.rfind(".tmp-segment", 0) == 0) return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

int run_optimizer(const char* ix) {
  auto r = index::optimize(ix, optimize_options(1, 2, std::uint64_t{1} << 22), nullptr);
  return r.is_ok() ? 0 : 1;
}

}  // namespace

TEST_CASE("sigkill_during_optimize_of_an_index_with_deletions_leaves_the_old_or_the_new_generation") {
  std::mt19937 rng(1414);
  const std::string dir = temp_dir("merge-kill");
  CHECK(make_directories(dir + "/books").is_ok());
  for (int i = 0; i < 120; ++i) {
    std::string text;
    const int words = 50 + static_cast<int>(rng() % 2500);
    for (int w = 0; w < words; ++w) {
      text += kWords[rng() % (sizeof kWords / sizeof *kWords)];
      text += std::to_string(rng() % 1000) + " ";
    }
    write_file(dir + "/books/book" + std::to_string(1000 + i) + ".txt", text);
  }
  Settings s;
  s.chunk_size = 120;
  build(dir + "/books", dir + "/pristine", s, 4);
  delete_books(dir + "/pristine", pick_deletions(dir + "/pristine", rng));
  const std::string old_json = read_bytes(dir + "/pristine/index.json");
  const auto before = located_answers(dir + "/pristine");
  copy_index(dir + "/pristine", dir + "/timed");
  const auto started = std::chrono::steady_clock::now();
  {
    const pid_t pid = spawn_optimizer(dir + "/timed");
    int status = 0;
    CHECK(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string new_json = read_bytes(dir + "/timed/index.json");
  CHECK(new_json != old_json);
  int old_seen = 0, new_seen = 0;
  for (int attempt = 0; attempt < 12; ++attempt) {
    const std::string ix = dir + "/ix" + std::to_string(attempt);
    copy_index(dir + "/pristine", ix);
    const pid_t pid = spawn_optimizer(ix);
    const double share = static_cast<double>(rng() % 1000) / 1000.0;
    if (attempt % 2 == 1) wait_for_temporary_segment(ix, pid);  // inside the merge
    std::this_thread::sleep_for(std::chrono::duration<double>(share * duration * (attempt % 2 ? 0.8 : 1.1)));
    ::kill(pid, SIGKILL);
    int status = 0;
    CHECK(::waitpid(pid, &status, 0) == pid);
    const std::string committed = read_bytes(ix + "/index.json");
    CHECK(committed == old_json || committed == new_json);
    (committed == old_json ? old_seen : new_seen) += 1;
    CHECK(located_answers(ix) == before);
    CHECK(search::IndexReader::open(ix).value()->verify().is_ok());
    // The next writer removes what the killed one left, and merges.
    CHECK(index::optimize(ix, optimize_options(1, 2, 1000), nullptr).is_ok());
    const segment::Manifest now = manifest(ix);
    const std::vector<std::string> names = list_directory(ix).value();
    CHECK((std::set<std::string>(names.begin(), names.end())) ==
          (std::set<std::string>{"index.json", ".tomes.lock", now.segments[0].name}));
    CHECK(located_answers(ix) == before);
    CHECK(remove_tree(ix).is_ok());
  }
  std::printf("sigkill: %d old, %d new (one optimize: %.3f s)\n", old_seen, new_seen, duration);
  CHECK(old_seen > 0);
  CHECK(remove_tree(dir).is_ok());
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--optimize") return run_optimizer(argv[2]);
  return tomes::test::run_all();
}
