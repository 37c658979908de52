// metrics: accuracy of predicted SFDs and lifetimes against the simulator's ground truth.
//   RMSE pooled over samples and bins; R² per sample, then averaged (samples whose true
//   channel is constant are skipped), and also pooled (1 − SS_res/SS_tot over every bin of
//   every sample, robust to samples whose channel is nearly constant); L2 per sample, averaged; DTW distance (|a−b| cost),
//   averaged — each per SFD channel. Lifetime errors (bias, MAE, mean relative error) for
//   tau1, tau2 (over samples whose component has amplitude >= kMinAmplitude, where it is
//   identifiable), a and the amplitude-weighted mean lifetime.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "lifetimes.hpp"
#include "tpsf.hpp"

namespace flimgru {

constexpr double kMinAmplitude = 0.1;

struct SampleTruth {
  double tau1_ns, tau2_ns, a;
};

// Dynamic time warping distance between two sequences of equal length n.
double dtw_distance(const float* x, const float* y, int n, int stride);

class MetricsAccumulator {
 public:
  // pred and truth: [kBins][kChannels] row-major. est: the estimator's lifetimes if it gives them
  // directly (the fit); else they are taken from pred (lifetimes_from_sfd).
  void add(const float* pred, const float* truth, const SampleTruth& labels, const Lifetimes* est = nullptr);
  void merge(const MetricsAccumulator& other);
  nlohmann::json result() const;
  int64_t count() const { return n_; }

 private:
  struct Err {
    double sum = 0, abs = 0, rel = 0;
    int64_t n = 0, undefined = 0;
    void add(double est, double truth);
    void merge(const Err& o);
    nlohmann::json json() const;
  };
  int64_t n_ = 0;
  std::array<double, kChannels> sq_{}, r2_{}, l2_{}, dtw_{}, sum_t_{}, sum_t2_{};
  std::array<int64_t, kChannels> r2_n_{};
  Err tau1_, tau2_, a_, tau_mean_, tau_int_;
};

}  // namespace flimgru
