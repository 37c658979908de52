// board_bench: pixels/s end to end on the virtual board built like the default board (its lanes,
// MAC rows, clock and baud from boards/boards.tsv; the real core with the default model): a stream
// of TPSF frames through the simulated UART, the host keeping `window` frames unanswered as
// `flimgru infer --device` does (docs/protocol.md §4). Measures the simulated cycles from the
// first TPSF byte to the last result byte, checks every summary against the integer model, and
// prints the rate next to the two bounds: the core (clock ÷ cycles per TPSF of the schedule
// formula) and the link (baud ÷ bits of one TPSF frame on the wire).
//   flimgru_board_bench [--tpsfs N] [--window W ...]   (defaults: 256 TPSFs; the host's window
//   and 2 × lanes + 2)
// Exits 1 if a summary differs or the stream does not finish.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "board_reference.hpp"
#include "device_link.hpp"
#include "fpga_report.hpp"
#include "virtual_board.hpp"

using namespace flimgru;
using flimgru::sim::Tpsf;
using flimgru::sim::VirtualBoard;

namespace {

struct Run {
  uint64_t cycles = 0;    // first TPSF byte on the wire to the last result byte received
  size_t results = 0, mismatches = 0, other_frames = 0;
  bool finished = false;
};

Run stream(const std::vector<Tpsf>& px, const std::vector<link::Summary>& want, int window) {
  VirtualBoard board;
  link::StreamDecoder dec;
  Run r;
  size_t sent = 0;
  const uint64_t start = board.cycles();
  // Generous: the link time of the stream and the core's batches, twice over.
  const uint64_t budget = 2 * (px.size() + 8) * (1500ull * sim::kSimClksPerBit + 200000);
  while (board.cycles() - start < budget && r.results < px.size()) {
    while (sent < px.size() && sent - r.results < size_t(window)) {
      board.uart().send(link::encode_tpsf(uint8_t(sent & 0xff), px[sent].data()));
      ++sent;
    }
    board.run(16);
    const auto bytes = board.uart().take_received();
    if (bytes.empty()) continue;
    dec.feed(bytes.data(), bytes.size());
    link::StreamDecoder::Event e;
    while (dec.pop(e)) {
      if (e.status != link::ParseStatus::kOk || e.frame.type != link::kTypeResult) {
        ++r.other_frames;
        continue;
      }
      const size_t i = r.results++;
      const link::Summary got = link::decode_result(e.frame);
      bool same = e.frame.seq == uint8_t(i & 0xff);
      for (int c = 0; c < 3; ++c) same = same && got[c].sum == want[i][c].sum && got[c].y0 == want[i][c].y0;
      r.mismatches += !same;
    }
    r.cycles = board.cycles() - start;
  }
  r.finished = r.results == px.size();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 256;
  std::vector<int> windows;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tpsfs" && i + 1 < argc) n = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--window" && i + 1 < argc) windows.push_back(std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: %s [--tpsfs N] [--window W ...]\n", argv[0]);
      return 2;
    }
  }
  if (n == 0 || std::any_of(windows.begin(), windows.end(), [](int w) { return w < 1; })) {
    std::fprintf(stderr, "%s: --tpsfs and --window must be positive\n", argv[0]);
    return 2;
  }
  const int lanes = FLIMGRU_VBOARD_LANES;
  if (windows.empty()) windows = {DeviceOptions{}.window, 2 * lanes + 2};
  windows.erase(std::unique(windows.begin(), windows.end()), windows.end());

  const QuantModel& m = sim::board_model();
  const std::vector<Tpsf> px = sim::quantized(sim::simulated_counts(n, 4242));
  std::vector<link::Summary> want(n);
  for (size_t i = 0; i < n; ++i) want[i] = sim::expected_summary(px[i]);

  const double clk = sim::kSimClkHz, baud = sim::kSimBaud;
  const double cycles_per_tpsf = double(fpga_batch_cycles(m.hidden, m.layers, FLIMGRU_VBOARD_MAC_ROWS)) / lanes;
  const double frame_bits = 10.0 * link::encode_tpsf(0, px[0].data()).size();
  const double core = clk / cycles_per_tpsf, wire = baud / frame_bits, bound = std::min(core, wire);

  std::printf("End to end on the virtual board of %s (%d lanes x %d MAC rows, %.0f MHz, %.0f baud, the default "
              "model; %zu simulated TPSFs):\n\n",
              FLIMGRU_BENCH_BOARD, lanes, FLIMGRU_VBOARD_MAC_ROWS, clk / 1e6, baud, n);
  std::printf("| host window | cycles, first TPSF byte to last result byte | pixels/s measured | core bound | link "
              "bound | measured / min(core, link) |\n|---|---|---|---|---|---|\n");
  int status = 0;
  for (int w : windows) {
    const Run r = stream(px, want, w);
    const double rate = r.cycles ? n * clk / double(r.cycles) : 0;
    std::printf("| %d | %llu | %.0f | %.0f | %.0f | %.3f |\n", w, static_cast<unsigned long long>(r.cycles), rate,
                core, wire, rate / bound);
    if (!r.finished || r.mismatches || r.other_frames) {
      std::printf("  FAIL: %zu of %zu results, %zu differ from the integer model, %zu other frames\n", r.results, n,
                  r.mismatches, r.other_frames);
      status = 1;
    }
  }
  std::printf("\ncore bound = clock / (batch_cycles / lanes) = %.0f / %.1f; link bound = baud / %.0f bits of a TPSF "
              "frame on the wire.\n",
              clk, cycles_per_tpsf, frame_bits);
  return status;
}
