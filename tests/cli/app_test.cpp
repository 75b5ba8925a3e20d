// The entry point (src/cli/app.cpp) builds only the subcommand the command line names; help,
// `generate` and words it does not know still see the whole command tree.

#include <doctest/doctest.h>

#include <string>

#include "support/process.hpp"
#include "support/text.hpp"

using namespace mqtk::test;

TEST_CASE("mqtk --help and generate see every subcommand") {
  const ProcessResult help = run_mqtk({"--help"});
  INFO(describe(help));
  CHECK(help.exit_code == 0);
  for (const char* name : {"conn", "sub", "pub", "rr", "bridge", "bench"}) CHECK(contains(help.out, name));
  const ProcessResult completions = run_mqtk({"completions", "bash"});
  CHECK(completions.exit_code == 0);
  CHECK(contains(completions.out, "--from-host"));  // bridge's flags
  CHECK(contains(completions.out, "--stdin-line"));  // pub's
}

TEST_CASE("the subcommand is found after mqtk's own options, --log-level's value included") {
  const ProcessResult help = run_mqtk({"--log-level", "debug", "-d", "pub", "--help"});
  INFO(describe(help));
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "--stdin-line"));
  // A sibling's name after the subcommand is an unexpected argument, as with the whole tree.
  const ProcessResult extra = run_mqtk({"pub", "-t", "a", "-m", "x", "sub"});
  CHECK(extra.exit_code == 2);
  CHECK(contains(extra.err, "not expected: sub"));
  const ProcessResult unknown = run_mqtk({"pb", "-t", "a"});
  CHECK(unknown.exit_code == 2);
}
