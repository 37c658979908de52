// The RTL's simulation checks (FLIMGRU_ASSERT blocks, verilated with --assert): a result FIFO
// (rtl/core/lane_fifo.v, 4 words) driven against its write rule on purpose. Legal traffic passes;
// the fifth write into the full FIFO would lose a word, and the run stops in exactly that cycle
// with an error that names it (sim/verify_context.hpp), after Verilator's line naming the module.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "Vlane_fifo.h"
#include "verify_context.hpp"

namespace {

using flimgru::sim::apply_verify_settings;
using flimgru::sim::check_assertions;

class FifoBench {
 public:
  FifoBench() : ctx_(std::make_unique<VerilatedContext>()) {
    apply_verify_settings(*ctx_);
    top_ = std::make_unique<Vlane_fifo>(ctx_.get());
    top_->rst_i = 1;
    cycle(false, 0, false);
    cycle(false, 0, false);
    top_->rst_i = 0;
  }
  ~FifoBench() { top_->final(); }
  // One clock edge with these inputs; throws if a check failed at the edge.
  void cycle(bool write, uint8_t data, bool read) {
    top_->wr_en_i = write;
    top_->wr_data_i = data;
    top_->rd_en_i = read;
    top_->clk_i = 0;
    top_->eval();
    ctx_->timeInc(5);
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(5);
    check_assertions(*ctx_, ++cycles_);
  }
  Vlane_fifo* operator->() { return top_.get(); }
  uint64_t cycles() const { return cycles_; }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vlane_fifo> top_;
  uint64_t cycles_ = 0;
};

TEST(RtlChecks, LegalTrafficPasses) {
  FifoBench fifo;
  // fill to full, read one, write and read together, drain (a read frees its slot only after
  // the edge, so a write into the full FIFO is lost even with a read beside it)
  for (uint8_t k = 0; k < 4; ++k) ASSERT_NO_THROW(fifo.cycle(true, k, false));
  ASSERT_NO_THROW(fifo.cycle(false, 0, true));
  ASSERT_NO_THROW(fifo.cycle(true, 4, true));
  for (uint8_t k = 0; k < 8; ++k) ASSERT_NO_THROW(fifo.cycle(false, 0, true));
  EXPECT_TRUE(fifo->empty_o);
}

TEST(RtlChecks, WriteIntoFullFifoStopsTheRunInThatCycle) {
  FifoBench fifo;
  for (uint8_t k = 0; k < 4; ++k) fifo.cycle(true, k, false);
  ASSERT_FALSE(fifo->empty_o);
  const uint64_t bad = fifo.cycles() + 1;  // the edge of the fifth write
  try {
    fifo.cycle(true, 99, false);
    FAIL() << "a write into the full FIFO passed its check";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("in cycle " + std::to_string(bad)), std::string::npos)
        << e.what();
  }
}

}  // namespace
