// flimgru fpga-report: docs/fpga.md from the board builds (make report); flimgru fpga-check: the
// flow's verdict on one build (boards/flow.sh). Both in fpga_report.hpp.
#include <ctime>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "error.hpp"
#include "files.hpp"
#include "fpga_report.hpp"

#ifndef FLIMGRU_SOURCE_DIR
#define FLIMGRU_SOURCE_DIR "."
#endif

namespace flimgru::cli {

void add_fpga_report(CLI::App& app) {
  struct Opts {
    std::string root = FLIMGRU_SOURCE_DIR, out;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand(
      "fpga-report",
      "docs/fpga.md from the board builds: per board of boards/boards.tsv with a build/<board>/report.json "
      "(make synth), resources, Fmax, cycles and TPSF/s, fps, the UART limit");
  c->add_option("--root", o->root, "Repository holding boards/boards.tsv and build/ (default: this source tree)");
  c->add_option("-o,--out", o->out, "Output Markdown (default: ROOT/docs/fpga.md)");
  c->callback([o]() {
    char when[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    const FpgaReport r = make_fpga_report(o->root, when);
    const std::string out = o->out.empty() ? o->root + "/docs/fpga.md" : o->out;
    write_file(out, r.markdown);
    std::string missing;
    for (const auto& b : r.missing) missing += (missing.empty() ? "" : ", ") + b;
    std::cout << "wrote " << out << ": " << r.boards << " boards"
              << (missing.empty() ? "" : ", not built: " + missing) << "\n";
  });
}

void add_fpga_check(CLI::App& app) {
  struct Opts {
    std::string report, board, device, mhz, summary;
    double min_margin = 0.0;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand(
      "fpga-check",
      "boards/flow.sh's verdict on nextpnr's report: resources against the part (the 12F's enforced here), "
      "every clock's Fmax against its constraint; prints the summary and exits 1 when the design does not fit "
      "or misses timing");
  c->add_option("report", o->report, "nextpnr --report JSON (build/<board>/report.json)")->required();
  c->add_option("--board", o->board, "Board name (boards/boards.tsv)")->required();
  c->add_option("--device", o->device, "nextpnr device flag of the board (e.g. --85k)")->required();
  c->add_option("--mhz", o->mhz, "Target clock (MHz), as built")->required();
  c->add_option("--summary", o->summary, "Also write the summary to this file");
  c->add_option("--min-margin", o->min_margin, "Required Fmax margin over each constraint, in percent")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  c->callback([o]() {
    const FpgaCheck r = fpga_check(o->report, o->board, o->device, o->mhz, o->min_margin);
    if (!o->summary.empty()) write_file(o->summary, r.summary);
    std::cout << r.summary;
    if (!r.ok) throw CLI::RuntimeError(1);
  });
}

}  // namespace flimgru::cli
