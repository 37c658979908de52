// flimgru train: BPTT training of the GRU Seq2Seq on simulated data sets, with knowledge
// distillation and quantization-aware training, resumable from its run directory.
#include <cmath>
#include <iostream>
#include <numeric>

#include "cli.hpp"
#include "dataset.hpp"
#include "error.hpp"
#include "safetensors.hpp"
#include "sha256.hpp"
#include "trainer.hpp"
#include "version.hpp"

namespace flimgru::cli {

void add_train(CLI::App& app) {
  struct Opts {
    std::string data, val, run, init, teacher;
    int layers = 1, hidden = 32, epochs = 30, batch = 256, threads = 0, patience = 3, early = 8;
    int max_batches = 0, progress = 50;
    float lr = 2e-3f, clip = 1.0f, alpha = 0.0f, lifetime = 0.0f, moment = 0.0f, val_fraction = 0.05f;
    std::vector<float> channel_weights{1.0f, 1.0f, 1.0f};
    uint64_t seed = 1;
    bool qat = false, json = false, irf_input = false;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand(
      "train",
      "Train a GRU Seq2Seq (BPTT, Adam, gradient clipping, LR reduction on plateau, early stopping). "
      "RUN_DIR holds model.safetensors, best.safetensors and trainer_state.bin, written every epoch; "
      "running the same command again resumes where it stopped. --teacher/--alpha add knowledge "
      "distillation: loss = (1-alpha)·MSE(y, target) + alpha·MSE(y, teacher(x)); --channel-weights weighs "
      "the three SFD channels in both terms; --lifetime-weight adds to each the errors of every channel's "
      "area and first bin, the two quantities its lifetime is computed from; --moment-weight the errors of "
      "every channel's first moment, which tau_int is computed from. --qat trains through "
      "the int8 arithmetic of docs/numerics.md (straight-through gradients).");
  c->add_option("--data", o->data, "Training data set directory (flimgru simulate)")->required();
  c->add_option("--val", o->val, "Validation data set (default: the last --val-fraction of --data)");
  c->add_option("--val-fraction", o->val_fraction, "Validation share of --data when --val is not given")
      ->check(CLI::Range(0.0f, 0.5f));
  c->add_option("-o,--out,--run", o->run, "Run directory (checkpoints; resumed when it exists)")->required();
  c->add_option("--layers", o->layers, "GRU layers in encoder and decoder")->check(CLI::Range(1, 8));
  c->add_option("--hidden", o->hidden, "GRU units per layer")->check(CLI::Range(1, 1024));
  c->add_option("--init", o->init, "Start from these weights (e.g. a float model before QAT)");
  c->add_option("--teacher", o->teacher, "Teacher checkpoint for knowledge distillation");
  c->add_option("--alpha", o->alpha, "KD weight on the teacher's outputs")->check(CLI::Range(0.0f, 1.0f));
  c->add_option("--channel-weights", o->channel_weights,
                "Loss weights of the SFD channels: whole decay, tau1 part, tau2 part (scaled to mean 1)")
      ->expected(kChannels)
      ->delimiter(',');
  c->add_option("--lifetime-weight", o->lifetime,
                "Weight of the lifetime term (area and first-bin errors per channel, docs/training.md)");
  c->add_option("--moment-weight", o->moment,
                "Weight of the first-moment term (first-moment error per channel, docs/training.md)");
  c->add_flag("--qat", o->qat, "Quantization-aware training (int8, docs/numerics.md)");
  c->add_flag("--irf-input", o->irf_input,
              "IRF-conditioned model (input width 2): the encoder reads each sample's IRF bin beside its "
              "TPSF bin (irf_input.hpp; built from the labels, or the set's measured IRF). A width-1 --init "
              "gains a zero IRF column");
  c->add_option("--epochs", o->epochs, "Total epochs (a resumed run continues up to this)")
      ->check(CLI::Range(0, 1000000));
  c->add_option("--batch", o->batch, "Batch size")->check(CLI::Range(1, 1 << 20));
  c->add_option("--lr", o->lr, "Initial learning rate (Adam)");
  c->add_option("--clip", o->clip, "Gradient clipping: max global L2 norm (0: off)");
  c->add_option("--plateau-patience", o->patience, "Epochs without improvement before the LR halves");
  c->add_option("--early-stop", o->early, "Epochs without improvement before stopping (0: never)");
  c->add_option("--max-batches", o->max_batches, "Batches per epoch (0: the whole data set)");
  c->add_option("--progress", o->progress, "Batches between progress lines");
  c->add_option("--seed", o->seed, "Seed of the initial weights and the shuffling");
  add_threads_option(c, o->threads);
  c->add_flag("--json", o->json, "Print the final figures as JSON");
  c->callback([o, &app]() {
    if (o->alpha > 0 && o->teacher.empty()) throw Error("--alpha > 0 needs --teacher");
    LossSpec loss;
    loss.alpha = o->alpha;
    if (!std::isfinite(o->lifetime) || o->lifetime < 0.0f) throw Error("--lifetime-weight: must be finite and >= 0");
    loss.lifetime = o->lifetime;
    if (!std::isfinite(o->moment) || o->moment < 0.0f) throw Error("--moment-weight: must be finite and >= 0");
    loss.moment = o->moment;
    double wsum = 0.0;
    for (float wc : o->channel_weights) {
      if (!std::isfinite(wc) || wc < 0.0f) throw Error("--channel-weights: weights must be finite and >= 0");
      wsum += wc;
    }
    if (wsum <= 0.0) throw Error("--channel-weights: at least one weight must be positive");
    for (int c = 0; c < kChannels; ++c) loss.channel[c] = float(o->channel_weights[c] * kChannels / wsum);
    const int width = o->irf_input ? 2 : 1;
    Dataset train_ds = load_dataset(o->data);
    std::vector<size_t> idx(train_ds.n);
    std::iota(idx.begin(), idx.end(), 0);
    std::unique_ptr<MemoryDataSource> train, val;
    if (o->val.empty()) {
      const size_t nv = size_t(train_ds.n * o->val_fraction);
      std::vector<size_t> ti(idx.begin(), idx.end() - nv), vi(idx.end() - nv, idx.end());
      train = std::make_unique<MemoryDataSource>(dataset_source(train_ds, &ti, width, o->data));
      if (nv) val = std::make_unique<MemoryDataSource>(dataset_source(train_ds, &vi, width, o->data));
    } else {
      train = std::make_unique<MemoryDataSource>(dataset_source(train_ds, nullptr, width, o->data));
      val = std::make_unique<MemoryDataSource>(dataset_source(load_dataset(o->val), nullptr, width, o->val));
    }
    train_ds = Dataset{};  // the pre-processed copy is all training needs

    Seq2SeqWeights init = o->init.empty() ? Seq2SeqWeights::random(o->layers, o->hidden, o->seed, 1.0f, width)
                                          : load_checkpoint(o->init);
    if (init.layers != o->layers || init.hidden != o->hidden)
      throw file_error(o->init, "has layers=" + std::to_string(init.layers) + " hidden=" +
                                    std::to_string(init.hidden) + ", not the requested model");
    if (init.input_width > width)
      throw file_error(o->init, "reads an IRF (input width " + std::to_string(init.input_width) +
                                    "): train it with --irf-input");
    if (init.input_width < width) init = widen_input(init, width);  // the IRF column starts at zero
    std::string cmd = "flimgru train";
    for (const auto* opt : app.get_subcommand("train")->get_options())
      if (opt->count() && opt->get_name() != "--help")
        cmd += " " + opt->get_name() + (opt->get_type_size() ? " " + opt->as<std::string>() : "");
    init.metadata["command"] = cmd;
    init.metadata["seed"] = std::to_string(o->seed);
    init.metadata["training_data"] = o->data;
    init.metadata["qat"] = o->qat ? "int8" : "none";
    // the exact files a run started from: a path names a file that may be replaced later
    if (!o->init.empty()) init.metadata["init_sha256"] = sha256_file(o->init);
    if (!o->teacher.empty()) {
      init.metadata["teacher"] = o->teacher;
      init.metadata["teacher_sha256"] = sha256_file(o->teacher);
    }

    Seq2SeqWeights teacher;
    if (!o->teacher.empty()) teacher = load_checkpoint(o->teacher);
    TrainerConfig cfg;
    cfg.epochs = o->epochs;
    cfg.batch = o->batch;
    cfg.lr = o->lr;
    cfg.clip_norm = o->clip;
    cfg.plateau_patience = o->patience;
    cfg.early_stop_patience = o->early;
    cfg.loss = loss;
    cfg.seed = o->seed;
    cfg.checkpoint_dir = o->run;
    cfg.progress_every = o->progress;
    cfg.threads = o->threads;
    cfg.max_batches_per_epoch = o->max_batches;
    cfg.forward.qat.enabled = o->qat;
    Trainer t(cfg, init, o->teacher.empty() ? nullptr : &teacher);
    const bool resumed = t.resume();
    if (resumed) std::cerr << "train: resuming " << o->run << " after epoch " << t.state().epoch << "\n";
    t.fit(*train, val.get());
    const auto& st = t.state();
    nlohmann::json j = {{"run", o->run}, {"epochs", st.epoch}, {"steps", st.step}, {"best_val_mse", st.best_val},
                        {"last_train_mse", st.last_train_loss}, {"stopped_early", st.stopped},
                        {"best", o->run + "/best.safetensors"}};
    j[kVersionKey] = version_string();
    if (o->json) std::cout << j.dump(2) << "\n";
    else
      std::cout << "trained " << st.epoch << " epochs; best validation MSE " << st.best_val << " -> " << o->run
                << "/best.safetensors\n";
  });
}

}  // namespace flimgru::cli
