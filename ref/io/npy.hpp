// npy: reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0, little-endian,
// C order). Reads float32/float64 and (u)int8/16/32/64 into doubles; writes float32 and uint32.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flimgru {

struct NpyArray {
  std::vector<int64_t> shape;
  std::string dtype;         // "float32", "float64", "uint8", "uint16", "uint32", "uint64",
                             // "int8", "int16", "int32", "int64"
  std::vector<double> data;  // C order, converted to double
  size_t size() const { return data.size(); }
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
