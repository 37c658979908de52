// The default model's verilated core (built by sim/CMakeLists.txt against the ROM set that
// `flimgru quantize` writes from FLIMGRU_RTL_CHECKPOINT at build time, LANES x MAC_ROWS fixed at
// configure time) and the "rtl" backend of `flimgru infer`, registered from sim/rtl_register.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "int_model.hpp"
#include "rtl_runner.hpp"

namespace flimgru::sim {

struct RtlDefault {
  int lanes, mac_rows;
  std::string rom_dir;      // the compiled ROM set (build dir)
  std::string checkpoint;   // the checkpoint it was quantized from
};
RtlDefault rtl_default();

// Checks that `model` (checkpoint or ROM set; empty = the default model) has exactly the
// compiled ROM set (SHA-256 of every file of the manifests, at the compiled MAC_ROWS);
// throws flimgru::Error naming the differing files otherwise. Returns the compiled model.
QuantModel rtl_check_model(const std::string& model);

// Runs x_q [n][kBins] through the compiled core (one instance), y_q [n][kBins][3].
void rtl_default_run(const int32_t* x_q, size_t n, int32_t* y_q, RunStats* st = nullptr,
                     const std::string& fst = "");

}  // namespace flimgru::sim
