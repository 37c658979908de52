// Registers the "rtl" backend (sim/rtl_backend.cpp) with make_backend(). Linked into build/flimgru
// as an object file so that its static initializer always runs.
#include "backend.hpp"

namespace flimgru::sim {
std::unique_ptr<Backend> make_rtl_backend(const std::string& model, int threads);
}

namespace {
const bool registered = [] {
  flimgru::register_backend("rtl", flimgru::sim::make_rtl_backend);
  return true;
}();
}  // namespace
