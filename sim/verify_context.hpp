// verify_context: the run-time verification settings that every verilated model of the harness
// (VerilatedCore, VirtualBoard) takes from the environment, so one build serves every run:
//   FLIMGRU_X_SEED=N     every register and memory starts at a random value drawn from seed N
//                        (models verilated with --x-initial unique, FLIMGRU_VERIFY=x-unique);
//                        unset: Verilator's default (zeros with --x-initial fast).
//   FLIMGRU_COVERAGE_DIR=DIR   a model verilated with --coverage (FLIMGRU_VERIFY=coverage) writes
//                        its counters to DIR/cov-PID-K.dat when it is destroyed (sim/coverage_report).
#pragma once
#include <unistd.h>
#include <verilated.h>
#if defined(VM_COVERAGE) && VM_COVERAGE
#include <verilated_cov.h>
#endif

#include <atomic>
#include <cstdlib>
#include <string>

namespace flimgru::sim {

// Before the model is constructed on ctx (initial values are drawn at construction).
inline void apply_verify_settings(VerilatedContext& ctx) {
  if (const char* s = std::getenv("FLIMGRU_X_SEED"); s && *s) {
    ctx.randReset(2);  // 2: randomize
    ctx.randSeed(std::atoi(s));
  }
}

// After the model's last cycle.
inline void write_coverage(VerilatedContext& ctx) {
#if defined(VM_COVERAGE) && VM_COVERAGE
  static std::atomic<int> counter{0};
  if (const char* dir = std::getenv("FLIMGRU_COVERAGE_DIR"); dir && *dir)
    ctx.coveragep()->write((std::string(dir) + "/cov-" + std::to_string(getpid()) + "-" +
                            std::to_string(counter++) + ".dat").c_str());
#else
  (void)ctx;
#endif
}

}  // namespace flimgru::sim
