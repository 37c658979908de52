// Tests of SerialPort on a pseudo-terminal: raw mode (every byte value passes unchanged), a
// non-standard baud rate (termios2 / BOTHER), read time-outs, and a clear error for a bad path.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include "error.hpp"
#include "device_link.hpp"
#include "serial_port.hpp"
#include "test_helpers.hpp"

using flimgru::SerialPort;
using flimgru::test::Pty;

TEST(LinkSerial, RawBytesBothWaysAtNonStandardBaud) {
  Pty pty;
  ASSERT_FALSE(pty.slave.empty());
  SerialPort port(pty.slave, 12000000);
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  port.write_all(all);
  std::vector<uint8_t> got;
  while (got.size() < all.size()) {
    struct pollfd p = {pty.master, POLLIN, 0};
    ASSERT_GT(poll(&p, 1, 2000), 0) << "timeout after " << got.size() << " bytes";
    uint8_t buf[512];
    ssize_t n = read(pty.master, buf, sizeof buf);
    ASSERT_GT(n, 0);
    got.insert(got.end(), buf, buf + n);
  }
  EXPECT_EQ(got, all);
  ASSERT_EQ(write(pty.master, all.data(), all.size()), 256);
  got.clear();
  uint8_t buf[512];
  while (got.size() < all.size()) {
    size_t n = port.read_some(buf, sizeof buf, 2000);
    ASSERT_GT(n, 0u);
    got.insert(got.end(), buf, buf + n);
  }
  EXPECT_EQ(got, all);
  EXPECT_EQ(port.read_some(buf, sizeof buf, 20), 0u);  // time-out, nothing there
}

TEST(LinkSerial, BadPathNamed) {
  try {
    SerialPort port("/nonexistent/ttyUSB9", 3000000);
    FAIL() << "no error";
  } catch (const flimgru::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ttyUSB9"), std::string::npos);
  }
}

// The host's resend timeout (docs/protocol.md §4) outlasts a healthy board's longest silence at
// that board's baud and lanes: a batch filling (lanes frames), its flush (two frame times) and its
// computation; it grows with the lanes and shrinks with the baud rate.
TEST(LinkSerial, TimeoutCoversABatchAtTheBoardsBaud) {
  auto status = [](int lanes, int baud_100k) {
    flimgru::link::Status s;
    s.lanes = uint8_t(lanes);
    s.baud_100k = uint8_t(baud_100k);
    return s;
  };
  for (int lanes : {1, 3, 6})
    for (int b100k : {30, 120}) {
      const double frame_s = flimgru::link::kTpsfFrameWireBits / (b100k * 1e5);
      const double silence = (lanes + 2) * frame_s + 1e-3;  // filling, flush, computing
      const double t = flimgru::link_timeout_s(status(lanes, b100k));
      EXPECT_GT(t, 2 * silence) << lanes << " lanes, " << b100k << "00k baud";
      EXPECT_LT(t, 0.2) << "a lost frame must not stall the stream for long";
    }
  EXPECT_GT(flimgru::link_timeout_s(status(6, 30)), flimgru::link_timeout_s(status(1, 30)));
  EXPECT_GT(flimgru::link_timeout_s(status(6, 30)), flimgru::link_timeout_s(status(6, 120)));
  EXPECT_EQ(flimgru::link_timeout_s(status(0, 0)), 2.0);  // no figures in the status: the fixed wait
}
