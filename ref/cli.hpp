// cli: every subcommand of build/flimgru registers itself here (one file per subcommand).
#pragma once
#include <CLI/CLI.hpp>

namespace flimgru::cli {

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

}  // namespace flimgru::cli
