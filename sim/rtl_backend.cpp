// The "rtl" backend: `flimgru infer --backend rtl` runs the TPSFs through the verilated core
// compiled for the default model's ROM set (sim/rtl_default.hpp). Input quantization and output
// dequantization are those of the int8 backend, so the SFD, lifetimes and CSV are identical.
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unistd.h>

#include "Vdefault.h"
#include "backend.hpp"
#include "error.hpp"
#include "parallel.hpp"
#include "quantizer.hpp"
#include "rom_image.hpp"
#include "rtl_default.hpp"
#include "safetensors.hpp"

namespace fs = std::filesystem;

namespace flimgru::sim {

RtlDefault rtl_default() {
  return {FLIMGRU_RTL_LANES, FLIMGRU_RTL_MAC_ROWS, FLIMGRU_RTL_DEFAULT_ROMS, FLIMGRU_RTL_CHECKPOINT};
}

namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw file_error(path, "cannot open");
  return nlohmann::json::parse(f);
}

// names of the files whose SHA-256 differs between two manifests (or that only one has)
std::vector<std::string> differing_files(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<std::string> d;
  for (auto it = a["files"].begin(); it != a["files"].end(); ++it)
    if (!b["files"].contains(it.key()) || b["files"][it.key()].value("sha256", "") != it.value().value("sha256", ""))
      d.push_back(it.key());
  for (auto it = b["files"].begin(); it != b["files"].end(); ++it)
    if (!a["files"].contains(it.key())) d.push_back(it.key());
  return d;
}

}  // namespace

QuantModel rtl_check_model(const std::string& model_in) {
  const RtlDefault def = rtl_default();
  nlohmann::json compiled;
  QuantModel m = load_rom_set(def.rom_dir, &compiled);
  const std::string model = model_in.empty() ? default_model_path() : model_in;
  nlohmann::json other;
  if (fs::is_directory(model)) {
    load_rom_set(model, &other);
  } else {
    if (!fs::exists(model)) throw file_error(model, "does not exist");
    const fs::path tmp = fs::temp_directory_path() / ("flimgru_rtl_check_" + std::to_string(getpid()));
    write_rom_set(quantize(load_checkpoint(model), QuantFormat::int8()), def.mac_rows, tmp.string());
    other = read_json((tmp / "manifest.json").string());
    fs::remove_all(tmp);
  }
  const auto diff = differing_files(compiled, other);
  if (!diff.empty()) {
    std::string names;
    for (const auto& n : diff) names += (names.empty() ? "" : ", ") + n;
    std::string what = "this model's int8 ROM set differs in " + names;
    if (other.value("mac_rows", def.mac_rows) != def.mac_rows)
      what = "this ROM set is laid out for MAC_ROWS " + std::to_string(other.value("mac_rows", 0)) + " (" + what + ")";
    else if (other.value("number_format", std::string("int8")) != "int8")
      what = "this is a " + other.value("number_format", std::string()) + " ROM set";
    throw Error(model + ": the RTL backend runs only the model its core was compiled for (" + def.checkpoint +
                ", ROM set " + def.rom_dir + ", MAC_ROWS " + std::to_string(def.mac_rows) + ", " +
                std::to_string(def.lanes) + " lanes); " + what +
                ". Use --backend int8, or rebuild with cmake -DFLIMGRU_RTL_CHECKPOINT=CHECKPOINT.safetensors");
  }
  return m;
}

void rtl_default_run(const int32_t* x_q, size_t n, int32_t* y_q, RunStats* st, const std::string& fst) {
  const RtlDefault def = rtl_default();
  CoreRunner<Vdefault> r(def.rom_dir, def.lanes, fst);
  r.run(x_q, n, y_q, st);
}

namespace {

class RtlBackend : public Backend {
 public:
  RtlBackend(QuantModel m, std::string src, int threads) : m_(std::move(m)), src_(std::move(src)), threads_(threads) {}
  void run(const float* x, float* y, size_t n) override {
    // one verilated core per thread, each on a contiguous share of the pixels
    parallel_for(n, threads_, [&](int, size_t b, size_t e) {
      std::vector<int32_t> xq((e - b) * kBins), yq((e - b) * kBins * kChannels);
      for (size_t i = b; i < e; ++i) quantize_input(m_.fmt, x + i * kBins, &xq[(i - b) * kBins]);
      RunStats st;
      rtl_default_run(xq.data(), e - b, yq.data(), &st);
      for (size_t k = 0; k < yq.size(); ++k) y[b * kBins * kChannels + k] = dequantize_output(yq[k]);
      std::lock_guard<std::mutex> lock(mu_);
      cycles_ += st.cycles;
      pixels_ += e - b;
    });
  }
  nlohmann::json describe() const override {
    const RtlDefault def = rtl_default();
    return {{"backend", "rtl"}, {"model", src_}, {"compiled_checkpoint", def.checkpoint},
            {"rom_set", def.rom_dir}, {"lanes", def.lanes}, {"mac_rows", def.mac_rows},
            {"layers", m_.layers}, {"hidden", m_.hidden}, {"rq_shift", m_.rq_shift},
            {"simulated_cycles", cycles_},
            {"cycles_per_tpsf", pixels_ ? double(cycles_) / double(pixels_) : 0.0}};
  }

 private:
  QuantModel m_;
  std::string src_;
  int threads_;
  std::mutex mu_;
  uint64_t cycles_ = 0, pixels_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_rtl_backend(const std::string& model, int threads) {
  QuantModel m = rtl_check_model(model);
  return std::make_unique<RtlBackend>(std::move(m), model.empty() ? default_model_path() : model, threads);
}

}  // namespace flimgru::sim
