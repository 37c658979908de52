// flimgru_rtl_bench: the RTL figures of `make bench` and the traced run of `make sim`.
//   flimgru_rtl_bench [--pixels N] [--json]   cycles per TPSF and per step, lanes, multipliers,
//       MAC utilization (docs/architecture.md formula for several LANES x MAC_ROWS, measured
//       for the compiled default core), and simulated cycles per second of the harness
//   flimgru_rtl_bench --sim [--trace FILE.fst] [--pixels N]   one short run of the default model
//       (one batch), compared with the integer model, optionally traced (FST)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "board_table.hpp"
#include "preprocess.hpp"
#include "quantizer.hpp"
#include "rom_image.hpp"
#include "rtl_default.hpp"
#include "scoreboard.hpp"
#include "simulator.hpp"

using namespace flimgru;
using namespace flimgru::sim;

namespace {

std::vector<int32_t> simulated_xq(const QuantModel& m, size_t n) {
  SimConfig cfg;
  cfg.seed = 31337;
  const Dataset ds = simulate(cfg, n, 1);
  std::vector<float> counts(ds.counts.begin(), ds.counts.begin() + n * kBins);
  const auto x = preprocess_batch(counts.data(), n);
  std::vector<int32_t> xq(n * kBins);
  for (size_t i = 0; i < n; ++i) quantize_input(m.fmt, &x[i * kBins], &xq[i * kBins]);
  return xq;
}

struct Row {
  int lanes, rows;
  int64_t batch;
  double per_tpsf, ideal;
  bool compiled;
  double measured = 0;
  int lut_rows = 0;  // of a board's core: its MAC rows in LUTs (boards/boards.tsv)
};

}  // namespace

int main(int argc, char** argv) {
  size_t pixels = 0;
  std::string trace;
  bool json = false, sim_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--pixels" && i + 1 < argc) pixels = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--trace" && i + 1 < argc) trace = argv[++i];
    else if (a == "--json") json = true;
    else if (a == "--sim") sim_only = true;
    else {
      std::fprintf(stderr, "usage: %s [--pixels N] [--json] [--sim] [--trace FILE.fst]\n", argv[0]);
      return 2;
    }
  }
  const RtlDefault def = rtl_default();
  const QuantModel m = load_rom_set(def.rom_dir);
  if (sim_only || !trace.empty()) {
    const size_t n = pixels ? pixels : size_t(def.lanes);
    const auto xq = simulated_xq(m, n);
    std::vector<int32_t> y(n * kBins * kChannels), ref(kBins * kChannels);
    RunStats st;
    rtl_default_run(xq.data(), n, y.data(), &st, trace);
    int bad = 0;
    for (size_t i = 0; i < n; ++i) {
      run_int_model(m, &xq[i * kBins], ref.data());
      for (int k = 0; k < kBins * kChannels; ++k) bad += ref[k] != y[i * kBins * kChannels + k];
    }
    std::printf("traced %zu pixels of %s (%d lanes, MAC_ROWS %d): %llu cycles, %s integer model\n", n,
                def.checkpoint.c_str(), def.lanes, def.mac_rows, (unsigned long long)st.cycles,
                bad ? "DIFFERS FROM the" : "identical to the");
    if (!trace.empty()) std::printf("FST: %s\n", trace.c_str());
    return bad ? 1 : 0;
  }

  // measured: the compiled core, back-to-back input, always-ready sinks
  const size_t n = pixels ? pixels : size_t(def.lanes) * 12;
  const auto xq = simulated_xq(m, n);
  std::vector<int32_t> y(n * kBins * kChannels);
  RunStats st;
  const auto t0 = std::chrono::steady_clock::now();
  rtl_default_run(xq.data(), n, y.data(), &st);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int64_t period = 0;
  if (st.batch_starts.size() >= 2)
    period = int64_t(st.batch_starts.back() - st.batch_starts.front()) / int64_t(st.batch_starts.size() - 1);

  std::vector<Row> rows;
  const int64_t macs = m.macs_per_tpsf();
  // reference configurations, and every board's core of boards/boards.tsv (the main job reads its row)
  std::set<std::pair<int, int>> configs{{1, 12}, {2, 12}, {1, 16}, {1, 20}, {2, 16}, {4, 16},
                                        {6, 16}, {6, 18}, {6, 23}, {4, 24}, {4, 32}};
  std::map<std::pair<int, int>, int> lut_rows;  // a board's LUT rows (MULT18X18D column)
  for (const BoardRow& b : read_board_table()) {
    configs.insert({b.lanes, b.rows});
    lut_rows[{b.lanes, b.rows}] = b.lut_rows;
  }
  for (auto [lanes, p] : configs) {
    Schedule s(m.hidden, m.layers, p);
    Row r{lanes, p, s.batch_cycles(), double(s.batch_cycles()) / lanes, double(macs) / (lanes * p),
          lanes == def.lanes && p == def.mac_rows};
    if (r.compiled) r.measured = double(period) / lanes;
    r.lut_rows = lut_rows.count({lanes, p}) ? lut_rows[{lanes, p}] : 0;
    rows.push_back(r);
  }
  nlohmann::json j = {{"model", def.checkpoint}, {"hidden", m.hidden}, {"layers", m.layers},
                      {"macs_per_tpsf", macs}, {"measured_pixels", n}, {"measured_cycles", st.cycles},
                      {"measured_batch_period", period},
                      {"measured_cycles_per_tpsf_all_in", double(st.cycles) / n},
                      {"sim_cycles_per_second", st.cycles / secs},
                      {"sim_tpsf_per_second", n / secs}};
  for (const auto& r : rows)
    j["configs"].push_back({{"lanes", r.lanes}, {"mac_rows", r.rows},
                            {"lut_rows", r.lut_rows}, {"mult18x18d", mult18x18d(r.lanes, r.rows, m.hidden, r.lut_rows)},
                            {"batch_cycles", r.batch},
                            {"cycles_per_tpsf", r.per_tpsf}, {"ideal", r.ideal}, {"compiled", r.compiled},
                            {"measured_cycles_per_tpsf", r.measured}});
  if (json) {
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("\nRTL core, %s (H %d, L %d, %lld MACs per TPSF); formula of docs/architecture.md, "
              "measured for the compiled core (%d lanes x %d rows)\n\n",
              def.checkpoint.c_str(), m.hidden, m.layers, (long long)macs, def.lanes, def.mac_rows);
  std::printf("| lanes | MAC rows | MAC mults | MULT18X18D | batch cycles | cycles/step | cycles/TPSF | ideal | "
              "MAC utilization | measured cycles/TPSF |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& r : rows) {
    char meas[64] = "";
    if (r.compiled) std::snprintf(meas, sizeof meas, "%.1f (compiled)", r.measured);
    std::printf("| %d | %d | %d | %d | %lld | %.1f | %.1f | %.1f | %.3f | %s |\n", r.lanes, r.rows, r.lanes * r.rows,
                mult18x18d(r.lanes, r.rows, m.hidden, r.lut_rows), (long long)r.batch, double(r.batch) / kBins / 2, r.per_tpsf, r.ideal,
                r.ideal / r.per_tpsf, meas);
  }
  std::printf("\ncycles/step: per encoder or decoder step of one batch (batch cycles / 270); MAC utilization = "
              "ideal / actual cycles; MULT18X18D: a board's configuration less its LUT rows (boards/boards.tsv "
              "lut_rows).\n");
  std::printf("Verilator harness: %zu TPSFs in %llu cycles (%.1f cycles/TPSF incl. fill and drain) in %.2f s: "
              "%.0f simulated cycles/s, %.1f TPSF/s (1 thread)\n",
              n, (unsigned long long)st.cycles, double(st.cycles) / n, secs, st.cycles / secs, n / secs);
  return 0;
}
