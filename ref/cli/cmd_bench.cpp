// flimgru bench: throughput table of the software pieces (simulator, float and integer
// inference, the per-pixel IRF fit of `infer --irf pixel`, PTU decoding) on this machine.
#include <chrono>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "backend.hpp"
#include "cli.hpp"
#include "version.hpp"
#include "error.hpp"
#include "photon_moment.hpp"
#include "preprocess.hpp"
#include "ptu.hpp"
#include "safetensors.hpp"
#include "simulator.hpp"

namespace flimgru::cli {

namespace {

template <class F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// PTU decoding on one core: best of `reps` decodes of the file already in memory (records/s).
double ptu_records_per_second(const std::string& path, const std::vector<uint64_t>& buf, size_t size, int bin,
                              int reps) {
  PtuOptions po;
  po.bin = bin;
  double best = 1e9;
  uint64_t records = 0;
  for (int r = 0; r < reps; ++r)
    best = std::min(best, seconds([&] {
      records = decode_ptu(path, reinterpret_cast<const uint8_t*>(buf.data()), size, po).records;
    }));
  return double(records) / best;
}

}  // namespace

void add_bench(CLI::App& app) {
  struct Opts {
    int threads = 2, hidden = 32, layers = 1;
    size_t count = 4000;
    bool json = false;
    std::string ptu = FLIMGRU_SOURCE_DIR "/../shared/data/hazelnut/hazelnut_z10.ptu";
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("bench", "Throughput of the simulator and of float/int8 inference (table or JSON)");
  add_threads_option(c, o->threads);
  c->add_option("--count", o->count, "TPSFs per measurement");
  c->add_option("--hidden", o->hidden, "Model width for the inference rows (weights are random)");
  c->add_option("--layers", o->layers, "Model depth for the inference rows");
  c->add_option("--ptu", o->ptu, "PTU file for the decoding rows (default: hazelnut_z10.ptu of ../shared/data; "
                                "the rows are left out if it is absent)");
  c->add_flag("--json", o->json, "Print JSON instead of a table");
  c->callback([o]() {
    nlohmann::json rows = nlohmann::json::array();
    SimConfig cfg;
    cfg.seed = 12345;
    Dataset ds;
    const double ts = seconds([&] { ds = simulate(cfg, o->count * 5, o->threads); });
    rows.push_back({{"what", "simulate"}, {"per_second", ds.n / ts}, {"unit", "TPSF/s"}});
    std::vector<float> counts(ds.counts.begin(), ds.counts.begin() + o->count * kBins);
    const auto x = preprocess_batch(counts.data(), o->count);
    const std::string tmp = std::string("/tmp/flimgru_bench_") + std::to_string(::getpid()) + ".safetensors";
    save_checkpoint(Seq2SeqWeights::random(o->layers, o->hidden, 1), tmp);
    std::vector<float> y(o->count * kBins * kChannels);
    for (const char* name : {"float", "int8"}) {
      auto b = make_backend(name, tmp, o->threads);
      const double t = seconds([&] { b->run(x.data(), y.data(), o->count); });
      rows.push_back({{"what", std::string("infer ") + name + " L=" + std::to_string(o->layers) +
                                   " H=" + std::to_string(o->hidden)},
                      {"per_second", o->count / t},
                      {"unit", "TPSF/s"}});
    }
    std::remove(tmp.c_str());
    {  // τI of `infer --irf pixel` (photon_moment.hpp): each pixel's Gaussian IRF fitted with its
       // decay's shape (here the true one), then the window-corrected first moment; 1 core
      const size_t n = std::max<size_t>(o->count / 8, 1);
      double sink = 0;
      const double t = seconds([&] {
        for (size_t i = 0; i < n; ++i) {
          const float* l = &ds.labels[i * kLabelCols];
          const double t1 = l[kLabelTau1], t2 = l[kLabelTau2], a = l[kLabelAmp];
          const Lifetimes shape{t1, t2, a, tau_mean(t1, t2, a), tau_int(t1, t2, a)};
          sink += with_photon_tau_int_own_irf(&counts[i * kBins], shape).tau_int_ns;
        }
      });
      if (!std::isfinite(sink)) std::cerr << "bench: a per-pixel IRF fit gave a non-finite τI\n";
      rows.push_back({{"what", "per-pixel IRF fit + photon tau_int (infer --irf pixel, 1 core)"},
                      {"per_second", n / t},
                      {"unit", "pixels/s"}});
    }
    if (std::filesystem::exists(o->ptu)) {  // decode + spatial/micro-time binning, 1 core
      std::ifstream f(o->ptu, std::ios::binary | std::ios::ate);
      const size_t size = size_t(f.tellg());
      f.seekg(0);
      std::vector<uint64_t> buf((size + 7) / 8);
      if (!f.read(reinterpret_cast<char*>(buf.data()), std::streamsize(size)))
        throw file_error(o->ptu, "read failed");
      const std::string name = std::filesystem::path(o->ptu).filename().string();
      for (int bin : {1, 8})
        rows.push_back({{"what", "PTU decode " + name + (bin == 1 ? " unbinned" : " + 8x8 binning") + " (1 core)"},
                        {"per_second", ptu_records_per_second(o->ptu, buf, size, bin, 15)},
                        {"unit", "records/s"}});
    } else {
      std::cerr << "bench: " << o->ptu << " absent, no PTU rows\n";
    }
    if (o->json) {
      std::cout << nlohmann::json{{"threads", o->threads}, {"rows", rows}, {kVersionKey, version_string()}}.dump(2)
                << "\n";
      return;
    }
    std::cout << "| benchmark (" << o->threads << " threads) | throughput |\n|---|---|\n";
    for (auto& r : rows)
      std::cout << "| " << r["what"].get<std::string>() << " | " << std::fixed << std::setprecision(0)
                << r["per_second"].get<double>() << " " << r["unit"].get<std::string>() << " |\n";
  });
}

}  // namespace flimgru::cli
