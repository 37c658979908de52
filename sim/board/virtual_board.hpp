// virtual_board: the verilated boards/board_top (stand-in core unless FLIMGRU_REAL_CORE) with
// the UART far-end model attached: send() bytes to the board, run(), take_received() its bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "uart_model.hpp"

class Vboard_top;
class VerilatedContext;

namespace flimgru::sim {

// The simulated clock and baud: the -G parameters the board was verilated with
// (sim/board/CMakeLists.txt; the real-core libraries define them, the stand-in board uses these).
#ifndef FLIMGRU_VBOARD_CLK_HZ
#define FLIMGRU_VBOARD_CLK_HZ 8000000
#define FLIMGRU_VBOARD_BAUD 1000000
#endif
constexpr int kSimClkHz = FLIMGRU_VBOARD_CLK_HZ;
constexpr int kSimBaud = FLIMGRU_VBOARD_BAUD;
constexpr int kSimClksPerBit = kSimClkHz / kSimBaud;
static_assert(kSimClkHz % kSimBaud == 0, "the clock must be a whole multiple of the baud rate");

class VirtualBoard {
 public:
  // kReset: the board as after the reset button (every test); kPowerUp: the model as constructed,
  // before any clock edge, its registers at their initial values (random with FLIMGRU_X_SEED).
  enum class Start { kReset, kPowerUp };
  explicit VirtualBoard(Start start = Start::kReset);
  ~VirtualBoard();
  void reset(int cycles = 40);
  void tick();                       // one clock: UART model, then the design
  void run(uint64_t cycles);
  // Runs until done() or max_cycles; returns true if done() became true.
  bool run_until(const std::function<bool()>& done, uint64_t max_cycles);
  UartModel& uart() { return uart_; }
  uint64_t cycles() const { return cycles_; }
  uint32_t leds() const;
  int tx_pin() const;                // the FPGA's UART tx pin

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vboard_top> top_;
  UartModel uart_{kSimClksPerBit};
  uint64_t cycles_ = 0;
};

}  // namespace flimgru::sim
