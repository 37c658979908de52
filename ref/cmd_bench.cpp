// flimgru bench: throughput table of the software pieces (simulator, float and integer
// inference) on this machine. Later issues add rows (training, RTL cycles).
#include <chrono>
#include <unistd.h>

#include <cstdio>
#include <iomanip>
#include <iostream>

#include "backend.hpp"
#include "checkpoint.hpp"
#include "cli.hpp"
#include "preprocess.hpp"
#include "simulator.hpp"

namespace flimgru::cli {

namespace {

template <class F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void add_bench(CLI::App& app) {
  struct Opts {
    int threads = 2, hidden = 32, layers = 1;
    size_t count = 4000;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("bench", "Throughput of the simulator and of float/int8 inference (table or JSON)");
  c->add_option("--threads", o->threads, "Worker threads")->check(CLI::Range(1, 64));
  c->add_option("--count", o->count, "TPSFs per measurement");
  c->add_option("--hidden", o->hidden, "Model width for the inference rows (weights are random)");
  c->add_option("--layers", o->layers, "Model depth for the inference rows");
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
    if (o->json) {
      std::cout << nlohmann::json{{"threads", o->threads}, {"rows", rows}}.dump(2) << "\n";
      return;
    }
    std::cout << "| benchmark (" << o->threads << " threads) | throughput |\n|---|---|\n";
    for (auto& r : rows)
      std::cout << "| " << r["what"].get<std::string>() << " | " << std::fixed << std::setprecision(0)
                << r["per_second"].get<double>() << " " << r["unit"].get<std::string>() << " |\n";
  });
}

}  // namespace flimgru::cli
