// app: the whole command line of build/flimgru (main.cpp is only `return run(argc, argv)`):
// every subcommand, --version, defaults shown in --help, and the one exit-code rule (README,
// "Exit codes"):
//   0  success (also --help and --version)
//   1  failure: the command ran and could not do it (a missing or malformed file, a write that
//      failed, a board that does not answer, fpga-check's verdict "does not fit"); the message,
//      "flimgru: error: ...", names the file or option it concerns
//   2  usage error: the command line itself is wrong (an unknown subcommand or option, a
//      missing or invalid value), found by the parser before anything runs
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace flimgru::cli {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// The description, --version, the app-wide option defaults and every subcommand.
void add_all(CLI::App& app);

// Parses and runs one command line (argv without the program name in ARGS), catching every
// exception at this boundary: the exit code by the rule above, messages on stderr.
int run(const std::vector<std::string>& args);
int run(int argc, char** argv);

}  // namespace flimgru::cli
