// frontend_device: the photon front end and the core on a board, over the link (docs/protocol.md
// §7): a FrontendCoreEngine whose run() streams the events to the board in EVENTS frames and
// collects its PIXEL frames, so that `flimgru image scan.ptu --device PORT` writes what
// `image --frontend --backend int8` writes when the board is bit-exact. The board is identified,
// and an IRF-conditioned model's IRF loaded, by device_link's shared steps (as for TPSFs); then
// PHOTON_CONFIG (answered by a STATUS of its seq), the events (at most 4 EVENTS frames
// unacknowledged, go-back-N), PHOTON_STATUS until the front end is idle with every event
// counted, and the PIXEL frames until as many arrived as the status reports handed to the core.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "device_link.hpp"
#include "frontend_core.hpp"
#include "link_protocol.hpp"

namespace flimgru {

constexpr int kEventFramesUnacknowledged = 4;  // EVENTS frames in flight at most (docs/protocol.md §7)

// The PHOTON_CONFIG fields of a front end configuration (count_bits, line_buffer and
// duration_bits are the board's own, not on the wire).
link::PhotonConfigFields photon_config_fields(const FrontendConfig& c);
// A PIXEL frame's pixel as every engine gives it.
ChipPixel chip_pixel(const link::PixelReport& r);

class DeviceFrontendCore : public FrontendCoreEngine {
 public:
  // Opens o.path at o.baud and identifies the board (identify_board). Throws flimgru::Error
  // naming the port when it does not open, no flimgru board of this protocol version answers,
  // or the board has no photon front end (status byte 19 = 0).
  explicit DeviceFrontendCore(const DeviceOptions& o);
  // Throws flimgru::Error naming the port for an image the board's front end cannot take (a line
  // wider than 2^XW scan pixels, more binned columns than MaxCols), a model of input width 2
  // without irf_q, a board that stops answering, PIXEL frames lost on the line.
  ChipRun run(const FrontendConfig& c, const std::vector<Event>& events, const std::vector<int8_t>& irf_q,
              std::atomic<size_t>* events_done = nullptr) override;
  int input_width() const override { return stats_.status.in_dim; }
  int line_buffer() const override { return 1 << stats_.status.frontend_line_depth_log2; }
  // "engine": "device", the port, the board's status fields and the link's retransmissions so far.
  nlohmann::json describe() const override;
  const DeviceStats& stats() const { return stats_; }

 private:
  DeviceOptions o_;
  BoardLink board_;
  DeviceStats stats_;  // stats_.status: the board's STATUS at the start
};

}  // namespace flimgru
