// Tests of DeviceFrontendCore without a board: its conversions (the PHOTON_CONFIG fields of a
// configuration, a PIXEL report as a ChipPixel, the PHOTON_STATUS counters in FrontendCounters)
// and its refusals: a port that does not exist, and, on a pseudo-terminal that answers status
// requests and nothing else, a board without the front end, of another protocol version, whose
// XW or MaxCols the image exceeds, or whose model needs the IRF. The run against a board is the
// virtual board's test (sim/board/).
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "error.hpp"
#include "frontend_device.hpp"
#include "link_protocol.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

using namespace link;

// A STATUS payload of this protocol version with the photon front end's bytes 19-23.
std::vector<uint8_t> status_payload(bool frontend, int xw, int max_cols, int in_dim = 1) {
  return {'F', 'L', 'G', 'R', kVersion, 3, 6, 16, 60, 30, 15, 32, 0, 0, 0, 0, 0, 0, uint8_t(in_dim),
          uint8_t(frontend), uint8_t(xw), uint8_t(max_cols & 0xFF), uint8_t(max_cols >> 8), 12};
}

// The far end of a pseudo-terminal that answers every STATUS_REQ with `status` (its seq echoed):
// enough of a board to be identified, nothing more.
class StatusAnswerer {
 public:
  StatusAnswerer(int master, std::vector<uint8_t> status)
      : master_(master), status_(std::move(status)), th_([this]() { loop(); }) {}
  ~StatusAnswerer() {
    stop_ = true;
    th_.join();
  }

 private:
  void loop() {
    StreamDecoder dec;
    while (!stop_) {
      struct pollfd p = {master_, POLLIN, 0};
      uint8_t buf[512];
      ssize_t k = 0;
      if (poll(&p, 1, 20) > 0 && (p.revents & POLLIN)) k = read(master_, buf, sizeof buf);
      if (k <= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      dec.feed(buf, size_t(k));
      StreamDecoder::Event e;
      while (dec.pop(e))
        if (e.status == ParseStatus::kOk && e.frame.type == kTypeStatusReq) {
          const std::vector<uint8_t> w = encode_frame(Frame{kTypeStatus, e.frame.seq, status_});
          ASSERT_EQ(write(master_, w.data(), w.size()), ssize_t(w.size()));
        }
    }
  }
  int master_;
  std::vector<uint8_t> status_;
  std::atomic<bool> stop_{false};
  std::thread th_;
};

DeviceOptions options(const std::string& path) {
  DeviceOptions o;
  o.path = path;
  o.progress = false;
  return o;
}

FrontendConfig config(int pix_x, int bin_shift) {
  FrontendConfig c;
  c.pix_x = pix_x;
  c.pix_y = 8;
  c.bin_shift = bin_shift;
  c.micro_mul = 1 << 16;
  return c;
}

TEST(FrontendDevice, ConfigFieldsOfTheFrontendConfig) {
  FrontendConfig c = config(300, 2);
  c.pix_y = 200;
  c.bidirect = true;
  c.micro_mul = 0x1ABCD;
  c.window_offset = 0x7A5B3C2D;
  c.pre_rise_bins = 9;
  const PhotonConfigFields f = photon_config_fields(c);
  EXPECT_EQ(f.pix_x, 300);
  EXPECT_EQ(f.pix_y, 200);
  EXPECT_TRUE(f.bidirect);
  EXPECT_EQ(f.bin_shift, 2);
  EXPECT_EQ(f.micro_mul, 0x1ABCDu);
  EXPECT_EQ(f.window_offset, 0x7A5B3C2D);
  EXPECT_EQ(f.pre_rise_bins, 9);
}

TEST(FrontendDevice, ChipPixelOfAPixelReport) {
  PixelReport r;
  r.frame = 2;
  r.row = 3;
  r.col = 65535;
  r.photons = 0xFFFFFF;
  r.incomplete = true;
  r.summary[1] = {-5, 7};
  r.summary.cum = -9;
  r.a = 1;
  r.b = 2;
  r.c = 0xFFFFFFFFFFull;
  r.p = 4;
  const ChipPixel p = chip_pixel(r);
  EXPECT_EQ(p, (ChipPixel{2, 3, 65535, 0xFFFFFF, false, true, r.summary, ChipMoments{1, 2, 0xFFFFFFFFFFull, 4}}));
}

// PHOTON_STATUS counter i is frontend_params.vh's Cnt* i (FrontendCounters::json's order).
TEST(FrontendDevice, CountersInTheChipsOrder) {
  std::array<uint32_t, kFrontendCounters> w{};
  for (int i = 0; i < kFrontendCounters; ++i) w[size_t(i)] = uint32_t(100 + i);
  const FrontendCounters n = frontend_counters_from_words(w);
  const uint64_t got[] = {n.events, n.photons, n.photons_imaged, n.photons_outside_lines, n.photons_outside_window,
                          n.photons_line_overflow, n.photons_bad_line, n.photons_past_image, n.photons_saturated,
                          n.lines_imaged, n.lines_too_long, n.lines_zero_duration, n.stops_before_start,
                          n.truncated_records, n.unknown_records, n.frames, n.rows_out};
  for (int i = 0; i < kFrontendCounters; ++i) EXPECT_EQ(got[i], uint64_t(100 + i)) << "counter " << i;
}

TEST(FrontendDevice, PortThatDoesNotExistNamed) {
  EXPECT_ERROR_MENTIONS(DeviceFrontendCore{options("/nonexistent/ttyFLIM9")}, "/nonexistent/ttyFLIM9");
}

TEST(FrontendDevice, BoardWithoutTheFrontEndOrOfAnotherVersionRefused) {
  test::Pty pty;
  ASSERT_FALSE(pty.slave.empty());
  const char* port = pty.slave.c_str();
  {
    StatusAnswerer board(pty.master, status_payload(false, 0, 0));
    EXPECT_ERROR_MENTIONS(DeviceFrontendCore{options(pty.slave)}, port, "no photon front end");
  }
  std::vector<uint8_t> v3 = status_payload(true, 12, 64);
  v3.resize(19);
  v3[4] = 3;
  StatusAnswerer board(pty.master, v3);
  EXPECT_ERROR_MENTIONS(DeviceFrontendCore{options(pty.slave)}, port, "version 3");
}

TEST(FrontendDevice, ImageBeyondTheBoardsFrontEndRefused) {
  test::Pty pty;
  ASSERT_FALSE(pty.slave.empty());
  const char* port = pty.slave.c_str();
  StatusAnswerer board(pty.master, status_payload(true, 8, 64));  // 256 scan pixels a line, 64 columns
  DeviceFrontendCore chip(options(pty.slave));
  EXPECT_EQ(chip.input_width(), 1);
  EXPECT_EQ(chip.describe().value("frontend_max_cols", 0), 64);
  EXPECT_EQ(chip.describe().value("device", std::string()), pty.slave);
  const std::vector<Event> events = {{EventKind::kFlush, 0, 0}};
  EXPECT_ERROR_MENTIONS(chip.run(config(257, 3), events, {}), port, "2^8", "XW");
  EXPECT_ERROR_MENTIONS(chip.run(config(256, 1), events, {}), port, "128 binned pixels", "MaxCols", "--bin");
}

TEST(FrontendDevice, IrfConditionedBoardNeedsTheIrf) {
  test::Pty pty;
  ASSERT_FALSE(pty.slave.empty());
  const char* port = pty.slave.c_str();
  StatusAnswerer board(pty.master, status_payload(true, 12, 64, 2));
  DeviceFrontendCore chip(options(pty.slave));
  EXPECT_EQ(chip.input_width(), 2);
  EXPECT_ERROR_MENTIONS(chip.run(config(64, 0), {{EventKind::kFlush, 0, 0}}, {}), port, "--irf");
}

}  // namespace
}  // namespace flimgru
