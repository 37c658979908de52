// checkpoint: Seq2SeqWeights <-> safetensors (see checkpoint.hpp and docs/formats.md).
#include "checkpoint.hpp"

#include <openssl/evp.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "error.hpp"
#include "files.hpp"

namespace flimgru {

namespace {

constexpr const char* kFormat = "flimgru-seq2seq-1";

GruLayer make_layer(int in, int hidden) {
  GruLayer l;
  l.w_ih = Mat::Zero(3 * hidden, in);
  l.w_hh = Mat::Zero(3 * hidden, hidden);
  l.b_ih = Vec::Zero(3 * hidden);
  l.b_hh = Vec::Zero(3 * hidden);
  return l;
}

}  // namespace

Seq2SeqWeights Seq2SeqWeights::zeros(int layers, int hidden, int input_width) {
  if (layers < 1 || layers > 8) throw Error("layers must be 1..8, got " + std::to_string(layers));
  if (hidden < 1 || hidden > 1024) throw Error("hidden must be 1..1024, got " + std::to_string(hidden));
  if (input_width < 1 || input_width > 2)
    throw Error("input_width must be 1 (TPSF) or 2 (TPSF and IRF), got " + std::to_string(input_width));
  Seq2SeqWeights w;
  w.layers = layers;
  w.hidden = hidden;
  w.input_width = input_width;
  for (int l = 0; l < layers; ++l) {
    w.encoder.push_back(make_layer(w.encoder_input_size(l), hidden));
    w.decoder.push_back(make_layer(w.input_size(l), hidden));
  }
  w.head_w = Mat::Zero(kHeadOut, hidden);
  w.head_b = Vec::Zero(kHeadOut);
  return w;
}

Seq2SeqWeights Seq2SeqWeights::random(int layers, int hidden, uint64_t seed, float scale,
                                      int input_width) {
  Seq2SeqWeights w = zeros(layers, hidden, input_width);
  std::mt19937_64 rng(seed);
  const float k = scale / std::sqrt(float(hidden));
  std::uniform_real_distribution<float> u(-k, k);
  for (auto& [name, t] : w.tensors())
    for (Eigen::Index i = 0; i < t.size(); ++i) t[i] = u(rng);
  return w;
}

int64_t Seq2SeqWeights::parameter_count() const {
  int64_t n = 0;
  for (auto& [name, shape] : shapes()) {
    int64_t s = 1;
    for (auto d : shape) s *= d;
    n += s;
  }
  return n;
}

std::vector<std::pair<std::string, Eigen::Map<Eigen::VectorXf>>> Seq2SeqWeights::tensors() {
  std::vector<std::pair<std::string, Eigen::Map<Eigen::VectorXf>>> out;
  auto add = [&](const std::string& name, float* p, Eigen::Index n) {
    out.emplace_back(name, Eigen::Map<Eigen::VectorXf>(p, n));
  };
  for (const char* part : {"encoder", "decoder"}) {
    auto& stack = std::string(part) == "encoder" ? encoder : decoder;
    for (int l = 0; l < layers; ++l) {
      const std::string s = "_l" + std::to_string(l);
      auto& L = stack[l];
      add(std::string(part) + ".weight_ih" + s, L.w_ih.data(), L.w_ih.size());
      add(std::string(part) + ".weight_hh" + s, L.w_hh.data(), L.w_hh.size());
      add(std::string(part) + ".bias_ih" + s, L.b_ih.data(), L.b_ih.size());
      add(std::string(part) + ".bias_hh" + s, L.b_hh.data(), L.b_hh.size());
    }
  }
  add("head.weight", head_w.data(), head_w.size());
  add("head.bias", head_b.data(), head_b.size());
  return out;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> Seq2SeqWeights::shapes() const {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  const int64_t g = 3 * int64_t(hidden);
  for (const char* part : {"encoder", "decoder"}) {
    const bool enc = std::string(part) == "encoder";
    for (int l = 0; l < layers; ++l) {
      const std::string s = "_l" + std::to_string(l);
      out.push_back({std::string(part) + ".weight_ih" + s, {g, enc ? encoder_input_size(l) : input_size(l)}});
      out.push_back({std::string(part) + ".weight_hh" + s, {g, hidden}});
      out.push_back({std::string(part) + ".bias_ih" + s, {g}});
      out.push_back({std::string(part) + ".bias_hh" + s, {g}});
    }
  }
  out.push_back({"head.weight", {kHeadOut, hidden}});
  out.push_back({"head.bias", {kHeadOut}});
  return out;
}

Seq2SeqWeights widen_input(const Seq2SeqWeights& w, int width) {
  if (width < w.input_width)
    throw Error("widen_input: width " + std::to_string(width) + " is below the model's " +
                std::to_string(w.input_width));
  Seq2SeqWeights out = Seq2SeqWeights::zeros(w.layers, w.hidden, width);
  out.encoder = w.encoder;
  out.decoder = w.decoder;
  out.head_w = w.head_w;
  out.head_b = w.head_b;
  out.metadata = w.metadata;
  Mat& wi = out.encoder[0].w_ih;
  const Mat old = wi;
  wi = Mat::Zero(old.rows(), width);
  wi.leftCols(old.cols()) = old;
  return out;
}

void save_checkpoint(const Seq2SeqWeights& w_in, const std::string& path) {
  Seq2SeqWeights w = w_in;  // tensors() needs mutable access
  nlohmann::json header;
  nlohmann::json meta = nlohmann::json::object();
  for (auto& [k, v] : w.metadata) meta[k] = v;
  meta["format"] = kFormat;
  meta["layers"] = std::to_string(w.layers);
  meta["hidden"] = std::to_string(w.hidden);
  if (w.input_width != 1) meta["input_width"] = std::to_string(w.input_width);  // absent: 1
  header["__metadata__"] = meta;
  auto shapes = w.shapes();
  auto tensors = w.tensors();
  size_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const size_t bytes = size_t(tensors[i].second.size()) * sizeof(float);
    header[tensors[i].first] = {{"dtype", "F32"},
                                {"shape", shapes[i].second},
                                {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string h = header.dump();
  while ((h.size() + 8) % 8) h.push_back(' ');
  write_file(path, [&](std::ostream& f) {
    uint64_t n = h.size();
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = (n >> (8 * i)) & 0xff;
    f.write(reinterpret_cast<const char*>(len), 8);
    f.write(h.data(), h.size());
    for (auto& [name, t] : tensors) f.write(reinterpret_cast<const char*>(t.data()), t.size() * 4);
  });
}

Seq2SeqWeights load_checkpoint(const std::string& path) {
  const std::string bytes = read_file_bytes(path);
  if (bytes.size() < 8) throw file_error(path, "too short for a safetensors checkpoint (" +
                                                   std::to_string(bytes.size()) + " bytes)");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(uint8_t(bytes[i])) << (8 * i);
  if (n > bytes.size() - 8) throw file_error(path, "header length " + std::to_string(n) +
                                                       " exceeds the file size (truncated file?)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + n);
  } catch (const std::exception& e) {
    throw file_error(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object() || !header.contains("__metadata__") || !header["__metadata__"].is_object())
    throw file_error(path, "no __metadata__ object: not a flimgru checkpoint");
  const auto& meta = header["__metadata__"];
  if (meta.value("format", "") != kFormat)
    throw file_error(path, "metadata format is '" + meta.value("format", "") + "', expected '" +
                               kFormat + "'");
  int layers = 0, hidden = 0, input_width = 1;
  try {
    layers = std::stoi(meta.at("layers").get<std::string>());
    hidden = std::stoi(meta.at("hidden").get<std::string>());
  } catch (const std::exception&) {
    throw file_error(path, "metadata needs integer 'layers' and 'hidden' strings");
  }
  if (meta.contains("input_width")) {
    try {
      input_width = std::stoi(meta.at("input_width").get<std::string>());
    } catch (const std::exception&) {
      throw file_error(path, "metadata 'input_width' must be an integer string");
    }
  }
  Seq2SeqWeights w;
  try {
    w = Seq2SeqWeights::zeros(layers, hidden, input_width);
  } catch (const Error& e) {
    throw file_error(path, e.what());
  }
  for (auto& [k, v] : meta.items())
    if (v.is_string() && k != "format" && k != "layers" && k != "hidden" && k != "input_width")
      w.metadata[k] = v;

  const size_t data_size = bytes.size() - 8 - n;
  const char* data = bytes.data() + 8 + n;
  auto shapes = w.shapes();
  auto tensors = w.tensors();
  size_t expected_tensors = tensors.size();
  size_t end_max = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::string& name = tensors[i].first;
    if (!header.contains(name)) throw file_error(path, "missing tensor '" + name + "'");
    const auto& t = header[name];
    if (t.value("dtype", "") != "F32")
      throw file_error(path, "tensor '" + name + "' has dtype " + t.value("dtype", "?") + ", expected F32");
    std::vector<int64_t> shape = t.value("shape", std::vector<int64_t>{});
    if (shape != shapes[i].second) {
      auto str = [](const std::vector<int64_t>& s) {
        std::string r = "[";
        for (size_t j = 0; j < s.size(); ++j) r += (j ? "," : "") + std::to_string(s[j]);
        return r + "]";
      };
      throw file_error(path, "tensor '" + name + "' has shape " + str(shape) + ", expected " +
                                 str(shapes[i].second) + " for layers=" + std::to_string(layers) +
                                 " hidden=" + std::to_string(hidden) +
                                 " input_width=" + std::to_string(input_width));
    }
    auto off = t.value("data_offsets", std::vector<uint64_t>{});
    const uint64_t want = uint64_t(tensors[i].second.size()) * 4;
    if (off.size() != 2 || off[1] < off[0] || off[1] - off[0] != want)
      throw file_error(path, "tensor '" + name + "' has data_offsets inconsistent with its shape");
    if (off[1] > data_size)
      throw file_error(path, "tensor '" + name + "' runs past the end of the file (truncated file?)");
    std::memcpy(tensors[i].second.data(), data + off[0], want);
    end_max = std::max<size_t>(end_max, off[1]);
    for (Eigen::Index j = 0; j < tensors[i].second.size(); ++j)
      if (!std::isfinite(tensors[i].second[j]))
        throw file_error(path, "tensor '" + name + "' element " + std::to_string(j) +
                                   " is not finite (" + std::to_string(tensors[i].second[j]) + ")");
  }
  if (header.size() != expected_tensors + 1) {
    for (auto& [k, v] : header.items()) {
      bool known = k == "__metadata__";
      for (auto& t : tensors) known = known || t.first == k;
      if (!known) throw file_error(path, "unexpected tensor '" + k + "'");
    }
  }
  return w;
}

std::string sha256_bytes(const void* data, size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_Digest(data, size, md, &len, EVP_sha256(), nullptr)) throw Error("SHA-256 failed");
  std::ostringstream s;
  for (unsigned i = 0; i < len; ++i) s << std::hex << std::setw(2) << std::setfill('0') << int(md[i]);
  return s.str();
}

std::string sha256_file(const std::string& path) {
  const std::string b = read_file_bytes(path);
  return sha256_bytes(b.data(), b.size());
}

}  // namespace flimgru
