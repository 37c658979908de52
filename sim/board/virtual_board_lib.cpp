// virtual_board_lib: VirtualBoard (see virtual_board.hpp).
#include "Vboard_top.h"
#include "verilated.h"
#include "verify_context.hpp"
#include "virtual_board.hpp"

namespace flimgru::sim {

namespace {
// The context with the harness's verification settings, before the model draws initial values.
VerilatedContext* verify_context() {
  auto* c = new VerilatedContext;
  apply_verify_settings(*c);
  return c;
}
}  // namespace

VirtualBoard::VirtualBoard(Start start) : ctx_(verify_context()), top_(new Vboard_top(ctx_.get())) {
  // The real core's ROMs (rom_sync) read their directory from +rom_dir ($value$plusargs). It is
  // not passed as the RomDir parameter: Verilator 5.006 miscompiles long string parameters.
#ifdef FLIMGRU_VBOARD_ROM
  static const char* args[] = {"virtual_board", "+rom_dir=" FLIMGRU_VBOARD_ROM};
  ctx_->commandArgs(2, args);
#else
  static const char* args[] = {"virtual_board"};
  ctx_->commandArgs(1, args);
#endif
  top_->clk_i = 0;
  top_->rst_btn_i = 1;  // active low: not pressed
  top_->uart_rx_i = 1;
  top_->eval();
  if (start == Start::kReset) reset();
}

VirtualBoard::~VirtualBoard() {
  top_->final();
  write_coverage(*ctx_);
}

void VirtualBoard::reset(int cycles) {
  top_->rst_btn_i = 0;
  run(cycles);
  top_->rst_btn_i = 1;
  run(cycles);  // the reset stretcher holds reset for 16 more cycles
}

void VirtualBoard::tick() {
  top_->uart_rx_i = uart_.tick(top_->uart_tx_o);
  top_->clk_i = 1;
  top_->eval();
  ctx_->timeInc(5);
  top_->clk_i = 0;
  top_->eval();
  ctx_->timeInc(5);
  ++cycles_;
  check_assertions(*ctx_, cycles_);
}

void VirtualBoard::run(uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) tick();
}

bool VirtualBoard::run_until(const std::function<bool()>& done, uint64_t max_cycles) {
  for (uint64_t i = 0; i < max_cycles; ++i) {
    if ((i & 63) == 0 && done()) return true;
    tick();
  }
  return done();
}

uint32_t VirtualBoard::leds() const { return top_->led_o; }
int VirtualBoard::tx_pin() const { return top_->uart_tx_o; }

}  // namespace flimgru::sim
