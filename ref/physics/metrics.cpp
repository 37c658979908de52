// metrics: see metrics.hpp.
#include "metrics.hpp"

#include <cmath>
#include <limits>

namespace flimgru {

double dtw_distance(const float* x, const float* y, int n, int stride) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> prev(n + 1, inf), cur(n + 1, inf);
  prev[0] = 0;
  for (int i = 1; i <= n; ++i) {
    cur[0] = inf;
    for (int j = 1; j <= n; ++j) {
      const double cost = std::fabs(double(x[(i - 1) * stride]) - y[(j - 1) * stride]);
      cur[j] = cost + std::min({prev[j], cur[j - 1], prev[j - 1]});
    }
    std::swap(prev, cur);
  }
  return prev[n];
}

void MetricsAccumulator::Err::add(double est, double truth) {
  if (!std::isfinite(est)) {
    ++undefined;
    return;
  }
  sum += est - truth;
  abs += std::fabs(est - truth);
  rel += truth != 0 ? std::fabs(est - truth) / std::fabs(truth) : 0;
  ++n;
}

void MetricsAccumulator::Err::merge(const Err& o) {
  sum += o.sum; abs += o.abs; rel += o.rel; n += o.n; undefined += o.undefined;
}

nlohmann::json MetricsAccumulator::Err::json() const {
  const double d = n ? double(n) : std::numeric_limits<double>::quiet_NaN();
  return {{"bias", sum / d}, {"mae", abs / d}, {"mean_rel_error", rel / d}, {"count", n}, {"undefined", undefined}};
}

void MetricsAccumulator::add(const float* p, const float* t, const SampleTruth& lab, const Lifetimes* given) {
  ++n_;
  for (int c = 0; c < kChannels; ++c) {
    double sq = 0, mean = 0;
    for (int k = 0; k < kBins; ++k) mean += t[k * kChannels + c];
    mean /= kBins;
    double tot = 0;
    for (int k = 0; k < kBins; ++k) {
      const double d = double(p[k * kChannels + c]) - t[k * kChannels + c];
      sq += d * d;
      tot += (t[k * kChannels + c] - mean) * (t[k * kChannels + c] - mean);
      sum_t_[c] += t[k * kChannels + c];
      sum_t2_[c] += double(t[k * kChannels + c]) * t[k * kChannels + c];
    }
    sq_[c] += sq;
    l2_[c] += std::sqrt(sq);
    if (tot > 1e-12) {
      r2_[c] += 1.0 - sq / tot;
      ++r2_n_[c];
    }
    dtw_[c] += dtw_distance(p + c, t + c, kBins, kChannels);
  }
  const Lifetimes est = given ? *given : lifetimes_from_sfd(p);
  if (lab.a >= kMinAmplitude) tau1_.add(est.tau1_ns, lab.tau1_ns);
  if (1 - lab.a >= kMinAmplitude) tau2_.add(est.tau2_ns, lab.tau2_ns);
  a_.add(est.a, lab.a);
  tau_mean_.add(est.tau_mean_ns, tau_mean(lab.tau1_ns, lab.tau2_ns, lab.a));
  tau_int_.add(est.tau_int_ns, tau_int(lab.tau1_ns, lab.tau2_ns, lab.a));
}

void MetricsAccumulator::merge(const MetricsAccumulator& o) {
  n_ += o.n_;
  for (int c = 0; c < kChannels; ++c) {
    sq_[c] += o.sq_[c]; r2_[c] += o.r2_[c]; l2_[c] += o.l2_[c]; dtw_[c] += o.dtw_[c];
    sum_t_[c] += o.sum_t_[c]; sum_t2_[c] += o.sum_t2_[c];
    r2_n_[c] += o.r2_n_[c];
  }
  tau1_.merge(o.tau1_); tau2_.merge(o.tau2_); a_.merge(o.a_); tau_mean_.merge(o.tau_mean_);
  tau_int_.merge(o.tau_int_);
}

nlohmann::json MetricsAccumulator::result() const {
  static const char* names[kChannels] = {"decay", "tau1_part", "tau2_part"};
  nlohmann::json j;
  j["samples"] = n_;
  for (int c = 0; c < kChannels; ++c) {
    const double n = double(n_);
    j["channels"][names[c]] = {{"rmse", std::sqrt(sq_[c] / (n * kBins))},
                               {"r2", r2_n_[c] ? r2_[c] / double(r2_n_[c]) : std::numeric_limits<double>::quiet_NaN()},
                               {"r2_samples", r2_n_[c]},
                               {"r2_pooled", 1.0 - sq_[c] / (sum_t2_[c] - sum_t_[c] * sum_t_[c] / (n * kBins))},
                               {"l2", l2_[c] / n},
                               {"dtw", dtw_[c] / n}};
  }
  j["lifetimes"] = {{"tau1_ns", tau1_.json()}, {"tau2_ns", tau2_.json()}, {"a", a_.json()},
                    {"tau_mean_ns", tau_mean_.json()}, {"tau_int_ns", tau_int_.json()}};
  return j;
}

}  // namespace flimgru
