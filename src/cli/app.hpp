#pragma once
// The whole command line: builds the CLI11 tree, runs the chosen subcommand, and maps every
// error to the exit-code contract (exit_code.hpp) in one place.

namespace mqtk::cli {

int run(int argc, char** argv);

}  // namespace mqtk::cli
