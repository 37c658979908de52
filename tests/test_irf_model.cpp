// The IRF-conditioned model (input width 2): width-1 checkpoints unchanged, the width-2 model's
// checkpoint, float / int8 / QAT / ROM paths, the IRF input (irf_input.hpp) and the commands
// that take --irf.
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "backend.hpp"
#include "safetensors.hpp"
#include "sha256.hpp"
#include "dataset.hpp"
#include "error.hpp"
#include "float_model.hpp"
#include "int_model.hpp"
#include "lifetimes.hpp"
#include "irf_input.hpp"
#include "photon_moment.hpp"
#include "npy.hpp"
#include "preprocess.hpp"
#include "quantizer.hpp"
#include "rom_image.hpp"
#include "simulator.hpp"
#include "test_helpers.hpp"
#include "train_model.hpp"
#include "version.hpp"

namespace flimgru {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

void run(std::vector<std::string> args) { test::run_cli(std::move(args)); }

// Pre-processed TPSFs of `n` simulated samples (general protocol, seed) and their IRF inputs.
struct Inputs {
  Dataset ds;
  std::vector<float> x, irf;  // [n][kBins] each
};
Inputs inputs(size_t n, uint64_t seed) {
  SimConfig cfg;
  cfg.seed = seed;
  Inputs in{simulate(cfg, n, 1), {}, {}};
  std::vector<float> c(in.ds.counts.begin(), in.ds.counts.end());
  in.x = preprocess_batch(c.data(), n);
  in.irf = dataset_irf_inputs(in.ds);
  return in;
}

// float_forward and the int8 model of w over the inputs (width 2: with their IRFs).
std::pair<std::vector<float>, std::vector<int32_t>> outputs(const Seq2SeqWeights& w, const Inputs& in) {
  const size_t n = in.ds.n;
  const QuantModel m = quantize(w, QuantFormat::int8());
  std::vector<float> yf(n * kBins * kChannels);
  std::vector<int32_t> yi(n * kBins * kChannels);
  for (size_t i = 0; i < n; ++i) {
    const float* x = &in.x[i * kBins];
    std::vector<float> u(x, x + kBins);
    if (w.input_width == 2) u = interleave_irf(x, &in.irf[i * kBins], 0, 1);
    float_forward(w, u.data(), &yf[i * kBins * kChannels]);
    std::vector<int32_t> uq(u.size());
    for (size_t k = 0; k < u.size(); ++k) uq[k] = quantize_value(u[k], m.fmt.frac_bits, m.fmt.state_bits);
    run_int_model(m, uq.data(), &yi[i * kBins * kChannels]);
  }
  return {yf, yi};
}

// Width-1 checkpoints, the whole shipped family, compute what they computed before the input
// width existed: the SHA-256 of the int8 model's outputs on 64 TPSFs (simulate seed 4242),
// recorded with the code of main at 0ebcf04, bit for bit. float_forward's outputs are not
// bit-identical across CPUs (-march=native: FMA contraction and the vector width change the
// rounding; its SHA-256 of 0ebcf04 did not hold on an AMD EPYC without AVX-512), so the float half
// checks their sum and sum of squares to 1e-6 relative, recorded on 2026-12-07 (the int8 SHA, which
// the float weights feed through quantization, unchanged since 0ebcf04).
TEST(IrfModel, WidthOneCheckpointsGiveBitIdenticalOutputsToBefore) {
  const std::vector<std::tuple<std::string, double, double, std::string>> golden = {
      {"default", 2163.973761299625, 825.20340330916429, "13d2e527b17196fa6a92baf87a4e054ba5602db7f5855fbd234fc5dd5eff2567"},
      {"student-h32", 2127.4930441007018, 816.06400003921863, "156e5e5567a2bb03af4943e168a217b75086bca98bc6efeaa7b27af1068bc9b7"},
      {"teacher", 2154.8628538073972, 824.48354443249798, "af227db50dc0b6eb065c178ee6c239c2eac2bad4731e5c8fdef77e1c332483d1"}};
  SimConfig cfg;
  cfg.seed = 4242;
  const Dataset ds = simulate(cfg, 64, 1);
  for (const auto& [name, f_sum, f_sumsq, i_sha] : golden) {
    const Seq2SeqWeights w = load_checkpoint(FLIMGRU_SOURCE_DIR "/weights/" + name + "/model.safetensors");
    EXPECT_EQ(w.input_width, 1) << name;
    EXPECT_EQ(w.encoder[0].w_ih.cols(), 1) << name;
    const QuantModel m = quantize(w, QuantFormat::int8());
    EXPECT_EQ(m.input_width, 1);
    std::vector<float> yf(64 * kBins * kChannels);
    std::vector<int32_t> yi(64 * kBins * kChannels);
    for (int i = 0; i < 64; ++i) {
      std::vector<float> c(kBins);
      for (int k = 0; k < kBins; ++k) c[k] = float(ds.counts[i * kBins + k]);
      const auto x = preprocess_tpsf(c.data());
      float_forward(w, x.data(), &yf[i * kBins * kChannels]);
      std::vector<int32_t> xq(kBins);
      quantize_input(m.fmt, x.data(), xq.data());
      run_int_model(m, xq.data(), &yi[i * kBins * kChannels]);
    }
    double sum = 0, sumsq = 0;
    for (float v : yf) sum += v, sumsq += double(v) * v;
    EXPECT_NEAR(sum, f_sum, 1e-6 * std::abs(f_sum)) << name << " float";
    EXPECT_NEAR(sumsq, f_sumsq, 1e-6 * f_sumsq) << name << " float";
    EXPECT_EQ(sha256_bytes(yi.data(), yi.size() * 4), i_sha) << name << " int8";
  }
}

// A width-1 model saved again is the same model: no input_width key, the same tensors and
// metadata (the save stamps this build's flimgru_version, so the bytes differ from the shipped
// file by that key only; saving the result again is byte-identical).
TEST(IrfModel, WidthOneCheckpointsSaveWithoutAnInputWidthKey) {
  TempDir d;
  const std::string src = FLIMGRU_SOURCE_DIR "/weights/student-h32/model.safetensors";
  save_checkpoint(load_checkpoint(src), d / "again.safetensors");
  EXPECT_EQ(test::slurp(d / "again.safetensors").find("input_width"), std::string::npos);
  const Seq2SeqWeights a = load_checkpoint(src), b = load_checkpoint(d / "again.safetensors");
  EXPECT_EQ(b.input_width, 1);
  Seq2SeqWeights ac = a, bc = b;
  const auto ta = ac.tensors(), tb = bc.tensors();
  ASSERT_EQ(ta.size(), tb.size());
  for (size_t i = 0; i < ta.size(); ++i) {
    EXPECT_EQ(ta[i].first, tb[i].first);
    EXPECT_EQ(ta[i].second, tb[i].second) << ta[i].first;
  }
  auto ma = a.metadata, mb = b.metadata;
  ma.erase(kVersionKey);
  mb.erase(kVersionKey);
  EXPECT_EQ(ma, mb);
  save_checkpoint(b, d / "third.safetensors");
  EXPECT_EQ(test::slurp(d / "third.safetensors"), test::slurp(d / "again.safetensors"));
  const QuantModel m = quantize(load_checkpoint(src), QuantFormat::int8());
  write_rom_set(m, 16, d / "rom");
  const auto man = nlohmann::json::parse(test::slurp(d / "rom/manifest.json"));
  EXPECT_FALSE(man.contains("input_width"));
  EXPECT_THAT(test::slurp(d / "rom/model_params.vh"), ::testing::HasSubstr("IN_DIM = 1;"));
}

TEST(IrfModel, WidthTwoCheckpointRoundTripsAndRecordsItsWidth) {
  TempDir d;
  const Seq2SeqWeights w = Seq2SeqWeights::random(1, 6, 3, 1.0f, 2);
  EXPECT_EQ(w.encoder[0].w_ih.cols(), 2);
  EXPECT_EQ(w.decoder[0].w_ih.cols(), 1);  // the decoder still reads one (zero) input
  EXPECT_EQ(w.parameter_count(), Seq2SeqWeights::zeros(1, 6).parameter_count() + 3 * 6);
  save_checkpoint(w, d / "w2.safetensors");
  const Seq2SeqWeights r = load_checkpoint(d / "w2.safetensors");
  EXPECT_EQ(r.input_width, 2);
  EXPECT_EQ(r.encoder[0].w_ih, w.encoder[0].w_ih);
  EXPECT_FALSE(r.metadata.count("input_width"));  // a field of the model, not free metadata
  // A file whose tensors disagree with its declared width is refused, naming it.
  Seq2SeqWeights one = Seq2SeqWeights::random(1, 6, 3);
  one.metadata["x"] = "y";
  save_checkpoint(one, d / "w1.safetensors");
  std::string bytes = test::slurp(d / "w1.safetensors");
  const size_t at = bytes.find("\"hidden\":\"6\"");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 12, "\"input_width\":\"2\",\"hidden\":\"6\"");
  // keep the 8-byte header length consistent: rewrite it
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(uint8_t(bytes[i])) << (8 * i);
  n += std::string("\"input_width\":\"2\",").size();
  for (int i = 0; i < 8; ++i) bytes[i] = char((n >> (8 * i)) & 0xff);
  test::spit(d / "bad.safetensors", bytes);
  EXPECT_ERROR_MENTIONS(load_checkpoint(d / "bad.safetensors"), "bad.safetensors", "encoder.weight_ih_l0",
                        "input_width=2");
  EXPECT_ERROR_MENTIONS(Seq2SeqWeights::zeros(1, 4, 3), "input_width");
}

// widen_input adds a zero IRF column: float and int8 outputs are those of the width-1 model,
// whatever the IRF holds.
TEST(IrfModel, WidenedModelComputesExactlyWhatTheNarrowOneDoes) {
  const Seq2SeqWeights w1 = Seq2SeqWeights::random(1, 12, 17, 1.5f);
  const Seq2SeqWeights w2 = widen_input(w1, 2);
  EXPECT_EQ(w2.input_width, 2);
  EXPECT_EQ(w2.encoder[0].w_ih.col(1).cwiseAbs().maxCoeff(), 0.0f);
  const Inputs in = inputs(6, 31);
  const auto [f1, i1] = outputs(w1, in);
  const auto [f2, i2] = outputs(w2, in);
  EXPECT_EQ(f1, f2);
  EXPECT_EQ(i1, i2);
}

// The int8 model of a width-2 model stays close to its float twin (the tolerance of
// IntModel.Int8AndInt16StayCloseToTheFloatModel), the IRF column matters, and its ROM set
// round-trips with the IRF column in the encoder's layer-0 image.
TEST(IrfModel, Int8OfAWidthTwoModelMatchesItsFloatTwinAndItsRomSetRoundTrips) {
  Seq2SeqWeights w = Seq2SeqWeights::random(1, 16, 11, 1.5f, 2);
  const Inputs in = inputs(4, 77);
  const auto [yf, yi] = outputs(w, in);
  for (size_t s = 0; s < in.ds.n; ++s) {
    double se = 0, sf = 0;
    for (int i = 0; i < kBins * 3; ++i) {
      const size_t k = s * kBins * 3 + i;
      se += std::pow(dequantize_output(yi[k]) - yf[k], 2);
      sf += double(yf[k]) * yf[k];
    }
    const double rmse = std::sqrt(se / (kBins * 3)), rms = std::sqrt(sf / (kBins * 3));
    EXPECT_LT(rmse, 0.03 * rms + 0.003) << "sample " << s << " rms " << rms;
    EXPECT_GT(rms, 0.05);
  }
  Seq2SeqWeights no_irf = w;  // the IRF column is read: zeroing it changes the outputs
  no_irf.encoder[0].w_ih.col(1).setZero();
  EXPECT_NE(outputs(no_irf, in).first, yf);

  TempDir d;
  const QuantModel m = quantize(w, QuantFormat::int8());
  EXPECT_EQ(m.input_width, 2);
  EXPECT_EQ(m.encoder[0].cols(), 2 + 16);
  EXPECT_EQ(m.macs_per_tpsf(), quantize(Seq2SeqWeights::random(1, 16, 11, 1.5f), QuantFormat::int8()).macs_per_tpsf() +
                                   int64_t(3 * 16) * kBins);
  for (int P : {16, 20}) {
    write_rom_set(m, P, d / "rom");
    nlohmann::json man;
    const QuantModel r = load_rom_set(d / "rom", &man);
    EXPECT_EQ(man["input_width"], 2);
    EXPECT_EQ(r.input_width, 2);
    EXPECT_EQ(r.encoder[0].w, m.encoder[0].w);
    const int G = (3 * 16 + P - 1) / P;
    EXPECT_EQ(man["files"]["enc_l0_weights.hex"]["depth"], G * (2 + 16));
    const std::string vh = test::slurp(d / "rom/model_params.vh");
    EXPECT_THAT(vh, ::testing::HasSubstr("IN_DIM = 2;"));
    EXPECT_THAT(vh, ::testing::HasSubstr("ENC_L0_COLS = 18;"));
    std::vector<int32_t> u(2 * kBins), ya(kBins * 3), yb(kBins * 3);
    for (int k = 0; k < 2 * kBins; ++k) u[k] = (k * 37) % 128;
    run_int_model(m, u.data(), ya.data());
    run_int_model(r, u.data(), yb.data());
    EXPECT_EQ(ya, yb);
  }
  // The backends: int8 from the checkpoint and from the ROM set agree bit for bit.
  save_checkpoint(w, d / "w.safetensors");
  auto a = make_backend("int8", d / "w.safetensors", 1);
  auto b = make_backend("int8", d / "rom", 1);
  EXPECT_EQ(a->input_width(), 2);
  std::vector<float> ya(in.ds.n * kBins * 3), yb(ya.size());
  run_backend(*a, in.x.data(), in.irf.data(), kBins, ya.data(), in.ds.n);
  run_backend(*b, in.x.data(), in.irf.data(), kBins, yb.data(), in.ds.n);
  EXPECT_EQ(ya, yb);
  for (size_t k = 0; k < ya.size(); ++k) ASSERT_EQ(ya[k], dequantize_output(yi[k])) << k;
  // The float backend equals float_forward.
  auto f = make_backend("float", d / "w.safetensors", 2);
  std::vector<float> yff(ya.size());
  run_backend(*f, in.x.data(), in.irf.data(), kBins, yff.data(), in.ds.n);
  for (size_t k = 0; k < yff.size(); ++k) ASSERT_NEAR(yff[k], yf[k], 1e-5) << k;
  // Without an IRF, the error names the model and --irf.
  EXPECT_ERROR_MENTIONS(run_backend(*a, in.x.data(), nullptr, 0, ya.data(), in.ds.n), "w.safetensors", "--irf");
  EXPECT_ERROR_MENTIONS(a->run(in.x.data(), ya.data(), in.ds.n), "w.safetensors", "--irf");
}

// QAT of a width-2 model is the integer model bit for bit (the IRF quantized like x).
TEST(IrfModel, QatForwardOfAWidthTwoModelIsBitExactWithTheIntegerModel) {
  const int B = 5;
  const Seq2SeqWeights w = Seq2SeqWeights::random(1, 16, 23, 2.0f, 2);
  const Inputs in = inputs(B, 5);
  const std::vector<float> u = interleave_irf(in.x.data(), in.irf.data(), kBins, B);
  BatchTrainer bt(1, 16, B, kBins, 2);
  ForwardOptions o;
  o.qat.enabled = true;
  std::vector<float> yq(size_t(B) * kBins * 3);
  bt.forward(w, u.data(), B, yq.data(), o);
  const auto [yf, yi] = outputs(w, in);
  for (size_t k = 0; k < yq.size(); ++k) ASSERT_EQ(yq[k], dequantize_output(yi[k])) << k;
  std::vector<float> yb(yq.size());
  bt.forward(w, u.data(), B, yb.data());  // and the batched float forward is float_forward
  for (size_t k = 0; k < yb.size(); ++k) ASSERT_NEAR(yb[k], yf[k], 2e-5) << k;
}

TEST(IrfInput, GaussianIsTheSimulatorsIrfOnTheGridWithPeakOne) {
  const IrfInput g = gaussian_irf_input(0.3, 1.0);
  float mx = 0;
  int at = 0;
  for (int k = 0; k < kBins; ++k)
    if (g[k] > mx) mx = g[k], at = k;
  EXPECT_EQ(mx, 1.0f);
  EXPECT_EQ(at, 11);  // 1.0 ns lies in bin 11 ([0.99, 1.08) ns)
  // The shape of the simulator's own density, summed per bin.
  const double delta = kBinNs / kSubBins;
  const auto h = gaussian_irf_density(0.3, 1.0, 0.0, delta, size_t(kBins) * kSubBins);
  double b11 = 0, b13 = 0;
  for (int s = 0; s < kSubBins; ++s) b11 += h[11 * kSubBins + s], b13 += h[13 * kSubBins + s];
  EXPECT_NEAR(g[13], b13 / b11, 1e-6);
  EXPECT_ERROR_MENTIONS(gaussian_irf_input(NAN, 1.0), "Gaussian IRF");
  EXPECT_ERROR_MENTIONS(gaussian_irf_input(0.2, 40.0), "all zeros");  // wholly after the window
}

TEST(IrfInput, DataSetsGiveEachSampleItsLabelsIrfOrTheMeasuredOne) {
  SimConfig cfg;
  cfg.seed = 12;
  const Dataset ds = simulate(cfg, 5, 1);
  const std::vector<float> irf = dataset_irf_inputs(ds);
  for (size_t i = 0; i < 5; ++i) {
    const IrfInput g = gaussian_irf_input(ds.labels[i * kLabelCols + kLabelIrfFwhm], ds.labels[i * kLabelCols + kLabelIrfPeak]);
    EXPECT_TRUE(std::equal(g.begin(), g.end(), irf.begin() + i * kBins)) << i;
  }
  const std::vector<size_t> sub{3, 1};
  const std::vector<float> two = dataset_irf_inputs(ds, &sub);
  EXPECT_TRUE(std::equal(two.begin(), two.begin() + kBins, irf.begin() + 3 * kBins));
  // A set simulated with a measured IRF: its meta.json's IRF, peak 1.
  SimConfig m = cfg;
  m.measured_irf.assign(kBins, 0.0);
  for (int k = 8; k < 16; ++k) m.measured_irf[k] = 10.0 * (k - 7);
  m.measured_irf_source = "test";
  TempDir d;
  save_dataset(d / "meas", simulate(m, 3, 1));
  const Dataset dm = load_dataset(d / "meas");
  const std::vector<float> mi = dataset_irf_inputs(dm);
  for (int k = 0; k < kBins; ++k) EXPECT_FLOAT_EQ(mi[2 * kBins + k], float(m.measured_irf[k] / 80.0)) << k;
  Dataset none = dm;
  none.meta["config"].erase("irf_counts");
  EXPECT_ERROR_MENTIONS(dataset_irf_inputs(none, nullptr, "setX"), "setX", "IRF");
}

class IrfCli : public ::testing::Test {
 protected:
  TempDir d;
  void SetUp() override {
    save_checkpoint(Seq2SeqWeights::random(1, 8, 5, 2.0f, 2), d / "irf.safetensors");
    save_checkpoint(Seq2SeqWeights::random(1, 8, 5, 2.0f), d / "one.safetensors");
    run({"simulate", "-n", "20", "--seed", "3", "--irf-fwhm-min", "0.3", "--irf-fwhm-max", "0.3", "--irf-peak-min",
         "1", "--irf-peak-max", "1", "-o", d / "data"});
    std::string irf;
    const IrfInput g = gaussian_irf_input(0.3, 1.0);
    for (float v : g) irf += std::to_string(v * 1000.0) + "\n";  // any scale: the peak is made 1
    test::spit(d / "irf.txt", irf);
  }
};

TEST_F(IrfCli, InferWithTheIrfEqualsEvalWithTheLabelsIrf) {
  for (const std::string b : {"float", "int8"}) {
    run({"infer", d / "data", "-o", d / (b + ".npy"), "--model", d / "irf.safetensors", "--backend", b, "--irf",
         d / "irf.txt", "--min-photons", "0"});
    const NpyArray out = read_npy(d / (b + ".npy"));
    ASSERT_EQ(out.shape, (std::vector<int64_t>{20, 6}));
    // the same model through the backend with the data set's own (label) IRFs
    const Dataset ds = load_dataset(d / "data");
    std::vector<float> c(ds.counts.begin(), ds.counts.end());
    const auto x = preprocess_batch(c.data(), ds.n);
    const auto irf = dataset_irf_inputs(ds);
    auto be = make_backend(b, d / "irf.safetensors", 1);
    std::vector<float> y(ds.n * kBins * kChannels);
    run_backend(*be, x.data(), irf.data(), kBins, y.data(), ds.n);
    for (size_t i = 0; i < ds.n; ++i) {
      const Lifetimes l = lifetimes_from_sfd(&y[i * kBins * kChannels]);
      EXPECT_NEAR(out.at(i * 6 + 3), l.tau_mean_ns, 1e-4 * (1 + std::fabs(l.tau_mean_ns))) << b << " " << i;
      // τI from the photons with the file's IRF (photon_moment.hpp)
      const Irf file_irf = Irf::from_grid(read_irf_file(d / "irf.txt"), "irf.txt");
      const double ti = with_photon_tau_int(file_irf, &c[i * kBins], l).tau_int_ns;
      EXPECT_NEAR(out.at(i * 6 + 4), ti, 1e-4 * (1 + std::fabs(ti))) << b << " " << i;
    }
  }
  run({"eval", "--data", d / "data", "--model", d / "irf.safetensors", "--backend", "float,int8", "--out",
       d / "eval.json"});
  const auto j = nlohmann::json::parse(test::slurp(d / "eval.json"));
  EXPECT_EQ(j["results"]["int8"]["model"]["input_width"], 2);
  EXPECT_TRUE(j["results"]["int8"].contains("irf_input"));
}

TEST_F(IrfCli, BadOrMissingIrfFilesAreRefusedNamingTheFile) {
  auto infer = [&](std::vector<std::string> extra, const std::string& model = "irf.safetensors") {
    std::vector<std::string> a{"infer", d / "data", "-o", d / "out.csv", "--model", d / model};
    a.insert(a.end(), extra.begin(), extra.end());
    run(a);
  };
  test::spit(d / "short.txt", "1\n2\n3\n");
  EXPECT_ERROR_MENTIONS(infer({"--irf", d / "short.txt"}), "short.txt", "3 values", "135");
  std::string nan_irf;
  for (int k = 0; k < kBins; ++k) nan_irf += k == 40 ? "nan\n" : "1\n";
  test::spit(d / "nan.txt", nan_irf);
  EXPECT_ERROR_MENTIONS(infer({"--irf", d / "nan.txt"}), "nan.txt", "line 41", "not finite");
  EXPECT_ERROR_MENTIONS(infer({"--irf", d / "missing.txt"}), "missing.txt");
  EXPECT_ERROR_MENTIONS(infer({}), "irf.safetensors", "IRF-conditioned", "--irf");
  // nothing to fit an IRF to: histograms without photons
  const std::vector<uint32_t> zeros(3 * kBins, 0);
  write_npy(d / "zeros.npy", {3, kBins}, zeros.data());
  EXPECT_ERROR_MENTIONS(run({"infer", d / "zeros.npy", "-o", d / "out.csv", "--model", d / "one.safetensors", "--irf",
                             "estimate"}),
                        "zeros.npy", "--irf estimate");
  EXPECT_ERROR_MENTIONS(infer({"--irf", "pixel"}), "--irf pixel", "IRF-conditioned");
  EXPECT_FALSE(fs::exists(d / "out.csv"));
}

// A model that reads no IRF: --irf changes τI only, to the photons' first moment with that IRF;
// --irf estimate fits one Gaussian IRF to the summed decay.
TEST_F(IrfCli, TheIrfGivesAWidthOneModelTauIntFromThePhotons) {
  auto infer = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> a{"infer", d / "data", "-o", d / out, "--model", d / "one.safetensors", "--json"};
    a.insert(a.end(), extra.begin(), extra.end());
    return nlohmann::json::parse(test::run_cli_stdout(a));
  };
  infer("plain.npy", {});
  const auto given = infer("given.npy", {"--irf", d / "irf.txt"});
  const auto est = infer("est.npy", {"--irf", "estimate"});
  const auto own = infer("own.npy", {"--irf", "pixel"});
  EXPECT_THAT(own["model"]["irf"]["source"].get<std::string>(), ::testing::HasSubstr("each pixel"));
  EXPECT_THAT(given["model"]["tau_int"].get<std::string>(), ::testing::HasSubstr("photons"));
  EXPECT_NEAR(est["model"]["irf"]["fwhm_ns"].get<double>(), 0.3, 0.05);
  EXPECT_NEAR(est["model"]["irf"]["peak_ns"].get<double>(), 1.0, 0.05);
  const NpyArray plain = read_npy(d / "plain.npy"), g = read_npy(d / "given.npy"), e = read_npy(d / "est.npy"),
                 p = read_npy(d / "own.npy");
  const Dataset ds = load_dataset(d / "data");
  const Irf irf = Irf::from_grid(read_irf_file(d / "irf.txt"), "irf.txt");
  int moved = 0;
  for (size_t i = 0; i < ds.n; ++i) {
    for (int col : {0, 1, 2, 3, 5}) {
      EXPECT_EQ(g.at(i * 6 + col), plain.at(i * 6 + col)) << i << " " << col;
      EXPECT_EQ(e.at(i * 6 + col), plain.at(i * 6 + col)) << i << " " << col;
      EXPECT_EQ(p.at(i * 6 + col), plain.at(i * 6 + col)) << i << " " << col;
    }
    const std::vector<float> c(ds.counts.begin() + i * kBins, ds.counts.begin() + (i + 1) * kBins);
    const Lifetimes l{plain.at(i * 6), plain.at(i * 6 + 1), plain.at(i * 6 + 2), plain.at(i * 6 + 3),
                      plain.at(i * 6 + 4)};
    EXPECT_NEAR(g.at(i * 6 + 4), with_photon_tau_int(irf, c.data(), l).tau_int_ns, 1e-5) << i;
    EXPECT_TRUE(std::isfinite(e.at(i * 6 + 4))) << i;
    EXPECT_NEAR(p.at(i * 6 + 4), with_photon_tau_int_own_irf(c.data(), l).tau_int_ns, 1e-5) << i;
    moved += std::fabs(g.at(i * 6 + 4) - plain.at(i * 6 + 4)) > 1e-3;
  }
  EXPECT_GT(moved, 10);
}

// flimgru image with an IRF-conditioned network: --irf, or else the IRF estimated from the image.
TEST_F(IrfCli, ImageUsesTheGivenIrfOrTheOneItEstimates) {
  SimConfig cfg;
  cfg.photons = Range{2000, 3000};
  cfg.irf_fwhm = Range::fixed(0.3);
  cfg.irf_peak = Range::fixed(1.0);
  const Dataset ds = simulate(cfg, 4 * 4, 1);
  write_npy(d / "cube.npy", {4, 4, kBins}, ds.counts.data());
  run({"image", d / "cube.npy", "-o", d / "est", "--method", "nn", "--model", d / "irf.safetensors", "--quiet"});
  auto s = nlohmann::json::parse(test::slurp(d / "est/summary.json"));
  EXPECT_THAT(s["model"]["irf"]["source"].get<std::string>(), ::testing::HasSubstr("estimated"));
  EXPECT_NEAR(s["model"]["irf"]["fwhm_ns"].get<double>(), 0.3, 0.1);
  run({"image", d / "cube.npy", "-o", d / "given", "--method", "nn", "--model", d / "irf.safetensors", "--irf",
       d / "irf.txt", "--quiet"});
  s = nlohmann::json::parse(test::slurp(d / "given/summary.json"));
  EXPECT_EQ(s["model"]["irf"]["source"], d / "irf.txt");
  // A model that reads no IRF takes τI from the photons with it (or with the estimated one).
  run({"image", d / "cube.npy", "-o", d / "one", "--method", "nn", "--model", d / "one.safetensors", "--irf",
       d / "irf.txt", "--quiet"});
  s = nlohmann::json::parse(test::slurp(d / "one/summary.json"));
  EXPECT_EQ(s["model"]["irf"]["source"], d / "irf.txt");
  EXPECT_THAT(s["model"]["tau_int"].get<std::string>(), ::testing::HasSubstr("photons"));
  // No --model: the IRF-conditioned default with --irf FILE, the width-1 default with the estimate.
  run({"image", d / "cube.npy", "-o", d / "dflt-given", "--method", "nn", "--irf", d / "irf.txt", "--quiet"});
  s = nlohmann::json::parse(test::slurp(d / "dflt-given/summary.json"));
  EXPECT_EQ(s["model"]["model"], default_irf_model_path());
  run({"image", d / "cube.npy", "-o", d / "dflt-est", "--method", "nn", "--quiet"});
  s = nlohmann::json::parse(test::slurp(d / "dflt-est/summary.json"));
  EXPECT_EQ(s["model"]["model"], default_model_path());
}

// flimgru train --irf-input: a width-1 --init gains the zero IRF column; the run resumes, and a
// run of the other width is refused.
TEST_F(IrfCli, TrainWithTheIrfInputWidensTheInitAndResumes) {
  auto train = [&](int epochs, bool irf) {
    std::vector<std::string> a{"train", "--data", d / "data", "-o", d / "run", "--layers", "1", "--hidden", "8",
                               "--epochs", std::to_string(epochs), "--batch", "8", "--threads", "1",
                               "--init", d / "one.safetensors", "--progress", "0"};
    if (irf) a.push_back("--irf-input");
    run(a);
  };
  train(1, true);
  const Seq2SeqWeights w = load_checkpoint(d / "run/model.safetensors");
  EXPECT_EQ(w.input_width, 2);
  train(2, true);
  EXPECT_NE(load_checkpoint(d / "run/model.safetensors").encoder[0].w_ih, w.encoder[0].w_ih);
  EXPECT_ERROR_MENTIONS(train(3, false), "input width");
}

// With a measured IRF (a file, or each sample's own: labels) and no --model, the software backends
// run the IRF-conditioned default (weights/default-irf); an estimated IRF or none keeps the
// width-1 default (weights/default), whose τm does better with an estimated IRF.
TEST_F(IrfCli, AMeasuredIrfSelectsTheIrfConditionedDefault) {
  ASSERT_EQ(make_backend("int8", default_irf_model_path(), 1)->input_width(), 2);
  ASSERT_EQ(make_backend("int8", default_model_path(), 1)->input_width(), 1);
  auto infer = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> a{"infer", d / "data", "-o", d / out, "--json"};
    a.insert(a.end(), extra.begin(), extra.end());
    return nlohmann::json::parse(test::run_cli_stdout(a))["model"];
  };
  for (const std::string b : {"float", "int8"}) {
    const auto given = infer(b + "-given.csv", {"--backend", b, "--irf", d / "irf.txt"});
    EXPECT_EQ(given["model"], default_irf_model_path()) << b;
    EXPECT_EQ(given.value("input_width", 1), 2) << b;
    EXPECT_EQ(infer(b + "-labels.csv", {"--backend", b, "--irf", "labels"})["model"], default_irf_model_path()) << b;
    EXPECT_EQ(infer(b + "-est.csv", {"--backend", b, "--irf", "estimate"})["model"], default_model_path()) << b;
    EXPECT_EQ(infer(b + "-none.csv", {"--backend", b})["model"], default_model_path()) << b;
    // the same bytes as naming that model
    infer(b + "-named.csv", {"--backend", b, "--irf", d / "irf.txt", "--model", default_irf_model_path()});
    EXPECT_EQ(test::slurp(d / (b + "-given.csv")), test::slurp(d / (b + "-named.csv"))) << b;
  }
  // a named model wins
  EXPECT_EQ(infer("named-one.csv", {"--irf", d / "irf.txt", "--model", d / "one.safetensors"})["model"],
            d / "one.safetensors");
  EXPECT_EQ(model_for_run("rtl", "", true), "");  // the rtl backend runs the model it was compiled for
}

}  // namespace
}  // namespace flimgru
