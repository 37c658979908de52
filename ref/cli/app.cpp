// app: see app.hpp.
#include "app.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <new>

#include "cli.hpp"
#include "error.hpp"
#include "version.hpp"

namespace flimgru::cli {

void add_all(CLI::App& app) {
  app.description("flimgru: int8 GRU Seq2Seq for fluorescence-lifetime imaging — simulator, float and "
                  "bit-exact integer models, quantizer and ROM images for the ECP5 core");
  app.name("flimgru");
  app.set_version_flag("--version", "flimgru " + version_string(),
                       "Print the version (VERSION+GIT_DESCRIBE, also in every JSON the tools write) and exit");
  app.option_defaults()->always_capture_default();
  app.require_subcommand(1);
  add_simulate(app);
  add_quantize(app);
  add_eval(app);
  add_infer(app);
  add_train(app);
  add_bench(app);
  add_report(app);
  add_image(app);
  add_crlb(app);
  add_precision(app);
  add_fpga_report(app);
  add_fpga_check(app);
}

namespace {

// "`flimgru image d.ptu -o out`": the command line, which names the files and options.
std::string command_line(const std::vector<std::string>& args) {
  std::string s = "`flimgru";
  for (const auto& a : args) s += " " + a;
  return s + "`";
}

}  // namespace

int run(const std::vector<std::string>& args) {
  CLI::App app;
  add_all(app);
  std::vector<std::string> rev(args.rbegin(), args.rend());  // CLI11 takes them last first
  auto fail = [&](const std::string& what) {
    std::cerr << "flimgru: error: " << what << "\n";
    return kExitFailure;
  };
  try {
    app.parse(rev);
  } catch (const CLI::RuntimeError& e) {  // a verdict a subcommand has printed (fpga-check)
    return e.get_exit_code() == 0 ? 0 : kExitFailure;
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // --help and --version print here and give 0
    return rc == 0 ? 0 : kExitUsage;
  } catch (const Error& e) {  // flimgru's own: the message names the file or option
    return fail(e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    std::string what = e.code().message();
    if (!e.path1().empty()) what = e.path1().string() + ": " + what;
    if (!e.path2().empty()) what += " (and " + e.path2().string() + ")";
    return fail(what);
  } catch (const std::bad_alloc&) {
    return fail("out of memory in " + command_line(args));
  } catch (const std::exception& e) {
    return fail(std::string(e.what()) + " (in " + command_line(args) + ")");
  } catch (...) {
    return fail("unknown exception in " + command_line(args));
  }
  return 0;
}

int run(int argc, char** argv) { return run(std::vector<std::string>(argv + (argc > 0), argv + argc)); }

}  // namespace flimgru::cli
