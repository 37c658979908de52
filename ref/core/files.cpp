// output: see output.hpp.
#include "files.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "error.hpp"

namespace flimgru {

namespace fs = std::filesystem;

namespace {

std::string strip_slash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string parent_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// A fresh, uniquely named temporary beside PATH (file or directory), created here.
std::string make_temporary(const std::string& path, bool dir) {
  std::string name = path + ".tmp-XXXXXX";
  std::vector<char> buf(name.begin(), name.end());
  buf.push_back('\0');
  if (dir) {
    if (!::mkdtemp(buf.data())) throw file_error(path, "cannot create a temporary directory beside it");
  } else {
    const int fd = ::mkstemp(buf.data());
    if (fd < 0) throw file_error(path, "cannot create a temporary file beside it");
    ::close(fd);
  }
  return buf.data();
}

}  // namespace

std::ifstream open_for_reading(const std::string& path, uint64_t* size) {
  std::error_code ec;
  if (path.empty()) throw Error("no input file given");
  if (fs::is_directory(path, ec)) throw file_error(path, "is a directory, not a file");
  if (!fs::exists(path, ec)) throw file_error(path, "no such file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw file_error(path, "cannot open for reading (permissions?)");
  if (size) {
    f.seekg(0, std::ios::end);
    const std::streamoff end = f.tellg();
    if (end < 0) throw file_error(path, "cannot tell its size (not a regular file?)");
    *size = uint64_t(end);
    f.seekg(0);
  }
  return f;
}

std::string read_file_bytes(const std::string& path) {
  std::ifstream f = open_for_reading(path);
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) throw file_error(path, "read failed");
  return ss.str();
}

void check_file_writable(const std::string& path) {
  if (path.empty()) throw Error("no output file given");
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw file_error(path, "is a directory, not a file");
  const std::string parent = parent_of(path);
  if (!fs::is_directory(parent, ec)) throw file_error(path, "folder " + parent + " does not exist");
}

void write_file(const std::string& path, const std::function<void(std::ostream&)>& fill) {
  check_file_writable(path);
  const std::string tmp = make_temporary(path, false);
  try {
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      if (!f) throw file_error(path, "cannot open " + tmp + " for writing");
      fill(f);
      f.flush();
      if (!f) throw file_error(path, "write failed (disk full?)");
      f.close();
      if (f.fail()) throw file_error(path, "write failed on close");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw file_error(path, "cannot rename " + tmp + " into place: " + ec.message());
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

void write_file(const std::string& path, const std::string& bytes) {
  write_file(path, [&](std::ostream& f) { f.write(bytes.data(), std::streamsize(bytes.size())); });
}

void check_dir_replaceable(const std::string& dir_in, const std::string& marker) {
  const std::string dir = strip_slash(dir_in);
  if (dir.empty()) throw Error("no output directory given");
  std::error_code ec;
  const std::string parent = parent_of(dir);
  if (!fs::is_directory(parent, ec)) throw file_error(dir, "folder " + parent + " does not exist");
  if (!fs::exists(fs::symlink_status(dir, ec))) return;
  if (!fs::is_directory(dir, ec)) throw file_error(dir, "exists and is not a directory; not replacing it");
  if (fs::exists(fs::path(dir) / marker, ec) || fs::is_empty(dir, ec)) return;
  throw file_error(dir, "exists and is not an earlier output of this kind (no " + marker +
                            " in it); not replacing it");
}

void write_dir(const std::string& dir_in, const std::string& marker,
               const std::function<void(const std::string& tmp_dir)>& fill) {
  const std::string dir = strip_slash(dir_in);
  check_dir_replaceable(dir, marker);
  const std::string tmp = make_temporary(dir, true);
  std::error_code ec;
  try {
    fill(tmp);
    if (!fs::exists(fs::path(tmp) / marker)) throw file_error(dir, "internal: " + marker + " was not written");
    if (fs::exists(fs::symlink_status(dir, ec))) {  // an earlier output: move it aside, the new one in
      const std::string old = make_temporary(dir + ".old", true);
      fs::rename(dir, old + "/d", ec);
      if (ec) throw file_error(dir, "cannot move the earlier output aside: " + ec.message());
      fs::rename(tmp, dir, ec);
      if (ec) {
        std::error_code ec2;
        fs::rename(old + "/d", dir, ec2);  // put the earlier output back
        fs::remove_all(old, ec2);
        throw file_error(dir, "cannot rename " + tmp + " into place: " + ec.message());
      }
      fs::remove_all(old, ec);
    } else {
      fs::rename(tmp, dir, ec);
      if (ec) throw file_error(dir, "cannot rename " + tmp + " into place: " + ec.message());
    }
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(tmp, ec);
    throw file_error(dir, std::string("cannot write the output: ") + e.what());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace flimgru
