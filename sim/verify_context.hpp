// verify_context: the run-time verification settings that every verilated model of the harness
// (VerilatedCore, VirtualBoard) takes from the environment, so one build serves every run:
//   FLIMGRU_X_SEED=N     every register and memory starts at a random value drawn from seed N
//                        (models verilated with --x-initial unique, FLIMGRU_VERIFY=x-unique);
//                        unset: Verilator's default (zeros with --x-initial fast).
//   FLIMGRU_COVERAGE_DIR=DIR   a model verilated with --coverage (FLIMGRU_VERIFY=coverage) writes
//                        its counters to DIR/cov-PID-K.dat when it is destroyed (sim/coverage_report).
// and the one rule for the RTL's simulation checks (FLIMGRU_ASSERT blocks, verilated with
// --assert): Verilator prints a failed check with its file, line, instance and message and
// records it instead of aborting; the clock loop calls check_assertions after every edge, which
// throws with the cycle, so the test (or the command) fails there with both.
#pragma once
#include <unistd.h>
#include <verilated.h>
#if defined(VM_COVERAGE) && VM_COVERAGE
#include <verilated_cov.h>
#endif

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace flimgru::sim {

// Before the model is constructed on ctx (initial values are drawn at construction).
inline void apply_verify_settings(VerilatedContext& ctx) {
  ctx.fatalOnError(false);  // a failed check is thrown by check_assertions, not an abort
  if (const char* s = std::getenv("FLIMGRU_X_SEED"); s && *s) {
    ctx.randReset(2);  // 2: randomize
    ctx.randSeed(std::atoi(s));
  }
}

// After every clock edge: a failed RTL check (printed by Verilator just before) ends the run.
inline void check_assertions(const VerilatedContext& ctx, uint64_t cycle) {
  if (ctx.gotError())
    throw std::runtime_error("RTL check failed in cycle " + std::to_string(cycle) +
                             " (the %Error line above names the module, the check and its values)");
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
