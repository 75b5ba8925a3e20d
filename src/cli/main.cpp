#include "cli/app.hpp"

int main(int argc, char** argv) { return mqtk::cli::run(argc, argv); }
