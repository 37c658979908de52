// device_link: runs pre-processed, quantized TPSFs through a board (or the virtual board's pty)
// over the UART link of docs/protocol.md and collects the core's summaries, following §4: at most
// `window` frames unanswered, a frame answered by an ERROR (CRC, TRUNCATED, FRAMING, BUSY, ...) or
// skipped by a later RESULT is sent again under a new seq, a silent link (no frame for `timeout`)
// makes the host ask for the status and resend everything unanswered; `max_retries` bounds the
// retransmissions of one pixel. A board whose model reads the IRF (status in_dim 2) gets it first,
// in an IRF frame that must be answered (STATUS with its seq) before any pixel is sent.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lifetimes.hpp"
#include "link_protocol.hpp"

namespace flimgru {

struct DeviceOptions {
  std::string path;          // /dev/ttyUSB0, or the pty of flimgru_virtual_board
  unsigned baud = 3000000;
  double timeout_s = 0;      // no frame at all for this long while frames are unanswered: resend
                             // (0: link_timeout_s of the board's status)
  int max_retries = 8;       // per pixel; then flimgru::Error
  int window = 8;            // frames unanswered at most
  bool progress = true;      // progress bar on stderr
  std::vector<int8_t> irf_q; // kBins IRF bins (numerics §2 i_q), loaded into a board with in_dim 2 (a board
                             // whose model reads no IRF is not sent it); empty: none
};

struct DeviceStats {
  double seconds = 0;        // first frame sent to last result received
  size_t pixels = 0;
  size_t retransmits = 0;    // frames sent again (error reports, lost frames, time-outs)
  size_t error_frames = 0;   // ERROR frames received
  size_t timeouts = 0;
  link::Status status;       // what the board reported at the start
};

// The silence after which the host resends (docs/protocol.md §4), from the board's status: twice
// the longest silence of a healthy board while frames are unanswered (a batch filling: `lanes`
// TPSF frames on the wire; its flush: two frame times; computing it: under 1 ms on every board;
// the results of the batch before: one frame time), plus 50 ms for USB-serial latency timers.
double link_timeout_s(const link::Status& s);

// x_q: n TPSFs of kBins int8 bins each (docs/numerics.md §8). Returns one summary per TPSF.
std::vector<link::Summary> run_on_device(const DeviceOptions& o, const int8_t* x_q, size_t n,
                                         DeviceStats* stats = nullptr);

// Lifetimes from a summary: sums and first values dequantized (Q5.10, / 1024) exactly as the
// integer backends' SFD, so the result equals lifetimes_from_sfd() of the same model output.
Lifetimes lifetimes_from_summary(const link::Summary& s);

}  // namespace flimgru
