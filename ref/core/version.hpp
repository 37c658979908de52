// version: the one version string of flimgru, printed by `flimgru --version` and written into
// every JSON and manifest the tools produce (key "flimgru_version"; docs/formats.md).
//
// version_string(): "MAJOR.MINOR.PATCH+DESCRIBE", the project version of CMakeLists.txt and
//   `git describe --always --dirty` of the source tree at build time (e.g. "0.1.0+a28c243",
//   "0.1.0+a28c243-dirty"), or "0.1.0+unknown" when it was built outside a git checkout.
#pragma once
#include <string>

namespace flimgru {

constexpr const char* kVersionKey = "flimgru_version";  // the JSON key of version_string()

std::string version_string();
const char* git_describe();  // generated at build time (cmake/git_version.cmake)

}  // namespace flimgru
