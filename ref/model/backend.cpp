// backend: see backend.hpp.
#include "backend.hpp"

#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "batch_forward.hpp"
#include "error.hpp"
#include "float_model.hpp"
#include "int_model.hpp"
#include "irf_input.hpp"
#include "parallel.hpp"
#include "quantizer.hpp"
#include "rom_image.hpp"
#include "safetensors.hpp"

#ifndef FLIMGRU_SOURCE_DIR
#define FLIMGRU_SOURCE_DIR "."
#endif

namespace flimgru {

namespace fs = std::filesystem;

std::string default_model_path() {
  return std::string(FLIMGRU_SOURCE_DIR) + "/weights/default/model.safetensors";
}

std::string default_irf_model_path() {
  return std::string(FLIMGRU_SOURCE_DIR) + "/weights/default-irf/model.safetensors";
}

std::string model_for_run(const std::string& backend, const std::string& model, bool irf_measured) {
  if (!model.empty() || !irf_measured) return model;
  const bool software = backend == "float" || backend == "int8" || backend == "int16";
  return software ? default_irf_model_path() : std::string();
}

namespace {

std::map<std::string, BackendFactory>& registry() {
  static std::map<std::string, BackendFactory> r;
  return r;
}

}  // namespace

void register_backend(const std::string& name, BackendFactory factory) { registry()[name] = std::move(factory); }

std::vector<std::string> backend_names() {
  std::vector<std::string> v{"float", "int8", "int16"};
  for (const auto& [name, f] : registry()) v.push_back(name);
  return v;
}

void Backend::run_with_irf(const float*, const float*, size_t, float*, size_t) {
  throw Error(describe().value("model", std::string("the model")) + ": this backend runs no IRF-conditioned model");
}

void check_irf_given(const Backend& b, bool irf_given) {
  if (b.input_width() != 1 && !irf_given)
    throw Error(b.describe().value("model", std::string("the model")) + " is IRF-conditioned (input width " +
                std::to_string(b.input_width()) + "): give the instrument's IRF (--irf FILE, 135 values "
                "on the model grid, docs/formats.md)");
}

void run_backend(Backend& b, const float* x, const float* irf, size_t irf_stride, float* y, size_t n) {
  if (b.input_width() == 1) return b.run(x, y, n);
  check_irf_given(b, irf != nullptr);
  b.run_with_irf(x, irf, irf_stride, y, n);
}

namespace {

// The backends of this library's models: run() and run_with_irf() are forward() without and with
// the IRF; a width-2 model refuses run() (run_backend says how to give the IRF).
class ModelBackend : public Backend {
 public:
  ModelBackend(std::string src, int width) : src_(std::move(src)), width_(width) {}
  void run(const float* x, float* y, size_t n) override {
    if (width_ != 1)
      throw Error(src_ + " is IRF-conditioned (input width " + std::to_string(width_) +
                  "): give the instrument's IRF (--irf FILE)");
    forward(x, nullptr, 0, y, n);
  }
  void run_with_irf(const float* x, const float* irf, size_t irf_stride, float* y, size_t n) override {
    forward(x, irf, irf_stride, y, n);
  }
  int input_width() const override { return width_; }

 protected:
  virtual void forward(const float* x, const float* irf, size_t irf_stride, float* y, size_t n) = 0;
  std::string src_;
  int width_;
};

class FloatBackend : public ModelBackend {
 public:
  FloatBackend(Seq2SeqWeights w, std::string src, int threads)
      : ModelBackend(std::move(src), w.input_width), w_(std::move(w)), threads_(threads) {}
  nlohmann::json describe() const override {
    nlohmann::json j = {{"backend", "float"}, {"model", src_}, {"layers", w_.layers}, {"hidden", w_.hidden},
                        {"parameters", w_.parameter_count()}, {"bytes", w_.parameter_count() * 4}};
    if (w_.input_width != 1) j["input_width"] = w_.input_width;
    return j;
  }

 private:
  // Batched GEMMs (batch_forward.hpp, tested equal to float_forward) in chunks.
  void forward(const float* x, const float* irf, size_t irf_stride, float* y, size_t n) override {
    constexpr int kChunk = 256;
    BatchForward bt(w_.layers, w_.hidden, kChunk, kBins, threads_);
    for (size_t i = 0; i < n; i += kChunk) {
      const int b = int(std::min<size_t>(kChunk, n - i));
      if (irf == nullptr) {
        bt.forward(w_, x + i * kBins, b, y + i * kBins * kChannels);
      } else {
        const std::vector<float> xi = interleave_irf(x + i * kBins, irf + i * irf_stride, irf_stride, b);
        bt.forward(w_, xi.data(), b, y + i * kBins * kChannels);
      }
    }
  }

  Seq2SeqWeights w_;
  int threads_;
};

class IntBackend : public ModelBackend {
 public:
  IntBackend(QuantModel m, std::string src, int threads)
      : ModelBackend(std::move(src), m.input_width), m_(std::move(m)), threads_(threads) {}
  nlohmann::json describe() const override {
    // Stored parameters: weights, biases (4 per unit) and multipliers (one per row), head.
    int64_t weights = 0, words16 = 0;
    for (const auto* stack : {&m_.encoder, &m_.decoder})
      for (const auto& L : *stack) {
        weights += int64_t(L.w.size());
        words16 += 4 * L.hidden + int64_t(L.m.size());
      }
    weights += int64_t(m_.head_w.size());
    words16 += 2 * kChannels;
    nlohmann::json j = {{"backend", m_.fmt.name()}, {"model", src_}, {"layers", m_.layers}, {"hidden", m_.hidden},
                        {"parameters", weights + words16}, {"bytes", weights * m_.fmt.weight_bits / 8 + 2 * words16},
                        {"rq_shift", m_.rq_shift}, {"macs_per_tpsf", m_.macs_per_tpsf()}};
    if (m_.input_width != 1) j["input_width"] = m_.input_width;
    return j;
  }

 private:
  // x_q and (width 2) the IRF quantized by the same rule (numerics §8), interleaved per step.
  void forward(const float* x, const float* irf, size_t irf_stride, float* y, size_t n) override {
    parallel_for(n, threads_, [&](int, size_t b, size_t e) {
      int32_t xq[kBins], iq[kBins], in[2 * kBins], yq[kBins * kChannels];
      for (size_t i = b; i < e; ++i) {
        quantize_input(m_.fmt, x + i * kBins, xq);
        const int32_t* u = xq;
        if (irf != nullptr) {
          quantize_input(m_.fmt, irf + i * irf_stride, iq);
          for (int k = 0; k < kBins; ++k) {
            in[2 * k] = xq[k];
            in[2 * k + 1] = iq[k];
          }
          u = in;
        }
        run_int_model(m_, u, yq);
        for (int k = 0; k < kBins * kChannels; ++k) y[i * kBins * kChannels + k] = dequantize_output(yq[k]);
      }
    });
  }

  QuantModel m_;
  int threads_;
};

}  // namespace

QuantModel load_quant_model(const std::string& model_in, const std::string& format) {
  const std::string model = model_in.empty() ? default_model_path() : model_in;
  if (model_in.empty() && !fs::exists(model))
    throw Error("no default model: " + model + " does not exist yet (pass --model CHECKPOINT|ROMDIR)");
  if (format != "int8" && format != "int16") throw Error("no integer format '" + format + "' (int8 or int16)");
  if (fs::is_directory(model)) {
    QuantModel m = load_rom_set(model);
    if (m.fmt.name() != format) throw file_error(model, "is a " + m.fmt.name() + " ROM set, not " + format);
    return m;
  }
  return quantize(load_checkpoint(model), format == "int8" ? QuantFormat::int8() : QuantFormat::int16());
}

std::unique_ptr<Backend> make_backend(const std::string& backend, const std::string& model_in, int threads) {
  if (auto it = registry().find(backend); it != registry().end()) return it->second(model_in, threads);
  const std::string model = model_in.empty() ? default_model_path() : model_in;
  if (model_in.empty() && !fs::exists(model))
    throw Error("no default model: " + model + " does not exist yet (pass --model CHECKPOINT|ROMDIR)");
  const bool is_rom = fs::is_directory(model);
  if (backend == "float") {
    if (is_rom) throw file_error(model, "is a ROM set; the float backend needs a float checkpoint");
    return std::make_unique<FloatBackend>(load_checkpoint(model), model, threads);
  }
  if (backend == "int8" || backend == "int16")
    return std::make_unique<IntBackend>(load_quant_model(model, backend), model, threads);
  std::string names;
  for (const auto& n : backend_names()) names += (names.empty() ? "" : ", ") + n;
  throw Error("unknown backend '" + backend + "' (this build has: " + names + ")");
}

}  // namespace flimgru
