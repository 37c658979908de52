// frontend_device: the photon front end and the core on a board over the link (frontend_device.hpp).
#include "frontend_device.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "error.hpp"
#include "progress.hpp"

namespace flimgru {

using namespace link;
using Clock = std::chrono::steady_clock;

static_assert(kPhotonCounters == kFrontendCounters, "PHOTON_STATUS carries every FrontendCounters field");

namespace {

constexpr double kPhotonStatusPeriodS = 0.05;  // PHOTON_STATUS_REQ at most this often

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

// One acquisition on the board after its PHOTON_CONFIG was answered: the events out, the PIXEL
// frames in. Every phase reads through pump(), which takes the PIXEL frames whenever they come.
class Acquisition {
 public:
  Acquisition(BoardLink& board, const DeviceOptions& o, double timeout_s, DeviceStats& st, uint8_t config_seq)
      : board_(board), o_(o), timeout_s_(timeout_s), st_(st), config_seq_(config_seq),
        // a board that makes no progress at all for this long has stopped (no resend can help)
        patience_s_(std::max(2.0, (o.max_retries + 1) * timeout_s)) {}

  // EVENTS frames of up to kEventsPerFrame events, at most kEventFramesUnacknowledged of them
  // unacknowledged; the first under the configuration's seq + 1, then + 1 each (mod 256). An ACK
  // acknowledges its frame and every one before it. An ERROR for the oldest unacknowledged frame,
  // or no answer to the EVENTS frames for timeout_s, sends everything unacknowledged again from
  // the oldest, with the same seqs (BUSY: after a frame time); errors for later frames are
  // ignored (ORDER reports of the same gap). An ORDER report for the oldest itself means that the
  // board has it and its ACK was lost (the board expects a later seq, never an earlier one): it
  // acknowledges it. events_done (optional) and the progress bar follow the acknowledged events.
  void stream_events(const std::vector<Event>& events, std::atomic<size_t>* events_done) {
    const size_t n = events.size();
    std::vector<uint64_t> words(n);
    for (size_t i = 0; i < n; ++i) words[i] = pack_event(events[i]);
    const size_t frames = (n + kEventsPerFrame - 1) / kEventsPerFrame;
    const auto seq_of = [&](size_t frame) { return uint8_t(config_seq_ + 1 + frame); };
    const double busy_wait_s =
        std::max(2e-3, st_.status.baud_100k ? kTpsfFrameWireBits / (st_.status.baud_100k * 1e5) : 0.0);
    std::atomic<size_t> acked{0};
    ProgressBar bar("flimgru image (board)", n, acked, o_.progress);
    const auto t0 = Clock::now();
    auto drawn_at = Clock::now() - std::chrono::seconds(1);
    size_t oldest = 0, next = 0;  // frames [oldest, next) are sent and unacknowledged
    int resends = 0;              // of the oldest frame
    auto progress_at = Clock::now(), answer_at = Clock::now();
    const auto acknowledge = [&](size_t k) {  // frames oldest ... oldest + k
      oldest += k + 1;
      resends = 0;
      progress_at = Clock::now();
      acked = std::min(oldest * kEventsPerFrame, n);
      if (events_done) *events_done = acked.load();
    };
    const auto go_back = [&](const std::string& why, bool busy) {
      if (busy) {
        if (since(progress_at) > patience_s_)
          throw Error(board_.path() + ": the board stayed busy for " + seconds_text(patience_s_) +
                      " with EVENTS frame " + std::to_string(oldest) + " of " + std::to_string(frames));
        std::this_thread::sleep_for(std::chrono::duration<double>(busy_wait_s));
      } else if (++resends > o_.max_retries) {
        throw Error(board_.path() + ": EVENTS frame " + std::to_string(oldest) + " of " + std::to_string(frames) +
                    " (seq " + std::to_string(seq_of(oldest)) + ") not acknowledged after " +
                    std::to_string(o_.max_retries) + " retransmissions (" + why + ")");
      }
      st_.retransmits += next - oldest;
      next = oldest;
    };
    while (oldest < frames) {
      std::vector<uint8_t> bytes;
      for (; next < frames && next - oldest < size_t(kEventFramesUnacknowledged); ++next) {
        const size_t first = next * kEventsPerFrame;
        const std::vector<uint8_t> w =
            encode_events(seq_of(next), &words[first], std::min(size_t(kEventsPerFrame), n - first));
        bytes.insert(bytes.end(), w.begin(), w.end());
      }
      if (!bytes.empty()) {
        board_.send(bytes);
        answer_at = Clock::now();
      }
      // An error for the oldest frame goes back after the frames read with it: an ACK among
      // them (of its earlier copy) makes it moot.
      bool error_for_oldest = false, busy = false;
      std::string why;
      size_t erred = 0;
      pump(20, [&](const Frame& f) {
        if (f.type != kTypeAck && f.type != kTypeError) return;
        answer_at = Clock::now();
        if (oldest == next) return;  // nothing unacknowledged: a stale answer
        const size_t k = uint8_t(f.seq - seq_of(oldest));  // frames after the oldest
        if (f.type == kTypeAck) {
          if (k < next - oldest) acknowledge(k);
          return;
        }
        const ErrorReport r = decode_error(f);
        if (!r.seq_valid || k != 0) return;
        if (r.code == kErrOrder) {
          acknowledge(0);
        } else {
          error_for_oldest = true;
          erred = oldest;
          busy = r.code == kErrBusy;
          why = error_name(r.code);
        }
      });
      if (error_for_oldest && oldest == erred) {
        go_back(why, busy);
      } else if (oldest < next && since(answer_at) > timeout_s_) {
        ++st_.timeouts;
        go_back("time-out", false);
      }
      if (o_.progress && (since(drawn_at) > 0.2 || oldest == frames)) {
        bar.note("events, " + std::to_string(std::lround(double(acked) / std::max(since(t0), 1e-9))) +
                 " events/s, " + std::to_string(st_.retransmits) + " frames resent");
        drawn_at = Clock::now();
      }
    }
    if (events_done) *events_done = n;
    bar.finish();
  }

  // PHOTON_STATUS until the front end is idle with every event sent counted: asked again once
  // the answer is there (at most every kPhotonStatusPeriodS), or after timeout_s without one.
  PhotonStatus wait_until_idle(size_t events_sent) {
    uint8_t seq = 0;
    bool answered = true;
    int unanswered = 0;
    auto asked_at = Clock::now() - std::chrono::seconds(1);
    uint32_t counted = 0, pixels_in = 0;
    auto progress_at = Clock::now();
    for (;;) {
      if (answered ? since(asked_at) >= kPhotonStatusPeriodS : since(asked_at) > timeout_s_) {
        if (!answered && ++unanswered > o_.max_retries)
          throw Error(board_.path() + ": no PHOTON_STATUS answer after " + std::to_string(o_.max_retries + 1) +
                      " requests");
        if (!answered) ++st_.timeouts;
        board_.send(encode_photon_status_request(++seq));
        asked_at = Clock::now();
        answered = false;
      }
      PhotonStatus s;
      bool got = false;
      pump(20, [&](const Frame& f) {
        if (f.type == kTypePhotonStatus) {
          s = decode_photon_status(f);
          got = answered = true;
          unanswered = 0;
        } else if (f.type == kTypeError && f.seq == seq && decode_error(f).seq_valid) {
          answered = true;  // the request was hit: ask again
        }
      });
      if (!got) continue;
      if (s.idle && s.counters[0] == uint32_t(events_sent)) return s;
      if (s.counters[0] != counted || s.pixels_in != pixels_in) {  // progress: events in, or pixels out
        counted = s.counters[0];
        pixels_in = s.pixels_in;
        progress_at = Clock::now();
      } else if (since(progress_at) > patience_s_) {
        throw Error(board_.path() + ": the board's front end counted " + std::to_string(counted) + " of " +
                    std::to_string(events_sent) + " events and made no progress for " + seconds_text(patience_s_) +
                    (s.idle ? " (idle)" : ""));
      }
    }
  }

  // The PIXEL frames until `pixels_in` have arrived (none can be asked for again).
  void collect_pixels(uint32_t pixels_in) {
    while (pixels_.size() < pixels_in) {
      pump(20, [](const Frame&) {});
      if (pixels_.size() < pixels_in && since(last_rx_) > patience_s_)
        throw Error(board_.path() + ": " + std::to_string(pixels_.size()) + " of " + std::to_string(pixels_in) +
                    " PIXEL frames arrived, then nothing for " + seconds_text(patience_s_) + " (" +
                    std::to_string(pixels_in - pixels_.size()) + " lost on the line?)");
    }
  }

  std::vector<ChipPixel>& pixels() { return pixels_; }

 private:
  // Reads for up to timeout_ms; PIXEL frames are taken here, every other frame goes to `other`.
  void pump(int timeout_ms, const std::function<void(const Frame&)>& other) {
    if (board_.read(timeout_ms)) last_rx_ = Clock::now();
    Frame f;
    while (board_.next_frame(f)) {
      if (f.type == kTypeError) {
        ++st_.error_frames;
        const uint8_t code = decode_error(f).code;
        st_.busy_frames += code == kErrBusy;
        st_.order_frames += code == kErrOrder;
      }
      if (f.type != kTypePixel) {
        other(f);
        continue;
      }
      const uint8_t expected = uint8_t(pixels_.size());  // the pixel's number since the configuration
      if (f.seq != expected)
        throw Error(board_.path() + ": " + std::to_string(uint8_t(f.seq - expected)) +
                    " PIXEL frames lost on the line (after pixel " + std::to_string(pixels_.size()) + ")");
      pixels_.push_back(chip_pixel(decode_pixel(f)));
    }
  }

  BoardLink& board_;
  const DeviceOptions& o_;
  const double timeout_s_;
  DeviceStats& st_;
  const uint8_t config_seq_;
  const double patience_s_;
  Clock::time_point last_rx_ = Clock::now();
  std::vector<ChipPixel> pixels_;
};

}  // namespace

PhotonConfigFields photon_config_fields(const FrontendConfig& c) {
  PhotonConfigFields f;
  f.pix_x = c.pix_x;
  f.pix_y = c.pix_y;
  f.bidirect = c.bidirect;
  f.bin_shift = c.bin_shift;
  f.micro_mul = c.micro_mul;
  f.window_offset = c.window_offset;
  f.pre_rise_bins = c.pre_rise_bins;
  return f;
}

ChipPixel chip_pixel(const PixelReport& r) {
  return {r.frame, r.row, r.col, r.photons, r.saturated, r.incomplete, r.summary, ChipMoments{r.a, r.b, r.c, r.p}};
}

DeviceFrontendCore::DeviceFrontendCore(const DeviceOptions& o) : o_(o), board_(o) {
  stats_.status = identify_board(board_, o_);
  if (!stats_.status.frontend)
    throw Error(o_.path + ": the board has no photon front end (status byte 19 = 0): program a bitstream built "
                          "with it (docs/protocol.md §7)");
}

ChipRun DeviceFrontendCore::run(const FrontendConfig& c, const std::vector<Event>& events,
                                const std::vector<int8_t>& irf_q, std::atomic<size_t>* events_done) {
  const Status& s = stats_.status;
  check_frontend_config(c);
  if (uint64_t(c.pix_x) > (uint64_t(1) << std::min<int>(s.frontend_xw, 32)))
    throw Error(o_.path + ": the image has " + std::to_string(c.pix_x) + " scan pixels a line, the board's front "
                "end takes at most 2^" + std::to_string(s.frontend_xw) + " (XW)");
  if (c.width() > s.frontend_max_cols)
    throw Error(o_.path + ": the image is " + std::to_string(c.width()) + " binned pixels wide (" +
                std::to_string(c.pix_x) + " scan pixels, binning " + std::to_string(c.bin()) +
                "), the board's front end holds " + std::to_string(s.frontend_max_cols) + " (MaxCols): bin more (--bin)");
  const auto t0 = Clock::now();
  const double timeout_s = resend_timeout_s(o_, s);
  load_irf(board_, o_, s, irf_q, timeout_s, stats_);
  const PhotonConfigFields fields = photon_config_fields(c);
  const uint8_t config_seq = send_until_answered(
      board_, o_, timeout_s, 0x10, [&](uint8_t seq) { return encode_photon_config(seq, fields); }, "PHOTON_CONFIG",
      stats_);

  Acquisition acq(board_, o_, timeout_s, stats_, config_seq);
  acq.stream_events(events, events_done);
  const PhotonStatus done = acq.wait_until_idle(events.size());
  acq.collect_pixels(done.pixels_in);
  ChipRun out;
  out.pixels = std::move(acq.pixels());
  out.counters = frontend_counters_from_words(done.counters);
  out.cycles = 0;  // not a clocked engine: the board's time is its own
  stats_.pixels = out.pixels.size();
  stats_.seconds = since(t0);
  return out;
}

nlohmann::json DeviceFrontendCore::describe() const {
  const Status& s = stats_.status;
  return {{"engine", "device"},
          {"what", "the photon front end and the int8 core on a flimgru board, over the link (docs/protocol.md §7)"},
          {"device", o_.path},
          {"baud", o_.baud},
          {"board_id", s.board_id},
          {"lanes", s.lanes},
          {"mac_rows", s.mac_rows},
          {"clk_mhz", s.clk_mhz},
          {"in_dim", s.in_dim},
          {"frontend_xw", s.frontend_xw},
          {"frontend_max_cols", s.frontend_max_cols},
          {"frontend_line_depth", 1u << std::min<int>(s.frontend_line_depth_log2, 31)},
          {"retransmits", stats_.retransmits},
          {"error_frames", stats_.error_frames},
          {"busy_frames", stats_.busy_frames},
          {"order_frames", stats_.order_frames},
          {"timeouts", stats_.timeouts}};
}

}  // namespace flimgru
