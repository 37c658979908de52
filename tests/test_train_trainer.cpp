// Trainer tests: loss decreases, exact resume, schedule / early stopping, clipping, Adam.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "error.hpp"
#include "trainer.hpp"
#include <unistd.h>
#include "train_test_util.hpp"

using namespace flimgru;
namespace fs = std::filesystem;

namespace {

// A learnable synthetic task: x = a decaying exponential with a random rate; targets are the
// decay itself, a faster decay and their difference (scaled) — all functions of x.
MemoryDataSource synthetic(size_t n, uint64_t seed) {
  std::vector<float> x(n * kBins), y(n * kBins * kChannels);
  uint64_t s = seed;
  for (size_t i = 0; i < n; ++i) {
    const double tau = 5.0 + 40.0 * double(shuffle_rng_next(s) >> 11) / double(1ull << 53);
    for (int t = 0; t < kBins; ++t) {
      const double v = std::exp(-t / tau);
      x[i * kBins + t] = float(v);
      y[(i * kBins + t) * 3 + 0] = float(v);
      y[(i * kBins + t) * 3 + 1] = float(0.5 * v);
      y[(i * kBins + t) * 3 + 2] = float(0.5 * std::exp(-2.0 * t / tau));
    }
  }
  return MemoryDataSource(std::move(x), std::move(y));
}

std::string tmpdir(const std::string& name) {
  auto p = fs::temp_directory_path() / ("flimgru_train_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p.string();
}

bool same_weights(Seq2SeqWeights a, Seq2SeqWeights b) {
  auto x = param_spans(a), y = param_spans(b);
  if (x.size() != y.size()) return false;
  for (size_t k = 0; k < x.size(); ++k)
    if (x[k].second != y[k].second || std::memcmp(x[k].first, y[k].first, 4 * x[k].second) != 0)
      return false;
  return true;
}

}  // namespace

TEST(Trainer, TinyModelLowersTheLoss) {
  auto data = synthetic(64, 1);
  TrainerConfig cfg;
  cfg.epochs = 6;
  cfg.batch = 16;
  cfg.lr = 1e-2f;
  cfg.log = nullptr;
  Trainer tr(cfg, Seq2SeqWeights::random(1, 8, 3));
  const double before = tr.evaluate(data);
  std::vector<double> losses;
  tr.on_step = [&](int64_t, double l) { losses.push_back(l); };
  tr.fit(data, &data);
  const double after = tr.evaluate(data);
  EXPECT_EQ(losses.size(), 24u);
  EXPECT_LT(after, 0.5 * before) << "before " << before << " after " << after;
  EXPECT_LT(losses.back(), losses.front());
}

// KD: the trainer computes the teacher's outputs once per run and gathers them per batch; each
// sample must meet its own teacher output. The first step's loss (before any update) with α = 1
// is checked against the same shuffled batch, paired right and paired off by one.
TEST(Trainer, KdLossUsesEachSamplesOwnTeacherOutput) {
  auto data = synthetic(48, 9);
  TrainerConfig cfg;
  // Student and teacher whose outputs follow x strongly (else the pairing would not matter).
  auto input_driven = [](Seq2SeqWeights w) {
    w.encoder[0].w_ih *= 20.0f;
    w.head_w *= 5.0f;
    return w;
  };
  // The student starts as the teacher: the first loss is then ~0 only if every sample meets its
  // own teacher output.
  const auto teacher = input_driven(Seq2SeqWeights::random(1, 6, 11)), student = teacher;
  cfg.epochs = 1;
  cfg.batch = 16;
  cfg.seed = 5;
  cfg.log = nullptr;
  cfg.loss.alpha = 1.0f;
  Trainer tr(cfg, student, &teacher);
  std::vector<double> losses;
  tr.on_step = [&](int64_t, double l) { losses.push_back(l); };
  tr.fit(data, nullptr);
  ASSERT_EQ(losses.size(), 3u);

  std::vector<size_t> perm(data.size());
  std::iota(perm.begin(), perm.end(), size_t(0));
  uint64_t rng = cfg.seed;
  for (size_t i = perm.size() - 1; i > 0; --i) std::swap(perm[i], perm[shuffle_rng_next(rng) % (i + 1)]);
  const int B = cfg.batch;
  const size_t TC = size_t(kBins) * kChannels;
  std::vector<float> x(size_t(B) * kBins), y(B * TC), ys(B * TC), yt(B * TC);
  data.gather(perm.data(), B, x.data(), y.data());
  BatchTrainer(1, 6, B).forward(student, x.data(), B, ys.data());
  BatchTrainer(1, 6, B).forward(teacher, x.data(), B, yt.data());
  auto mse = [&](size_t shift) {  // shift: pair sample i with the teacher output of i + shift
    double acc = 0.0;
    for (size_t i = 0; i < size_t(B); ++i)
      for (size_t k = 0; k < TC; ++k) {
        const double d = double(ys[i * TC + k]) - yt[((i + shift) % B) * TC + k];
        acc += d * d;
      }
    return acc / double(B * TC);
  };
  const double own = mse(0), other = mse(1);
  EXPECT_LT(own, 1e-10);
  EXPECT_GT(other, 1e-6) << "the check cannot tell samples apart";
  EXPECT_NEAR(losses[0], own, 1e-10);
}

TEST(Trainer, QatTrainingLowersTheQuantizedLoss) {
  auto data = synthetic(64, 5);
  TrainerConfig cfg;
  cfg.epochs = 6;
  cfg.batch = 16;
  cfg.lr = 1e-2f;
  cfg.log = nullptr;
  cfg.forward.qat.enabled = true;
  Trainer tr(cfg, Seq2SeqWeights::random(1, 8, 3));
  const double before = tr.evaluate(data);  // evaluates with the QAT (integer) forward
  tr.fit(data, &data);
  const double after = tr.evaluate(data);
  EXPECT_LT(after, 0.5 * before) << "before " << before << " after " << after;
}

TEST(Trainer, ResumeGivesTheIdenticalTrajectory) {
  auto data = synthetic(40, 2), val = synthetic(16, 3);
  TrainerConfig cfg;
  cfg.batch = 8;
  cfg.lr = 5e-3f;
  cfg.log = nullptr;
  cfg.plateau_patience = 0;  // exercise the schedule too
  cfg.seed = 77;
  const auto init = Seq2SeqWeights::random(2, 6, 5);

  cfg.epochs = 4;
  cfg.checkpoint_dir = tmpdir("full");
  Trainer full(cfg, init);
  full.fit(data, &val);

  cfg.checkpoint_dir = tmpdir("split");
  cfg.epochs = 2;
  {
    Trainer first(cfg, init);
    EXPECT_FALSE(first.resume());
    first.fit(data, &val);
    EXPECT_EQ(first.state().epoch, 2);
  }
  cfg.epochs = 4;
  Trainer second(cfg, Seq2SeqWeights::random(2, 6, 999));  // init is overwritten by resume
  ASSERT_TRUE(second.resume());
  EXPECT_EQ(second.state().epoch, 2);
  second.fit(data, &val);

  EXPECT_TRUE(same_weights(full.weights(), second.weights()));
  EXPECT_EQ(full.state().step, second.state().step);
  EXPECT_EQ(full.state().rng, second.state().rng);
  EXPECT_EQ(full.state().lr, second.state().lr);
  EXPECT_EQ(full.state().best_val, second.state().best_val);
  EXPECT_EQ(full.optimizer().t, second.optimizer().t);
  EXPECT_EQ(full.optimizer().m, second.optimizer().m);
  EXPECT_EQ(full.optimizer().v, second.optimizer().v);
  for (const char* f : {"model.safetensors", "best.safetensors", "trainer_state.bin"})
    EXPECT_TRUE(fs::exists(fs::path(cfg.checkpoint_dir) / f)) << f;
  EXPECT_FALSE(fs::exists(fs::path(cfg.checkpoint_dir) / "trainer_state.bin.tmp"));

  // A corrupted state is refused with an error naming the file.
  const auto st = fs::path(cfg.checkpoint_dir) / "trainer_state.bin";
  {
    std::fstream f(st, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    char c = 0x5a;
    f.write(&c, 1);
  }
  Trainer third(cfg, init);
  try {
    third.resume();
    FAIL() << "corrupt state accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("trainer_state.bin"), std::string::npos) << e.what();
  }
  fs::remove_all(tmpdir("full"));
  fs::remove_all(cfg.checkpoint_dir);
}

// Under QAT too (the weights re-quantized every batch, two threads): a run resumed from its
// epoch-1 checkpoint ends on the weights and Adam moments of the run that never stopped, and QAT
// moved the weights (the comparison is not of two untouched initialisations).
TEST(Trainer, QatResumeGivesTheIdenticalTrajectory) {
  auto data = synthetic(48, 8), val = synthetic(16, 9);
  TrainerConfig cfg;
  cfg.batch = 8;
  cfg.lr = 5e-3f;
  cfg.log = nullptr;
  cfg.seed = 13;
  cfg.threads = 2;
  cfg.forward.qat.enabled = true;
  const auto init = Seq2SeqWeights::random(1, 8, 6);
  cfg.epochs = 3;
  cfg.checkpoint_dir = tmpdir("qat_full");
  Trainer full(cfg, init);
  full.fit(data, &val);
  cfg.checkpoint_dir = tmpdir("qat_split");
  cfg.epochs = 1;
  {
    Trainer first(cfg, init);
    first.fit(data, &val);
  }
  cfg.epochs = 3;
  Trainer second(cfg, init);
  ASSERT_TRUE(second.resume());
  EXPECT_EQ(second.state().epoch, 1);
  second.fit(data, &val);
  EXPECT_FALSE(same_weights(init, full.weights()));
  EXPECT_TRUE(same_weights(full.weights(), second.weights()));
  EXPECT_EQ(full.state().step, second.state().step);
  EXPECT_EQ(full.state().best_val, second.state().best_val);
  EXPECT_EQ(full.optimizer().m, second.optimizer().m);
  EXPECT_EQ(full.optimizer().v, second.optimizer().v);
  fs::remove_all(tmpdir("qat_full"));
  fs::remove_all(cfg.checkpoint_dir);
}

TEST(Trainer, PlateauReducesLrAndEarlyStoppingFires) {
  auto data = synthetic(16, 4);
  TrainerConfig cfg;
  cfg.epochs = 20;
  cfg.batch = 8;
  cfg.lr = 1e-30f;  // steps too small to change any weight: nothing improves after epoch 1
  cfg.min_lr = 0.0f;
  cfg.plateau_patience = 1;
  cfg.early_stop_patience = 3;
  cfg.log = nullptr;
  Trainer tr(cfg, Seq2SeqWeights::random(1, 4, 1));
  tr.fit(data, &data);
  EXPECT_TRUE(tr.state().stopped);
  EXPECT_EQ(tr.state().epoch, 4);  // best at epoch 1, then 3 epochs without improvement
  EXPECT_EQ(tr.state().lr, 1e-30f * 0.5f);  // one reduction: after epoch 3 (2 bad > patience 1)
}

TEST(Trainer, ClipGradNormAndAdamStep) {
  auto g = Seq2SeqWeights::zeros(1, 2);
  g.head_b << 3.0f, 4.0f, 0.0f;
  EXPECT_NEAR(clip_grad_norm(g, 1.0f), 5.0, 1e-6);
  EXPECT_NEAR(g.head_b.norm(), 1.0f, 1e-5);
  auto w = Seq2SeqWeights::zeros(1, 2);
  Adam a;
  a.init(w);
  a.step(w, g, 0.1f);
  // First Adam step moves each parameter by lr·sign(g) (bias-corrected m/√v = ±1).
  EXPECT_NEAR(w.head_b[0], -0.1f, 1e-5);
  EXPECT_NEAR(w.head_b[1], -0.1f, 1e-5);
  EXPECT_EQ(w.head_b[2], 0.0f);
}

// A divergence (here: a NaN target, as a real one gives a NaN loss) stops the run before the
// optimizer step, names the epoch, and leaves the run directory as the last finished epoch left
// it: resumable, every weight finite.
TEST(Trainer, DivergenceStopsBeforeItReachesTheCheckpoint) {
  auto good = synthetic(32, 5);
  TrainerConfig cfg;
  cfg.batch = 8;
  cfg.lr = 5e-3f;
  cfg.log = nullptr;
  cfg.epochs = 1;
  cfg.checkpoint_dir = tmpdir("diverge");
  Trainer first(cfg, Seq2SeqWeights::random(1, 6, 7));
  first.fit(good, nullptr);
  const Seq2SeqWeights after_epoch1 = first.weights();

  std::vector<float> x(32 * kBins), y(32 * kBins * kChannels);
  std::vector<size_t> idx(32);
  std::iota(idx.begin(), idx.end(), size_t(0));
  good.gather(idx.data(), 32, x.data(), y.data());
  y[5 * kBins * kChannels + 17] = std::nanf("");
  MemoryDataSource bad(std::move(x), std::move(y));
  cfg.epochs = 2;
  Trainer second(cfg, Seq2SeqWeights::random(1, 6, 7));
  ASSERT_TRUE(second.resume());
  try {
    second.fit(bad, nullptr);
    FAIL() << "a NaN loss was trained through";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("diverged in epoch 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(cfg.checkpoint_dir), std::string::npos) << e.what();
  }
  Trainer third(cfg, Seq2SeqWeights::random(1, 6, 7));
  ASSERT_TRUE(third.resume());
  EXPECT_EQ(third.state().epoch, 1);
  EXPECT_TRUE(same_weights(third.weights(), after_epoch1));
  fs::remove_all(cfg.checkpoint_dir);
}

TEST(Trainer, SettingsOutOfRangeAreRefused) {
  const auto w = Seq2SeqWeights::random(1, 4, 1);
  auto refused = [&](auto change, const std::string& fragment) {
    TrainerConfig cfg;
    cfg.log = nullptr;
    change(cfg);
    try {
      Trainer t(cfg, w);
      ADD_FAILURE() << "accepted: " << fragment;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  refused([](TrainerConfig& c) { c.batch = 0; }, "batch");
  refused([](TrainerConfig& c) { c.batch = -5; }, "batch");
  refused([](TrainerConfig& c) { c.lr = std::nanf(""); }, "learning rate");
  refused([](TrainerConfig& c) { c.lr = 0.0f; }, "learning rate");
  refused([](TrainerConfig& c) { c.clip_norm = INFINITY; }, "clip");
}
