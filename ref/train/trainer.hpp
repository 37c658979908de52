// trainer: mini-batch training of the GRU Seq2Seq (Adam, global-norm clipping, ReduceLROnPlateau,
// early stopping, knowledge distillation, QAT option) with exact resume from per-epoch checkpoints.
//
// Checkpoint directory (written at the end of every epoch, each file written as FILE.tmp then
// renamed, the state file last):
//   model.safetensors   current weights (save_checkpoint)
//   best.safetensors    weights of the best validation loss so far
//   trainer_state.bin   optimizer / schedule state, format below; names the SHA-256 of
//                       model.safetensors so a state never pairs with a different model file.
//
// trainer_state.bin (little-endian, version 1):
//   char[8]  magic "FLGTRST1"
//   u32      version = 1
//   i32      layers, hidden
//   i32      epoch            completed epochs
//   i64      step             optimizer steps taken
//   u64      rng              state of the shuffling RNG (splitmix64)
//   f32      lr               current learning rate
//   f64      best_val         best validation loss (+inf if none)
//   i32      plateau_bad      epochs without improvement counted by ReduceLROnPlateau
//   i32      early_bad        epochs without improvement counted by early stopping
//   i32      stopped          1 if early stopping fired
//   i64      adam_t           Adam step counter
//   u64      n                parameter count
//   f32[n]   adam_m, f32[n] adam_v    in checkpoint tensor order (Seq2SeqWeights::tensors())
//   u32      k, char[k]       SHA-256 (hex) of model.safetensors
//   u64      FNV-1a 64 of all preceding bytes
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "weights.hpp"
#include "train_model.hpp"

namespace flimgru {

// Generic source of pre-processed training samples.
class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual size_t size() const = 0;
  virtual int steps() const { return kBins; }
  // Inputs per step W: 1 (the TPSF) or 2 (the TPSF and the IRF, irf_input.hpp).
  virtual int input_width() const { return 1; }
  // Copies samples idx[0..n) into x [n, T, W] and y [n, T, 3] (targets).
  virtual void gather(const size_t* idx, int n, float* x, float* y) const = 0;
};

// Samples held in memory: x [N, T, W], y [N, T, 3].
class MemoryDataSource : public DataSource {
 public:
  MemoryDataSource(std::vector<float> x, std::vector<float> y, int steps = kBins, int width = 1);
  size_t size() const override { return n_; }
  int steps() const override { return steps_; }
  int input_width() const override { return width_; }
  void gather(const size_t* idx, int n, float* x, float* y) const override;

 private:
  std::vector<float> x_, y_;
  size_t n_;
  int steps_, width_;
};

struct Dataset;
// Pre-processes a simulated data set (numerics §8, counts → x in 0…1) into memory, optionally
// only the samples `subset` (e.g. a train / validation split). Targets are ds.sfd. With
// input_width 2 every step also holds the sample's IRF input (dataset_irf_inputs: the Gaussian of
// its labels or the set's measured IRF); `source` names the set in errors.
MemoryDataSource dataset_source(const Dataset& ds, const std::vector<size_t>* subset = nullptr,
                                int input_width = 1, const std::string& source = "data set");

// Parameters (or gradients) as flat spans, in checkpoint tensor order.
std::vector<std::pair<float*, size_t>> param_spans(Seq2SeqWeights& w);

// Scales g so that its global L2 norm is at most max_norm (no-op if max_norm <= 0).
// Returns the norm before clipping.
double clip_grad_norm(Seq2SeqWeights& g, float max_norm);

// Adam (PyTorch semantics, no weight decay).
struct Adam {
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  int64_t t = 0;
  std::vector<float> m, v;  // flattened, checkpoint tensor order
  void init(const Seq2SeqWeights& w);
  void step(Seq2SeqWeights& w, Seq2SeqWeights& g, float lr);
};

struct TrainerConfig {
  int epochs = 10;
  int batch = 256;
  float lr = 1e-3f;
  float clip_norm = 1.0f;          // <= 0: no clipping
  float plateau_factor = 0.5f;     // ReduceLROnPlateau: lr *= factor ...
  int plateau_patience = 3;        // ... after more than `patience` epochs without improvement
  float plateau_threshold = 1e-4f; // relative improvement that counts
  float min_lr = 1e-6f;
  int early_stop_patience = 10;    // stop after this many epochs without improvement (0: never)
  LossSpec loss;                   // KD weight α and SFD channel weights (train_model.hpp)
  uint64_t seed = 1;               // shuffling RNG
  std::string checkpoint_dir;      // empty: no checkpoints
  int progress_every = 50;         // batches between progress lines (0: none)
  int threads = 0;                 // 0: all cores
  int max_batches_per_epoch = 0;   // 0: whole epoch (for tests / smoke runs)
  ForwardOptions forward;          // QAT etc.
  FILE* log = stderr;              // nullptr: silent
  // Throws flimgru::Error naming the first setting out of range (batch < 1, a learning rate that
  // is not finite and positive, ...).
  void validate() const;
};

struct TrainerState {
  int epoch = 0;                   // completed epochs
  int64_t step = 0;
  uint64_t rng = 0;
  float lr = 0.0f;
  double best_val = std::numeric_limits<double>::infinity();
  int plateau_bad = 0;
  int early_bad = 0;
  bool stopped = false;
  double last_train_loss = 0.0, last_val_loss = 0.0;
};

class Trainer {
 public:
  // teacher: needed when cfg.loss.alpha > 0 (its outputs are the KD targets; fit() computes them
  // once for the whole training set, N · 135 · 3 floats, and reuses them every epoch). A width-1
  // teacher of a width-2 student reads the TPSF column alone.
  Trainer(TrainerConfig cfg, Seq2SeqWeights init, const Seq2SeqWeights* teacher = nullptr);
  // Loads model + state from cfg.checkpoint_dir when trainer_state.bin exists there; returns
  // whether it did. Throws flimgru::Error on a corrupt or mismatched checkpoint.
  bool resume();
  // Trains until cfg.epochs epochs are completed in total or early stopping fires.
  // val may be null: then the epoch's mean training loss drives the schedule.
  void fit(const DataSource& train, const DataSource* val);
  // The training loss against the targets alone (α = 0: channel weights and lifetime term as
  // trained) of the current weights over a data source, with cfg.forward (so under QAT it is the
  // integer model's error).
  double evaluate(const DataSource& data);
  // Writes the checkpoint directory now.
  void save() const;

  const Seq2SeqWeights& weights() const { return w_; }
  const TrainerState& state() const { return st_; }
  const Adam& optimizer() const { return adam_; }
  // Called after every optimizer step (step, loss); for tests / custom logging.
  std::function<void(int64_t, double)> on_step;

 private:
  TrainerConfig cfg_;
  Seq2SeqWeights w_, grad_, best_;
  const Seq2SeqWeights* teacher_;
  Adam adam_;
  TrainerState st_;
  BatchTrainer bt_;
  std::unique_ptr<BatchTrainer> teacher_bt_;
};

// shuffle_rng_next (splitmix64): the shuffling RNG (state advances by one call per draw).
uint64_t shuffle_rng_next(uint64_t& state);

}  // namespace flimgru
