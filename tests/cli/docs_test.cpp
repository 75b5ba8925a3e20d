// The generated man pages and shell completions: the committed files match what the binary
// generates now, list every option CLI11's own help lists, render without groff warnings, and
// the bash completion completes in a real bash.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/docs/command_model.hpp"
#include "cli/docs/docs.hpp"
#include "support/process.hpp"

namespace fs = std::filesystem;
using mqtk::test::describe;
using mqtk::test::read_file;
using mqtk::test::run_mqtk;
using mqtk::test::run_process;
using mqtk::test::TempDir;

namespace {

const std::string regenerate_hint =
    "run scripts/generate-docs " + mqtk::test::mqtk_binary_path() + " and commit the result";

fs::path source_path(const std::string& relative) { return fs::path(MQTK_SOURCE_DIR) / relative; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The visible subcommands, as CLI11's own help lists them: independent of the docs generator.
std::vector<std::string> commands_from_help() {
  const auto help = run_mqtk({"--help"});
  REQUIRE_MESSAGE(help.exit_code == 0, describe(help));
  std::vector<std::string> commands;
  bool in_list = false;
  for (const std::string& line : lines_of(help.out)) {
    if (line == "Subcommands:") in_list = true;
    else if (in_list && line.starts_with("  ") && line.size() > 2 && line[2] != ' ')
      commands.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  REQUIRE_FALSE(commands.empty());
  return commands;
}

// Every spelling in the left column of `mqtk <command> --help`: "-h,--host TEXT" gives -h and
// --host, "--reconnect,--no-reconnect{false}" gives both names.
std::vector<std::string> options_from_help(const std::string& command) {
  const auto help = command.empty() ? run_mqtk({"--help"}) : run_mqtk({command, "--help"});
  REQUIRE_MESSAGE(help.exit_code == 0, describe(help));
  std::vector<std::string> spellings;
  for (const std::string& line : lines_of(help.out)) {
    if (!line.starts_with("  -")) continue;
    std::stringstream names(line.substr(2, line.find(' ', 2) - 2));
    for (std::string name; std::getline(names, name, ',');) {
      name = name.substr(0, name.find('{'));
      if (!name.empty() && name.front() == '!') name.erase(0, 1);
      spellings.push_back(name);
    }
  }
  REQUIRE_FALSE(spellings.empty());
  return spellings;
}

std::string troff_spelling(const std::string& spelling) {
  std::string out;
  for (char c : spelling) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return "\\fB" + out + "\\fR";
}

// The words of the bash function that completes `command`'s options.
std::set<std::string> bash_function_words(const std::string& script, const std::string& command) {
  const std::string start = "\n_mqtk_cmd_" + command + "() {\n";
  const auto begin = script.find(start);
  if (begin == std::string::npos) return {};
  const auto end = script.find("\n}\n", begin);
  std::set<std::string> words;
  std::istringstream in(script.substr(begin, end - begin));
  for (std::string word; in >> word;) {
    word.erase(std::remove(word.begin(), word.end(), '\''), word.end());
    std::stringstream alternatives(word.substr(0, word.find(')')));
    for (std::string part; std::getline(alternatives, part, '|');) words.insert(part);
  }
  return words;
}

std::optional<fs::path> find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (fs::exists(fs::path(dir) / program)) return fs::path(dir) / program;
  return std::nullopt;
}

// What the completion offers for `words` (the last one is being completed), from a real bash
// that sourced completions/mqtk.bash, optionally after the bash-completion package.
std::vector<std::string> complete(const std::vector<std::string>& words,
                                  bool with_bash_completion) {
  std::string script;
  if (with_bash_completion) script += "source /usr/share/bash-completion/bash_completion || exit 9\n";
  script +=
      "source \"$0\" || exit 9\n"
      "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))\n"
      "COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}\n"
      "_mqtk || exit 8\n"
      "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
  std::vector<std::string> argv{"bash", "--norc", "--noprofile", "-c", script,
                                source_path("completions/mqtk.bash").string()};
  argv.insert(argv.end(), words.begin(), words.end());
  const auto result = run_process(argv);
  REQUIRE_MESSAGE(result.exit_code == 0, describe(result));
  std::vector<std::string> offered;
  for (const std::string& line : lines_of(result.out))
    if (!line.empty()) offered.push_back(line);
  return offered;
}

// "" when equal, else where the committed text first differs from the generated one (the whole
// files would bury the message).
std::string first_difference(const std::string& committed, const std::string& generated) {
  if (committed == generated) return "";
  const auto a = lines_of(committed);
  const auto b = lines_of(generated);
  std::size_t line = 0;
  while (line < a.size() && line < b.size() && a[line] == b[line]) ++line;
  return "first difference at line " + std::to_string(line + 1) + ": committed '" +
         (line < a.size() ? a[line] : "<end>") + "', generated '" +
         (line < b.size() ? b[line] : "<end>") + "'";
}

// The OPTIONS section of a man page, so an option only named in the prose does not count.
std::string options_section(const std::string& page) {
  const auto begin = page.find("\n.SH OPTIONS\n");
  if (begin == std::string::npos) return "";
  return page.substr(begin, page.find("\n.SH ", begin + 1) - begin);
}

bool contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

}  // namespace

TEST_SUITE_BEGIN("cli.docs");

TEST_CASE("the committed completions and man pages are what the binary generates") {
  for (const auto& [kind, file] : {std::pair{"bash", "completions/mqtk.bash"},
                                   std::pair{"zsh", "completions/_mqtk"},
                                   std::pair{"fish", "completions/mqtk.fish"}}) {
    CAPTURE(file);
    const auto generated = run_mqtk({"generate", kind});
    REQUIRE_MESSAGE(generated.exit_code == 0, describe(generated));
    const std::string difference = first_difference(read_file(source_path(file)), generated.out);
    CHECK_MESSAGE(difference.empty(), file << " is out of date (" << difference << "): " << regenerate_hint);
  }

  TempDir dir("mqtk-docs");
  const auto generated = run_mqtk({"generate", "man", dir.path().string()});
  REQUIRE_MESSAGE(generated.exit_code == 0, describe(generated));
  std::set<std::string> fresh;
  for (const auto& entry : fs::directory_iterator(dir.path())) fresh.insert(entry.path().filename());
  std::set<std::string> committed;
  for (const auto& entry : fs::directory_iterator(source_path("man")))
    if (entry.path().extension() == ".1") committed.insert(entry.path().filename());
  CHECK_MESSAGE(committed == fresh, "man/ does not hold exactly the generated pages: " << regenerate_hint);
  for (const std::string& page : fresh) {
    CAPTURE(page);
    const std::string difference =
        first_difference(read_file(source_path("man/" + page)), read_file(dir.path() / page));
    CHECK_MESSAGE(difference.empty(), "man/" << page << " is out of date (" << difference << "): " << regenerate_hint);
  }
}

TEST_CASE("every option of every command is in its man page and in the bash completion") {
  const std::string bash = read_file(source_path("completions/mqtk.bash"));
  for (const std::string& command : commands_from_help()) {
    CAPTURE(command);
    const std::string page = options_section(read_file(source_path("man/mqtk-" + command + ".1")));
    REQUIRE_MESSAGE(!page.empty(), "man/mqtk-" << command << ".1 has no OPTIONS: " << regenerate_hint);
    CHECK_MESSAGE(read_file(source_path("man/mqtk.1")).find("\\fBmqtk " + command + "\\fR") != std::string::npos,
                  "mqtk(1) does not list " << command);
    const std::set<std::string> completed = bash_function_words(bash, command);
    CHECK_MESSAGE(!completed.empty(), "completions/mqtk.bash has no function for " << command);
    for (const std::string& option : options_from_help(command)) {
      CAPTURE(option);
      CHECK(page.find(troff_spelling(option)) != std::string::npos);
      CHECK(completed.count(option) == 1);
    }
  }
  const std::string overview = options_section(read_file(source_path("man/mqtk.1")));
  for (const std::string& option : options_from_help("")) {
    CAPTURE(option);
    CHECK(overview.find(troff_spelling(option)) != std::string::npos);
  }
}

TEST_CASE("every environment variable a help text names is under ENVIRONMENT") {
  const std::string overview = read_file(source_path("man/mqtk.1"));
  const std::string environment = overview.substr(overview.find(".SH ENVIRONMENT"));
  const std::regex variable(R"(\$(MQTK_[A-Z_]+))");
  for (const std::string& command : commands_from_help()) {
    const auto help = run_mqtk({command, "--help"});
    for (std::sregex_iterator it(help.out.begin(), help.out.end(), variable), end; it != end; ++it) {
      CAPTURE((*it)[1].str());
      CHECK(environment.find(".B " + (*it)[1].str() + "\n") != std::string::npos);
    }
  }
}

TEST_CASE("the man pages render without groff warnings") {
  const auto groff = find_in_path("groff");
  if (!groff) {
    MESSAGE("groff is not installed (Debian: groff-base); skipping the man page lint");
    return;
  }
  int pages = 0;
  for (const auto& entry : fs::directory_iterator(source_path("man"))) {
    if (entry.path().extension() != ".1") continue;
    CAPTURE(entry.path().filename().string());
    ++pages;
    const auto result = run_process({groff->string(), "-ww", "-z", "-man", entry.path().string()});
    CHECK_MESSAGE(result.exit_code == 0, describe(result));
    CHECK_MESSAGE(result.err.empty(), result.err);
  }
  CHECK(pages >= 5);
}

TEST_CASE("bash completes commands, options and their values") {
  std::vector<bool> variants{false};
  if (fs::exists("/usr/share/bash-completion/bash_completion")) variants.push_back(true);
  for (const bool with_bash_completion : variants) {
    CAPTURE(with_bash_completion);
    CHECK(complete({"mqtk", "s"}, with_bash_completion) == std::vector<std::string>{"sub"});

    const auto q = complete({"mqtk", "sub", "--q"}, with_bash_completion);
    CHECK(contains(q, "--qos"));
    CHECK(contains(q, "--queue"));
    CHECK(contains(q, "--quiet"));  // a root option, valid after the subcommand
    CHECK_FALSE(contains(q, "--help"));

    CHECK(contains(complete({"mqtk", "sub", "-V", ""}, with_bash_completion), "mqttv5"));
    CHECK(complete({"mqtk", "sub", "--queue", "=", "l"}, with_bash_completion) ==
          std::vector<std::string>{"lifo"});
    CHECK(complete({"mqtk", "pub", "--format", "b"}, with_bash_completion) ==
          std::vector<std::string>{"base64"});
    CHECK(complete({"mqtk", "--log-level", "debug", "r"}, with_bash_completion) ==
          std::vector<std::string>{"rr"});
    // A free-text value offers nothing rather than option names.
    CHECK(complete({"mqtk", "sub", "-t", ""}, with_bash_completion).empty());

    const std::string cafile = source_path("completions/mqtk.ba").string();
    CHECK(complete({"mqtk", "sub", "--cafile", cafile}, with_bash_completion) ==
          std::vector<std::string>{cafile + "sh"});
  }
}

TEST_CASE("a subcommand registered later is documented without further work") {
  CLI::App root{"tool: does things", "tool"};
  root.set_help_flag("--help", "Print this help and exit");
  std::string mode;
  std::string file;
  std::vector<std::string> topics;
  CLI::App* bench = root.add_subcommand("bench", "Measure throughput");
  bench->add_option("-t,--topic", topics, "Topic (repeatable)")->group("Load");
  bench->add_option("--mode", mode, "How to measure")->check(CLI::IsMember({"latency", "rate"}))->group("Load");
  bench->add_option("--report", file, "Where to write")->check(CLI::ExistingFile)->group("Load");
  root.add_subcommand("secret", "Hidden")->group("");

  const auto program = mqtk::cli::docs::describe_program(root, "1.0");
  CHECK(program.summary == "does things");
  REQUIRE(program.commands.size() == 1);
  const auto& options = program.commands.front().options;
  const auto mode_doc = std::find_if(options.begin(), options.end(), [](const auto& o) {
    return o.spellings == std::vector<std::string>{"--mode"};
  });
  REQUIRE(mode_doc != options.end());
  CHECK(mode_doc->choices == std::vector<std::string>{"latency", "rate"});

  const auto pages = mqtk::cli::docs::man_pages(program);
  REQUIRE(pages.size() == 2);
  CHECK(pages[1].file_name == "tool-bench.1");
  CHECK(pages[1].text.find("Measure throughput") != std::string::npos);
  CHECK(pages[1].text.find(".SS Load") != std::string::npos);
  CHECK(pages[0].text.find("secret") == std::string::npos);

  const std::string bash = mqtk::cli::docs::bash_completion(program);
  CHECK(bash.find("--mode) _mqtk_words 'latency rate'") != std::string::npos);
  CHECK(bash.find("--report) _mqtk_files") != std::string::npos);
  CHECK(bash.find("secret") == std::string::npos);
  CHECK(mqtk::cli::docs::zsh_completion(program).find("'*-t+[Topic]:topic: '") != std::string::npos);
  CHECK(mqtk::cli::docs::fish_completion(program).find("-l mode -x -a 'latency rate'") != std::string::npos);
}

TEST_CASE("`mqtk completions SHELL` is the generator under the name issue #7 gives it") {
  for (const auto& [shell, file] : {std::pair{"bash", "completions/mqtk.bash"},
                                    std::pair{"zsh", "completions/_mqtk"},
                                    std::pair{"fish", "completions/mqtk.fish"}}) {
    const auto generated = run_mqtk({"completions", shell});
    REQUIRE_MESSAGE(generated.exit_code == 0, describe(generated));
    CHECK_MESSAGE(generated.out == read_file(source_path(file)), shell << ": " << regenerate_hint);
  }
  CHECK(run_mqtk({"--help"}).out.find("completions") == std::string::npos);  // hidden
  const auto tls_versions = complete({"mqtk", "conn", "--tls-version", ""}, false);
  CHECK(tls_versions.size() == 3);
  CHECK(contains(tls_versions, "tlsv1.3"));
  CHECK(contains(complete({"mqtk", "sub", "--profile", "x", "--"}, false), "--print-config"));
}

TEST_SUITE_END();
