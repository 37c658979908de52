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

#include "int_model.hpp"

namespace flimgru {

class Backend {
 public:
  virtual ~Backend() = default;
  // x [n][kBins] pre-processed inputs -> y [n][kBins][kChannels] SFD (floats). A model of input
  // width 2 throws here (it needs the IRF: run_with_irf).
  virtual void run(const float* x, float* y, size_t n) = 0;
  virtual nlohmann::json describe() const = 0;
  // Inputs the model reads per step: 1 (the TPSF) or 2 (the TPSF and the IRF, irf_input.hpp).
  virtual int input_width() const { return 1; }
  // A width-2 model: x [n][kBins] and the IRF input, one [kBins] for every TPSF when irf_stride is
  // 0 (an image: one instrument), else TPSF i's at irf + i·irf_stride. The default (a backend of
  // width-1 models) throws.
  virtual void run_with_irf(const float* x, const float* irf, size_t irf_stride, float* y, size_t n);
};

// The one way callers run a backend: a width-1 model ignores `irf` (may be null); a width-2 model
// needs it and, without one, throws an error naming the model and the option (--irf FILE).
void run_backend(Backend& b, const float* x, const float* irf, size_t irf_stride, float* y, size_t n);
// The check run_backend makes, for a command to fail before its slow part: throws when b's model
// is IRF-conditioned and no IRF is given.
void check_irf_given(const Backend& b, bool irf_given);

// `model` is a checkpoint file (.safetensors) or a ROM set directory; empty = the default model.
std::unique_ptr<Backend> make_backend(const std::string& backend, const std::string& model, int threads);

// A backend that lives outside flimgru_ref (e.g. sim/rtl_backend.cpp: "rtl"), registered by a
// static initializer of an object linked into the executable. `model` as for make_backend
// (empty = the default model; the factory decides what that means).
using BackendFactory = std::function<std::unique_ptr<Backend>(const std::string& model, int threads)>;
void register_backend(const std::string& name, BackendFactory factory);
// Every backend this executable can run: float, int8, int16, then the registered ones.
std::vector<std::string> backend_names();

// The integer model of `model` (checkpoint, quantized in memory, or ROM set of that format;
// empty = the default model) in `format` "int8" or "int16": what the int8/int16 backends run.
QuantModel load_quant_model(const std::string& model, const std::string& format);

// The project's default model (the one `make` builds into the hardware).
std::string default_model_path();
// The default model when the run is given a measured IRF (weights/default-irf: an
// IRF-conditioned int8 model, which reads the IRF beside every TPSF; τm at the known-IRF bound
// where the width-1 default is not, docs/results.md).
std::string default_irf_model_path();
// The model a run uses: `model` if one is named; else, given a measured IRF (irf_measured) and `backend`
// a software backend (float, int8, int16), the IRF default; else "" (the backend's own default:
// the rtl backend and a board run the model they were built with).
std::string model_for_run(const std::string& backend, const std::string& model, bool irf_measured);

// Runs fn(begin, end) over [0, n) split across `threads` std::threads.

}  // namespace flimgru
