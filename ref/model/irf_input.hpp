// irf_input: the second input of an IRF-conditioned model (input width 2, weights.hpp): the
// instrument response function on the TPSF grid, beside the TPSF bin at every encoder step.
//
// Normalisation (docs/numerics.md §8): the IRF as the simulator convolves it, one value per bin
// of the 135 × 90 ps window (bin k covers [k·90 ps, (k+1)·90 ps) after the window start), divided
// by its largest value, so that its peak is 1 like the TPSF's. No baseline is subtracted: a
// measured IRF file is taken as the simulator's `--irf-file` takes it (every count is IRF).
//   Gaussian IRF (FWHM, peak): each bin's probability, the sum of the simulator's own
//   gaussian_irf_density over the bin's kSubBins sub-bins.
//   Measured IRF (a file of 135 counts, read_irf_file): the counts.
// The int8 model quantizes it exactly like the TPSF input x (§8: sat_SB(round_half_away(v·2^F))).
#pragma once
#include <array>
#include <string>
#include <vector>

#include "tpsf.hpp"

namespace flimgru {

struct Dataset;

using IrfInput = std::array<float, kBins>;

// kBins finite non-negative values, not all zero -> peak-1 IRF input. `source` names the origin
// in errors (a file, "labels row 17", ...).
IrfInput irf_input_from_bins(const std::vector<double>& bins, const std::string& source);
// A Gaussian IRF (FWHM and peak position in ns after the window start).
IrfInput gaussian_irf_input(double fwhm_ns, double peak_ns);
// A measured IRF file (read_irf_file: 135 values, one a line); errors name the file.
IrfInput load_irf_input(const std::string& path);

// Per-sample IRF inputs of a simulated data set, [n][kBins] (optionally only rows `subset`): the
// Gaussian of each sample's labels (irf_fwhm_ns, irf_peak_ns), or, for a set simulated with a
// measured IRF (labels NaN), the IRF its meta.json records (config.irf_counts). Throws naming the
// data set when neither is there.
std::vector<float> dataset_irf_inputs(const Dataset& ds, const std::vector<size_t>* subset = nullptr,
                                      const std::string& source = "data set");

// x [n][kBins] and irf (one [kBins] shared by all when irf_stride == 0, else row i at
// irf + i·irf_stride) -> the width-2 model input [n][kBins][2] (TPSF, IRF per step).
std::vector<float> interleave_irf(const float* x, const float* irf, size_t irf_stride, size_t n);

}  // namespace flimgru
