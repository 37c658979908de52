// trainer: Adam, clipping, LR schedule, early stopping, KD, exact-resume checkpoints.
#include "trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "dataset.hpp"
#include "error.hpp"
#include "files.hpp"
#include "irf_input.hpp"
#include "preprocess.hpp"
#include "safetensors.hpp"
#include "sha256.hpp"

namespace flimgru {

namespace fs = std::filesystem;

uint64_t shuffle_rng_next(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

MemoryDataSource::MemoryDataSource(std::vector<float> x, std::vector<float> y, int steps, int width)
    : x_(std::move(x)), y_(std::move(y)), n_(x_.size() / (size_t(steps) * width)), steps_(steps),
      width_(width) {
  if (x_.size() != n_ * steps_ * width_ || y_.size() != n_ * steps_ * kChannels)
    throw Error("MemoryDataSource: inputs must be [N, T, W] and targets [N, T, 3]");
}

void MemoryDataSource::gather(const size_t* idx, int n, float* x, float* y) const {
  const size_t T = size_t(steps_) * width_, TY = size_t(steps_) * kChannels;
  for (int i = 0; i < n; ++i) {
    std::memcpy(x + i * T, x_.data() + idx[i] * T, T * sizeof(float));
    std::memcpy(y + i * TY, y_.data() + idx[i] * TY, TY * sizeof(float));
  }
}

MemoryDataSource dataset_source(const Dataset& ds, const std::vector<size_t>* subset,
                                int input_width, const std::string& source) {
  if (input_width != 1 && input_width != 2)
    throw Error("dataset_source: input width must be 1 or 2, got " + std::to_string(input_width));
  const size_t n = subset ? subset->size() : ds.n;
  if (ds.counts.size() != ds.n * kBins || ds.sfd.size() != ds.n * kBins * kChannels)
    throw Error("dataset_source: counts / sfd sizes do not match n");
  std::vector<float> x(n * kBins), y(n * kBins * kChannels), c(kBins);
  for (size_t i = 0; i < n; ++i) {
    const size_t k = subset ? (*subset)[i] : i;
    if (k >= ds.n) throw Error("dataset_source: subset index out of range");
    for (int t = 0; t < kBins; ++t) c[t] = float(ds.counts[k * kBins + t]);
    const auto xi = preprocess_tpsf(c.data());
    std::copy(xi.begin(), xi.end(), x.begin() + i * kBins);
    std::copy(ds.sfd.begin() + k * kBins * kChannels, ds.sfd.begin() + (k + 1) * kBins * kChannels,
              y.begin() + i * kBins * kChannels);
  }
  if (input_width == 2) {
    const std::vector<float> irf = dataset_irf_inputs(ds, subset, source);
    x = interleave_irf(x.data(), irf.data(), kBins, n);
  }
  return MemoryDataSource(std::move(x), std::move(y), kBins, input_width);
}

std::vector<std::pair<float*, size_t>> param_spans(Seq2SeqWeights& w) {
  std::vector<std::pair<float*, size_t>> r;
  for (auto* part : {&w.encoder, &w.decoder})
    for (auto& l : *part) {
      r.emplace_back(l.w_ih.data(), size_t(l.w_ih.size()));
      r.emplace_back(l.w_hh.data(), size_t(l.w_hh.size()));
      r.emplace_back(l.b_ih.data(), size_t(l.b_ih.size()));
      r.emplace_back(l.b_hh.data(), size_t(l.b_hh.size()));
    }
  r.emplace_back(w.head_w.data(), size_t(w.head_w.size()));
  r.emplace_back(w.head_b.data(), size_t(w.head_b.size()));
  return r;
}

double clip_grad_norm(Seq2SeqWeights& g, float max_norm) {
  double ss = 0.0;
  auto spans = param_spans(g);
  for (auto& [p, n] : spans)
    for (size_t i = 0; i < n; ++i) ss += double(p[i]) * p[i];
  const double norm = std::sqrt(ss);
  if (max_norm > 0.0f && norm > max_norm) {
    const float s = float(max_norm / (norm + 1e-6));
    for (auto& [p, n] : spans)
      for (size_t i = 0; i < n; ++i) p[i] *= s;
  }
  return norm;
}

void Adam::init(const Seq2SeqWeights& w) {
  size_t n = 0;
  for (auto& s : param_spans(const_cast<Seq2SeqWeights&>(w))) n += s.second;
  m.assign(n, 0.0f);
  v.assign(n, 0.0f);
  t = 0;
}

void Adam::step(Seq2SeqWeights& w, Seq2SeqWeights& g, float lr) {
  ++t;
  const float bc1 = float(1.0 - std::pow(double(beta1), double(t)));
  const float bc2 = float(1.0 - std::pow(double(beta2), double(t)));
  const float step = lr / bc1, inv_sqrt_bc2 = 1.0f / std::sqrt(bc2);
  auto ws = param_spans(w), gs = param_spans(g);
  size_t off = 0;
  for (size_t k = 0; k < ws.size(); ++k) {
    float* p = ws[k].first;
    const float* gr = gs[k].first;
    float* mm = m.data() + off;
    float* vv = v.data() + off;
    const size_t n = ws[k].second;
    for (size_t i = 0; i < n; ++i) {
      mm[i] = beta1 * mm[i] + (1.0f - beta1) * gr[i];
      vv[i] = beta2 * vv[i] + (1.0f - beta2) * gr[i] * gr[i];
      p[i] -= step * mm[i] / (std::sqrt(vv[i]) * inv_sqrt_bc2 + eps);
    }
    off += n;
  }
}

// ---------------------------------------------------------------------------------------------

void TrainerConfig::validate() const {
  auto bad = [](const std::string& what, double v) {
    std::ostringstream os;
    os << "training setting out of range: " << what << " (got " << v << ")";
    throw Error(os.str());
  };
  if (epochs < 0) bad("epochs must be >= 0", epochs);
  if (batch < 1 || batch > (1 << 20)) bad("batch must be 1..1048576", batch);
  if (!std::isfinite(lr) || lr <= 0.0f) bad("learning rate must be finite and > 0", lr);
  if (!std::isfinite(clip_norm) || clip_norm < 0.0f) bad("clip norm must be finite and >= 0", clip_norm);
  if (!(plateau_factor > 0.0f && plateau_factor <= 1.0f)) bad("plateau factor must be in (0, 1]", plateau_factor);
  if (plateau_patience < 0) bad("plateau patience must be >= 0", plateau_patience);
  if (!std::isfinite(plateau_threshold) || plateau_threshold < 0.0f) bad("plateau threshold must be >= 0", plateau_threshold);
  if (!std::isfinite(min_lr) || min_lr < 0.0f) bad("minimum learning rate must be finite and >= 0", min_lr);
  if (early_stop_patience < 0) bad("early-stop patience must be >= 0", early_stop_patience);
  if (progress_every < 0) bad("progress interval must be >= 0", progress_every);
  if (max_batches_per_epoch < 0) bad("batches per epoch must be >= 0", max_batches_per_epoch);
}

namespace {
TrainerConfig validated(TrainerConfig c) {
  c.validate();
  return c;
}
}  // namespace

Trainer::Trainer(TrainerConfig cfg, Seq2SeqWeights init, const Seq2SeqWeights* teacher)
    : cfg_(validated(std::move(cfg))),
      w_(std::move(init)),
      teacher_(teacher),
      bt_(w_.layers, w_.hidden, cfg_.batch, kBins, cfg_.threads) {
  grad_ = zeros_like(w_);
  best_ = w_;
  adam_.init(w_);
  st_.rng = cfg_.seed;
  st_.lr = cfg_.lr;
  if (cfg_.loss.alpha > 0.0f) {
    if (!teacher_) throw Error("Trainer: alpha > 0 needs a teacher model");
    if (teacher_->input_width != 1 && teacher_->input_width != w_.input_width)
      throw Error("Trainer: a teacher of input width " + std::to_string(teacher_->input_width) +
                  " cannot teach a student of width " + std::to_string(w_.input_width));
    teacher_bt_ = std::make_unique<BatchTrainer>(teacher_->layers, teacher_->hidden, cfg_.batch,
                                                 kBins, cfg_.threads);
  }
}

namespace {

const char kMagic[8] = {'F', 'L', 'G', 'T', 'R', 'S', 'T', '1'};

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

struct Writer {
  std::string buf;
  template <class T>
  void put(const T& v) {
    buf.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void put_bytes(const void* p, size_t n) { buf.append(static_cast<const char*>(p), n); }
};

struct Reader {
  const std::string& buf;
  size_t pos = 0;
  std::string path;
  template <class T>
  T get() {
    T v;
    get_bytes(&v, sizeof(T));
    return v;
  }
  void get_bytes(void* p, size_t n) {
    if (pos + n > buf.size()) throw file_error(path, "truncated trainer state");
    std::memcpy(p, buf.data() + pos, n);
    pos += n;
  }
};

std::string fmt_hms(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  long t = long(s + 0.5);
  char b[32];
  std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  return b;
}

}  // namespace

void Trainer::save() const {
  if (cfg_.checkpoint_dir.empty()) return;
  fs::create_directories(cfg_.checkpoint_dir);
  const std::string model = cfg_.checkpoint_dir + "/model.safetensors";
  Seq2SeqWeights w = w_;
  w.metadata["trainer.epoch"] = std::to_string(st_.epoch);
  w.metadata["trainer.step"] = std::to_string(st_.step);
  save_checkpoint(w, model);
  save_checkpoint(best_, cfg_.checkpoint_dir + "/best.safetensors");
  Writer o;
  o.put_bytes(kMagic, 8);
  o.put<uint32_t>(1);
  o.put<int32_t>(w_.layers);
  o.put<int32_t>(w_.hidden);
  o.put<int32_t>(st_.epoch);
  o.put<int64_t>(st_.step);
  o.put<uint64_t>(st_.rng);
  o.put<float>(st_.lr);
  o.put<double>(st_.best_val);
  o.put<int32_t>(st_.plateau_bad);
  o.put<int32_t>(st_.early_bad);
  o.put<int32_t>(st_.stopped ? 1 : 0);
  o.put<int64_t>(adam_.t);
  o.put<uint64_t>(adam_.m.size());
  o.put_bytes(adam_.m.data(), adam_.m.size() * sizeof(float));
  o.put_bytes(adam_.v.data(), adam_.v.size() * sizeof(float));
  const std::string sha = sha256_file(model);
  o.put<uint32_t>(uint32_t(sha.size()));
  o.put_bytes(sha.data(), sha.size());
  o.put<uint64_t>(fnv1a(o.buf));
  write_file(cfg_.checkpoint_dir + "/trainer_state.bin", o.buf);
}

bool Trainer::resume() {
  if (cfg_.checkpoint_dir.empty()) return false;
  const std::string path = cfg_.checkpoint_dir + "/trainer_state.bin";
  if (!fs::exists(path)) return false;
  std::ifstream f(path, std::ios::binary);
  if (!f) throw file_error(path, "cannot open");
  std::string buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (buf.size() < 16 || std::memcmp(buf.data(), kMagic, 8) != 0)
    throw file_error(path, "not a flimgru trainer state (bad magic)");
  uint64_t stored_hash;
  std::memcpy(&stored_hash, buf.data() + buf.size() - 8, 8);
  if (fnv1a(buf.substr(0, buf.size() - 8)) != stored_hash) throw file_error(path, "checksum mismatch");
  Reader in{buf, 8, path};
  if (in.get<uint32_t>() != 1) throw file_error(path, "unsupported version");
  const int L = in.get<int32_t>(), H = in.get<int32_t>();
  if (L != w_.layers || H != w_.hidden)
    throw file_error(path, "model shape L=" + std::to_string(L) + " H=" + std::to_string(H) +
                               " does not match the trainer's");
  TrainerState s;
  s.epoch = in.get<int32_t>();
  s.step = in.get<int64_t>();
  s.rng = in.get<uint64_t>();
  s.lr = in.get<float>();
  s.best_val = in.get<double>();
  s.plateau_bad = in.get<int32_t>();
  s.early_bad = in.get<int32_t>();
  s.stopped = in.get<int32_t>() != 0;
  Adam a = adam_;
  a.t = in.get<int64_t>();
  const uint64_t n = in.get<uint64_t>();
  if (n != adam_.m.size()) {
    // the state does not record the input width: name it when that is the difference
    const std::string model = cfg_.checkpoint_dir + "/model.safetensors";
    if (fs::exists(model)) {
      const int width = load_checkpoint(model).input_width;
      if (width != w_.input_width)
        throw file_error(model, "has input width " + std::to_string(width) + ", the run " +
                                    std::to_string(w_.input_width) + " (--irf-input)");
    }
    throw file_error(path, "optimizer size mismatch");
  }
  in.get_bytes(a.m.data(), n * sizeof(float));
  in.get_bytes(a.v.data(), n * sizeof(float));
  std::string sha(in.get<uint32_t>(), '\0');
  in.get_bytes(sha.data(), sha.size());
  const std::string model = cfg_.checkpoint_dir + "/model.safetensors";
  if (sha256_file(model) != sha)
    throw file_error(model, "does not match the trainer state (SHA-256 differs)");
  Seq2SeqWeights w = load_checkpoint(model);
  if (w.layers != L || w.hidden != H) throw file_error(model, "model shape mismatch");
  if (w.input_width != w_.input_width)
    throw file_error(model, "has input width " + std::to_string(w.input_width) + ", the run " +
                                std::to_string(w_.input_width) + " (--irf-input)");
  const std::string best = cfg_.checkpoint_dir + "/best.safetensors";
  best_ = fs::exists(best) ? load_checkpoint(best) : w;
  w_ = std::move(w);
  adam_ = std::move(a);
  st_ = s;
  return true;
}

double Trainer::evaluate(const DataSource& data) {
  const int T = kBins, B = cfg_.batch;
  if (data.input_width() != w_.input_width)
    throw Error("Trainer: the data has input width " + std::to_string(data.input_width()) +
                ", the model " + std::to_string(w_.input_width));
  std::vector<float> x(size_t(B) * T * w_.input_width), y(size_t(B) * T * kChannels),
      out(size_t(B) * T * kChannels);
  std::vector<size_t> idx(B);
  LossSpec against_target = cfg_.loss;
  against_target.alpha = 0.0f;
  double acc = 0.0;
  const size_t N = data.size();
  for (size_t b0 = 0; b0 < N; b0 += B) {
    const int nb = int(std::min<size_t>(B, N - b0));
    std::iota(idx.begin(), idx.begin() + nb, b0);
    data.gather(idx.data(), nb, x.data(), y.data());
    bt_.forward(w_, x.data(), nb, out.data(), cfg_.forward);
    acc += sfd_loss_forward_sample_major(out.data(), y.data(), nullptr, against_target, nb, T, 1.0);
  }
  return N ? acc / (double(N) * T * kChannels) : 0.0;
}

void Trainer::fit(const DataSource& train, const DataSource* val) {
  if (train.steps() != kBins || (val && val->steps() != kBins))
    throw Error("Trainer: data sources must have " + std::to_string(kBins) + " steps");
  const int T = kBins, B = cfg_.batch;
  const size_t N = train.size();
  if (N == 0) throw Error("Trainer: empty training set");
  const size_t TC = size_t(T) * kChannels;
  const int W = w_.input_width;
  if (train.input_width() != W || (val && val->input_width() != W))
    throw Error("Trainer: the model reads " + std::to_string(W) + " input(s) per step, the data " +
                std::to_string(train.input_width()) + (val ? "/" + std::to_string(val->input_width()) : ""));
  std::vector<float> x(size_t(B) * T * W), y(size_t(B) * TC), ty(teacher_bt_ ? size_t(B) * TC : 0);
  // The teacher's outputs are fixed for the whole run: one forward pass over the training set
  // here, and every batch of every epoch gathers its rows (KD then costs what plain training does).
  std::vector<float> teacher_out;
  if (teacher_bt_) {
    const auto t0 = std::chrono::steady_clock::now();
    teacher_out.resize(N * TC);
    std::vector<size_t> idx(B);
    for (size_t b0 = 0; b0 < N; b0 += B) {
      const int nb = int(std::min<size_t>(B, N - b0));
      std::iota(idx.begin(), idx.begin() + nb, b0);
      train.gather(idx.data(), nb, x.data(), y.data());
      if (teacher_->input_width != W)  // a width-1 teacher: the TPSF column alone
        for (size_t i = 0; i < size_t(nb) * T; ++i) x[i] = x[i * W];
      teacher_bt_->forward(*teacher_, x.data(), nb, teacher_out.data() + b0 * TC);
    }
    if (cfg_.log)
      std::fprintf(cfg_.log, "teacher outputs for %zu TPSFs in %.0f s\n", N,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::vector<size_t> perm(N);
  int batches = int((N + B - 1) / B);
  if (cfg_.max_batches_per_epoch > 0) batches = std::min(batches, cfg_.max_batches_per_epoch);
  const int start_epoch = st_.epoch;
  auto diverged = [&](int batch, double loss, double gnorm) {
    std::ostringstream os;
    os << "training diverged in epoch " << st_.epoch + 1 << ", batch " << batch + 1 << " (loss " << loss
       << ", gradient norm " << gnorm << ", learning rate " << st_.lr << "): nothing of this epoch is saved";
    if (!cfg_.checkpoint_dir.empty())
      os << "; " << cfg_.checkpoint_dir << " holds the state after epoch " << st_.epoch
         << " (resume it with a lower learning rate)";
    throw Error(os.str());
  };
  const auto t_start = std::chrono::steady_clock::now();
  int64_t done_batches = 0;
  while (st_.epoch < cfg_.epochs && !st_.stopped) {
    std::iota(perm.begin(), perm.end(), size_t(0));
    for (size_t i = N - 1; i > 0; --i) std::swap(perm[i], perm[shuffle_rng_next(st_.rng) % (i + 1)]);
    double loss_sum = 0.0;
    size_t seen = 0;
    const auto t_epoch = std::chrono::steady_clock::now();
    for (int bi = 0; bi < batches; ++bi) {
      const size_t b0 = size_t(bi) * B;
      const int nb = int(std::min<size_t>(B, N - b0));
      train.gather(perm.data() + b0, nb, x.data(), y.data());
      const float* teacher_y = nullptr;
      if (teacher_bt_) {
        for (int i = 0; i < nb; ++i)
          std::copy_n(teacher_out.data() + perm[b0 + size_t(i)] * TC, TC, ty.data() + size_t(i) * TC);
        teacher_y = ty.data();
      }
      const double loss =
          bt_.loss_and_grad(w_, x.data(), y.data(), teacher_y, cfg_.loss, nb, grad_, cfg_.forward);
      const double gnorm = clip_grad_norm(grad_, cfg_.clip_norm);
      // A NaN or inf here would reach every weight in the step: stop before it, so that the run
      // directory keeps the last finished epoch and can be resumed (with a lower learning rate).
      if (!std::isfinite(loss) || !std::isfinite(gnorm)) diverged(bi, loss, gnorm);
      adam_.step(w_, grad_, st_.lr);
      ++st_.step;
      ++done_batches;
      loss_sum += loss * nb;
      seen += nb;
      if (on_step) on_step(st_.step, loss);
      if (cfg_.log && cfg_.progress_every > 0 &&
          ((bi + 1) % cfg_.progress_every == 0 || bi + 1 == batches)) {
        const auto now = std::chrono::steady_clock::now();
        const double ep_s = std::chrono::duration<double>(now - t_epoch).count();
        const double all_s = std::chrono::duration<double>(now - t_start).count();
        const double per_batch = all_s / double(done_batches);
        const int64_t left = int64_t(batches - bi - 1) +
                             int64_t(cfg_.epochs - st_.epoch - 1) * batches;
        std::fprintf(cfg_.log,
                     "epoch %d/%d batch %d/%d loss %.6f |g| %.3g lr %.3g %.0f TPSF/s ETA %s\n",
                     st_.epoch + 1, cfg_.epochs, bi + 1, batches, loss, gnorm, double(st_.lr),
                     double(seen) / std::max(ep_s, 1e-9), fmt_hms(per_batch * double(left)).c_str());
        std::fflush(cfg_.log);
      }
    }
    st_.last_train_loss = loss_sum / double(std::max<size_t>(seen, 1));
    const double v = val ? evaluate(*val) : st_.last_train_loss;
    st_.last_val_loss = v;
    if (!std::isfinite(v) || !std::isfinite(st_.last_train_loss)) diverged(batches, v, 0.0);
    const bool improved = v < st_.best_val * (1.0 - double(cfg_.plateau_threshold));
    if (improved) {
      st_.best_val = v;
      st_.plateau_bad = 0;
      st_.early_bad = 0;
      best_ = w_;
    } else {
      ++st_.early_bad;
      if (++st_.plateau_bad > cfg_.plateau_patience) {
        st_.lr = std::max(st_.lr * cfg_.plateau_factor, cfg_.min_lr);
        st_.plateau_bad = 0;
      }
      if (cfg_.early_stop_patience > 0 && st_.early_bad >= cfg_.early_stop_patience)
        st_.stopped = true;
    }
    ++st_.epoch;
    if (cfg_.log)
      std::fprintf(cfg_.log, "epoch %d done: train %.6f val %.6f best %.6f lr %.3g%s\n", st_.epoch,
                   st_.last_train_loss, v, st_.best_val, double(st_.lr),
                   st_.stopped ? " (early stop)" : "");
    save();
  }
  (void)start_epoch;
}

}  // namespace flimgru
