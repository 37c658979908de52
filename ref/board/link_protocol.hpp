// link_protocol: the host side of the board link (docs/protocol.md) - CRC-16/CCITT-FALSE, COBS
// framing, TPSF / IRF / status-request encoding, result / status / error decoding, and the photon
// front end's frames (§7: PHOTON_CONFIG, EVENTS, PHOTON_STATUS_REQ out; PIXEL, PHOTON_STATUS in),
// in raw integers (ref/frontend turns its own types into them). The RTL
// (rtl/link/link_rx.v, rtl/link/link_tx.v, rtl/link/link_params.vh) implements the same
// definitions.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace flimgru::link {

constexpr uint8_t kMagic = 0xF1;
// 4: the photon front end's frames, the STATUS frame reports the front end (24 bytes; 3: 19 bytes);
// 3: IRF frames, the STATUS frame reports the model's input width (19 bytes; 2: 18 bytes);
// 2: the RESULT frame carries cum (19 bytes; 1: 15 bytes)
constexpr uint8_t kVersion = 0x04;
constexpr int kBins = 135;
constexpr size_t kHeaderBytes = 4;  // magic, type, seq, len
constexpr size_t kCrcBytes = 2;
// A TPSF frame on the wire: 0x00 + COBS(header + 135 bins + CRC) + 0x00 = 144 bytes, 10 bits
// each (8N1). COBS adds one byte per 254 non-zero bytes, so the size does not depend on the bins.
constexpr int kTpsfFrameWireBits = int(1 + (kHeaderBytes + kBins + kCrcBytes) + 1 + 1) * 10;
static_assert(kTpsfFrameWireBits == 1440, "docs/protocol.md: a TPSF frame is 1440 bit times");

enum Type : uint8_t {
  kTypeTpsf = 0x01,             // host -> board: 135 int8 bins
  kTypeStatusReq = 0x02,        // host -> board: empty
  kTypeIrf = 0x03,              // host -> board: 135 int8 IRF bins (a model with the IRF input)
  kTypePhotonConfig = 0x04,     // host -> board: the front end's configuration, zero-padded to 135
  kTypeEvents = 0x05,           // host -> board: 1 ... 19 events of 7 bytes, zero-padded to 135
  kTypePhotonStatusReq = 0x06,  // host -> board: empty
  kTypeResult = 0x81,           // board -> host: 19-byte summary
  kTypeStatus = 0x82,           // board -> host: 24-byte status (also the answer to IRF, PHOTON_CONFIG)
  kTypeAck = 0x83,              // board -> host: empty; the EVENTS frame of this seq is in, in order
  kTypePhotonStatus = 0x84,     // board -> host: 73 bytes, the front end's counters and progress
  kTypePixel = 0x85,            // board -> host: 44 bytes, one binned pixel of the front end
  kTypeError = 0xE0,            // board -> host: 4-byte error report
};

enum ErrorCode : uint8_t {
  kErrCrc = 0x01,
  kErrTruncated = 0x02,
  kErrMagic = 0x03,
  kErrType = 0x04,
  kErrLength = 0x05,
  kErrFraming = 0x06,
  kErrBusy = 0x07,
  kErrTooLong = 0x08,
  kErrOrder = 0x09,  // an EVENTS frame whose seq is not the one expected (dropped)
};
std::string error_name(uint8_t code);

constexpr size_t kLenResult = 19, kLenStatus = 24, kLenError = 4, kLenPixel = 44, kLenPhotonStatus = 73;
// EVENTS: byte 0 the count, then kEventBytes per event (the 51-bit word of ref/frontend/events.hpp,
// little-endian, bits 55:51 zero); at most kEventsPerFrame fit the 135-byte payload.
constexpr int kEventsPerFrame = 19, kEventBytes = 7, kEventWordBits = 51;
static_assert(1 + kEventsPerFrame * kEventBytes <= kBins, "docs/protocol.md §7: 19 events a frame");
constexpr int kPhotonCounters = 17;  // PHOTON_STATUS: rtl/frontend/frontend_params.vh NumCounters
static_assert(4 * kPhotonCounters + 4 + 1 == kLenPhotonStatus, "docs/protocol.md §7: PHOTON_STATUS payload");

// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, MSB first, no reflection, no final XOR.
uint16_t crc16(const uint8_t* data, size_t n, uint16_t crc = 0xFFFF);

// COBS (consistent-overhead byte stuffing): the output has no 0x00 byte.
std::vector<uint8_t> cobs_encode(const std::vector<uint8_t>& in);
// Decodes one COBS chunk (without delimiters); false if malformed (a code points past the end).
bool cobs_decode(const std::vector<uint8_t>& in, std::vector<uint8_t>& out);

struct Frame {
  uint8_t type = 0;
  uint8_t seq = 0;
  std::vector<uint8_t> payload;
};

// magic, type, seq, len, payload, CRC (big-endian): the bytes before COBS.
std::vector<uint8_t> frame_bytes(const Frame& f);
// What goes on the wire: 0x00, COBS(frame_bytes), 0x00.
std::vector<uint8_t> encode_frame(const Frame& f);
std::vector<uint8_t> encode_tpsf(uint8_t seq, const int8_t* x_q);  // kBins bins
std::vector<uint8_t> encode_status_request(uint8_t seq);
std::vector<uint8_t> encode_irf(uint8_t seq, const int8_t* irf_q);  // kBins IRF bins (i_q)

// The PHOTON_CONFIG fields (docs/protocol.md §7; FrontendConfig of ref/frontend/frontend.hpp).
struct PhotonConfigFields {
  int pix_x = 0, pix_y = 0;   // scan pixels a line, lines a frame: 1 ... 65535 on the wire
  bool bidirect = false;      // odd lines run right to left
  int bin_shift = 0;          // k x k binning, k = 2^bin_shift: 0 ... 255 on the wire
  uint32_t micro_mul = 0;     // M: 17 bits
  int64_t window_offset = 0;  // O: 31 bits
  int pre_rise_bins = 0;      // the IRF's bins before its rise: 0 ... 255 on the wire
};
// Throws flimgru::Error naming the field when one is outside its wire range.
std::vector<uint8_t> encode_photon_config(uint8_t seq, const PhotonConfigFields& c);
// n events (1 ... kEventsPerFrame), each a kEventWordBits-bit word; throws flimgru::Error otherwise.
std::vector<uint8_t> encode_events(uint8_t seq, const uint64_t* words, size_t n);
std::vector<uint8_t> encode_photon_status_request(uint8_t seq);

enum class ParseStatus { kOk, kBadCobs, kTooShort, kBadMagic, kBadLength, kBadCrc };
std::string parse_status_name(ParseStatus s);
// Parses one decoded frame (the bytes between delimiters, after COBS decoding).
ParseStatus parse_frame(const std::vector<uint8_t>& bytes, Frame& out);

struct ChannelSummary {
  int32_t sum = 0;  // sum over the decoder steps of y_c (24-bit signed on the wire)
  int16_t y0 = 0;   // y_c at decoder step 0
  bool operator==(const ChannelSummary& o) const { return sum == o.sum && y0 == o.y0; }
};
// The core's per-pixel summary: per channel, and the whole decay's cum (docs/numerics.md §7a):
// cum = sum over the steps t < steps-1 of the running sum P_t = sum_{j<=t} y0[j]
//     = sum_j (steps-1-j) y0[j], so that sum_j j y0[j] = (steps-1) sum0 - cum (step_moment0).
struct Summary {
  std::array<ChannelSummary, 3> ch{};
  int32_t cum = 0;
  ChannelSummary& operator[](size_t c) { return ch[c]; }
  const ChannelSummary& operator[](size_t c) const { return ch[c]; }
  bool operator==(const Summary& o) const { return ch == o.ch && cum == o.cum; }
};
// sum_t t * y0[t] over the kBins decoder steps, from the summary alone (exact).
int64_t step_moment0(const Summary& s);

// The core's 152-bit summary: channel c in bits 40c+39:40c, sum in the low 24 bits of each field,
// cum in bits 151:120; as 19 bytes little-endian. pack/unpack are exact inverses for sums in the
// 24-bit range.
std::array<uint8_t, kLenResult> pack_summary(const Summary& s);
Summary unpack_summary(const uint8_t* bytes19);
// The summary the core computes from its decoder outputs y[t][c] (Q5.10), t = 0 .. steps-1.
Summary summarize(const std::vector<std::array<int16_t, 3>>& y);

struct ErrorReport {
  uint8_t seq = 0;  // the seq of the bad frame, when seq_valid
  uint8_t code = 0;
  bool seq_valid = false;
  uint8_t type = 0;    // the bad frame's type byte (0 if it never arrived)
  uint8_t length = 0;  // decoded bytes received (low 8 bits)
};

struct Status {
  std::string id;  // "FLGR"
  uint8_t version = 0, board_id = 0, lanes = 0, mac_rows = 0, clk_mhz = 0, baud_100k = 0;
  uint8_t buffer_pixels = 0, seq_depth = 0, dropped_responses = 0, in_flight = 0;
  uint16_t good_frames = 0, bad_frames = 0;
  uint8_t in_dim = 1;  // the model's input width: 2 reads the IRF (an IRF frame loads it)
  bool frontend = false;                 // the board has the photon front end (§7)
  uint8_t frontend_xw = 0;               // an image line has at most 2^XW scan pixels
  uint16_t frontend_max_cols = 0;        // binned pixels a row
  uint8_t frontend_line_depth_log2 = 0;  // photons held of one line: 2^this
};

// One binned pixel of the photon front end (a PIXEL frame; its seq is the pixel's number since
// the configuration, mod 256).
struct PixelReport {
  uint16_t frame = 0, row = 0, col = 0;
  uint32_t photons = 0;     // counted into the pixel's histogram (24 bits)
  bool saturated = false;   // a bin saturated
  bool incomplete = false;  // a line of its row lost photons
  Summary summary;          // the core's summary (the RESULT payload)
  uint64_t a = 0, b = 0, c = 0, p = 0;  // the photon moments (24, 32, 40, 24 bits; numerics §7b)
};

// The front end's progress (a PHOTON_STATUS frame).
struct PhotonStatus {
  std::array<uint32_t, kPhotonCounters> counters{};  // frontend_params.vh Cnt* order (0: events)
  uint32_t pixels_in = 0;  // pixels handed to the core since the configuration
  bool idle = false;       // all the front end was given has become pixels in the core or counters
};

Summary decode_result(const Frame& f);      // throws flimgru::Error on a wrong type/length
ErrorReport decode_error(const Frame& f);
// A status frame; one of another protocol version (another length) yields id and version only,
// so that the host can say which version the board speaks.
Status decode_status(const Frame& f);
PixelReport decode_pixel(const Frame& f);         // throws flimgru::Error on a wrong type/length
PhotonStatus decode_photon_status(const Frame& f);  // throws flimgru::Error on a wrong type/length

// Splits a received byte stream at 0x00 delimiters and parses each non-empty chunk.
class StreamDecoder {
 public:
  struct Event {
    ParseStatus status = ParseStatus::kOk;
    Frame frame;  // valid when status == kOk
  };
  void feed(uint8_t byte);
  void feed(const uint8_t* data, size_t n) {
    for (size_t i = 0; i < n; ++i) feed(data[i]);
  }
  bool pop(Event& e);
  size_t pending() const { return events_.size(); }

 private:
  std::vector<uint8_t> chunk_;
  std::deque<Event> events_;
};

}  // namespace flimgru::link
