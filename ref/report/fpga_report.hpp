// fpga_report: docs/fpga.md from the board builds (`make report`, `flimgru fpga-report`).
//
// Per board of boards/boards.tsv with a build/<board>/report.json (make synth BOARD=...):
// resources used/available and Fmax achieved vs constraint (nextpnr's report), the core
// configuration, the cycles per TPSF of docs/architecture.md ("Exact cycle count") for the
// board's LANES/MAC_ROWS and the model in build/<board>/rom/model_params.vh, TPSF/s at the
// constraint clock, frames per second for three image sizes, and the UART limit (1440 bit times
// per TPSF frame, docs/protocol.md §5). Other attempts at a board (build/<board>-*/: a routed
// report.json, or the last post-placement estimate of nextpnr.log) get a table of their own.
// Nothing is typed in: every figure comes from the files named above.
#pragma once
#include <string>
#include <vector>

namespace flimgru {

struct FpgaReport {
  std::string markdown;             // the whole of docs/fpga.md
  int boards = 0;                   // boards with a row
  std::vector<std::string> missing; // boards without build/<board>/report.json (or its rom/)
};

// `root` is the repository (boards/boards.tsv, build/); `when` the "YYYY-MM-DD HH:MM UTC" stamp
// written into the page. Throws Error naming the file and the problem: no boards.tsv, a short
// line in it, a report.json that is not JSON or lacks fields, a model_params.vh without H, L
// or MAC_ROWS.
FpgaReport make_fpga_report(const std::string& root, const std::string& when);

// boards/flow.sh's verdict on a placed and routed design (`flimgru fpga-check`): the resources of
// nextpnr's report against the part's (nextpnr places the 12F, device "--12k", on the 25K die; its
// smaller limits are enforced here), and every clock's achieved Fmax against its constraint
// raised by min_margin_pct (0: the constraint itself; `make regress` asks for the 8% that every
// clock of boards/boards.tsv was chosen with, so that a design change eroding it fails there and
// not in a user's first `make`). `summary` is the text flow.sh prints and keeps as
// build/<board>/summary.txt.
struct FpgaCheck {
  std::string summary;
  bool ok = false;
};
FpgaCheck fpga_check(const std::string& report_json, const std::string& board, const std::string& device,
                     const std::string& mhz, double min_margin_pct = 0.0);

// batch_cycles of docs/architecture.md for H, L, MAC_ROWS P (checked against its table).
long long fpga_batch_cycles(int H, int L, int P);

}  // namespace flimgru
