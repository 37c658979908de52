// device_link: runs pre-processed, quantized TPSFs through a board (or the virtual board's pty)
// over the UART link of docs/protocol.md and collects the core's summaries, following §4: at most
// `window` frames unanswered, a frame answered by an ERROR (CRC, TRUNCATED, FRAMING, BUSY, ...) or
// skipped by a later RESULT is sent again under a new seq, a silent link (no frame for `timeout`)
// makes the host ask for the status and resend everything unanswered; `max_retries` bounds the
// retransmissions of one pixel. A board whose model reads the IRF (status in_dim 2) gets it first,
// in an IRF frame that must be answered (STATUS with its seq) before any pixel is sent.
// The steps every use of a board shares (the photon front end's, ref/frontend/frontend_device.hpp,
// too): BoardLink, identify_board, send_until_answered, load_irf.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lifetimes.hpp"
#include "link_protocol.hpp"
#include "serial_port.hpp"

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
  size_t busy_frames = 0;    // of them BUSY: the board's buffer was full (flow control, not a fault)
  size_t order_frames = 0;   // of them ORDER: EVENTS frames after a gap (they follow a BUSY or a fault)
  size_t timeouts = 0;
  link::Status status;       // what the board reported at the start
};

// The silence after which the host resends (docs/protocol.md §4), from the board's status: twice
// the longest silence of a healthy board while frames are unanswered (a batch filling: `lanes`
// TPSF frames on the wire; its flush: two frame times; computing it: under 1 ms on every board;
// the results of the batch before: one frame time), plus 50 ms for USB-serial latency timers.
double link_timeout_s(const link::Status& s);
// o.timeout_s if given, else link_timeout_s(s).
double resend_timeout_s(const DeviceOptions& o, const link::Status& s);

// The host's end of the link to one board: its serial port and the decoder of what it sends.
class BoardLink {
 public:
  // Opens o.path at o.baud and drops stale input; throws flimgru::Error naming the path.
  explicit BoardLink(const DeviceOptions& o);
  const std::string& path() const { return port_.path(); }
  void send(const std::vector<uint8_t>& wire) { port_.write_all(wire); }
  // Reads what arrives within timeout_ms into the decoder; returns the bytes read (0: silence).
  size_t read(int timeout_ms);
  // The next good frame read; a chunk that fails to decode is dropped (docs/protocol.md §4).
  bool next_frame(link::Frame& f);

 private:
  SerialPort port_;
  link::StreamDecoder dec_;
};

// Asks for the STATUS (3 attempts; the request's leading delimiter also ends a half-received frame
// on the board). Throws flimgru::Error naming the port when none answers, when the board is not a
// flimgru board, or speaks another protocol version.
link::Status identify_board(BoardLink& board, const DeviceOptions& o);

// Sends encode(seq) for a frame the board answers with a STATUS of its seq (IRF, PHOTON_CONFIG),
// under seq first_seq + attempt, again on an ERROR naming it (or one without a valid seq) or after
// timeout_s of silence, at most o.max_retries + 1 times; returns the seq answered. Throws
// flimgru::Error naming the port and `what` when the board never answers.
uint8_t send_until_answered(BoardLink& board, const DeviceOptions& o, double timeout_s, uint8_t first_seq,
                            const std::function<std::vector<uint8_t>(uint8_t seq)>& encode,
                            const std::string& what, DeviceStats& st);

// The IRF of a board whose model reads it (status in_dim 2), answered before anything else is
// sent; nothing for a board of input width 1. Throws flimgru::Error naming the port when the
// model reads the IRF and irf_q (kBins i_q values) is empty.
void load_irf(BoardLink& board, const DeviceOptions& o, const link::Status& s, const std::vector<int8_t>& irf_q,
              double timeout_s, DeviceStats& st);

// x_q: n TPSFs of kBins int8 bins each (docs/numerics.md §8). Returns one summary per TPSF.
std::vector<link::Summary> run_on_device(const DeviceOptions& o, const int8_t* x_q, size_t n,
                                         DeviceStats* stats = nullptr);

// Lifetimes from a summary: sums and first values dequantized (Q5.10, / 1024) exactly as the
// integer backends' SFD, so the result equals lifetimes_from_sfd() of the same model output.
Lifetimes lifetimes_from_summary(const link::Summary& s);

}  // namespace flimgru
