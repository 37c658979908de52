// png_maps: colour maps, colour bars, a 3×5 bitmap font and libpng output (png_maps.hpp).
#include "png_maps.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "error.hpp"
#include "files.hpp"

namespace flimgru {

namespace {

// 3×5 glyphs, one row per entry, bit 2 = left column.
struct Glyph {
  char c;
  uint8_t rows[5];
};
constexpr Glyph kFont[] = {
    {'0', {7, 5, 5, 5, 7}}, {'1', {2, 6, 2, 2, 7}}, {'2', {7, 1, 7, 4, 7}}, {'3', {7, 1, 7, 1, 7}},
    {'4', {5, 5, 7, 1, 1}}, {'5', {7, 4, 7, 1, 7}}, {'6', {7, 4, 7, 5, 7}}, {'7', {7, 1, 1, 2, 2}},
    {'8', {7, 5, 7, 5, 7}}, {'9', {7, 5, 7, 1, 7}}, {'.', {0, 0, 0, 0, 2}}, {'-', {0, 0, 7, 0, 0}},
    {'n', {0, 0, 6, 5, 5}}, {'s', {0, 3, 6, 1, 6}}, {'p', {0, 6, 5, 6, 4}}, {'h', {4, 4, 6, 5, 5}},
    {'k', {4, 5, 6, 5, 5}}, {'e', {0, 7, 7, 4, 7}}, {'+', {0, 2, 7, 2, 0}}, {' ', {0, 0, 0, 0, 0}},
};
constexpr int kScale = 2;             // glyph pixels are 2×2
constexpr int kAdvance = 4 * kScale;  // 3 columns + 1 space

const uint8_t* glyph(char c) {
  for (const auto& g : kFont)
    if (g.c == c) return g.rows;
  return kFont[sizeof(kFont) / sizeof(kFont[0]) - 1].rows;
}

struct Canvas {
  int w, h;
  std::vector<uint8_t> px;
  Canvas(int w_, int h_, uint8_t bg) : w(w_), h(h_), px(size_t(w_) * h_ * 3, bg) {}
  void set(int x, int y, const uint8_t* c) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    std::memcpy(&px[(size_t(y) * w + x) * 3], c, 3);
  }
  void text(int x, int y, const std::string& s, const uint8_t* c) {
    for (char ch : s) {
      const uint8_t* g = glyph(ch);
      for (int r = 0; r < 5; ++r)
        for (int col = 0; col < 3; ++col)
          if (g[r] & (4 >> col))
            for (int dy = 0; dy < kScale; ++dy)
              for (int dx = 0; dx < kScale; ++dx) set(x + col * kScale + dx, y + r * kScale + dy, c);
      x += kAdvance;
    }
  }
};

// A viridis-like map: 9 control points, linear in between.
void colour(double t, bool gray, uint8_t* out) {
  t = std::clamp(t, 0.0, 1.0);
  if (gray) {
    out[0] = out[1] = out[2] = uint8_t(std::lround(t * 255));
    return;
  }
  static const double cp[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},   {44, 113, 142}, {33, 144, 141},
                                  {39, 173, 129}, {92, 200, 99},  {170, 220, 50},  {253, 231, 37}};
  const double x = t * 8;
  const int i = std::min(7, int(x));
  const double f = x - i;
  for (int c = 0; c < 3; ++c) out[c] = uint8_t(std::lround(cp[i][c] + f * (cp[i + 1][c] - cp[i][c])));
}

int block_size(int height, int width) { return std::max(1, 256 / std::max(1, std::max(height, width))); }

}  // namespace

std::pair<int, int> map_png_size(int height, int width) {
  const int s = block_size(height, width);
  return {width * s + kMapBarWidth, std::max(height * s, kMapMinHeight)};
}

std::string scale_label(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (v == 0) return "0";
  if (a >= 1e5) std::snprintf(buf, sizeof buf, "%.0fk", v / 1000);
  else if (a >= 100) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (a >= 10) std::snprintf(buf, sizeof buf, "%.1f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  if (s.size() > 6) s = s.substr(0, 6);
  return s;
}

void write_png_rgb(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb) {
  // libpng writes into the checked stream of write_file (a temporary, then renamed: files.hpp).
  write_file(path, [&](std::ostream& out) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!png || !info || setjmp(png_jmpbuf(png))) {
      png_destroy_write_struct(&png, &info);
      throw file_error(path, "libpng failed to write the image");
    }
    png_set_write_fn(
        png, &out,
        [](png_structp p, png_bytep data, png_size_t n) {
          static_cast<std::ostream*>(png_get_io_ptr(p))->write(reinterpret_cast<const char*>(data),
                                                                std::streamsize(n));
        },
        [](png_structp p) { static_cast<std::ostream*>(png_get_io_ptr(p))->flush(); });
    png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; ++y)
      png_write_row(png, const_cast<png_bytep>(&rgb[size_t(y) * width * 3]));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
  });
}

void write_map_png(const std::string& path, const MapSpec& m) {
  if (m.height <= 0 || m.width <= 0 || m.values.size() != size_t(m.height) * m.width)
    throw file_error(path, "map has no pixels or the wrong number of values");
  const int s = block_size(m.height, m.width);
  const auto [W, H] = map_png_size(m.height, m.width);
  Canvas cv(W, H, 255);
  const double span = m.hi > m.lo ? m.hi - m.lo : 1.0;
  const uint8_t none[3] = {40, 40, 40};
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x) {
      const size_t i = size_t(y) * m.width + x;
      uint8_t c[3];
      const double v = m.values[i];
      if (!std::isfinite(v)) {
        std::memcpy(c, none, 3);
      } else {
        colour((v - m.lo) / span, m.gray, c);
        if (!m.brightness.empty()) {
          const double b = std::clamp(m.brightness[i], 0.0, 1.0);
          for (auto& ch : c) ch = uint8_t(std::lround(ch * b));
        }
      }
      for (int dy = 0; dy < s; ++dy)
        for (int dx = 0; dx < s; ++dx) cv.set(x * s + dx, y * s + dy, c);
    }
  // Colour bar: top = hi.
  const int bx = m.width * s + 8, top = 6, bottom = H - 6 - 14;  // room for the unit below
  const uint8_t black[3] = {0, 0, 0};
  for (int y = top; y <= bottom; ++y) {
    uint8_t c[3];
    colour(1.0 - double(y - top) / std::max(1, bottom - top), m.gray, c);
    for (int x = 0; x < 16; ++x) cv.set(bx + x, y, c);
    cv.set(bx - 1, y, black);
    cv.set(bx + 16, y, black);
  }
  for (int x = -1; x <= 16; ++x) {
    cv.set(bx + x, top - 1, black);
    cv.set(bx + x, bottom + 1, black);
  }
  const int lx = bx + 16 + 6;
  cv.text(lx, top, scale_label(m.hi), black);
  cv.text(lx, (top + bottom) / 2 - 5, scale_label(0.5 * (m.lo + m.hi)), black);
  cv.text(lx, bottom - 9, scale_label(m.lo), black);
  cv.text(bx, bottom + 4, m.unit, black);
  write_png_rgb(path, W, H, cv.px);
}

}  // namespace flimgru
