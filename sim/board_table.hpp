// The boards of boards/boards.tsv as the benches need them: name, lanes, MAC rows (and how many
// of them multiply in LUTs), clock.
// Shared by flimgru_rtl_bench (a cycle row for every board's core) and flimgru_chip_bench (each
// board's own pixel rate), so a board added or re-configured in the table is in both.
#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "error.hpp"

namespace flimgru::sim {

struct BoardRow {
  std::string name;
  int lanes = 0, rows = 0;
  double mhz = 0;    // pll_mhz: the system clock
  int lut_rows = 0;  // lut_rows (the last column; 0 where a line has none)
};

inline std::vector<BoardRow> read_board_table() {
  const std::string path = FLIMGRU_SOURCE_DIR "/boards/boards.tsv";
  std::ifstream f(path);
  if (!f) throw file_error(path, "cannot open");
  std::vector<BoardRow> b;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::vector<std::string> c;
    for (std::string w; ss >> w;) c.push_back(w);
    if (c.size() < 12) throw file_error(path, "a board line with fewer than 12 columns: " + line);
    b.push_back({c[0], std::stoi(c[9]), std::stoi(c[10]), std::stod(c[6]), c.size() > 18 ? std::stoi(c[18]) : 0});
  }
  return b;
}

}  // namespace flimgru::sim
