// build/flimgru: the command-line front door of flimgru (one file per subcommand, cli.hpp).
#include <iostream>

#include "cli.hpp"
#include "error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"flimgru: int8 GRU Seq2Seq for fluorescence-lifetime imaging — simulator, float and "
               "bit-exact integer models, quantizer and ROM images for the ECP5 core"};
  app.require_subcommand(1);
  flimgru::cli::add_simulate(app);
  flimgru::cli::add_quantize(app);
  flimgru::cli::add_eval(app);
  flimgru::cli::add_infer(app);
  flimgru::cli::add_train(app);
  flimgru::cli::add_bench(app);
  flimgru::cli::add_report(app);
  flimgru::cli::add_image(app);
  flimgru::cli::add_crlb(app);
  flimgru::cli::add_precision(app);
  flimgru::cli::add_fpga_report(app);
  flimgru::cli::add_fpga_check(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "flimgru: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
