#include "scoreboard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "link_protocol.hpp"
#include "tpsf.hpp"

namespace flimgru::sim {

Schedule::Schedule(int hidden, int layers, int mac_rows, int in_dim)
    : hidden(hidden), layers(layers), mac_rows(mac_rows),
      groups((3 * hidden + mac_rows - 1) / mac_rows), in_dim(in_dim) {}

int Schedule::cols(bool dec, int layer) const {
  if (layer > 0) return 2 * hidden;
  return dec ? hidden : in_dim + hidden;
}

// A row group's last column is issued at (g+1)K-1; row m of the group reaches the gate unit 5
// cycles later plus m; the state write lands 12 cycles after that (rtl/core/gru_gate_unit.v G12) and
// is readable one cycle later: (g+1)K + kGateVisible + m, kGateVisible = 17. The next layer-step (and the head) read
// unit j at its offset j.
int Schedule::drain(int k) const {
  int worst = 0;
  for (int j = 0; j < hidden; ++j) {
    const int g = (3 * j + 2) / mac_rows, m = (3 * j + 2) % mac_rows;
    worst = std::max(worst, (g + 1) * k + kGateVisible + m - j - groups * k);
  }
  return worst;
}

int64_t Schedule::batch_cycles() const {
  int64_t per_step = 0;
  for (bool dec : {false, true})
    for (int l = 0; l < layers; ++l) per_step += layer_step_cycles(dec, l);
  return per_step * kBins;
}

int64_t Schedule::write_offset(bool dec, int step, int layer, int unit) const {
  int64_t enc_step = 0, dec_step = 0;
  for (int l = 0; l < layers; ++l) enc_step += layer_step_cycles(false, l);
  for (int l = 0; l < layers; ++l) dec_step += layer_step_cycles(true, l);
  int64_t base = dec ? kBins * enc_step + step * dec_step : step * enc_step;
  for (int l = 0; l < layer; ++l) base += layer_step_cycles(dec, l);
  const int k = cols(dec, layer);
  const int g = (3 * unit + 2) / mac_rows, m = (3 * unit + 2) % mac_rows;
  return base + int64_t(g + 1) * k + kGateVisible - 1 + m;
}

int64_t Schedule::sample_offset(int step) const {
  int64_t enc_step = 0, dec_step = 0;
  for (int l = 0; l < layers; ++l) enc_step += layer_step_cycles(false, l);
  for (int l = 0; l < layers; ++l) dec_step += layer_step_cycles(true, l);
  return kBins * enc_step + (step + 1) * dec_step + hidden + kHeadOut;
}

Scoreboard::Scoreboard(const QuantModel& m, int lanes, int mac_rows, uint64_t seed)
    : m_(m), lanes_(lanes), seed_(seed), sched_(m.hidden, m.layers, mac_rows, m.input_width) {}

void Scoreboard::fail(const std::string& what) {
  if (++failures_ <= 20) ADD_FAILURE() << "[seed " << seed_ << "] " << what;
}

void Scoreboard::expect_batch(const std::vector<Pixel>& pixels) {
  Batch b;
  b.pixels = pixels;
  const int W = m_.input_width;
  if (W == 2 && irf_.size() != size_t(kBins)) {
    fail("a model with the IRF input needs set_irf before its batches");
    return;
  }
  std::vector<int32_t> x(size_t(kBins) * W);
  for (const auto& p : pixels) {
    for (int t = 0; t < kBins; ++t) {  // the model's input rows: {x_q[t]} or {x_q[t], irf_q[t]}
      x[size_t(t) * W] = p.x[t];
      if (W == 2) x[size_t(t) * W + 1] = irf_[t];
    }
    IntTrace tr;
    std::vector<int32_t> y(size_t(kBins) * kChannels);
    run_int_model(m_, x.data(), y.data(), &tr);
    b.traces.push_back(std::move(tr));
    b.y.push_back(std::move(y));
  }
  for (int t = 0; t < kBins; ++t)
    for (size_t ln = 0; ln < pixels.size(); ++ln)
      pending_samples_.push_back({pixels[ln].tag, t, {b.y[ln][t * 3], b.y[ln][t * 3 + 1], b.y[ln][t * 3 + 2]},
                                  batches_.size(), int(ln)});
  for (size_t ln = 0; ln < pixels.size(); ++ln) {
    // the summary the core must send: link::summarize, the one definition (docs/numerics.md §7a)
    std::vector<std::array<int16_t, 3>> yy(kBins);
    for (int t = 0; t < kBins; ++t)
      for (int c = 0; c < kChannels; ++c) yy[t][c] = static_cast<int16_t>(b.y[ln][t * 3 + c]);
    const link::Summary want = link::summarize(yy);
    Summary s{pixels[ln].tag, {0, 0, 0}, want.cum, {0, 0, 0}};
    for (int c = 0; c < kChannels; ++c) {
      s.sum[c] = want[c].sum;
      s.first[c] = want[c].y0;
    }
    pending_summaries_.push_back(s);
  }
  batches_.push_back(std::move(b));
}

void Scoreboard::clear() {
  batches_.clear();
  pending_samples_.clear();
  pending_summaries_.clear();
  starts_.clear();
  write_batch_ = 0;
  write_index_ = 0;
}

void Scoreboard::on_batch_start(uint64_t ce_cycle) {
  if (starts_.size() >= batches_.size()) fail("batch start without an expected batch");
  starts_.push_back(ce_cycle);
}

void Scoreboard::on_state_write(uint64_t ce_cycle, bool dec, int step, int layer, int unit,
                                const std::vector<int32_t>& lane_values) {
  if (write_batch_ >= batches_.size()) {
    fail("state write after the last expected batch");
    return;
  }
  const int H = m_.hidden, L = m_.layers;
  const int64_t per_phase = int64_t(kBins) * L * H;
  // the write the schedule predicts next: phase, step, layer, unit in order
  const int64_t i = write_index_;
  const bool e_dec = i >= per_phase;
  const int64_t r = i % per_phase;
  const int e_step = int(r / (L * H)), e_layer = int(r / H % L), e_unit = int(r % H);
  std::ostringstream where;
  where << "batch " << write_batch_ << " " << (e_dec ? "decoder" : "encoder") << " step " << e_step
        << " layer " << e_layer << " unit " << e_unit;
  if (dec != e_dec || step != e_step || layer != e_layer || unit != e_unit) {
    std::ostringstream os;
    os << "state write order: expected " << where.str() << ", got " << (dec ? "decoder" : "encoder")
       << " step " << step << " layer " << layer << " unit " << unit;
    fail(os.str());
  }
  const Batch& b = batches_[write_batch_];
  for (size_t ln = 0; ln < b.pixels.size(); ++ln) {
    const int32_t want = e_dec ? b.traces[ln].dec(e_step, e_layer, e_unit)
                               : b.traces[ln].enc(e_step, e_layer, e_unit);
    if (lane_values[ln] != want) {
      std::ostringstream os;
      os << "hidden state: " << where.str() << " lane " << ln << " pixel " << b.pixels[ln].tag
         << ": rtl " << lane_values[ln] << ", model " << want;
      fail(os.str());
    }
  }
  if (write_batch_ < starts_.size()) {
    const int64_t want = int64_t(starts_[write_batch_]) + sched_.write_offset(e_dec, e_step, e_layer, e_unit);
    if (int64_t(ce_cycle) != want) {
      std::ostringstream os;
      os << "state write cycle: " << where.str() << ": at enabled cycle " << ce_cycle
         << ", schedule says " << want;
      fail(os.str());
    }
  } else {
    fail("state write before its batch started");
  }
  ++writes_checked_;
  if (++write_index_ == 2 * per_phase) {
    write_index_ = 0;
    ++write_batch_;
  }
}

void Scoreboard::on_sample(uint64_t ce_cycle, uint32_t tag, int step, const std::array<int32_t, 3>& y) {
  if (pending_samples_.empty()) {
    fail("unexpected SFD sample for pixel " + std::to_string(tag));
    return;
  }
  const Sample s = pending_samples_.front();
  pending_samples_.pop_front();
  if (s.tag != tag || s.step != step || s.y != y) {
    std::ostringstream os;
    os << "SFD sample: expected pixel " << s.tag << " step " << s.step << " y (" << s.y[0] << ", "
       << s.y[1] << ", " << s.y[2] << "), rtl pixel " << tag << " step " << step << " y (" << y[0]
       << ", " << y[1] << ", " << y[2] << ")";
    fail(os.str());
  }
  if (exact_outputs_ && s.batch < starts_.size()) {
    const int64_t want = int64_t(starts_[s.batch]) + sched_.sample_offset(s.step) +
                         s.lane * (s.step == kBins - 1 ? 2 : 1);
    if (int64_t(ce_cycle) != want) {
      std::ostringstream os;
      os << "SFD sample cycle: pixel " << s.tag << " step " << s.step << " lane " << s.lane
         << ": at enabled cycle " << ce_cycle << ", schedule says " << want;
      fail(os.str());
    }
  }
  ++samples_checked_;
}

void Scoreboard::on_summary(uint32_t tag, const std::array<int64_t, 3>& sum, int64_t cum,
                            const std::array<int32_t, 3>& first) {
  if (pending_summaries_.empty()) {
    fail("unexpected summary for pixel " + std::to_string(tag));
    return;
  }
  const Summary s = pending_summaries_.front();
  pending_summaries_.pop_front();
  if (s.tag != tag || s.sum != sum || s.cum != cum || s.first != first) {
    std::ostringstream os;
    os << "summary: pixel " << s.tag << " (rtl " << tag << "): sum (" << s.sum[0] << ", " << s.sum[1]
       << ", " << s.sum[2] << ") rtl (" << sum[0] << ", " << sum[1] << ", " << sum[2] << "), first ("
       << s.first[0] << ", " << s.first[1] << ", " << s.first[2] << ") rtl (" << first[0] << ", "
       << first[1] << ", " << first[2] << "), cum " << s.cum << " rtl " << cum;
    fail(os.str());
  }
}

}  // namespace flimgru::sim
