// `mqtk generate (bash|zsh|fish|man DIR)`, also spelled `mqtk completions`: hidden from help. Prints a shell completion or
// writes the man pages, all generated from the command tree this binary was built with;
// scripts/generate-docs runs it to refresh completions/ and man/.

#include <filesystem>
#include <fstream>
#include <memory>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/command.hpp"
#include "cli/docs/docs.hpp"
#include <mqtk/error.hpp>
#include <mqtk/library_info.hpp>

namespace mqtk::cli {
namespace {

struct GenerateOptions {
  std::string kind;
  std::string directory;
};

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Error(ErrorCategory::runtime, "cannot write " + path.string());
}

ExitCode run_generate(const GenerateOptions& o, const CLI::App& root, CommandContext& context) {
  const docs::ProgramDoc program = docs::describe_program(root, core_version());
  if (o.kind == "man") {
    if (o.directory.empty()) throw UsageError("mqtk generate man needs a directory to write the pages into");
    std::error_code error;
    std::filesystem::create_directories(o.directory, error);
    if (error) throw Error(ErrorCategory::runtime, "cannot create " + o.directory + ": " + error.message());
    for (const docs::ManPage& page : docs::man_pages(program)) {
      write_file(std::filesystem::path(o.directory) / page.file_name, page.text);
      spdlog::info("wrote {}", page.file_name);
    }
    return ExitCode::ok;
  }
  if (!o.directory.empty()) throw UsageError("only 'mqtk generate man' takes a directory");
  if (o.kind == "bash") context.out.write(docs::bash_completion(program));
  if (o.kind == "zsh") context.out.write(docs::zsh_completion(program));
  if (o.kind == "fish") context.out.write(docs::fish_completion(program));
  return ExitCode::ok;
}

}  // namespace

Command setup_generate(CLI::App& parent) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* app = parent.add_subcommand(
      "generate", "Print a shell completion or write the man pages (for packaging)");
  app->group("");  // hidden: a maintainer's tool, not part of the documented CLI
  // The name issue #7 and packagers' scripts use for the shell part: mqtk completions bash.
  app->alias("completions");
  app->add_option("kind", o->kind, "bash, zsh, fish or man")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish", "man"}));
  app->add_option("directory", o->directory, "With man: where to write the pages");
  // The tree is read when the command runs, so subcommands registered after this one appear.
  return {app, [o, &parent](CommandContext& context) { return run_generate(*o, parent, context); }};
}

}  // namespace mqtk::cli
