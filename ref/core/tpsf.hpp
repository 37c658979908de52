// tpsf: the time grid every part of flimgru shares (135 bins of 90 ps).
#pragma once

namespace flimgru {

constexpr int kBins = 135;          // histogram bins per TPSF and decoder steps per SFD
constexpr double kBinNs = 0.09;     // bin width in nanoseconds
constexpr int kChannels = 3;        // SFD channels: whole decay, tau1 part, tau2 part

}  // namespace flimgru
