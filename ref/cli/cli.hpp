// cli: every subcommand of build/flimgru registers itself here (one file per subcommand).
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "backend.hpp"
#include "parallel.hpp"

namespace flimgru::cli {

// The --backend check of every subcommand that runs the model (infer, image): any backend of
// this build, backend_names() (float, int8, int16 and the registered ones, e.g. "rtl").
inline CLI::Validator backend_validator() {
  return CLI::Validator(
      [](std::string& v) {
        std::string names;
        for (const auto& n : backend_names()) {
          if (n == v) return std::string();
          names += (names.empty() ? "" : ", ") + n;
        }
        return "unknown backend '" + v + "' (this build has: " + names + ")";
      },
      "BACKEND");
}

// --threads, the same in every subcommand that spreads work over threads: N worker threads,
// 0 (the default) one per hardware thread (default_threads()); THREADS holds the resolved count.
inline CLI::Option* add_threads_option(CLI::App* c, int& threads) {
  threads = default_threads();
  return c->add_option("--threads", threads, "Worker threads (0: one per hardware thread)")
      ->check(CLI::Range(0, 1024))
      ->transform([](std::string v) { return v == "0" ? std::to_string(default_threads()) : v; })
      ->default_str("0");
}

// --baud and --timeout of the board on --device, the same in every subcommand that runs one (infer,
// image): BAUD the link's rate, TIMEOUT_S the silence before resending (0: from the board's status).
inline void add_device_link_options(CLI::App* c, unsigned& baud, double& timeout_s) {
  c->add_option("--baud", baud, "Baud rate of --device (boards/boards.tsv)");
  c->add_option("--timeout", timeout_s,
                "Seconds of silence on --device before unanswered frames are resent (0: from the board's baud "
                "rate and lanes, docs/protocol.md §4; the virtual board, far slower than real time, needs seconds)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

void add_simulate(CLI::App& app);
void add_quantize(CLI::App& app);
void add_eval(CLI::App& app);
void add_infer(CLI::App& app);
void add_bench(CLI::App& app);
void add_train(CLI::App& app);
void add_report(CLI::App& app);
void add_image(CLI::App& app);
void add_crlb(CLI::App& app);
void add_precision(CLI::App& app);
void add_fpga_report(CLI::App& app);
void add_fpga_check(CLI::App& app);

}  // namespace flimgru::cli
