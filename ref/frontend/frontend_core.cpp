// frontend_core: the reference of the photon front end followed by the core (frontend_core.hpp).
#include "frontend_core.hpp"

#include <map>

#include "backend.hpp"
#include "error.hpp"
#include "int_model.hpp"
#include "parallel.hpp"

namespace flimgru {

ChipMoments chip_moments(const std::array<uint32_t, kBins>& counts, int pre_rise_bins) {
  ChipMoments m;
  for (int k = 0; k < kBins; ++k) {  // bin k: b and c add the values after bin k − 1
    if (k > 0) {
      m.c += m.b;
      m.b += m.a;
    }
    m.a += counts[k];
    if (k < pre_rise_bins) m.p = m.a;
  }
  return m;
}

ChipRun run_frontend_core(const QuantModel& m, const FrontendConfig& c, const std::vector<Event>& events,
                          const std::vector<int8_t>& irf_q, int threads) {
  const int w = m.input_width;
  if (w == 2 && irf_q.size() != size_t(kBins))
    throw Error("the model reads the instrument's IRF (input width 2): give it (--irf FILE)");
  FrontendRun fr = run_frontend(c, events);
  ChipRun out;
  out.counters = fr.counters;
  out.pixels.resize(fr.pixels.size());
  parallel_for(fr.pixels.size(), threads, [&](int, size_t b, size_t e) {
    std::vector<int32_t> x(size_t(kBins) * w);
    int32_t y[kBins * kChannels];
    std::vector<std::array<int16_t, 3>> yy(kBins);
    for (size_t i = b; i < e; ++i) {
      const FrontendPixel& p = fr.pixels[i];
      for (int k = 0; k < kBins; ++k) {
        x[size_t(k) * w] = p.x_q[k];
        if (w == 2) x[size_t(k) * w + 1] = irf_q[k];
      }
      run_int_model(m, x.data(), y);
      for (int t = 0; t < kBins; ++t)
        for (int ch = 0; ch < 3; ++ch) yy[t][ch] = int16_t(y[t * kChannels + ch]);
      out.pixels[i] = {p.frame, p.row, p.col, p.photons, p.saturated, p.incomplete, link::summarize(yy),
                       chip_moments(p.counts, c.pre_rise_bins)};
    }
  });
  return out;
}

namespace {

class ReferenceEngine : public FrontendCoreEngine {
 public:
  ReferenceEngine(const std::string& model, int threads)
      : m_(load_quant_model(model, "int8")), model_(model.empty() ? default_model_path() : model), threads_(threads) {}
  ChipRun run(const FrontendConfig& c, const std::vector<Event>& events, const std::vector<int8_t>& irf_q,
              std::atomic<size_t>* events_done) override {
    ChipRun r = run_frontend_core(m_, c, events, irf_q, threads_);
    if (events_done) *events_done = events.size();
    return r;
  }
  int input_width() const override { return m_.input_width; }
  nlohmann::json describe() const override {
    return {{"engine", "int8"}, {"what", "the front end's C++ twin and the int8 integer model"}, {"model", model_}};
  }

 private:
  QuantModel m_;
  std::string model_;
  int threads_;
};

std::map<std::string, FrontendCoreFactory>& registry() {
  static std::map<std::string, FrontendCoreFactory> r;
  return r;
}

}  // namespace

void register_frontend_core(const std::string& name, FrontendCoreFactory factory) { registry()[name] = std::move(factory); }

std::unique_ptr<FrontendCoreEngine> make_frontend_core(const std::string& name, const std::string& model, int threads) {
  if (name == "int8") return std::make_unique<ReferenceEngine>(model, threads);
  if (auto it = registry().find(name); it != registry().end()) return it->second(model, threads);
  std::string names = "int8";
  for (const auto& [n, f] : registry()) names += ", " + n;
  throw Error("the photon front end runs with --backend " + names + ", not '" + name + "'");
}

}  // namespace flimgru
