// fpga_report: docs/fpga.md from build/<board>/report.json and friends (fpga_report.hpp).
#include "fpga_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "error.hpp"
#include "link_protocol.hpp"

namespace flimgru {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;  // file order: the first of equal constraints is the clock

constexpr int kSteps = 135;
constexpr int kUartBitsPerTpsf = link::kTpsfFrameWireBits;
const std::pair<int, int> kImages[] = {{32, 32}, {128, 128}, {484, 250}};

struct BoardRow {
  std::string board, device, pkg, speed;
  double clk_mhz = 0, pll_mhz = 0;
  long long baud = 0;
  int lanes = 0, mac_rows = 0;
};

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

// Python's f"{v:,}" with the commas as spaces.
std::string fmt_int(long long v) {
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ' ';
    out += s[i];
  }
  return v < 0 ? "-" + out : out;
}

// Python's round(): halves to even (the default rounding mode).
long long round_even(double v) { return (long long)std::nearbyint(v); }

// A JSON value as Python's str() prints it (numbers of nextpnr's report).
std::string py_str(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw file_error(path, "cannot open");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Json read_json(const std::string& path) {
  const std::string text = read_text(path);
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw file_error(path, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw file_error(path, "not a JSON object (expected nextpnr's report)");
  return j;
}

double number(const Json& j, const char* key, const std::string& path, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number())
    throw file_error(path, where + " has no number '" + key + "'");
  return j[key].get<double>();
}

std::vector<BoardRow> read_boards(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw file_error(path, "cannot open (the board table)");
  std::vector<BoardRow> rows;
  std::string line;
  for (int no = 1; std::getline(f, line); ++no) {
    if (line.rfind("#", 0) == 0 || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream ss(line);
    std::vector<std::string> v;
    for (std::string w; ss >> w;) v.push_back(w);
    const std::string at = "line " + std::to_string(no) + ": ";
    if (v.size() < 11) throw file_error(path, at + "expected at least 11 fields, found " + std::to_string(v.size()));
    BoardRow b;
    b.board = v[0];
    b.device = v[1];
    b.pkg = v[2];
    b.speed = v[3];
    try {
      size_t used = 0;
      auto num = [&](const std::string& s) {
        const double x = std::stod(s, &used);
        if (used != s.size()) throw std::invalid_argument(s);
        return x;
      };
      b.clk_mhz = num(v[5]);
      b.pll_mhz = num(v[6]);
      b.baud = (long long)num(v[7]);
      b.lanes = int(num(v[9]));
      b.mac_rows = int(num(v[10]));
    } catch (const std::logic_error&) {
      throw file_error(path, at + "clk_mhz, pll_mhz, baud, lanes and mac_rows must be numbers");
    }
    if (b.lanes < 1) throw file_error(path, at + "lanes must be >= 1");
    rows.push_back(b);
  }
  return rows;
}

std::map<std::string, long long> model_params(const std::string& path) {
  const std::string text = read_text(path);
  static const std::regex re(R"(localparam integer (\w+) = (-?\d+);)");
  std::map<std::string, long long> p;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    p[(*it)[1].str()] = std::stoll((*it)[2].str());
  for (const char* k : {"H", "L", "MAC_ROWS"})
    if (!p.count(k)) throw file_error(path, std::string("no localparam ") + k + " (not a model_params.vh?)");
  if (p["H"] < 1 || p["L"] < 1 || p["MAC_ROWS"] < 1) throw file_error(path, "H, L and MAC_ROWS must be >= 1");
  return p;
}

// Resources of parts that nextpnr does not know by themselves: the 12F is placed on the 25K die.
std::vector<std::pair<std::string, long long>> part_limits(const std::string& device) {
  if (device == "--12k") return {{"TRELLIS_COMB", 12288}, {"DP16KD", 32}, {"MULT18X18D", 28}};
  return {};
}

// The RTL's gate latency: a row group's last column issued at (g+1)K-1 makes row m's state readable
// at (g+1)K + kGateVisible + m (docs/architecture.md; sim/scoreboard.hpp checks it cycle by cycle);
// MAC_LATENCY + GATE_LATENCY of rtl/core/flimgru_timing.vh (CMakeLists.txt defines them).
#if !defined(FLIMGRU_MAC_LATENCY) || !defined(FLIMGRU_GATE_LATENCY)
#error "FLIMGRU_MAC_LATENCY / FLIMGRU_GATE_LATENCY: defined by CMakeLists.txt from rtl/core/flimgru_timing.vh"
#endif
constexpr long long kGateVisible = FLIMGRU_MAC_LATENCY + FLIMGRU_GATE_LATENCY;

long long drain(long long K, long long H, long long P, long long G) {
  long long worst = 0;
  for (long long j = 0; j < H; ++j)
    worst = std::max(worst, (((3 * j + 2) / P) + 1) * K + kGateVisible + ((3 * j + 2) % P) - j);
  return std::max(0LL, worst - G * K);
}

void self_check() {
  // The rows of docs/architecture.md's table (checked there against the RTL simulation).
  const long long rows[][4] = {{32, 1, 12, 70200}, {16, 2, 8, 83430}, {32, 1, 20, 44145}, {32, 1, 16, 52920},
                               {32, 1, 32, 30915}, {32, 1, 25, 36720}, {32, 1, 21, 43875}};
  for (const auto& r : rows)
    if (fpga_batch_cycles(int(r[0]), int(r[1]), int(r[2])) != r[3])
      throw Error("cycle formula: H" + std::to_string(r[0]) + " L" + std::to_string(r[1]) + " P" +
                  std::to_string(r[2]) + ": " + std::to_string(fpga_batch_cycles(int(r[0]), int(r[1]), int(r[2]))) +
                  " != " + std::to_string(r[3]));
}

}  // namespace

long long fpga_batch_cycles(int H, int L, int P) {
  const long long G = (3LL * H + P - 1) / P;
  long long c = G * (1 + H) + drain(1 + H, H, P, G) + G * H + drain(H, H, P, G);
  c += (L - 1) * 2LL * (G * 2 * H + drain(2LL * H, H, P, G));
  return kSteps * c;
}

FpgaReport make_fpga_report(const std::string& root, const std::string& when) {
  self_check();
  FpgaReport rep;
  const std::vector<BoardRow> boards = read_boards(root + "/boards/boards.tsv");
  std::vector<std::string> res_rows, perf_rows, attempts;
  for (const BoardRow& b : boards) {
    const std::string d = root + "/build/" + b.board;
    const std::string rep_path = d + "/report.json", vh = d + "/rom/model_params.vh";
    if (!fs::exists(rep_path) || !fs::exists(vh)) {
      rep.missing.push_back(b.board);
      continue;
    }
    Json r = read_json(rep_path);
    Json util = r.contains("utilization") ? r["utilization"] : Json::object();
    if (!util.is_object()) throw file_error(rep_path, "'utilization' is not an object");
    for (const auto& [k, v] : part_limits(b.device))
      if (util.contains(k)) util[k]["available"] = v;
    const Json fmax = r.contains("fmax") ? r["fmax"] : Json::object();
    if (!fmax.is_object()) throw file_error(rep_path, "'fmax' is not an object");
    // The system clock: the constrained clock domain (the only one with the PLL).
    const Json* clk = nullptr;
    for (const auto& [name, f] : fmax.items()) {
      const double c = number(f, "constraint", rep_path, "fmax." + name);
      number(f, "achieved", rep_path, "fmax." + name);
      if (!clk || c > (*clk)["constraint"].get<double>()) clk = &f;
    }
    const auto mp = model_params(vh);
    const int H = int(mp.at("H")), L = int(mp.at("L")), P = int(mp.at("MAC_ROWS"));
    const long long bc = fpga_batch_cycles(H, L, P);
    const double cyc = double(bc) / b.lanes;
    auto u = [&](const char* k) -> std::string {
      if (!util.contains(k)) return "-";
      const Json& e = util[k];
      if (!e.is_object() || !e.contains("used") || !e.contains("available"))
        throw file_error(rep_path, std::string("utilization.") + k + " lacks 'used' or 'available'");
      return py_str(e["used"]) + " / " + py_str(e["available"]);
    };
    std::string dev = b.device;
    dev.erase(0, dev.find_first_not_of('-'));
    std::string row = "| " + b.board + " | " + dev + " -" + b.speed + " | " + std::to_string(b.lanes) + " x " +
                      std::to_string(P) + " | " + u("TRELLIS_COMB") + " | " + u("TRELLIS_FF") + " | " +
                      u("MULT18X18D") + " | " + u("DP16KD") + " | ";
    if (clk) {
      const double a = (*clk)["achieved"].get<double>(), c = (*clk)["constraint"].get<double>();
      row += fmt("%.1f", a) + " / " + fmt("%.1f", c) + (a >= c ? " ok" : " **FAIL**");
    } else {
      row += "-";
    }
    res_rows.push_back(row + " |");
    const double f_hz = clk ? (*clk)["constraint"].get<double>() * 1e6 : b.pll_mhz * 1e6;
    const double tpsf_s = f_hz / cyc;
    const double uart = double(b.baud) / kUartBitsPerTpsf;
    const double eff = std::min(tpsf_s, uart);
    std::string fps;
    for (const auto& [w, h] : kImages)
      fps += (fps.empty() ? "" : " | ") + fmt("%.3g", tpsf_s / (w * h)) + " (" + fmt("%.3g", eff / (w * h)) + ")";
    perf_rows.push_back("| " + b.board + " | H" + std::to_string(H) + " L" + std::to_string(L) + " | " + fmt_int(bc) +
                        " | " + fmt_int(round_even(cyc)) + " | " + fmt("%.1f", f_hz / 1e6) + " | " +
                        fmt_int(round_even(tpsf_s)) + " | " + fmt("%g", double(b.baud) / 1e6) + " M | " +
                        fmt_int(round_even(uart)) + " | " + fps + " |");
  }
  rep.boards = int(res_rows.size());

  // Other attempts at a board: build/<board>-*/ (flow.sh OUT_DIR=..., e.g. another PLL_MHZ).
  static const std::regex est_re(R"(Max frequency for clock '[^']*': ([0-9.]+) MHz \((?:FAIL|PASS) at ([0-9.]+) MHz\))");
  for (const BoardRow& b : boards) {
    std::vector<std::string> dirs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root + "/build", ec)) {
      const std::string n = e.path().filename().string();
      if (n.rfind(b.board + "-", 0) == 0) dirs.push_back(n);
    }
    std::sort(dirs.begin(), dirs.end());
    for (const std::string& n : dirs) {
      const std::string d = root + "/build/" + n, rp = d + "/report.json", lp = d + "/nextpnr.log";
      const std::string name = "build/" + n;
      if (fs::exists(rp)) {
        const Json r = read_json(rp);
        if (!r.contains("fmax")) continue;
        if (!r["fmax"].is_object()) throw file_error(rp, "'fmax' is not an object");
        for (const auto& [clk, f] : r["fmax"].items()) {
          const double c = number(f, "constraint", rp, "fmax." + clk), a = number(f, "achieved", rp, "fmax." + clk);
          attempts.push_back("| " + name + " | " + fmt("%.1f", c) + " | " + fmt("%.1f", a) + " | routed, timing " +
                             (a >= c ? "met" : "not met") + " |");
        }
      } else if (fs::exists(lp)) {
        std::ifstream f(lp);
        std::string line, achieved, constraint;
        while (std::getline(f, line)) {
          if (line.find("Max frequency for clock") == std::string::npos) continue;
          for (std::sregex_iterator it(line.begin(), line.end(), est_re), end; it != end; ++it) {
            achieved = (*it)[1].str();
            constraint = (*it)[2].str();
          }
        }
        if (!achieved.empty())
          attempts.push_back("| " + name + " | " + fmt("%.1f", std::stod(constraint)) + " | " +
                             fmt("%.1f", std::stod(achieved)) +
                             " | stopped before routing finished: nextpnr's post-placement estimate |");
      }
    }
  }

  std::string img_hdr, img_sep;
  for (const auto& [w, h] : kImages) {
    img_hdr += (img_hdr.empty() ? "" : " | ") + ("fps " + std::to_string(w) + "x" + std::to_string(h));
    img_sep += "---|";
  }
  std::vector<std::string> lines = {
      "# flimgru on FPGA boards",
      "",
      "Generated by `make report` (flimgru fpga-report) on " + when + " from `build/<board>/report.json`",
      "(nextpnr-ecp5), `build/<board>/rom/model_params.vh` (the model built into the bitstream) and",
      "`boards/boards.tsv`. Rebuild a row with `make synth BOARD=<board>`, then `make report`.",
      "",
      "## Resources and timing (nextpnr-ecp5, placed and routed with the board's pins)",
      "",
      "| board | device | lanes x MAC rows | LUT4 | FF | MULT18X18D | DP16KD | Fmax achieved / constraint (MHz) |",
      "|---|---|---|---|---|---|---|---|"};
  lines.insert(lines.end(), res_rows.begin(), res_rows.end());
  for (const std::string& l :
       {std::string(""), std::string("## Throughput"), std::string(""),
        std::string("Cycles per TPSF = batch_cycles / lanes, batch_cycles = 135 · Σ over the layer-steps of one encoder"),
        std::string("and one decoder step of (G·K + Drain(K)) (docs/architecture.md, \"Exact cycle count\"; the"),
        std::string("formula is checked against the architecture table before use). TPSF/s = constraint clock /"),
        std::string("cycles per TPSF (the clock the bitstream is built for). The UART limit: one TPSF frame is"),
        std::to_string(kUartBitsPerTpsf) +
            " bit times on the wire (docs/protocol.md §5). fps: frames per second of the core",
        std::string("alone, in parentheses end to end, min(core, UART)."), std::string(""),
        "| board | model | batch cycles | cycles / TPSF | clock (MHz) | TPSF/s (core) | baud | pixels/s (UART) | " +
            img_hdr + " |",
        "|---|---|---|---|---|---|---|---|" + img_sep})
    lines.push_back(l);
  lines.insert(lines.end(), perf_rows.begin(), perf_rows.end());
  lines.push_back("");
  if (!attempts.empty()) {
    for (const char* l : {"## Other attempts (build/<board>-*/)", "",
                          "| build directory | constraint (MHz) | Fmax (MHz) | note |", "|---|---|---|---|"})
      lines.push_back(l);
    lines.insert(lines.end(), attempts.begin(), attempts.end());
    lines.push_back("");
  }
  if (!rep.missing.empty()) {
    std::string m;
    for (const auto& b : rep.missing) m += (m.empty() ? "" : ", ") + b;
    lines.push_back("Not built (no build/<board>/report.json): " + m + ".");
    lines.push_back("");
  }
  for (size_t i = 0; i < lines.size(); ++i) rep.markdown += (i ? "\n" : "") + lines[i];
  return rep;
}

FpgaCheck fpga_check(const std::string& report_json, const std::string& board, const std::string& device,
                     const std::string& mhz, double min_margin_pct) {
  Json r = read_json(report_json);
  Json util = r.contains("utilization") ? r["utilization"] : Json::object();
  if (!util.is_object()) throw file_error(report_json, "'utilization' is not an object");
  FpgaCheck c;
  c.ok = true;
  std::vector<std::string> lines;
  char buf[256];
  auto count = [&](const Json& e, const char* field, const std::string& k) {
    if (!e.is_object() || !e.contains(field) || !e[field].is_number_integer())
      throw file_error(report_json, "utilization." + k + " lacks an integer '" + field + "'");
    return e[field].get<long long>();
  };
  for (const auto& [k, v] : part_limits(device)) {
    if (!util.contains(k)) continue;
    util[k]["available"] = v;
    if (count(util[k], "used", k) > v) {
      c.ok = false;
      lines.push_back("  DOES NOT FIT: " + k + " " + std::to_string(count(util[k], "used", k)) + " > " +
                      std::to_string(v) + " on this part");
    }
  }
  lines.push_back("board " + board + ", target " + mhz + " MHz");
  const std::pair<const char*, const char*> names[] = {
      {"TRELLIS_COMB", "LUT4 (TRELLIS_COMB)"}, {"TRELLIS_FF", "FF"}, {"TRELLIS_RAMW", "LUTRAM write ports"},
      {"DP16KD", "DP16KD"}, {"MULT18X18D", "MULT18X18D"}, {"EHXPLLL", "EHXPLLL"}, {"TRELLIS_IO", "IO"}};
  for (const auto& [k, label] : names) {
    if (!util.contains(k)) continue;
    std::snprintf(buf, sizeof buf, "  %-22s %7lld / %7lld", label, count(util[k], "used", k),
                  count(util[k], "available", k));
    lines.push_back(buf);
  }
  const Json fmax = r.contains("fmax") ? r["fmax"] : Json::object();
  if (!fmax.is_object()) throw file_error(report_json, "'fmax' is not an object");
  for (const auto& [clk, f] : fmax.items()) {
    const double achieved = number(f, "achieved", report_json, "fmax." + clk);
    const double constraint = number(f, "constraint", report_json, "fmax." + clk);
    const double margin_pct = constraint > 0 ? 100.0 * (achieved / constraint - 1.0) : 0.0;
    const bool met = achieved >= constraint, good = met && margin_pct >= min_margin_pct;
    c.ok = c.ok && good;
    const std::string verdict = !met ? "FAIL (timing not met)"
                                : good ? "ok"
                                       : "FAIL (margin under the required " + fmt("%.1f", min_margin_pct) + "%)";
    std::snprintf(buf, sizeof buf, "  Fmax %s: %.1f MHz (constraint %.1f MHz, margin %+.1f%%) %s", clk.c_str(),
                  achieved, constraint, margin_pct, verdict.c_str());
    lines.push_back(buf);
  }
  if (fmax.empty()) {
    lines.push_back("  no clock constraint found in the report");
    c.ok = false;
  }
  for (const auto& l : lines) c.summary += l + "\n";
  return c;
}

}  // namespace flimgru
