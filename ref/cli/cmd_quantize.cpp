// flimgru quantize: float checkpoint -> integer model -> ROM image set for the RTL.
#include <iostream>

#include "cli.hpp"
#include "quantizer.hpp"
#include "rom_image.hpp"
#include "safetensors.hpp"
#include "sha256.hpp"
#include "version.hpp"

namespace flimgru::cli {

void add_quantize(CLI::App& app) {
  struct Opts {
    std::string checkpoint, out, format = "int8";
    int mac_rows = 16;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("quantize",
                               "Post-training quantization of a float checkpoint (docs/numerics.md §3) into a "
                               "ROM image set: one $readmemh file per memory, model_params.vh, manifest.json");
  c->add_option("checkpoint", o->checkpoint, "Float checkpoint (.safetensors)")->required();
  c->add_option("-o,--out", o->out, "Output directory for the ROM set")->required();
  c->add_option("--format", o->format, "Number format: int8 (hardware) or int16 (comparison)")
      ->check(CLI::IsMember({"int8", "int16"}));
  c->add_option("--mac-rows", o->mac_rows, "Rows of the RTL MAC array fed by one weight word (P)")
      ->check(CLI::Range(1, 1024));
  c->add_flag("--json", o->json, "Print the quantization report as JSON");
  c->callback([o]() {
    const Seq2SeqWeights w = load_checkpoint(o->checkpoint);
    QuantReport rep;
    const QuantModel m = quantize(w, o->format == "int8" ? QuantFormat::int8() : QuantFormat::int16(), &rep);
    nlohmann::json prov = {{"checkpoint", o->checkpoint}, {"checkpoint_sha256", sha256_file(o->checkpoint)},
                           {"quantization", rep.to_json()}};
    for (auto& [k, v] : w.metadata) prov["checkpoint_metadata"][k] = v;
    write_rom_set(m, o->mac_rows, o->out, prov);
    nlohmann::json j = rep.to_json();
    j["out"] = o->out;
    j["format"] = o->format;
    j["mac_rows"] = o->mac_rows;
    j["parameters"] = w.parameter_count();
    j["macs_per_tpsf"] = m.macs_per_tpsf();
    j[kVersionKey] = version_string();
    if (o->json) std::cout << j.dump(2) << "\n";
    else
      std::cout << "quantized " << o->checkpoint << " (" << w.parameter_count() << " parameters) to " << o->format
                << " ROM set " << o->out << ": shift " << rep.rq_shift << ", smallest multiplier "
                << rep.min_multiplier << ", max weight error " << rep.max_weight_error << ", saturated biases "
                << rep.saturated_biases << "\n";
  });
}

}  // namespace flimgru::cli
