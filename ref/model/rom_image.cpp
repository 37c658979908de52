// rom_image: see rom_image.hpp and docs/numerics.md §9.
#include "rom_image.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "error.hpp"
#include "files.hpp"
#include "sha256.hpp"
#include "version.hpp"

namespace flimgru {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRomFormat = "flimgru-rom-1";

// A memory image: `depth` words of `width` bits, built from (value, lsb, bits) fields.
struct Image {
  int width = 0;
  std::vector<std::vector<uint8_t>> words;  // one bit per entry, LSB first

  explicit Image(int w) : width(w) {}
  std::vector<uint8_t>& add_word() {
    words.emplace_back(width, 0);
    return words.back();
  }
  static void put(std::vector<uint8_t>& word, int64_t value, int lsb, int bits) {
    for (int b = 0; b < bits; ++b) word[lsb + b] = (uint64_t(value) >> b) & 1;
  }
  std::string text() const {
    const int digits = (width + 3) / 4;
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (const auto& w : words) {
      for (int d = digits - 1; d >= 0; --d) {
        int v = 0;
        for (int b = 0; b < 4; ++b)
          if (4 * d + b < width && w[4 * d + b]) v |= 1 << b;
        out.push_back(hex[v]);
      }
      out.push_back('\n');
    }
    return out;
  }
};

// Reads a hex image with exact checks; words as bit vectors.
Image read_image(const std::string& path, int width, int depth) {
  std::ifstream f(path);
  if (!f) throw file_error(path, "missing or unreadable ROM image");
  Image img(width);
  const int digits = (width + 3) / 4;
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    const std::string where = "line " + std::to_string(n);
    if (n > depth) throw file_error(path, where + ": more than the " + std::to_string(depth) + " words the manifest declares");
    if (int(line.size()) != digits)
      throw file_error(path, where + ": " + std::to_string(line.size()) + " hex digits, expected " +
                                 std::to_string(digits) + " for a " + std::to_string(width) + "-bit word");
    auto& w = img.add_word();
    for (int d = 0; d < digits; ++d) {
      const char c = line[digits - 1 - d];
      int v;
      if (c >= '0' && c <= '9') v = c - '0';
      else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
      else throw file_error(path, where + ": '" + std::string(1, c) + "' is not a hex digit");
      for (int b = 0; b < 4; ++b) {
        const int bit = 4 * d + b;
        if (bit < width) w[bit] = (v >> b) & 1;
        else if ((v >> b) & 1) throw file_error(path, where + ": value wider than " + std::to_string(width) + " bits");
      }
    }
  }
  if (n != depth)
    throw file_error(path, std::to_string(n) + " words, expected " + std::to_string(depth) + " (truncated file?)");
  return img;
}

int64_t field(const std::vector<uint8_t>& w, int lsb, int bits, bool is_signed) {
  uint64_t v = 0;
  for (int b = 0; b < bits; ++b) v |= uint64_t(w[lsb + b]) << b;
  if (is_signed && bits < 64 && (v >> (bits - 1)) & 1) v |= ~uint64_t(0) << bits;
  return int64_t(v);
}

std::string layer_name(bool enc, int l) { return std::string(enc ? "enc" : "dec") + "_l" + std::to_string(l); }

int groups(int hidden, int p) { return (3 * hidden + p - 1) / p; }

}  // namespace

void write_rom_set(const QuantModel& m, int P, const std::string& dir, const nlohmann::json& provenance) {
  m.validate("model for " + dir);
  if (P < 1 || P > 3 * m.hidden) throw Error(dir + ": mac_rows must be 1.." + std::to_string(3 * m.hidden));
  const int H = m.hidden, WB = m.fmt.weight_bits, G = groups(H, P);
  std::map<std::string, Image> images;
  auto weights_image = [&](const QuantLayer& L) {
    Image img(P * WB);
    for (int g = 0; g < G; ++g)
      for (int c = 0; c < L.cols(); ++c) {
        auto& w = img.add_word();
        for (int k = 0; k < P; ++k) {
          const int rho = g * P + k;
          if (rho < 3 * H) Image::put(w, L.weight(rom_row_to_model_row(rho, H), c), k * WB, WB);
        }
      }
    return img;
  };
  auto units_image = [&](const QuantLayer& L) {
    Image img(112);
    for (int j = 0; j < H; ++j) {
      auto& w = img.add_word();
      const int64_t f[7] = {L.b_hn[j], L.b_in[j], L.b_z[j], L.b_r[j], L.m[2 * H + j], L.m[H + j], L.m[j]};
      for (int i = 0; i < 7; ++i) Image::put(w, f[i], 16 * i, 16);
    }
    return img;
  };
  for (int l = 0; l < m.layers; ++l)
    for (bool enc : {true, false}) {
      const auto& L = enc ? m.encoder[l] : m.decoder[l];
      images.emplace(layer_name(enc, l) + "_weights.hex", weights_image(L));
      images.emplace(layer_name(enc, l) + "_units.hex", units_image(L));
    }
  {
    Image hw(3 * WB), hp(32);
    for (int k = 0; k < H; ++k) {
      auto& w = hw.add_word();
      for (int c = 0; c < kChannels; ++c) Image::put(w, m.head_w[size_t(c) * H + k], c * WB, WB);
    }
    for (int c = 0; c < kChannels; ++c) {
      auto& w = hp.add_word();
      Image::put(w, m.head_b[c], 0, 16);
      Image::put(w, m.head_m[c], 16, 16);
    }
    images.emplace("head_weights.hex", hw);
    images.emplace("head_params.hex", hp);
    Image sg(16), th(16);
    for (auto v : m.sigmoid_table) Image::put(sg.add_word(), v, 0, 16);
    for (auto v : m.tanh_table) Image::put(th.add_word(), v, 0, 16);
    images.emplace("sigmoid.hex", sg);
    images.emplace("tanh.hex", th);
  }

  // an existing DIR is replaced only if it is a ROM set (holds a manifest.json)
  write_dir(dir, "manifest.json", [&](const std::string& tmp_dir) {
    const fs::path tmp(tmp_dir);
    nlohmann::json manifest;
    manifest["format"] = kRomFormat;
    manifest["number_format"] = m.fmt.name();
    manifest["weight_bits"] = m.fmt.weight_bits;
    manifest["state_bits"] = m.fmt.state_bits;
    manifest["frac_bits"] = m.fmt.frac_bits;
    manifest["table_bits"] = m.fmt.table_bits;
    manifest["layers"] = m.layers;
    manifest["hidden"] = H;
    if (m.input_width != 1) manifest["input_width"] = m.input_width;  // absent: 1 (numerics §9)
    manifest["steps"] = kBins;
    manifest["mac_rows"] = P;
    manifest["row_groups"] = G;
    manifest["rq_shift"] = m.rq_shift;
    manifest["macs_per_tpsf"] = m.macs_per_tpsf();
    manifest["source"] = provenance;
    manifest[kVersionKey] = version_string();
    for (auto& [name, img] : images) {
      const std::string text = img.text();
      write_file((tmp / name).string(), text);
      manifest["files"][name] = {{"width", img.width},
                                 {"depth", img.words.size()},
                                 {"sha256", sha256_bytes(text.data(), text.size())}};
    }
    std::ostringstream vh;
    vh << "// model_params.vh: dimensions and formats of this ROM set, for the RTL.\n"
       << "// Generated by flimgru quantize (docs/numerics.md §9); do not edit.\n"
       << "localparam integer H = " << H << ";\n"
       << "localparam integer L = " << m.layers << ";\n"
       << "localparam integer STEPS = " << kBins << ";\n"
       << "localparam integer IN_DIM = " << m.input_width << ";\n"
       << "localparam integer MAC_ROWS = " << P << ";\n"
       << "localparam integer ROW_GROUPS = " << G << ";\n"
       << "localparam integer RQ_SHIFT = " << m.rq_shift << ";\n"
       << "localparam integer WEIGHT_BITS = " << WB << ";\n"
       << "localparam integer STATE_BITS = " << m.fmt.state_bits << ";\n"
       << "localparam integer FRAC_BITS = " << m.fmt.frac_bits << ";\n"
       << "localparam integer TABLE_BITS = " << m.fmt.table_bits << ";\n"
       << "localparam integer ENC_L0_COLS = " << m.encoder[0].cols() << ";\n"
       << "localparam integer DEC_L0_COLS = " << m.decoder[0].cols() << ";\n"
       << "localparam integer ENC_L0_DEPTH = " << G * m.encoder[0].cols() << ";\n"
       << "localparam integer DEC_L0_DEPTH = " << G * m.decoder[0].cols() << ";\n"
       << "localparam integer UPPER_COLS = " << 2 * H << ";   // layers above 0: input H + hidden H\n"
       << "localparam integer UPPER_DEPTH = " << G * 2 * H << ";\n";
    write_file((tmp / "model_params.vh").string(), vh.str());
    manifest["files"]["model_params.vh"] = {{"sha256", sha256_file((tmp / "model_params.vh").string())}};
    write_file((tmp / "manifest.json").string(), manifest.dump(2) + "\n");
  });
}

QuantModel load_rom_set(const std::string& dir, nlohmann::json* manifest_out) {
  const fs::path d(dir);
  const std::string mpath = (d / "manifest.json").string();
  nlohmann::json man;
  {
    std::ifstream f(mpath);
    if (!f) throw file_error(mpath, "missing: not a ROM set directory");
    try {
      f >> man;
    } catch (const std::exception& e) {
      throw file_error(mpath, std::string("not valid JSON: ") + e.what());
    }
  }
  QuantModel m;
  int P = 0;
  try {
    if (man.at("format").get<std::string>() != kRomFormat)
      throw file_error(mpath, "format is not " + std::string(kRomFormat));
    m.fmt = {man.at("weight_bits").get<int>(), man.at("state_bits").get<int>(),
             man.at("frac_bits").get<int>(), man.at("table_bits").get<int>()};
    m.layers = man.at("layers").get<int>();
    m.hidden = man.at("hidden").get<int>();
    m.input_width = man.value("input_width", 1);
    m.rq_shift = man.at("rq_shift").get<int>();
    P = man.at("mac_rows").get<int>();
    man.at("files");
  } catch (const nlohmann::json::exception& e) {
    throw file_error(mpath, std::string("missing or malformed field: ") + e.what());
  }
  if (m.layers < 1 || m.layers > 8 || m.hidden < 1 || m.hidden > 1024 || P < 1 || P > 3 * m.hidden ||
      m.input_width < 1 || m.input_width > 2)
    throw file_error(mpath, "implausible dimensions (layers, hidden, mac_rows, input_width)");
  if (m.fmt.weight_bits != 8 && m.fmt.weight_bits != 16)
    throw file_error(mpath, "weight_bits must be 8 or 16");
  const int H = m.hidden, WB = m.fmt.weight_bits, G = groups(H, P);

  auto open = [&](const std::string& name, int width, int depth) {
    const std::string path = (d / name).string();
    if (!man["files"].contains(name)) throw file_error(mpath, "does not list " + name);
    const auto& e = man["files"][name];
    if (e.value("width", -1) != width || e.value("depth", -1) != depth)
      throw file_error(mpath, name + " is listed as " + std::to_string(e.value("width", -1)) + " bits x " +
                                  std::to_string(e.value("depth", -1)) + " words, but the model needs " +
                                  std::to_string(width) + " x " + std::to_string(depth));
    Image img = read_image(path, width, depth);
    const std::string sum = sha256_file(path);
    if (sum != e.value("sha256", "")) throw file_error(path, "SHA-256 differs from manifest.json (file changed?)");
    return img;
  };
  auto read_layer = [&](bool enc, int l) {
    QuantLayer L;
    L.in_dim = (!enc && l == 0) ? 0 : (l == 0 ? m.input_width : H);
    L.hidden = H;
    L.w.assign(size_t(3 * H) * L.cols(), 0);
    const Image wi = open(layer_name(enc, l) + "_weights.hex", P * WB, G * L.cols());
    for (int g = 0; g < G; ++g)
      for (int c = 0; c < L.cols(); ++c)
        for (int k = 0; k < P; ++k) {
          const int rho = g * P + k;
          const int64_t v = field(wi.words[size_t(g) * L.cols() + c], k * WB, WB, true);
          if (rho < 3 * H) L.w[size_t(rom_row_to_model_row(rho, H)) * L.cols() + c] = int32_t(v);
          else if (v != 0)
            throw file_error((d / (layer_name(enc, l) + "_weights.hex")).string(),
                             "padding row " + std::to_string(rho) + " is not zero");
        }
    const Image ui = open(layer_name(enc, l) + "_units.hex", 112, H);
    L.m.assign(3 * H, 0);
    for (int j = 0; j < H; ++j) {
      const auto& w = ui.words[j];
      L.b_hn.push_back(int32_t(field(w, 0, 16, true)));
      L.b_in.push_back(int32_t(field(w, 16, 16, true)));
      L.b_z.push_back(int32_t(field(w, 32, 16, true)));
      L.b_r.push_back(int32_t(field(w, 48, 16, true)));
      L.m[2 * H + j] = uint32_t(field(w, 64, 16, false));
      L.m[H + j] = uint32_t(field(w, 80, 16, false));
      L.m[j] = uint32_t(field(w, 96, 16, false));
    }
    return L;
  };
  for (int l = 0; l < m.layers; ++l) {
    m.encoder.push_back(read_layer(true, l));
    m.decoder.push_back(read_layer(false, l));
  }
  const Image hw = open("head_weights.hex", 3 * WB, H);
  m.head_w.assign(size_t(kChannels) * H, 0);
  for (int k = 0; k < H; ++k)
    for (int c = 0; c < kChannels; ++c) m.head_w[size_t(c) * H + k] = int32_t(field(hw.words[k], c * WB, WB, true));
  const Image hp = open("head_params.hex", 32, kChannels);
  for (int c = 0; c < kChannels; ++c) {
    m.head_b[c] = int32_t(field(hp.words[c], 0, 16, true));
    m.head_m[c] = uint32_t(field(hp.words[c], 16, 16, false));
  }
  const int tn = 1 << m.fmt.table_bits;
  for (auto [name, table] : {std::pair{"sigmoid.hex", &m.sigmoid_table}, std::pair{"tanh.hex", &m.tanh_table}}) {
    const Image t = open(name, 16, tn);
    for (int i = 0; i < tn; ++i) table->push_back(int32_t(field(t.words[i], 0, 16, true)));
  }
  m.validate(dir);
  if (manifest_out) *manifest_out = man;
  return m;
}

}  // namespace flimgru
