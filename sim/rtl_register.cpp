// Registers the "rtl" backend (sim/rtl_backend.cpp) with make_backend() and the "rtl" engine of
// the photon front end and the core (sim/rtl_frontend_core.cpp) with make_frontend_core(). Linked
// into build/flimgru as an object file so that its static initializer always runs.
#include "backend.hpp"
#include "frontend_core.hpp"

namespace flimgru::sim {
std::unique_ptr<Backend> make_rtl_backend(const std::string& model, int threads);
std::unique_ptr<FrontendCoreEngine> make_rtl_frontend_core(const std::string& model, int threads);
}

namespace {
const bool registered = [] {
  flimgru::register_backend("rtl", flimgru::sim::make_rtl_backend);
  flimgru::register_frontend_core("rtl", flimgru::sim::make_rtl_frontend_core);
  return true;
}();
}  // namespace
