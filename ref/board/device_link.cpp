// device_link: see device_link.hpp.
#include "device_link.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>

#include "error.hpp"
#include "fixed_point.hpp"
#include "progress.hpp"

namespace flimgru {

using namespace link;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

Lifetimes lifetimes_from_summary(const Summary& s) {
  std::array<double, 3> sums{}, firsts{};
  for (int c = 0; c < 3; ++c) {
    sums[c] = double(s[c].sum) / kQ5_10;
    firsts[c] = double(s[c].y0) / kQ5_10;
  }
  return lifetimes_from_sums(sums, firsts, double(link::step_moment0(s)) / kQ5_10);
}

double link_timeout_s(const link::Status& s) {
  if (s.baud_100k == 0 || s.lanes == 0) return 2.0;  // a status without figures: the old fixed wait
  const double frame_s = link::kTpsfFrameWireBits / (s.baud_100k * 1e5);
  return 2.0 * ((s.lanes + 2 + 1) * frame_s + 1e-3) + 0.05;
}

double resend_timeout_s(const DeviceOptions& o, const link::Status& s) {
  return o.timeout_s > 0 ? o.timeout_s : link_timeout_s(s);
}

BoardLink::BoardLink(const DeviceOptions& o) : port_(o.path, o.baud) { port_.flush_input(); }

size_t BoardLink::read(int timeout_ms) {
  uint8_t buf[4096];
  const size_t k = port_.read_some(buf, sizeof buf, timeout_ms);
  dec_.feed(buf, k);
  return k;
}

bool BoardLink::next_frame(Frame& f) {
  StreamDecoder::Event e;
  while (dec_.pop(e))
    if (e.status == ParseStatus::kOk) {
      f = std::move(e.frame);
      return true;
    }
  return false;
}

Status identify_board(BoardLink& board, const DeviceOptions& o) {
  Status status;
  bool got = false;
  for (int attempt = 0; attempt < 3 && !got; ++attempt) {
    board.send(encode_status_request(uint8_t(0xA0 + attempt)));
    const auto t0 = Clock::now();
    while (!got && since(t0) < (o.timeout_s > 0 ? o.timeout_s : 0.5)) {
      board.read(50);
      Frame f;
      while (board.next_frame(f))
        if (f.type == kTypeStatus) {
          status = decode_status(f);
          got = true;
        }
    }
  }
  if (!got) throw Error(o.path + ": no status answer from the board (is it a flimgru board, at " +
                        std::to_string(o.baud) + " baud?)");
  if (status.id != "FLGR") throw Error(o.path + ": not a flimgru board (id '" + status.id + "')");
  if (status.version != kVersion)
    throw Error(o.path + ": the board speaks link protocol version " + std::to_string(status.version) +
                ", this host version " + std::to_string(kVersion) +
                " (docs/protocol.md): program the bitstream built from this tree (make prog)");
  return status;
}

uint8_t send_until_answered(BoardLink& board, const DeviceOptions& o, double timeout_s, uint8_t first_seq,
                            const std::function<std::vector<uint8_t>(uint8_t seq)>& encode,
                            const std::string& what, DeviceStats& st) {
  for (int attempt = 0; attempt <= o.max_retries; ++attempt) {
    const uint8_t seq = uint8_t(first_seq + attempt);
    if (attempt > 0) ++st.retransmits;
    board.send(encode(seq));
    bool answered = false;
    const auto t0 = Clock::now();
    while (!answered && since(t0) < timeout_s) {
      board.read(20);
      Frame f;
      while (board.next_frame(f)) {
        if (f.type == kTypeStatus && f.seq == seq) return seq;
        if (f.type == kTypeError) {
          ++st.error_frames;
          const ErrorReport r = decode_error(f);
          if (!r.seq_valid || r.seq == seq) answered = true;  // resend it
        }
      }
    }
    if (!answered) ++st.timeouts;
  }
  throw Error(o.path + ": the board did not acknowledge the " + what + " frame after " +
              std::to_string(o.max_retries + 1) + " attempts");
}

void load_irf(BoardLink& board, const DeviceOptions& o, const Status& s, const std::vector<int8_t>& irf_q,
              double timeout_s, DeviceStats& st) {
  if (s.in_dim != 2) return;
  if (irf_q.size() != size_t(kBins))
    throw Error(o.path + ": the board runs an IRF-conditioned model (input width 2): give the "
                "instrument's IRF (--irf FILE)");
  send_until_answered(board, o, timeout_s, 0xC0, [&](uint8_t seq) { return encode_irf(seq, irf_q.data()); }, "IRF",
                      st);
}

std::vector<Summary> run_on_device(const DeviceOptions& o, const int8_t* x_q, size_t n, DeviceStats* stats) {
  DeviceStats st;
  st.pixels = n;
  BoardLink board(o);
  st.status = identify_board(board, o);
  const double timeout_s = resend_timeout_s(o, st.status);
  // The IRF of a model that reads it: loaded once, acknowledged by a STATUS frame with its seq,
  // before any pixel (the board keeps frames in order; a pixel sent earlier could miss it).
  load_irf(board, o, st.status, o.irf_q, timeout_s, st);
  std::vector<Summary> out(n);
  std::vector<int> retries(n, 0);
  std::vector<char> have(n, 0);
  struct InFlight {
    uint8_t seq;
    size_t pixel;
  };
  std::deque<InFlight> inflight;
  std::deque<size_t> resend;
  size_t next = 0;
  std::atomic<size_t> done{0};
  uint8_t seq = 0;
  const auto t_start = Clock::now();
  auto last_rx = Clock::now();
  auto last_draw = Clock::now() - std::chrono::seconds(1);
  ProgressBar bar("flimgru infer (board)", n, done, o.progress);

  auto requeue = [&](size_t pixel) {
    if (have[pixel]) return;
    if (++retries[pixel] > o.max_retries)
      throw Error(o.path + ": pixel " + std::to_string(pixel) + " failed " + std::to_string(o.max_retries) +
                  " retransmissions");
    ++st.retransmits;
    resend.push_back(pixel);
  };
  auto find = [&](uint8_t s) {
    for (size_t i = 0; i < inflight.size(); ++i)
      if (inflight[i].seq == s) return int(i);
    return -1;
  };

  while (done < n) {
    std::vector<uint8_t> bytes;
    while (int(inflight.size()) < o.window && (!resend.empty() || next < n)) {
      size_t p;
      if (!resend.empty()) {
        p = resend.front();
        resend.pop_front();
        if (have[p]) continue;
      } else {
        p = next++;
      }
      while (find(seq) >= 0) ++seq;
      auto w = encode_tpsf(seq, x_q + p * kBins);
      bytes.insert(bytes.end(), w.begin(), w.end());
      inflight.push_back({seq, p});
      ++seq;
    }
    if (!bytes.empty()) board.send(bytes);

    if (board.read(20)) last_rx = Clock::now();
    Frame f;
    while (board.next_frame(f)) {
      if (f.type == kTypeResult) {
        const int i = find(f.seq);
        if (i < 0) continue;  // stale (answered already, or given up by a time-out)
        // Results come in order: unanswered frames before this one were lost.
        for (int j = 0; j < i; ++j) requeue(inflight[j].pixel);
        const size_t p = inflight[i].pixel;
        inflight.erase(inflight.begin(), inflight.begin() + i + 1);
        if (!have[p]) {
          out[p] = decode_result(f);
          have[p] = 1;
          ++done;
        }
      } else if (f.type == kTypeError) {
        ++st.error_frames;
        const ErrorReport r = decode_error(f);
        if (!r.seq_valid) continue;  // garbage: whatever it hit is caught by the ordering or time-out
        const int i = find(r.seq);
        if (i < 0) continue;
        const size_t p = inflight[i].pixel;
        inflight.erase(inflight.begin() + i);
        requeue(p);
      }
    }

    if (!inflight.empty() && since(last_rx) > timeout_s) {
      // Silence: ask for the status (re-synchronizes the board's frame state), resend the rest.
      ++st.timeouts;
      board.send(encode_status_request(seq++));
      for (const auto& f : inflight) requeue(f.pixel);
      inflight.clear();
      last_rx = Clock::now();
    }
    if (o.progress && (since(last_draw) > 0.2 || done == n)) {
      const double secs = since(t_start);
      bar.note("pixels, " + std::to_string(std::lround(secs > 0 ? double(done) / secs : 0.0)) + " px/s, " +
               std::to_string(st.retransmits) + " resent");
      last_draw = Clock::now();
    }
  }
  st.seconds = since(t_start);
  bar.finish();
  if (stats) *stats = st;
  return out;
}

}  // namespace flimgru
