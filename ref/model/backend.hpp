// backend: one interface for every way flimgru runs the model on pre-processed TPSFs:
// "float" (float checkpoint), "int8"/"int16" (bit-exact integer model, from a checkpoint
// quantized in memory or from a ROM set). Other backends (the verilated RTL core, "rtl") live
// outside the reference library and plug in with register_backend() before main runs.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flimgru {

class Backend {
 public:
  virtual ~Backend() = default;
  // x [n][kBins] pre-processed inputs -> y [n][kBins][kChannels] SFD (floats).
  virtual void run(const float* x, float* y, size_t n) = 0;
  virtual nlohmann::json describe() const = 0;
};

// `model` is a checkpoint file (.safetensors) or a ROM set directory; empty = the default model.
std::unique_ptr<Backend> make_backend(const std::string& backend, const std::string& model, int threads);

// A backend that lives outside flimgru_ref (e.g. sim/rtl_backend.cpp: "rtl"), registered by a
// static initializer of an object linked into the executable. `model` as for make_backend
// (empty = the default model; the factory decides what that means).
using BackendFactory = std::function<std::unique_ptr<Backend>(const std::string& model, int threads)>;
void register_backend(const std::string& name, BackendFactory factory);
// Every backend this executable can run: float, int8, int16, then the registered ones.
std::vector<std::string> backend_names();

// The project's default model (the one `make` builds into the hardware).
std::string default_model_path();

// Runs fn(begin, end) over [0, n) split across `threads` std::threads.

}  // namespace flimgru
