// main: build/flimgru entry point (minimal; the integrator replaces it with the full CLI).
#include <iostream>

#include "cli.hpp"
#include "error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"flimgru: int8 GRU FLIM lifetime estimation"};
  app.require_subcommand(1);
  flimgru::cli::add_simulate(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const flimgru::Error& e) {
    std::cerr << "flimgru: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
