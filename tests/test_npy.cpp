// test_npy: .npy round trips for each dtype and every rejection path of the reader.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "dataset.hpp"
#include "error.hpp"
#include "npy.hpp"

using namespace flimgru;
using ::testing::HasSubstr;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("flimgru_npy_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

// Write a .npy by hand: magic, version, header dict padded to 64 bytes, raw payload.
void write_raw_npy(const std::string& path, const std::string& dict, const std::string& payload,
                   int major = 1, const char* magic = "\x93NUMPY") {
  std::string header = dict;
  const size_t prefix = 6 + 2 + (major == 1 ? 2 : 4);
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write(magic, 6);
  out.put(static_cast<char>(major));
  out.put(0);
  const uint32_t len = static_cast<uint32_t>(header.size());
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) out.put(static_cast<char>((len >> (8 * i)) & 0xff));
  out << header << payload;
}

template <typename T>
std::string bytes_of(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  std::memcpy(s.data(), v.data(), s.size());
  return s;
}

void expect_error(const std::string& path, const std::string& what) {
  try {
    read_npy(path);
    ADD_FAILURE() << "no error, expected: " << what;
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), HasSubstr(what));
  }
}

}  // namespace

TEST(Npy, Float32RoundTrip) {
  const std::string path = temp_path("f4.npy");
  std::vector<float> v(2 * 3 * 4);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 0.25f * i - 1.5f;
  v[5] = 1e-30f;
  write_npy(path, {2, 3, 4}, v.data());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const NpyArray a = read_npy(path);
  EXPECT_EQ(a.dtype, "float32");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3, 4}));
  ASSERT_EQ(a.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(static_cast<float>(a.at(i)), v[i]);
  // Header is 64-byte aligned as NumPy writes it.
  EXPECT_EQ((std::filesystem::file_size(path) - v.size() * 4) % 64, 0u);
  std::filesystem::remove(path);
}

TEST(Npy, Uint32RoundTripIncludingEmptyAnd1D) {
  const std::string path = temp_path("u4.npy");
  std::vector<uint32_t> v = {0, 1, 4294967295u, 123456789};
  write_npy(path, {4}, v.data());
  NpyArray a = read_npy(path);
  EXPECT_EQ(a.dtype, "uint32");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{4}));
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(a.at(i), double(v[i]));
  write_npy(path, {0, 135}, v.data());
  a = read_npy(path);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{0, 135}));
  EXPECT_EQ(a.size(), 0u);
  std::filesystem::remove(path);
}

TEST(Npy, ReadsEachDtypeWrittenByHand) {
  const std::string path = temp_path("dtypes.npy");
  const std::string shape = "'fortran_order': False, 'shape': (2, 2), }";
  write_raw_npy(path, "{'descr': '<f8', " + shape, bytes_of<double>({1.5, -2.25, 1e300, 0}));
  NpyArray a = read_npy(path);
  EXPECT_EQ(a.dtype, "float64");
  EXPECT_EQ(a.as<double>(), (std::vector<double>{1.5, -2.25, 1e300, 0}));

  write_raw_npy(path, "{'descr': '<u2', " + shape, bytes_of<uint16_t>({0, 1, 65535, 300}));
  a = read_npy(path);
  EXPECT_EQ(a.dtype, "uint16");
  EXPECT_EQ(a.as<double>(), (std::vector<double>{0, 1, 65535, 300}));

  write_raw_npy(path, "{'descr': '|u1', " + shape, bytes_of<uint8_t>({0, 7, 255, 3}));
  a = read_npy(path);
  EXPECT_EQ(a.dtype, "uint8");
  EXPECT_EQ(a.as<double>(), (std::vector<double>{0, 7, 255, 3}));

  write_raw_npy(path, "{'descr': '<i4', " + shape, bytes_of<int32_t>({-1, 2, -2147483647 - 1, 5}));
  a = read_npy(path);
  EXPECT_EQ(a.dtype, "int32");
  EXPECT_EQ(a.as<double>(), (std::vector<double>{-1, 2, -2147483648.0, 5}));

  write_raw_npy(path, "{'descr': '<i8', " + shape, bytes_of<int64_t>({-7, 0, 1LL << 40, 9}));
  a = read_npy(path);
  EXPECT_EQ(a.dtype, "int64");
  EXPECT_EQ(a.as<double>(), (std::vector<double>{-7, 0, double(1LL << 40), 9}));

  // Key order and quoting as other writers produce them; format version 2.0.
  write_raw_npy(path, "{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<f4\"}",
                bytes_of<float>({1, 2, 3}), 2);
  a = read_npy(path);
  EXPECT_EQ(a.dtype, "float32");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(a.as<double>(), (std::vector<double>{1, 2, 3}));

  // A scalar (shape ()) holds one element.
  write_raw_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                bytes_of<float>({42}));
  a = read_npy(path);
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.as<double>(), (std::vector<double>{42}));
  std::filesystem::remove(path);
}

// A uint16 cube is kept as uint16 (not widened to double) and reads back the same values, in
// read_npy and as TPSF input.
TEST(Npy, Uint16CubeIsReadInItsOwnType) {
  const std::string path = temp_path("u2cube.npy");
  std::vector<uint16_t> v(2 * 3 * 135);
  for (size_t i = 0; i < v.size(); ++i) v[i] = uint16_t((i * 7919) % 65536);
  write_raw_npy(path, "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3, 135), }", bytes_of(v));
  const NpyArray a = read_npy(path);
  EXPECT_EQ(a.dtype, "uint16");
  ASSERT_TRUE(std::holds_alternative<std::vector<uint16_t>>(a.values));
  EXPECT_EQ(std::get<std::vector<uint16_t>>(a.values), v);
  EXPECT_EQ(a.at(5), double(v[5]));
  const TpsfInput in = load_tpsf_input(path);
  EXPECT_EQ(in.image_shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(in.counts.size(), v.size());
  std::vector<double> photons(6, 0.0);
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(in.counts[i], float(v[i])) << i;
    photons[i / 135] += v[i];
  }
  EXPECT_EQ(in.photons, photons);
  std::filesystem::remove(path);
}

TEST(Npy, RejectionsNameTheFile) {
  const std::string path = temp_path("bad.npy");
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const std::string six = bytes_of<float>({1, 2, 3, 4, 5, 6});

  write_raw_npy(path, ok, six.substr(0, 20));
  expect_error(path, "truncated");
  write_raw_npy(path, ok, six + "xx");
  expect_error(path, "unexpected bytes");
  write_raw_npy(path, ok, six, 1, "\x93NUMPZ");
  expect_error(path, "bad magic");
  write_raw_npy(path, ok, six, 7);
  expect_error(path, "version 7");
  write_raw_npy(path, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", six);
  expect_error(path, "fortran_order");
  write_raw_npy(path, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", six);
  expect_error(path, "big-endian");
  write_raw_npy(path, "{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }", six);
  expect_error(path, "object");
  write_raw_npy(path, "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }", six);
  expect_error(path, "unsupported dtype");
  write_raw_npy(path, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", six);
  expect_error(path, "unsupported dtype");
  write_raw_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", six);
  expect_error(path, "malformed");
  write_raw_npy(path, "{'descr': '<f4', 'shape': (2, 3), }", six);
  expect_error(path, "missing");
  write_raw_npy(path, "not a dict at all", six);
  expect_error(path, "malformed");
  {
    std::ofstream out(path, std::ios::binary);
    out << "\x93NUMPY\x01";  // cut inside the prefix
  }
  expect_error(path, "");
  {
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00\xff\x00{'descr'", 18);  // header length beyond the file
  }
  expect_error(path, "truncated");
  std::filesystem::remove(path);
  expect_error(path, "no such file");
}

TEST(Npy, WriteFailureNamesTheFile) {
  const std::string path = temp_path("no_such_dir") + "/x.npy";
  const float v = 1;
  try {
    write_npy(path, {1}, &v);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("x.npy"));
  }
}
