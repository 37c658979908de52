// version: see version.hpp. FLIMGRU_VERSION comes from project(VERSION) in CMakeLists.txt.
#include "version.hpp"

namespace flimgru {

std::string version_string() { return std::string(FLIMGRU_VERSION) + "+" + git_describe(); }

}  // namespace flimgru
