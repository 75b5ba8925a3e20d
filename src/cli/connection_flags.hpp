#pragma once
// The flags every subcommand shares (broker, identity, auth, session, will, TLS, proxy,
// reconnect), spelled as mosquitto_sub/pub spell them, parsed in ONE place. ConnectionFlags
// holds raw input (unset = std::nullopt); resolve_client_options() applies defaults and the
// environment and the user's configuration (connection_config.hpp), enforces the cross-flag
// rules and yields core options.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/property_flags.hpp"
#include <mqtk/client_options.hpp>

namespace CLI {
class App;
}

namespace mqtk::cli {

struct ConnectionFlags {
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> url;
  std::optional<std::string> id;
  std::optional<std::string> id_prefix;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<std::string> password_file;
  std::optional<int> keepalive;
  std::optional<std::string> protocol_version;
  // Used when neither a flag, the environment nor a config file sets -V: rr and bridge need 5.
  ProtocolVersion default_version = ProtocolVersion::v311;
  bool disable_clean_session = false;
  std::optional<std::int64_t> session_expiry;
  std::optional<double> connect_timeout_s;

  std::optional<std::string> will_topic;
  std::optional<std::string> will_payload;
  std::optional<int> will_qos;
  bool will_retain = false;

  std::optional<std::string> cafile;
  std::optional<std::string> capath;
  std::optional<std::string> cert;
  std::optional<std::string> key;
  std::optional<std::string> key_password;
  bool insecure = false;
  bool tls_use_os_certs = false;
  std::optional<std::string> tls_alpn;
  std::optional<std::string> tls_version;
  std::optional<std::string> ciphers;
  std::optional<std::string> proxy;
  std::vector<std::string> ws_headers;  // "Name: value"
  std::vector<std::string> properties;  // -D command identifier value [value]

  std::optional<bool> reconnect;  // unset: the subcommand decides
  std::optional<double> reconnect_min_s;
  std::optional<double> reconnect_max_s;

  std::optional<std::string> profile;  // a named profile of the config file
  bool print_config = false;           // print the effective settings instead of running
  std::string command;                 // the subcommand these flags belong to: picks its config
};

// How the shared flags are spelled on one command: `mqtk bridge` registers them twice, as
// --from-host/--to-host ...; `mqtk bench` keeps the long names but gives some letters
// (-c, -i, -I, -L) the meanings emqtt-bench gives them.
struct FlagSpelling {
  std::string prefix;        // "from-": --from-host, --from-cafile ...; no short letters then
  std::string omit_short;    // letters not registered, e.g. "ciIL" (the long names still are)
  std::string group_prefix;  // prepended to the help groups, e.g. "From "
};

// Registers the shared flags on `app` (help group "Broker", "TLS", "Will", ...).
void add_connection_flags(CLI::App& app, ConnectionFlags& flags, const FlagSpelling& spelling = {});

using EnvironmentLookup = std::function<std::optional<std::string>(const char* name)>;
// MQTK_ENGINE (auto, paho, native): which engine speaks MQTT (README "Engines"); throws
// UsageError naming the variable.
Engine engine_from_environment(const EnvironmentLookup& env);
EnvironmentLookup process_environment();

struct ResolvedConnection {
  ClientOptions client;
  std::optional<std::string> url_topic;  // the path of -L mqtt://host/topic
  PropertyFlags properties;              // -D, for the parts the subcommand sends itself
};

// Throws UsageError naming the flag and value at fault (and the file, for a setting read from
// one); throws ConfigPrintout (connection_config.hpp) for --print-config.
ResolvedConnection resolve_client_options(const ConnectionFlags& flags,
                                          const EnvironmentLookup& environment);

}  // namespace mqtk::cli
