// error: the one exception type of flimgru. Messages name the file (or input) and the problem.
#pragma once
#include <stdexcept>
#include <string>

namespace flimgru {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Error about a named file: "FILE: what".
inline Error file_error(const std::string& path, const std::string& what) {
  return Error(path + ": " + what);
}

}  // namespace flimgru
