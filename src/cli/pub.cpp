#include <memory>

#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "cli/pub_options.hpp"

namespace mqtk::cli {

ExitCode run_pub(const PubOptions& options, CommandContext& context);

void add_payload_flags(CLI::App& app, PayloadFlags& p, bool streams) {
  const char* group = "Payload";
  app.add_option("-m,--message", p.message, "Send this payload")->group(group);
  app.add_option("-f,--file", p.file, "Send the contents of FILE as the payload (with --jsonl: read the records from FILE)")->group(group);
  app.add_flag("-s,--stdin-file", p.stdin_file, "Send all of standard input as one payload")->group(group);
  if (streams) {
    app.add_flag("-l,--stdin-line", p.stdin_line, "Send each line of standard input as a message, as it arrives")->group(group);
    app.add_flag("--jsonl", p.jsonl, "Read JSON Lines records (mqtk sub --json) from standard input and publish each")->group(group);
  }
  app.add_flag("-n,--null-message", p.null_message, "Send an empty payload")->group(group);
  app.add_option("--size", p.size, "Send a random alphanumeric payload of N bytes")->group(group);
  app.add_option("--format", p.encoding, "How -m is encoded: hex or base64 (to send binary)")->check(CLI::IsMember({"hex", "base64"}))->group(group);
  app.add_flag("--validate-json", p.validate_json, "Refuse payloads that are not valid JSON (exit 2, with the line number)")->group(group);
}

Command setup_pub(CLI::App& parent) {
  auto o = std::make_shared<PubOptions>();
  CLI::App* app = parent.add_subcommand(
      "pub", "Publish messages from the command line, files, stdin lines or a JSON Lines capture (mosquitto_pub)");
  add_connection_flags(*app, o->connection);
  add_payload_flags(*app, o->payload, true);
  const char* publish = "Publishing";
  app->add_option("-t,--topic", o->topic, "Topic to publish to (with --jsonl: the default for records without one)")->group(publish);
  app->add_option("-q,--qos", o->qos, "QoS 0, 1 or 2 (default 0)")->check(CLI::Range(0, 2))->group(publish);
  app->add_flag("-r,--retain", o->retain, "Set the retain flag")->group(publish);
  app->add_option("--repeat", o->repeat, "Publish the message N times")->group(publish);
  app->add_option("--repeat-delay", o->repeat_delay_s, "Seconds between repeated messages")->group(publish);
  app->add_option("--ack-timeout", o->ack_timeout_s, "At the end, wait this many seconds for QoS>0 acknowledgements (default 10); missing ones exit 4")->group(publish);
  app->add_flag("--replay-timing", o->replay_timing, "With --jsonl: keep the gaps between the records' received_at times")->group(publish);
  app->add_option("--speed", o->speed, "With --replay-timing: play back X times faster (default 1)")->group(publish);
  app->add_flag("--loop", o->loop, "With --jsonl: start again at the end until interrupted")->group(publish);
  app->add_option("--on-error", o->on_error, "With --jsonl or --validate-json -l: a bad line stops (exit 2) or is skipped")->check(CLI::IsMember({"stop", "skip"}))->group(publish);
  return {app, [o](CommandContext& context) { return run_pub(*o, context); }};
}

}  // namespace mqtk::cli
