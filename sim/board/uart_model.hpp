// uart_model: the far end of the board's serial line, called once per clock from the Verilator
// loop (ZipCPU's habit): bytes queued with send() are serialized onto the FPGA's rx pin (8N1,
// ClksPerBit clocks a bit); bits from the FPGA's tx pin are sampled mid-bit and collected.
// Faults can be injected: a byte whose stop bit is 0 (a framing error at the FPGA), a line break
// (the line held low for several byte times).
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

namespace flimgru::sim {

class UartModel {
 public:
  explicit UartModel(int clks_per_bit) : cpb_(clks_per_bit) {}

  void send(const std::vector<uint8_t>& bytes) {
    for (uint8_t b : bytes) tx_queue_.push_back(Symbol{b, false, 0, 0});
  }
  // One byte with a 0 stop bit, then idle_bits of idle line.
  void send_bad_stop(uint8_t b, int idle_bits = 2) { tx_queue_.push_back(Symbol{b, true, idle_bits, 0}); }
  // A line break: the line low for low_bits bit times, then idle_bits of idle line.
  void send_break(int low_bits, int idle_bits = 2) { tx_queue_.push_back(Symbol{0, true, idle_bits, low_bits}); }
  size_t queued() const { return tx_queue_.size() + (tx_active_ ? 1 : 0); }
  bool idle() const { return tx_queue_.empty() && !tx_active_; }

  // One clock: fpga_tx = the FPGA's tx pin now; returns the level for the FPGA's rx pin.
  int tick(int fpga_tx) {
    receive(fpga_tx);
    return transmit();
  }

  std::vector<uint8_t> take_received() {
    std::vector<uint8_t> r;
    r.swap(received_);
    return r;
  }
  uint64_t framing_errors() const { return rx_ferr_; }

 private:
  struct Symbol {
    uint8_t byte;
    bool bad_stop;
    int idle_bits;
    int break_bits;  // > 0: a break of this many bit times instead of a byte
  };

  int transmit() {
    if (!tx_active_) {
      if (tx_queue_.empty()) return 1;
      cur_ = tx_queue_.front();
      tx_queue_.pop_front();
      tx_active_ = true;
      tx_clk_ = 0;
    }
    int bit = tx_clk_ / cpb_;  // 0 start, 1..8 data, 9 stop, 10.. idle
    int level;
    if (cur_.break_bits > 0) {
      level = bit < cur_.break_bits ? 0 : 1;
      if (++tx_clk_ >= (cur_.break_bits + cur_.idle_bits) * cpb_) tx_active_ = false;
      return level;
    }
    if (bit == 0) level = 0;
    else if (bit <= 8) level = (cur_.byte >> (bit - 1)) & 1;
    else if (bit == 9) level = cur_.bad_stop ? 0 : 1;
    else level = 1;
    if (++tx_clk_ >= (10 + cur_.idle_bits) * cpb_) tx_active_ = false;
    return level;
  }

  void receive(int line) {
    if (!rx_active_) {
      if (prev_line_ == 1 && line == 0) {
        rx_active_ = true;
        rx_clk_ = 0;
        rx_byte_ = 0;
      }
      prev_line_ = line;
      return;
    }
    prev_line_ = line;
    ++rx_clk_;
    if (rx_clk_ % cpb_ != cpb_ / 2) return;  // sample in the middle of each bit
    int bit = rx_clk_ / cpb_;
    if (bit == 0) {
      if (line != 0) rx_active_ = false;  // glitch
    } else if (bit <= 8) {
      rx_byte_ |= static_cast<uint8_t>(line << (bit - 1));
    } else {
      if (line == 1) received_.push_back(rx_byte_);
      else ++rx_ferr_;
      rx_active_ = false;
    }
  }

  int cpb_;
  std::deque<Symbol> tx_queue_;
  Symbol cur_{0, false, 0, 0};
  bool tx_active_ = false;
  int tx_clk_ = 0;
  bool rx_active_ = false;
  int rx_clk_ = 0;
  int prev_line_ = 1;
  uint8_t rx_byte_ = 0;
  std::vector<uint8_t> received_;
  uint64_t rx_ferr_ = 0;
};

}  // namespace flimgru::sim
