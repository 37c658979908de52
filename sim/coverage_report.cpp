// coverage_report: docs/coverage.md from the coverage counters of a --coverage build of the
// harness (the cov-*.dat files that sim/verify_context.hpp writes, Verilator's
// SystemC::Coverage-3 format: one point per line, "C '<key>' <count>", the key a list of
// \x01name\x02value fields: f file, l line, page v_line|v_branch|v_toggle/<module>, o what, h
// the instance). A point counts once per source location (every instance, parameterization
// and, for `include`d code, every module summed: a line is covered if anything ran it). Per RTL file: line coverage (Verilator's line and branch points:
// every statement block and every if/else/case arm) and toggle coverage (every bit of every
// signal seen rising and falling), and the lines never run, each with its reason from
// REASONS.tsv (file, line, why: tab-separated, # comments) or flagged as not explained.
//   flimgru_coverage_report DAT_DIR OUT.md "COMMAND" [REASONS.tsv]   (COMMAND: how the counters were made)
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "error.hpp"
#include "files.hpp"

namespace fs = std::filesystem;

namespace {

struct Point {
  std::string file, page;
  int line = 0;
};

// The fields of one key; false if the line is not a coverage point.
bool parse_point(const std::string& text, std::string* key, uint64_t* count) {
  if (text.size() < 4 || text.compare(0, 3, "C '") != 0) return false;
  const size_t end = text.rfind('\'');
  if (end == std::string::npos || end < 3) return false;
  *key = text.substr(3, end - 3);
  *count = std::stoull(text.substr(end + 1));
  return true;
}

std::map<std::string, std::string> fields(const std::string& key) {
  std::map<std::string, std::string> f;
  size_t i = 0;
  while ((i = key.find('\x01', i)) != std::string::npos) {
    const size_t sep = key.find('\x02', i);
    if (sep == std::string::npos) break;
    size_t next = key.find('\x01', sep);
    f[key.substr(i + 1, sep - i - 1)] = key.substr(sep + 1, (next == std::string::npos ? key.size() : next) - sep - 1);
    i = sep;
  }
  return f;
}

struct FileCov {
  uint64_t line_total = 0, line_hit = 0, toggle_total = 0, toggle_hit = 0;
  std::set<int> missed_lines;
};

std::string pct(uint64_t hit, uint64_t total) {
  if (total == 0) return "—";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100.0 * hit / total);
  return b;
}

std::string line_list(const std::set<int>& lines, size_t max_items) {
  std::ostringstream s;
  size_t k = 0;
  for (int l : lines) {
    if (k == max_items) {
      s << " … (" << lines.size() << " in all)";
      break;
    }
    s << (k++ ? ", " : "") << l;
  }
  return s.str();
}

// A source path relative to the repository (rtl/..., boards/...), whatever checkout and build
// directory it was compiled from.
std::string repo_path(const std::string& path) {
  std::string file = fs::path(path).lexically_normal().string();
  for (const char* root : {"/rtl/", "/boards/"}) {
    const size_t k = file.rfind(root);
    if (k != std::string::npos) return file.substr(k + 1);
  }
  return file;
}

// REASONS.tsv: "file<TAB>line<TAB>why" per line never run ("" path: none).
std::map<std::pair<std::string, int>, std::string> read_reasons(const std::string& path) {
  std::map<std::pair<std::string, int>, std::string> r;
  if (path.empty()) return r;
  std::ifstream in = flimgru::open_for_reading(path);
  std::string text;
  int n = 0;
  while (std::getline(in, text)) {
    ++n;
    if (text.empty() || text[0] == '#') continue;
    const size_t a = text.find('\t'), b = a == std::string::npos ? a : text.find('\t', a + 1);
    if (b == std::string::npos) throw flimgru::Error(path + ":" + std::to_string(n) + ": expected file, line and why, tab-separated");
    const int line = std::atoi(text.substr(a + 1, b - a - 1).c_str());
    if (line <= 0) throw flimgru::Error(path + ":" + std::to_string(n) + ": not a line number");
    r[{text.substr(0, a), line}] = text.substr(b + 1);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: %s DAT_DIR OUT.md COMMAND [REASONS.tsv]\n", argv[0]);
    return 2;
  }
  try {
    const std::string dir = argv[1], out = argv[2], command = argv[3];
    const auto reasons = read_reasons(argc == 5 ? argv[4] : "");
    if (!fs::is_directory(dir)) throw flimgru::Error(dir + ": not a directory of coverage files");
    flimgru::check_file_writable(out);
    // location (key without the instance) -> summed count
    std::map<std::string, uint64_t> points;
    std::map<std::string, Point> where;
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".dat") continue;
      ++files;
      std::ifstream in = flimgru::open_for_reading(e.path().string());
      std::string text, key;
      uint64_t count = 0;
      while (std::getline(in, text)) {
        if (!parse_point(text, &key, &count)) continue;
        auto f = fields(key);
        // One location whatever the path it was compiled from (rtl/x.v, sim/board/../../rtl/x.v,
        // another checkout) and whatever module or parameters it was compiled in (the page
        // v_line/name__A15_R14 keeps only its kind: a `include`d function is one location in
        // every module).
        f["f"] = repo_path(f["f"]);
        if (const size_t k = f["page"].find('/'); k != std::string::npos) f["page"].erase(k);
        Point p{f["f"], f["page"], std::atoi(f["l"].c_str())};
        f.erase("h");
        std::string loc;
        for (const auto& [k, v] : f) loc += k + "=" + v + ";";
        points[loc] += count;
        where.emplace(loc, p);
      }
    }
    if (files == 0) throw flimgru::Error(dir + ": no cov-*.dat files (was the harness built with FLIMGRU_VERIFY=coverage?)");

    std::map<std::string, FileCov> by_file;
    for (const auto& [loc, count] : points) {
      const Point& p = where[loc];
      FileCov& c = by_file[p.file];
      const bool toggle = p.page.rfind("v_toggle", 0) == 0;
      if (toggle) {
        ++c.toggle_total;
        c.toggle_hit += count > 0;
      } else {
        ++c.line_total;
        c.line_hit += count > 0;
        if (count == 0) c.missed_lines.insert(p.line);
      }
    }

    size_t missed = 0, explained = 0;
    for (const auto& [file, c] : by_file)
      for (int l : c.missed_lines) {
        ++missed;
        explained += reasons.count({file, l});
      }
    FileCov rtl;
    for (const auto& [file, c] : by_file)
      if (file.rfind("rtl/", 0) == 0) {
        rtl.line_total += c.line_total, rtl.line_hit += c.line_hit;
        rtl.toggle_total += c.toggle_total, rtl.toggle_hit += c.toggle_hit;
      }
    char date[64];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    flimgru::write_file(out, [&](std::ostream& o) {
      o << "# RTL coverage\n\nGenerated by `make coverage` (sim/coverage_report.cpp) on " << date << " from " << files
        << " coverage files of the harness verilated with `--coverage` (FLIMGRU_VERIFY=coverage), made by:\n\n    "
        << command
        << "\n\nLine coverage counts Verilator's line and branch points (every statement block and every "
           "if/else/case arm), toggle coverage every bit of every signal seen both rising and falling; a point is "
           "one source location (file, line, arm or bit), covered if any instance, any parameterization or, for "
           "an `include`d file, any module that includes it reached it.\n\n"
        << "**rtl/ in all: line " << pct(rtl.line_hit, rtl.line_total) << " (" << rtl.line_hit << " / "
        << rtl.line_total << "), toggle " << pct(rtl.toggle_hit, rtl.toggle_total) << " (" << rtl.toggle_hit << " / "
        << rtl.toggle_total << ").**\n\n"
        << "| file | line | points | toggle | bits | lines never run |\n|---|---|---|---|---|---|\n";
      for (const auto& [file, c] : by_file)
        o << "| " << file << " | " << pct(c.line_hit, c.line_total) << " | " << c.line_hit << " / " << c.line_total
          << " | " << pct(c.toggle_hit, c.toggle_total) << " | " << c.toggle_hit << " / " << c.toggle_total << " | "
          << line_list(c.missed_lines, 12) << " |\n";
      o << "\n## Lines never run, and why\n\n" << explained << " of " << missed
        << " explained (the reasons are sim/coverage_reasons.tsv).\n\n| file | line | why |\n|---|---|---|\n";
      for (const auto& [file, c] : by_file)
        for (int l : c.missed_lines) {
          const auto r = reasons.find({file, l});
          o << "| " << file << " | " << l << " | " << (r == reasons.end() ? "**not explained**" : r->second) << " |\n";
        }
    });
    std::printf("coverage: rtl/ line %s, toggle %s (%zu files); %zu of %zu lines never run explained -> %s\n",
                pct(rtl.line_hit, rtl.line_total).c_str(), pct(rtl.toggle_hit, rtl.toggle_total).c_str(), files,
                explained, missed, out.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flimgru_coverage_report: %s\n", e.what());
    return 1;
  }
}
