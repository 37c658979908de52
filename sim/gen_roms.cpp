// flimgru_rtl_romgen: writes the ROM set of a random integer model (docs/numerics.md §9) that
// the verilated core is built against: its model_params.vh fixes the compiled dimensions.
//   usage: flimgru_rtl_romgen DIR LAYERS HIDDEN MAC_ROWS SEED [extreme] [tb]
// With `tb` it also prints what sim/tb_icarus.v must print for its two pixels (x = bin % 128,
// zeros), in the same format, so an Icarus run can be diffed against the integer model.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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
  bool extreme = false, tb = false;
  for (int i = 6; i < argc; ++i) {
    extreme |= std::string(argv[i]) == "extreme";
    tb |= std::string(argv[i]) == "tb";
  }
  try {
    auto m = flimgru::random_quant_model(layers, hidden, seed, extreme);
    flimgru::write_rom_set(m, rows, dir, {{"generator", "flimgru_rtl_romgen"}, {"seed", seed}});
    if (tb) {
      using flimgru::kBins;
      std::vector<int32_t> y(kBins * 3);
      for (int px = 0; px < 2; ++px) {
        std::vector<int32_t> x(kBins);
        for (int k = 0; k < kBins; ++k) x[k] = px == 0 ? k % 128 : 0;
        flimgru::run_int_model(m, x.data(), y.data());
        std::printf("sample pixel %d step 0: y = %d %d %d\n", 100 + px, y[0], y[1], y[2]);
      }
      for (int px = 0; px < 2; ++px) {
        std::vector<int32_t> x(kBins);
        for (int k = 0; k < kBins; ++k) x[k] = px == 0 ? k % 128 : 0;
        flimgru::run_int_model(m, x.data(), y.data());
        long long s[3] = {0, 0, 0};
        for (int t = 0; t < kBins; ++t)
          for (int c = 0; c < 3; ++c) s[c] += y[t * 3 + c];
        std::printf("summary pixel %d: sum = %lld %lld %lld, first = %d %d %d\n", 100 + px, s[0], s[1],
                    s[2], y[0], y[1], y[2]);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flimgru_rtl_romgen: %s\n", e.what());
    return 1;
  }
  return 0;
}
