// flimgru_rtl_romgen: writes the ROM set of a random integer model (docs/numerics.md §9) that
// the verilated core is built against: its model_params.vh fixes the compiled dimensions.
//   usage: flimgru_rtl_romgen DIR LAYERS HIDDEN MAC_ROWS SEED [extreme] [tb LANES]
// With `tb LANES` it also prints what sim/tb_icarus.v must print for its batch of LANES pixels
// (x = bin % 128, then zeros): every SFD sample, every hidden state of every lane at every step,
// and the summaries, in the same format, so a run of the bench can be diffed against the model.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "int_model.hpp"
#include "rom_image.hpp"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s DIR LAYERS HIDDEN MAC_ROWS SEED [extreme] [tb LANES]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const int layers = std::atoi(argv[2]), hidden = std::atoi(argv[3]), rows = std::atoi(argv[4]);
  const uint64_t seed = std::strtoull(argv[5], nullptr, 10);
  bool extreme = false, tb = false;
  int lanes = 0;
  for (int i = 6; i < argc; ++i) {
    extreme |= std::string(argv[i]) == "extreme";
    if (std::string(argv[i]) == "tb" && i + 1 < argc) {
      tb = true;
      lanes = std::atoi(argv[++i]);
    }
  }
  if (tb && lanes < 1) {
    std::fprintf(stderr, "flimgru_rtl_romgen: tb needs a lane count >= 1\n");
    return 2;
  }
  try {
    auto m = flimgru::random_quant_model(layers, hidden, seed, extreme);
    flimgru::write_rom_set(m, rows, dir, {{"generator", "flimgru_rtl_romgen"}, {"seed", seed}});
    if (tb) {
      // pixel 100: x = bin % 128; every other lane's pixel: zeros (sim/tb_icarus.v)
      using flimgru::kBins;
      std::vector<int32_t> y(kBins * 3);
      for (int px = 0; px < lanes; ++px) {
        std::vector<int32_t> x(kBins);
        for (int k = 0; k < kBins; ++k) x[k] = px == 0 ? k % 128 : 0;
        flimgru::IntTrace tr;
        flimgru::run_int_model(m, x.data(), y.data(), &tr);
        long long s[3] = {0, 0, 0}, cum = 0;  // cum: docs/numerics.md §7a
        for (int t = 0; t < kBins; ++t) {
          if (t > 0) cum += s[0];  // the running sum of y0 up to step t-1
          std::printf("sample pixel %d step %d: y = %d %d %d\n", 100 + px, t, y[t * 3], y[t * 3 + 1],
                      y[t * 3 + 2]);
          for (int c = 0; c < 3; ++c) s[c] += y[t * 3 + c];
          for (int dec = 0; dec < 2; ++dec)
            for (int l = 0; l < layers; ++l)
              for (int u = 0; u < hidden; ++u)
                std::printf("state lane %d dec %d step %d layer %d unit %d: h = %d\n", px, dec, t, l, u,
                            dec ? tr.dec(t, l, u) : tr.enc(t, l, u));
        }
        std::printf("summary pixel %d: sum = %lld %lld %lld, first = %d %d %d, cum = %lld\n", 100 + px, s[0],
                    s[1], s[2], y[0], y[1], y[2], cum);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flimgru_rtl_romgen: %s\n", e.what());
    return 1;
  }
  return 0;
}
