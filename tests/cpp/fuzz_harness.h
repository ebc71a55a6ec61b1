// fuzz_harness.h: what every fuzz target (tests/cpp/fuzz_<name>.cc) shares,
// implemented once in fuzz_harness.cc, which CMake compiles into each target:
//
//   - LLVMFuzzerTestOneInput, which records the input being run and calls
//     the target's run_one;
//   - FUZZ_CHECK: a failed check prints the target's name and line, saves the
//     input (replay build) and aborts;
//   - under TOMES_FUZZ_REPLAY, the replay driver's main(): every file of the
//     directories (or files) named as arguments, then TOMES_FUZZ_ITERATIONS
//     (default 20000) inputs from the target's random_input, seeded by
//     TOMES_FUZZ_SEED (default 1), each under a TOMES_FUZZ_TIMEOUT alarm
//     (default 10 s) in an exact-size buffer; a failing input (a check, a
//     sanitizer report or a hang) is written to TOMES_FUZZ_ARTIFACT_DIR
//     (default the current directory) as <name>-failure-<why>.bin.
//
// A target defines, in namespace tomes::fuzz: kTargetName ("fuzz_html"),
// run_one, and (replay build) random_input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tomes::fuzz {

// Defined by the target.
extern const char* const kTargetName;
void run_one(const std::uint8_t* data, std::size_t size);
// A pseudo-random input for the replay driver, from scratch or from the
// corpus (read before the random inputs run; may be empty).
std::string random_input(std::mt19937_64& rng, const std::vector<std::string>& corpus);

// Defined by the harness.
[[noreturn]] void fail(const char* what, int line);
// Input, mutated 1-6 times: a bit flipped, a byte set, bytes inserted or
// erased, a run of 0xFF or 0x00, a splice with another corpus file, or a
// new first (mode) byte. REQUIRES: corpus not empty.
std::string mutate(std::string input, std::mt19937_64& rng, const std::vector<std::string>& corpus);

}  // namespace tomes::fuzz

#define FUZZ_CHECK(cond)                                     \
  do {                                                       \
    if (!(cond)) ::tomes::fuzz::fail(#cond, __LINE__);       \
  } while (0)
