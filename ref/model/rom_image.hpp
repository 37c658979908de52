// rom_image: an integer model <-> the ROM image set the RTL loads with $readmemh
// (docs/numerics.md §9): one .hex file per memory, model_params.vh and manifest.json.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "int_model.hpp"

namespace flimgru {

// Writes DIR whole or not at all (DIR.tmp, then renamed over any existing DIR).
// `mac_rows` is P, the rows of the RTL's MAC array that one weight word feeds.
// `provenance` lands in the manifest's "source" (checkpoint path and hash, command).
void write_rom_set(const QuantModel& m, int mac_rows, const std::string& dir,
                   const nlohmann::json& provenance = nlohmann::json::object());

// Reads a ROM set back, checking every file against the manifest (presence, line count,
// digits per line, hex syntax, field ranges, SHA-256). Throws flimgru::Error naming the
// file (and line) and the problem.
QuantModel load_rom_set(const std::string& dir, nlohmann::json* manifest = nullptr);

// Unit-interleaved row order of the weight ROMs: ROM row rho = 3*unit + gate -> model row.
inline int rom_row_to_model_row(int rho, int hidden) { return (rho % 3) * hidden + rho / 3; }

}  // namespace flimgru
