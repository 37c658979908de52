// The LUT multiplier of the MAC rows (rtl/lib/mult8_lut.v) against the product it replaces: every
// one of the 65,536 signed 8 x 8 operand pairs, with the clock enable dropping at random, gives
// p_o = a * b exactly two enabled cycles after the operands, and holds while the enable is low,
// as mult18_oreg #(.InReg(1)) (the MULT18X18D's input and output registers) does.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <random>

#include "Vmult8_lut.h"
#include "verify_context.hpp"

namespace {

TEST(RtlMult8Lut, EveryOperandPairTwoEnabledCyclesLater) {
  auto ctx = std::make_unique<VerilatedContext>();
  flimgru::sim::apply_verify_settings(*ctx);
  Vmult8_lut top(ctx.get());
  std::mt19937 rng(8);
  // The operands presented at enabled edge k are in stage 1 after it and their product on p_o after
  // enabled edge k + 1: after an enabled edge, p_o is the product of the previous edge's operands.
  std::deque<int32_t> expect;
  int32_t held = 0;            // p_o while nothing new has arrived
  bool have = false;
  uint64_t checked = 0, stalls = 0;
  auto edge = [&] {
    top.clk_i = 0;
    top.eval();
    ctx->timeInc(5);
    top.clk_i = 1;
    top.eval();
    ctx->timeInc(5);
  };
  for (int n = 0; n < 65536 + 1;) {
    const bool ce = rng() % 10 < 7;
    const int8_t a = int8_t(n & 0xff), b = int8_t((n >> 8) & 0xff);
    top.a_i = uint8_t(a);
    top.b_i = uint8_t(b);
    top.ce_i = ce;
    edge();
    if (ce) {
      expect.push_back(n < 65536 ? int32_t(a) * int32_t(b) : 0);
      if (expect.size() > 1) {
        held = expect.front();
        expect.pop_front();
        have = true;
      }
      ++n;
    } else {
      ++stalls;
    }
    if (have) {
      ASSERT_EQ(int16_t(top.p_o), held) << "operand pair " << n << (ce ? "" : " (enable low)");
      ++checked;
    }
  }
  top.final();
  EXPECT_GE(checked, 65536u);
  EXPECT_GT(stalls, 10000u);
}

}  // namespace
