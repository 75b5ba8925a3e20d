#include "cli/conn.hpp"

#include <csignal>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <mqtk/client.hpp>
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

struct ConnOptions {
  ConnectionFlags connection;
  bool json = false;
};

nlohmann::ordered_json to_json(const ConnectResult& r, const ClientOptions& o) {
  nlohmann::ordered_json j;
  j["broker"] = display_uri(o.broker);
  j["client_id"] = r.client_id;
  j["protocol_version"] = std::string(to_string(r.version));
  j["session_present"] = r.session_present;
  auto put = [&](const char* key, const auto& value) {
    if (value) j[key] = *value;
  };
  put("receive_maximum", r.receive_maximum);
  put("maximum_qos", r.maximum_qos);
  put("retain_available", r.retain_available);
  put("maximum_packet_size", r.maximum_packet_size);
  put("assigned_client_id", r.assigned_client_id);
  put("topic_alias_maximum", r.topic_alias_maximum);
  put("reason_string", r.reason_string);
  put("wildcard_subscription_available", r.wildcard_subscription_available);
  put("subscription_identifiers_available", r.subscription_identifiers_available);
  put("shared_subscription_available", r.shared_subscription_available);
  put("server_keep_alive", r.server_keep_alive);
  put("response_information", r.response_information);
  put("server_reference", r.server_reference);
  put("session_expiry_interval", r.session_expiry_interval);
  if (!r.user_properties.empty()) {
    nlohmann::ordered_json pairs = nlohmann::ordered_json::array();
    for (const auto& [k, v] : r.user_properties) pairs.push_back({k, v});
    j["user_properties"] = pairs;
  }
  return j;
}

std::string to_text(const nlohmann::ordered_json& j) {
  std::string out;
  for (const auto& [key, value] : j.items()) {
    std::string label = key;
    for (char& c : label)
      if (c == '_') c = ' ';
    out += label + ": " + (value.is_string() ? value.get<std::string>() : value.dump()) + "\n";
  }
  return out;
}

ExitCode run_conn(const ConnOptions& options, CommandContext& context) {
  ResolvedConnection resolved = resolve_client_options(options.connection, context.environment);
  resolved.client.reconnect.enabled = false;
  Client client(resolved.client);
  const auto signal_registration = context.signals.on_signal([&client](int) { client.stop(); });
  spdlog::info("connecting to {} as {}", display_uri(resolved.client.broker), client.client_id());
  const ConnectResult result = client.connect();  // a signal during it: 130/143 (app.cpp)
  const nlohmann::ordered_json report = to_json(result, resolved.client);
  context.out.write(options.json ? report.dump() + "\n" : to_text(report));
  return finish_client(client, ExitCode::ok, std::chrono::seconds(1));
}

}  // namespace

Command setup_conn(CLI::App& parent) {
  auto options = std::make_shared<ConnOptions>();
  CLI::App* app = parent.add_subcommand(
      "conn", "Connect to a broker, print what it granted in CONNACK, and disconnect");
  add_connection_flags(*app, options->connection);
  app->add_flag("--json", options->json, "Print the CONNACK result as one JSON object");
  return {app, [options](CommandContext& context) { return run_conn(*options, context); }};
}

}  // namespace mqtk::cli
