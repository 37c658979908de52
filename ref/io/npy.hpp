// npy: reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0, little-endian,
// C order). Reads float32/float64 and (u)int8/16/32/64 and keeps them in their own type (a
// uint16 cube stays 2 bytes a value) until the caller converts what it needs; writes float32
// and uint32.
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace flimgru {

struct NpyArray {
  std::vector<int64_t> shape;
  std::string dtype;  // "float32", "float64", "uint8", "uint16", "uint32", "uint64",
                      // "int8", "int16", "int32", "int64"
  // The values in C order, in the file's own type (the alternative that dtype names).
  using Values = std::variant<std::vector<float>, std::vector<double>, std::vector<uint8_t>,
                              std::vector<uint16_t>, std::vector<uint32_t>, std::vector<uint64_t>,
                              std::vector<int8_t>, std::vector<int16_t>, std::vector<int32_t>,
                              std::vector<int64_t>>;
  Values values;

  size_t size() const {
    return std::visit([](const auto& v) { return v.size(); }, values);
  }
  // Element i as a double (for messages and small arrays; a loop over a large one visits).
  double at(size_t i) const {
    return std::visit([i](const auto& v) { return double(v[i]); }, values);
  }
  // fn(const std::vector<T>&) with T the stored type.
  template <typename Fn>
  decltype(auto) visit(Fn&& fn) const {
    return std::visit(std::forward<Fn>(fn), values);
  }
  // Every value converted to T (a copy; one pass).
  template <typename T>
  std::vector<T> as() const {
    return visit([](const auto& v) { return std::vector<T>(v.begin(), v.end()); });
  }
};

// Throws Error naming `path` on: cannot open, bad magic, unsupported version, malformed header,
// fortran_order=True, big-endian or unsupported dtype (objects, strings, ...), truncated data,
// trailing bytes.
NpyArray read_npy(const std::string& path);

// "[10, 135]"
std::string shape_string(const std::vector<int64_t>& shape);

// Write a C-order array (format 1.0). The file is written to PATH.tmp and renamed into place.
void write_npy(const std::string& path, const std::vector<int64_t>& shape, const float* data);
void write_npy(const std::string& path, const std::vector<int64_t>& shape, const uint32_t* data);

}  // namespace flimgru
