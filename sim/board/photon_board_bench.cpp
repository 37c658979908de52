// flimgru_photon_board_bench: photons in, pixels out, end to end on the virtual board built like
// the default board (its lanes, MAC rows, clock, baud and photon front end from boards/boards.tsv;
// the real core with the default model): a record stream goes to the board in EVENTS frames as
// `flimgru image --device` sends it (DeviceFrontendCore over the virtual board's pty,
// docs/protocol.md §7), the PIXEL frames come back. Measures the simulated cycles from the first
// byte from the host to the last byte to it (flimgru_virtual_board --report), checks every pixel
// and counter against the reference (run_frontend_core), and prints photons/s in and pixels/s out
// at the board's clock next to the link's bound (baud ÷ bits of one event on the wire) and the
// core's (clock ÷ cycles per pixel of the schedule formula).
//   flimgru_photon_board_bench [--quick]    --quick: the bright image only (no hazelnut)
// Streams: hazelnut z10's first 64 lines (../shared/data: 8 rows of 8 × 8 binned pixels; the
// link takes some 40,000 events a second, so the whole file would be 18 simulated seconds) and a
// bright synthetic image (16 × 16 scan pixels binned 8 × 8: 4 pixels of about 6,000 photons).
// Exits 1 if a pixel or counter differs or a run fails.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "board_process.hpp"
#include "board_reference.hpp"
#include "error.hpp"
#include "fpga_report.hpp"
#include "frontend_core.hpp"
#include "frontend_device.hpp"
#include "synthetic_streams.hpp"
#include "virtual_board.hpp"

using namespace flimgru;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  std::vector<sim::Stream> streams;
  const std::string z10 = FLIMGRU_SOURCE_DIR "/../shared/data/hazelnut/hazelnut_z10.ptu";
  if (!quick && fs::exists(z10)) {
    EventStream e = events_from_ptu(z10);
    // up to the 64th line stop, then a flush
    size_t end = 0;
    for (int stops = 0; end < e.events.size() && stops < 64; ++end) stops += e.events[end].kind == EventKind::kLineStop;
    std::vector<Event> head(e.events.begin(), e.events.begin() + std::ptrdiff_t(end));
    head.push_back({EventKind::kFlush, head.empty() ? 0 : head.back().macro, 0});
    streams.push_back({"hazelnut z10, first 64 lines, bin 8", frontend_config(e.header, 8, 0.0), std::move(head)});
  }
  streams.push_back(sim::bright_image(16, 16, 94));

  const QuantModel& m = sim::board_model();
  const int lanes = FLIMGRU_VBOARD_LANES;
  const double clk = sim::kSimClkHz, baud = sim::kSimBaud;
  const double core = clk / (double(fpga_batch_cycles(m.hidden, m.layers, FLIMGRU_VBOARD_MAC_ROWS)) / lanes);
  // an EVENTS frame on the wire: 0x00 + COBS(4 + 135 + 2) + 0x00, 10 bits a byte, 19 events
  const std::vector<uint64_t> words(link::kEventsPerFrame, 0x1234);
  const double frame_bits = 10.0 * link::encode_events(0, words.data(), words.size()).size();
  const double link_events = baud / (frame_bits / link::kEventsPerFrame);

  std::printf("Photons in, pixels out, end to end on the virtual board of %s (%d lanes x %d MAC rows, photon front "
              "end %s, %.0f MHz, %.0f baud, the default model):\n\n",
              FLIMGRU_BENCH_BOARD, lanes, FLIMGRU_VBOARD_MAC_ROWS, FLIMGRU_VBOARD_FRONTEND, clk / 1e6, baud);
  std::printf("| stream | events | pixels | photons a pixel | cycles, first host byte to last board byte | photons/s "
              "in | pixels/s out | link bound: events/s | core bound: pixels/s | pixels and counters = reference "
              "|\n|---|---|---|---|---|---|---|---|---|---|\n");
  int status = 0;
  for (const sim::Stream& s : streams) {
    const fs::path report = fs::temp_directory_path() / ("flimgru_photon_bench_" + std::to_string(getpid()) + ".json");
    ChipRun got;
    try {
      const BoardProcess board(FLIMGRU_VIRTUAL_BOARD_EXE, {"--quiet", "--report", report.string()});
      if (board.pty().empty()) throw Error("the virtual board printed no pty path");
      DeviceOptions o;
      o.path = board.pty();
      o.timeout_s = 5;  // the virtual board runs far slower than real time
      o.progress = false;
      DeviceFrontendCore dev(o);
      got = dev.run(s.config, s.events, {});
    } catch (const std::exception& e) {
      std::printf("| %s | FAIL: %s |\n", s.name.c_str(), e.what());
      status = 1;
      continue;
    }
    std::ifstream f(report);
    const nlohmann::json j = nlohmann::json::parse(f);
    fs::remove(report);
    const double cycles = double(j["last_board_byte_cycle"].get<long long>() - j["first_host_byte_cycle"].get<long long>());
    const ChipRun ref = run_frontend_core(m, s.config, s.events, {}, 2);
    const bool same = got.pixels == ref.pixels && got.counters.json() == ref.counters.json();
    const double photons = double(got.counters.photons_imaged), px = double(got.pixels.size());
    std::printf("| %s | %zu | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %s |\n", s.name.c_str(), s.events.size(),
                px, photons / std::max(px, 1.0), cycles, photons * clk / cycles, px * clk / cycles, link_events, core,
                same ? "yes" : "NO");
    if (!same) status = 1;
  }
  std::printf("\nlink bound = baud / (%.0f bits of an EVENTS frame on the wire / %d events); core bound = clock / "
              "(batch_cycles / lanes).\n",
              frame_bits, link::kEventsPerFrame);
  return status;
}
