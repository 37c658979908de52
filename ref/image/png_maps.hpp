// png_maps: false-colour maps as PNG files (libpng) with a colour bar and its scale drawn in a
// tiny built-in bitmap font (3×5 glyphs, drawn at 2×).
//
// Layout of a map of H × W pixels: each pixel becomes an s × s block, s = max(1, 256 / max(H, W))
// (integer division), so the map area is W·s × H·s at the top left; to its right an 8 px gap,
// a 16 px colour bar (top = hi, bottom = lo) and the labels (hi, middle, lo and the unit). Image
// size: width W·s + kMapBarWidth, height max(H·s, kMapMinHeight). Pixels without a value (NaN)
// are dark grey.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace flimgru {

constexpr int kMapBarWidth = 8 + 16 + 6 + 8 * 6;  // gap, bar, gap, up to 6 characters of 8 px
constexpr int kMapMinHeight = 112;

// {width, height} of the PNG that write_map_png writes for an H × W map.
std::pair<int, int> map_png_size(int height, int width);

struct MapSpec {
  int height = 0, width = 0;
  std::vector<double> values;      // [H][W], NaN = no value
  double lo = 0, hi = 1;           // the colour scale
  std::string unit = "ns";         // drawn under the bar ("ns", "ph")
  bool gray = false;               // grey scale instead of the lifetime colour map
  std::vector<double> brightness;  // optional [H][W] in [0, 1]: multiplies the colour
};

// Writes PATH.tmp and renames it to PATH. Throws Error naming the file.
void write_map_png(const std::string& path, const MapSpec& spec);

// Plain RGB PNG (rgb: height rows of width × 3 bytes).
void write_png_rgb(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb);

// Number formatting for the scale labels: up to 3 significant decimals, at most 6 characters.
std::string scale_label(double v);

}  // namespace flimgru
