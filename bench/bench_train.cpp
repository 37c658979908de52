// bench_train: training throughput (forward + backward + Adam) at batch 256: the teacher and the
// student in float, and the student under quantization-aware training (the int8 forward of
// docs/numerics.md, what makes every shipped int8 model).
// Usage: bench_train [--batch N] [--iters N] [--threads N] [--only teacher|student|student-qat]
// Prints samples per wall-clock second and per CPU second / threads (what idle cores would give;
// the machine is shared, so the wall figure depends on the other load), and the QAT rate as a
// share of the float rate of the same student.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "trainer.hpp"
#include "train_model.hpp"

using namespace flimgru;

struct Result {
  double wall_rate;  // samples per wall-clock second
  double cpu_rate;   // samples per (process CPU seconds / threads): the rate on idle cores
};

static double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static Result bench(int L, int H, int B, int iters, int threads, bool qat) {
  Seq2SeqWeights w = Seq2SeqWeights::random(L, H, 1);
  std::vector<float> x(size_t(B) * kBins), y(size_t(B) * kBins * kChannels);
  uint64_t s = 12345;
  auto rnd = [&] { s = s * 6364136223846793005ull + 1442695040888963407ull; return float(s >> 40) / float(1 << 24); };
  for (auto& v : x) v = rnd();
  for (auto& v : y) v = rnd();
  ForwardOptions opts;
  opts.qat.enabled = qat;
  BatchTrainer bt(L, H, B, kBins, threads);
  Adam adam;
  adam.init(w);
  Seq2SeqWeights g;
  bt.loss_and_grad(w, x.data(), y.data(), nullptr, {}, B, g, opts);  // warm-up
  auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  for (int i = 0; i < iters; ++i) {
    bt.loss_and_grad(w, x.data(), y.data(), nullptr, {}, B, g, opts);
    clip_grad_norm(g, 1.0f);
    adam.step(w, g, 1e-3f);
  }
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_seconds() - c0;
  return {double(B) * iters / sec, double(B) * iters / (cpu / bt.threads())};
}

int main(int argc, char** argv) {
  int B = 256, iters = 0, threads = 0;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--batch" && i + 1 < argc) B = std::atoi(argv[++i]);
    else if (a == "--iters" && i + 1 < argc) iters = std::atoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
  }
  if (only.empty() || only == "teacher") {
    Result r = bench(2, 128, B, iters ? iters : 4, threads, false);
    std::printf("teacher     L=2 H=128 batch %d: %8.1f TPSF/s wall, %8.1f TPSF/s per CPU time "
                "(train step: fwd+bwd+Adam)\n", B, r.wall_rate, r.cpu_rate);
  }
  Result student{0, 0};
  if (only.empty() || only == "student" || only == "student-qat") {
    student = bench(1, 32, B, iters ? iters : 20, threads, false);
    if (only != "student-qat")
      std::printf("student     L=1 H=32  batch %d: %8.1f TPSF/s wall, %8.1f TPSF/s per CPU time "
                  "(train step: fwd+bwd+Adam)\n", B, student.wall_rate, student.cpu_rate);
  }
  if (only.empty() || only == "student-qat") {
    Result r = bench(1, 32, B, iters ? iters : 20, threads, true);
    std::printf("student QAT L=1 H=32  batch %d: %8.1f TPSF/s wall, %8.1f TPSF/s per CPU time "
                "(int8 forward, STE backward, Adam): %.0f%% of float per CPU time\n",
                B, r.wall_rate, r.cpu_rate, 100.0 * r.cpu_rate / student.cpu_rate);
  }
  return 0;
}
