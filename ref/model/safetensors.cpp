// safetensors: Seq2SeqWeights <-> safetensors (see safetensors.hpp and docs/formats.md).
#include "safetensors.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "error.hpp"
#include "files.hpp"
#include "version.hpp"

namespace flimgru {

namespace {

constexpr const char* kFormat = "flimgru-seq2seq-1";

}  // namespace

void save_checkpoint(const Seq2SeqWeights& w_in, const std::string& path) {
  Seq2SeqWeights w = w_in;  // tensors() needs mutable access
  nlohmann::json header;
  nlohmann::json meta = nlohmann::json::object();
  for (auto& [k, v] : w.metadata) meta[k] = v;
  meta["format"] = kFormat;
  meta["layers"] = std::to_string(w.layers);
  meta["hidden"] = std::to_string(w.hidden);
  meta[kVersionKey] = version_string();
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

}  // namespace flimgru
