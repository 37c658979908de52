// virtual_board: the verilated board on a pseudo-terminal. Prints the pty path; open it like a
// /dev/ttyUSB (any baud rate: the pty ignores it) and talk the link protocol (docs/protocol.md).
//   flimgru_virtual_board [--link PATH] [--cycles N] [--quiet] [--corrupt-every N] [--drop-frame N]
//                         [--report FILE]
// --link makes PATH a symlink to the pty; --cycles stops after N clocks (default: run until
// SIGINT/SIGTERM). The simulated UART runs at kSimClksPerBit clocks a bit. --corrupt-every N
// flips one bit of every Nth non-zero byte from the host (line noise: the board reports the frame,
// the host must resend it). --drop-frame N loses the board's Nth frame (1 = the first) on its way
// to the host (a response lost on the line: the host times out and recovers, docs/protocol.md §4).
// --report FILE writes, when the board stops, the simulated clock and the cycles of the first
// byte from the host and of the last byte to it (JSON: the end-to-end figure of make bench).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "virtual_board.hpp"

namespace {
volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  std::string link;
  unsigned long long max_cycles = 0;
  bool quiet = false;
  unsigned long long corrupt_every = 0, rx_bytes = 0;
  unsigned long long drop_frame = 0, tx_frames = 0;
  bool in_frame = false;
  std::string report;
  long long first_rx = -1, last_tx = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--link" && i + 1 < argc) link = argv[++i];
    else if (a == "--cycles" && i + 1 < argc) max_cycles = std::stoull(argv[++i]);
    else if (a == "--quiet") quiet = true;
    else if (a == "--corrupt-every" && i + 1 < argc) corrupt_every = std::stoull(argv[++i]);
    else if (a == "--drop-frame" && i + 1 < argc) drop_frame = std::stoull(argv[++i]);
    else if (a == "--report" && i + 1 < argc) report = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--link PATH] [--cycles N] [--quiet] [--corrupt-every N] [--drop-frame N] "
                   "[--report FILE]\n", argv[0]);
      return 2;
    }
  }
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    std::fprintf(stderr, "virtual_board: cannot create a pty: %s\n", std::strerror(errno));
    return 1;
  }
  const char* slave_name = ptsname(master);
  // Keep a slave descriptor open in raw mode: no echo or line editing before the host sets its
  // own mode, and reads on the master do not fail while no host has the pty open.
  int slave = open(slave_name, O_RDWR | O_NOCTTY);
  struct termios t;
  if (slave < 0 || tcgetattr(slave, &t) != 0) {
    std::fprintf(stderr, "virtual_board: cannot open %s: %s\n", slave_name, std::strerror(errno));
    return 1;
  }
  cfmakeraw(&t);
  tcsetattr(slave, TCSANOW, &t);
  fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  if (!link.empty()) {
    unlink(link.c_str());
    if (symlink(slave_name, link.c_str()) != 0) {
      std::fprintf(stderr, "virtual_board: cannot link %s: %s\n", link.c_str(), std::strerror(errno));
      return 1;
    }
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  std::printf("%s\n", slave_name);
  std::fflush(stdout);
  if (!quiet)
    std::fprintf(stderr, "virtual_board: board_top on %s (%d clocks a bit)\n", slave_name,
                 flimgru::sim::kSimClksPerBit);

  flimgru::sim::VirtualBoard board;
  uint8_t buf[256];
  int rc = 0;
  try {  // a failed RTL check (sim/verify_context.hpp) ends the run with its cycle
    while (!g_stop && (max_cycles == 0 || board.cycles() < max_cycles)) {
      board.run(256);
      if (board.uart().queued() < 64) {
        ssize_t n = read(master, buf, sizeof buf);
        if (n > 0) {
          if (first_rx < 0) first_rx = static_cast<long long>(board.cycles());
          for (ssize_t k = 0; k < n && corrupt_every; ++k)
            if (buf[k] != 0 && ++rx_bytes % corrupt_every == 0 && (buf[k] ^ 0x10) != 0)
              buf[k] ^= 0x10;
          board.uart().send(std::vector<uint8_t>(buf, buf + n));
        }
      }
      std::vector<uint8_t> out = board.uart().take_received();
      if (drop_frame) {  // keep the delimiters, drop the bytes of frame number drop_frame
        std::vector<uint8_t> kept;
        for (uint8_t c : out) {
          if (c != 0 && !in_frame) ++tx_frames;
          in_frame = c != 0;
          if (c == 0 || tx_frames != drop_frame) kept.push_back(c);
        }
        out.swap(kept);
      }
      if (!out.empty()) last_tx = static_cast<long long>(board.cycles());
      size_t done = 0;
      while (done < out.size()) {
        ssize_t w = write(master, out.data() + done, out.size() - done);
        if (w > 0) done += static_cast<size_t>(w);
        else if (errno != EAGAIN && errno != EINTR) break;
      }
      if (board.uart().idle() && out.empty()) usleep(0);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "virtual_board: %s\n", e.what());
    rc = 1;
  }
  if (!link.empty()) unlink(link.c_str());
  if (!report.empty()) {
    if (FILE* f = std::fopen(report.c_str(), "w")) {
      std::fprintf(f, "{\"clk_hz\": %d, \"baud\": %d, \"first_host_byte_cycle\": %lld, \"last_board_byte_cycle\": %lld, "
                   "\"cycles\": %llu}\n", flimgru::sim::kSimClkHz, flimgru::sim::kSimBaud, first_rx, last_tx,
                   static_cast<unsigned long long>(board.cycles()));
      std::fclose(f);
    } else {
      std::fprintf(stderr, "virtual_board: cannot write %s: %s\n", report.c_str(), std::strerror(errno));
      rc = 1;
    }
  }
  if (!quiet) std::fprintf(stderr, "virtual_board: stopped after %llu cycles\n",
                           static_cast<unsigned long long>(board.cycles()));
  close(slave);
  close(master);
  return rc;
}
