// Shared helpers for the GoogleTest suites: temporary directories and small files, a
// pseudo-terminal.
#pragma once
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app.hpp"
#include "cli.hpp"

namespace flimgru::test {

// A fresh directory under the system temp dir, removed when the object dies.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("flimgru_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline void spit(const std::string& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
}

// A pseudo-terminal: `slave` opens like a serial port (SerialPort), `master` is the far end of the
// line. slave is empty if the system has none to give.
struct Pty {
  int master = -1;
  std::string slave;
  Pty() {
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return;
    slave = ptsname(master);
  }
  ~Pty() {
    if (master >= 0) close(master);
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;
};

// Runs `flimgru ARGS...` in process, through the same registration as build/flimgru; returns
// what it printed on stdout.
inline std::string run_cli_stdout(std::vector<std::string> args) {
  CLI::App app;
  cli::add_all(app);
  std::reverse(args.begin(), args.end());
  testing::internal::CaptureStdout();
  try {
    app.parse(args);
  } catch (...) {
    testing::internal::GetCapturedStdout();
    throw;
  }
  return testing::internal::GetCapturedStdout();
}
// The same, stdout dropped.
inline void run_cli(std::vector<std::string> args) { run_cli_stdout(std::move(args)); }

// Expects `fn` to throw flimgru::Error whose message contains every fragment.
#define EXPECT_ERROR_MENTIONS(stmt, ...)                                        \
  do {                                                                          \
    try {                                                                       \
      stmt;                                                                     \
      ADD_FAILURE() << "expected flimgru::Error from " #stmt;                   \
    } catch (const flimgru::Error& e) {                                         \
      for (const std::string& frag : {__VA_ARGS__})                             \
        EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr(frag));         \
    }                                                                           \
  } while (0)

}  // namespace flimgru::test
