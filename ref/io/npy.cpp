// npy: the NumPy .npy format (magic, version, little-endian header length, a Python-literal
// dict header with descr/fortran_order/shape, then raw C-order data).
#include "npy.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "error.hpp"
#include "files.hpp"

namespace flimgru {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

bool host_is_little_endian() {
  const uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

struct DtypeInfo {
  std::string name;
  size_t size;
};

// Map a descr such as "<f4" to a supported dtype, or throw.
DtypeInfo parse_descr(const std::string& path, const std::string& descr) {
  if (descr.size() < 2) throw file_error(path, "unsupported dtype '" + descr + "'");
  const char order = descr[0];
  const std::string code = descr.substr(1);
  if (code[0] == 'O') throw file_error(path, "object arrays ('" + descr + "') are not supported");
  static const struct { const char* code; const char* name; size_t size; } kTypes[] = {
      {"f4", "float32", 4}, {"f8", "float64", 8}, {"u1", "uint8", 1},  {"u2", "uint16", 2},
      {"u4", "uint32", 4},  {"u8", "uint64", 8},  {"i1", "int8", 1},   {"i2", "int16", 2},
      {"i4", "int32", 4},   {"i8", "int64", 8}};
  for (const auto& t : kTypes) {
    if (code != t.code) continue;
    if (order == '>' && t.size > 1)
      throw file_error(path, "big-endian dtype '" + descr + "' is not supported");
    if (order == '<' || order == '|' || (order == '=' && host_is_little_endian()) ||
        (order == '>' && t.size == 1))
      return {t.name, t.size};
  }
  throw file_error(path, "unsupported dtype '" + descr +
                             "' (need float32/float64 or an integer type, little-endian)");
}

// A minimal parser of the header dict, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (10, 135), }
class HeaderParser {
 public:
  HeaderParser(const std::string& path, const std::string& text) : path_(path), s_(text) {}

  void parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') { ++i_; break; }
      const std::string key = quoted();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"')
          throw file_error(path_, "unsupported dtype (structured or non-string descr)");
        descr = quoted();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        have_fortran = true;
      } else if (key == "shape") {
        shape = tuple();
        have_shape = true;
      } else {
        throw bad("unknown key '" + key + "'");
      }
      skip_ws();
      if (peek() == ',') { ++i_; continue; }
      if (peek() == '}') { ++i_; break; }
      throw bad("expected ',' or '}'");
    }
    skip_ws();
    if (i_ != s_.size()) throw bad("text after the header dict");
    if (!have_descr || !have_fortran || !have_shape)
      throw bad("missing descr, fortran_order or shape");
  }

 private:
  Error bad(const std::string& what) const {
    return file_error(path_, "malformed .npy header (" + what + "): " + s_);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) throw bad(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string quoted() {
    skip_ws();
    const char q = peek();
    if (q != '\'' && q != '"') throw bad("expected a quoted string");
    const size_t end = s_.find(q, i_ + 1);
    if (end == std::string::npos) throw bad("unterminated string");
    std::string out = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    if (s_.compare(i_, 4, "True") == 0) { i_ += 4; return true; }
    if (s_.compare(i_, 5, "False") == 0) { i_ += 5; return false; }
    throw bad("fortran_order is not True or False");
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> out;
    expect('(');
    for (;;) {
      skip_ws();
      if (peek() == ')') { ++i_; return out; }
      if (!std::isdigit(static_cast<unsigned char>(peek()))) throw bad("bad shape");
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) throw bad("shape too large");
        v = v * 10 + (s_[i_++] - '0');
      }
      out.push_back(v);
      skip_ws();
      if (peek() == 'L') ++i_;  // Python 2 long suffix
      skip_ws();
      if (peek() == ',') { ++i_; continue; }
      if (peek() == ')') { ++i_; return out; }
      throw bad("bad shape");
    }
  }

  const std::string& path_;
  const std::string& s_;
  size_t i_ = 0;
};

// Reads COUNT values of type T straight into their vector (the file's little-endian bytes are
// the host's: read_npy refuses a big-endian host).
template <typename T>
NpyArray::Values read_values(std::ifstream& in, const std::string& path, uint64_t count) {
  std::vector<T> v(count);
  if (count > 0 && !in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(T))))
    throw file_error(path, "read error");
  return v;
}

void write_npy_raw(const std::string& path, const std::vector<int64_t>& shape,
                   const std::string& descr, const void* data, size_t item_size) {
  if (!host_is_little_endian()) throw file_error(path, "writing .npy needs a little-endian host");
  size_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) throw file_error(path, "negative dimension in shape " + shape_string(shape));
    count *= static_cast<size_t>(d);
  }
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) dict += ",";
    if (i + 1 < shape.size()) dict += " ";
  }
  dict += "), }";
  // Pad with spaces so that magic + version + length + header is a multiple of 64, end in '\n'.
  const size_t prefix = kMagicLen + 2 + 2;
  size_t total = prefix + dict.size() + 1;
  const size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  if (dict.size() > 65535) throw file_error(path, "header too long for format 1.0");

  write_file(path, [&](std::ostream& out) {
    out.write(kMagic, kMagicLen);
    const char version[2] = {1, 0};
    out.write(version, 2);
    const uint16_t len = static_cast<uint16_t>(dict.size());
    const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(len_bytes, 2);
    out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(count * item_size));
  });
}

}  // namespace

std::string shape_string(const std::vector<int64_t>& shape) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? "," : "") << shape[i];
  os << ']';
  return os.str();
}

NpyArray read_npy(const std::string& path) {
  if (!host_is_little_endian()) throw file_error(path, "reading .npy needs a little-endian host");
  uint64_t file_size = 0;
  std::ifstream in = open_for_reading(path, &file_size);

  char magic[kMagicLen + 2];
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, kMagicLen) != 0)
    throw file_error(path, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(magic[kMagicLen]);
  uint64_t header_len = 0, prefix = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) throw file_error(path, "truncated .npy header");
    header_len = b[0] | (b[1] << 8);
    prefix = kMagicLen + 4;
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) throw file_error(path, "truncated .npy header");
    header_len = b[0] | (b[1] << 8) | (uint64_t(b[2]) << 16) | (uint64_t(b[3]) << 24);
    prefix = kMagicLen + 6;
  } else {
    throw file_error(path, "unsupported .npy format version " + std::to_string(major));
  }
  if (prefix + header_len > file_size) throw file_error(path, "truncated .npy header");
  std::string header(header_len, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_len)))
    throw file_error(path, "truncated .npy header");

  std::string descr;
  bool fortran = false;
  NpyArray arr;
  HeaderParser(path, header).parse(descr, fortran, arr.shape);
  if (fortran) throw file_error(path, "fortran_order=True is not supported (need C order)");
  const DtypeInfo dt = parse_descr(path, descr);
  arr.dtype = dt.name;

  uint64_t count = 1;
  for (int64_t d : arr.shape) {
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / 16 / static_cast<uint64_t>(d))
      throw file_error(path, "shape " + shape_string(arr.shape) + " is too large");
    count *= static_cast<uint64_t>(d);
  }
  const uint64_t need = count * dt.size;
  const uint64_t have = file_size - prefix - header_len;
  if (have < need)
    throw file_error(path, "truncated data: shape " + shape_string(arr.shape) + " of " +
                               arr.dtype + " needs " + std::to_string(need) + " bytes, file has " +
                               std::to_string(have));
  if (have > need)
    throw file_error(path, std::to_string(have - need) + " unexpected bytes after the data");

  const std::string& t = arr.dtype;
  if (t == "float32") arr.values = read_values<float>(in, path, count);
  else if (t == "float64") arr.values = read_values<double>(in, path, count);
  else if (t == "uint8") arr.values = read_values<uint8_t>(in, path, count);
  else if (t == "uint16") arr.values = read_values<uint16_t>(in, path, count);
  else if (t == "uint32") arr.values = read_values<uint32_t>(in, path, count);
  else if (t == "uint64") arr.values = read_values<uint64_t>(in, path, count);
  else if (t == "int8") arr.values = read_values<int8_t>(in, path, count);
  else if (t == "int16") arr.values = read_values<int16_t>(in, path, count);
  else if (t == "int32") arr.values = read_values<int32_t>(in, path, count);
  else arr.values = read_values<int64_t>(in, path, count);
  return arr;
}

void write_npy(const std::string& path, const std::vector<int64_t>& shape, const float* data) {
  write_npy_raw(path, shape, "<f4", data, sizeof(float));
}

void write_npy(const std::string& path, const std::vector<int64_t>& shape, const uint32_t* data) {
  write_npy_raw(path, shape, "<u4", data, sizeof(uint32_t));
}

}  // namespace flimgru
