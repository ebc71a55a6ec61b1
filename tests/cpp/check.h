// check.h: the smallest test harness that serves our ctest suites.
//
// Why our own: a fresh machine has a compiler and pip, nothing else; no test
// framework can be fetched at build time. Each suite is one executable whose
// exit code ctest reads: 0 when every CHECK held, 1 otherwise.
//
//   TEST_CASE(name) { CHECK(x == 1); CHECK_EQ(a, b); }
//   int main() { return tomes::test::run_all(); }
//
// Thread safety: CHECK may be called from one thread at a time.
#pragma once

#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace tomes::test {

struct Case {
  const char* name;
  std::function<void()> body;
};

inline std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

inline int& failures() {
  static int count = 0;
  return count;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> body) {
    registry().push_back({name, std::move(body)});
  }
};

inline void report_failure(const char* file, int line, const std::string& what) {
  ++failures();
  std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
}

template <class A, class B>
void check_eq(const A& a, const B& b, const char* expr_a, const char* expr_b, const char* file,
              int line) {
  if (!(a == b)) {
    std::ostringstream out;
    out << expr_a << " == " << expr_b << "\n    left:  " << a << "\n    right: " << b;
    report_failure(file, line, out.str());
  }
}

// Runs every registered case; prints one line per case and a summary line
// "N passed, M failed" that CI reads.
inline int run_all() {
  int passed = 0, failed = 0;
  for (const Case& c : registry()) {
    const int before = failures();
    try {
      c.body();
    } catch (const std::exception& e) {
      report_failure(__FILE__, __LINE__, std::string("exception: ") + e.what());
    }
    const bool ok = failures() == before;
    std::fprintf(stderr, "[%s] %s\n", ok ? "ok" : "FAIL", c.name);
    (ok ? passed : failed)++;
  }
  std::fprintf(stderr, "%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace tomes::test

#define TOMES_CONCAT_INNER(a, b) a##b
#define TOMES_CONCAT(a, b) TOMES_CONCAT_INNER(a, b)
#define TEST_CASE(name)                                                              \
  static void TOMES_CONCAT(test_body_, __LINE__)();                                  \
  static ::tomes::test::Registrar TOMES_CONCAT(test_reg_, __LINE__)(                 \
      name, &TOMES_CONCAT(test_body_, __LINE__));                                    \
  static void TOMES_CONCAT(test_body_, __LINE__)()

#define CHECK(cond) \
  ((cond) ? (void)0 : ::tomes::test::report_failure(__FILE__, __LINE__, #cond))
#define CHECK_EQ(a, b) ::tomes::test::check_eq((a), (b), #a, #b, __FILE__, __LINE__)
