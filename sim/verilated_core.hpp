// VerilatedCore: one verilated flimgru_core configuration (class V) with its Verilator context,
// its ROM set (+rom_dir=) and an optional FST trace, and the clock: what CoreRunner and DutDriver
// share. A cycle is fall() (the caller's inputs settle at clk 0), then rise() (the edge); a cycle
// counts as enabled when dbg_ce_o is high outside reset at that edge.
//   Construction leaves the core in reset with every input idle; reset(n) holds rst_i for n cycles.
#pragma once
#include <verilated.h>
#include <verilated_fst_c.h>

#include "verify_context.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace flimgru::sim {

template <class V>
class VerilatedCore {
 public:
  // rom_dir: the ROM set read by $readmemh; fst: trace file ("" = none)
  VerilatedCore(const std::string& rom_dir, const std::string& fst) {
    ctx_ = std::make_unique<VerilatedContext>();
    const std::string arg = "+rom_dir=" + rom_dir;
    const char* argv[] = {"flimgru_rtl", arg.c_str()};
    ctx_->commandArgs(2, argv);
    apply_verify_settings(*ctx_);
    if (!fst.empty()) ctx_->traceEverOn(true);
    top_ = std::make_unique<V>(ctx_.get());
    if (!fst.empty()) {
      fst_ = std::make_unique<VerilatedFstC>();
      top_->trace(fst_.get(), 99);
      fst_->open(fst.c_str());
    }
    top_->clk_i = 0;
    top_->rst_i = 1;
    top_->s_x_valid_i = 0;
    top_->s_x_flush_i = 0;
    top_->s_irf_valid_i = 0;
    top_->s_irf_data_i = 0;
    top_->m_y_ready_i = 0;
    top_->m_sum_ready_i = 0;
    top_->eval();
  }
  ~VerilatedCore() {
    if (fst_) fst_->close();
    top_->final();
    write_coverage(*ctx_);
  }
  VerilatedCore(const VerilatedCore&) = delete;
  VerilatedCore& operator=(const VerilatedCore&) = delete;

  V* operator->() { return top_.get(); }
  V* top() { return top_.get(); }

  void fall() {
    top_->clk_i = 0;
    top_->eval();
  }
  void rise() {
    const bool ce = top_->dbg_ce_o && !top_->rst_i;
    if (fst_) fst_->dump(ctx_->time());
    ctx_->timeInc(5);
    top_->clk_i = 1;
    top_->eval();
    if (fst_) fst_->dump(ctx_->time());
    ctx_->timeInc(5);
    ++cycles_;
    if (ce) ++ce_cycles_;
    check_assertions(*ctx_, cycles_);
  }
  void reset(int cycles) {
    top_->rst_i = 1;
    for (int i = 0; i < cycles; ++i) fall(), rise();
    top_->rst_i = 0;
  }

  uint64_t cycles() const { return cycles_; }        // clock cycles since construction
  uint64_t ce_cycles() const { return ce_cycles_; }  // of which enabled

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
  std::unique_ptr<VerilatedFstC> fst_;
  uint64_t cycles_ = 0, ce_cycles_ = 0;
};

}  // namespace flimgru::sim
