#include "cli/connection_config.hpp"

#include <algorithm>
#include <type_traits>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/mosquitto_options.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

// Calls visit(long name, into.field, from.field) for every setting a file may hold.
template <class Visit>
void visit_settings(ConnectionFlags& into, const ConnectionFlags& from, Visit&& visit) {
  visit("host", into.host, from.host);
  visit("port", into.port, from.port);
  visit("url", into.url, from.url);
  visit("id", into.id, from.id);
  visit("id-prefix", into.id_prefix, from.id_prefix);
  visit("username", into.username, from.username);
  visit("pw", into.password, from.password);
  visit("password-file", into.password_file, from.password_file);
  visit("keepalive", into.keepalive, from.keepalive);
  visit("protocol-version", into.protocol_version, from.protocol_version);
  visit("disable-clean-session", into.disable_clean_session, from.disable_clean_session);
  visit("session-expiry-interval", into.session_expiry, from.session_expiry);
  visit("connect-timeout", into.connect_timeout_s, from.connect_timeout_s);
  visit("will-topic", into.will_topic, from.will_topic);
  visit("will-payload", into.will_payload, from.will_payload);
  visit("will-qos", into.will_qos, from.will_qos);
  visit("will-retain", into.will_retain, from.will_retain);
  visit("cafile", into.cafile, from.cafile);
  visit("capath", into.capath, from.capath);
  visit("cert", into.cert, from.cert);
  visit("key", into.key, from.key);
  visit("key-password", into.key_password, from.key_password);
  visit("insecure", into.insecure, from.insecure);
  visit("tls-use-os-certs", into.tls_use_os_certs, from.tls_use_os_certs);
  visit("tls-alpn", into.tls_alpn, from.tls_alpn);
  visit("tls-version", into.tls_version, from.tls_version);
  visit("ciphers", into.ciphers, from.ciphers);
  visit("proxy", into.proxy, from.proxy);
  visit("ws-header", into.ws_headers, from.ws_headers);
  visit("property", into.properties, from.properties);
  visit("reconnect", into.reconnect, from.reconnect);
  visit("reconnect-min", into.reconnect_min_s, from.reconnect_min_s);
  visit("reconnect-max", into.reconnect_max_s, from.reconnect_max_s);
}

template <class T>
bool is_set(const T& value) {
  if constexpr (std::is_same_v<T, bool>) return value;
  else if constexpr (requires { value.has_value(); }) return value.has_value();
  else return !value.empty();
}

template <class T>
constexpr bool is_list = requires(T list) { list.insert(list.end(), list.begin(), list.end()); };

// Where each setting came from, and from which layer: command line, environment, then the
// files from the highest precedence down.
class SourceTracker {
 public:
  explicit SourceTracker(ConfiguredFlags& configured) : configured_(configured) {}

  static constexpr int command_line = -2;
  static constexpr int environment = -1;

  void record(const std::string& name, int layer, const std::string& source) {
    configured_.sources[name] = source;
    layer_of_[name] = layer;
  }
  bool set_by_other_layer(const std::string& name, int layer) const {
    auto it = layer_of_.find(name);
    return it != layer_of_.end() && it->second != layer;
  }
  // Settings that only make sense together come from one place: a profile's host or user does
  // not join the command line's -L, nor a defaults password the profile's user name.
  bool blocked(const std::string& name, int layer) const {
    auto other = [&](const char* related) { return set_by_other_layer(related, layer); };
    if (set_by_other_layer(name, layer)) return true;
    if (name == "url") return other("host") || other("port");
    // A URL names the broker and may carry credentials: it comes with neither a host nor a
    // user from elsewhere.
    if (name == "host" || name == "port" || name == "username") return other("url");
    if (name == "pw" || name == "password-file")
      return other("pw") || other("password-file") || other("username") || other("url");
    if (name == "id") return other("id-prefix");
    if (name == "id-prefix") return other("id");
    return false;
  }

 private:
  ConfiguredFlags& configured_;
  std::map<std::string, int> layer_of_;
};

// One setting, parsed by a private instance of the command line's own flags.
std::optional<ConnectionFlags> parse_setting(const ConfigSetting& setting, bool skip_unknown) {
  CLI::App flags_parser{"", "mqtk"};
  flags_parser.set_help_flag();  // -h is the host here too
  ConnectionFlags parsed;
  add_connection_flags(flags_parser, parsed);
  const CLI::Option* option =
      setting.option.starts_with('-') ? flags_parser.get_option_no_throw(setting.option) : nullptr;
  if (option && (option->check_lname("profile") || option->check_lname("print-config"))) option = nullptr;
  if (!option) {
    const std::string message = setting.origin + ": '" + setting.option + "' is not a connection option";
    if (!skip_unknown) throw UsageError(message);
    spdlog::warn("{}; mqtk reads only the connection options from mosquitto's files (line ignored)", message);
    return std::nullopt;
  }
  std::vector<std::string> words{setting.option};
  words.insert(words.end(), setting.values.begin(), setting.values.end());
  std::reverse(words.begin(), words.end());  // CLI11 takes a vector of words last-first
  try {
    flags_parser.parse(words);
  } catch (const CLI::ParseError& e) {
    throw UsageError(setting.origin + ": " + e.what());
  }
  return parsed;
}

void apply_layer(const ConfigLayer& layer, int layer_number, ConfiguredFlags& configured,
                 SourceTracker& tracker) {
  for (const ConfigSetting& setting : layer.settings) {
    const std::optional<ConnectionFlags> parsed = parse_setting(setting, layer.skip_unknown);
    if (!parsed) continue;
    visit_settings(configured.flags, *parsed, [&](const char* name, auto& into, const auto& from) {
      if (!is_set(from) || tracker.blocked(name, layer_number)) return;
      // A repeatable flag collects its occurrences within one layer; anything else: the last.
      if constexpr (is_list<std::remove_cvref_t<decltype(into)>>) {
        if (!tracker.set_by_other_layer(name, layer_number) && configured.sources.contains(name))
          into.insert(into.end(), from.begin(), from.end());
        else into = from;
      } else {
        into = from;
      }
      tracker.record(name, layer_number, setting.origin);
    });
  }
}

}  // namespace

ConfiguredFlags apply_configuration(const ConnectionFlags& given, const EnvironmentLookup& environment) {
  ConfiguredFlags configured;
  configured.flags = given;
  SourceTracker tracker(configured);
  ConnectionFlags unset;
  visit_settings(unset, given, [&](const char* name, auto&, const auto& from) {
    if (is_set(from)) tracker.record(name, SourceTracker::command_line, "command line");
  });
  const std::pair<const char*, const char*> variables[] = {
      {"host", "MQTK_HOST"}, {"port", "MQTK_PORT"}, {"username", "MQTK_USERNAME"},
      {"pw", "MQTK_PASSWORD"}, {"proxy", "MQTK_PROXY"}};
  for (const auto& [name, variable] : variables) {
    // -L names the broker, so MQTK_HOST and MQTK_PORT do not count then (resolve ignores them).
    const bool given_by_url = given.url && (std::string_view(name) == "host" || std::string_view(name) == "port");
    if (!configured.sources.contains(name) && !given_by_url && environment(variable))
      tracker.record(name, SourceTracker::environment, std::string("environment ") + variable);
  }
  if (configured.sources.contains("password-file")) configured.sources.erase("pw");

  if (given.profile) configured.profile = ProfileChoice{*given.profile, "--profile"};
  else if (auto name = environment("MQTK_PROFILE")) configured.profile = ProfileChoice{*name, "MQTK_PROFILE"};

  const std::optional<std::filesystem::path> dir = user_config_dir(environment);
  if (!dir) {
    if (configured.profile)
      throw UsageError(configured.profile->chosen_by + " '" + configured.profile->name +
                       "': neither XDG_CONFIG_HOME nor HOME is set, so there is no config file");
    return configured;
  }
  const MqtkConfig mqtk = load_mqtk_config(*dir / "mqtk" / "config.json", given.command,
                                           configured.profile, environment);
  configured.files.push_back(mqtk.path.string() + (mqtk.exists ? "" : " (not found)"));

  std::vector<ConfigLayer> layers;
  if (mqtk.profile) layers.push_back(*mqtk.profile);
  if (mqtk.command) {
    layers.push_back(*mqtk.command);
  } else if (auto path = mosquitto_options_path(*dir, given.command)) {
    std::optional<ConfigLayer> mosquitto = load_mosquitto_options(*path);
    configured.files.push_back(path->string() + (mosquitto ? "" : " (not found)"));
    if (mosquitto) layers.push_back(std::move(*mosquitto));
  }
  if (mqtk.defaults) layers.push_back(*mqtk.defaults);
  for (std::size_t i = 0; i < layers.size(); ++i)
    apply_layer(layers[i], static_cast<int>(i), configured, tracker);
  return configured;
}

}  // namespace mqtk::cli
