// flimgru_rtl_romgen: writes the ROM set of a random integer model (docs/numerics.md §9) that
// the verilated core is built against: its model_params.vh fixes the compiled dimensions.
//   usage: flimgru_rtl_romgen DIR LAYERS HIDDEN MAC_ROWS SEED [extreme]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "int_model.hpp"
#include "rom_image.hpp"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s DIR LAYERS HIDDEN MAC_ROWS SEED [extreme]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const int layers = std::atoi(argv[2]), hidden = std::atoi(argv[3]), rows = std::atoi(argv[4]);
  const uint64_t seed = std::strtoull(argv[5], nullptr, 10);
  const bool extreme = argc > 6 && std::string(argv[6]) == "extreme";
  try {
    auto m = flimgru::random_quant_model(layers, hidden, seed, extreme);
    flimgru::write_rom_set(m, rows, dir, {{"generator", "flimgru_rtl_romgen"}, {"seed", seed}});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flimgru_rtl_romgen: %s\n", e.what());
    return 1;
  }
  return 0;
}
