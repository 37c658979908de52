// build/flimgru: the command-line front door of flimgru (app.hpp: the subcommands, one file
// each, and the exit-code rule).
#include "app.hpp"

int main(int argc, char** argv) { return flimgru::cli::run(argc, argv); }
