#include "cli/connection_flags.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <mqtk/broker_url.hpp>
#include <mqtk/error.hpp>
#include <mqtk/topic.hpp>

#include "cli/connection_config.hpp"

namespace mqtk::cli {
namespace {

std::string read_password_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("--password-file '" + path + "': cannot be read");
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// -P - : read the password from the terminal without echo, never from argv (visible in ps).
std::string prompt_password() {
  if (!isatty(STDIN_FILENO)) throw UsageError("-P -: standard input is not a terminal to prompt on");
  termios saved{};
  tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::fputs("Password: ", stderr);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::fputs("\n", stderr);
  return line;
}

void check_range(const char* flag, std::int64_t value, std::int64_t low, std::int64_t high) {
  if (value < low || value > high)
    throw UsageError(std::string(flag) + " " + std::to_string(value) + " is out of range " +
                     std::to_string(low) + ".." + std::to_string(high));
}

std::chrono::milliseconds seconds_flag(const char* flag, double seconds) {
  if (!(seconds > 0) || seconds > 86400.0)
    throw UsageError(std::string(flag) + " must be more than 0 and at most 86400 seconds");
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

}  // namespace

Engine engine_from_environment(const EnvironmentLookup& env) {
  const auto engine = env("MQTK_ENGINE");
  if (!engine) return Engine::automatic;
  try {
    return parse_engine(*engine);
  } catch (const UsageError& e) {
    throw UsageError(std::string("MQTK_ENGINE: ") + e.what());
  }
}

EnvironmentLookup process_environment() {
  return [](const char* name) -> std::optional<std::string> {
    if (const char* value = std::getenv(name); value && *value) return std::string(value);
    return std::nullopt;
  };
}

void add_connection_flags(CLI::App& app, ConnectionFlags& f, const FlagSpelling& spelling) {
  f.command = app.get_name();
  // "-h,--host" as given, or respelled: "--from-host" (prefix, no short letters) or "--host"
  // (its letter omitted). "!--no-reconnect" keeps its "!" in front of the prefixed name.
  auto spelled = [&spelling](std::string_view names) {
    std::string out;
    std::size_t start = 0;
    while (start <= names.size()) {
      std::size_t comma = names.find(',', start);
      std::string_view name = names.substr(start, comma == std::string_view::npos ? names.npos : comma - start);
      bool negated = !name.empty() && name.front() == '!';
      if (negated) name.remove_prefix(1);
      bool is_short = name.size() == 2 && name[0] == '-' && name[1] != '-';
      bool keep = is_short ? spelling.prefix.empty() && spelling.omit_short.find(name[1]) == std::string::npos
                           : true;
      if (keep) {
        if (!out.empty()) out += ',';
        if (negated) out += '!';
        out += is_short ? std::string(name) : "--" + spelling.prefix + std::string(name.substr(2));
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return out;
  };
  auto grouped = [&spelling](const char* group) { return spelling.group_prefix + group; };
  // A prefixed side (bridge's --from-/--to-) reads no MQTK_* variable: they cannot say which side.
  const bool reads_environment = spelling.prefix.empty();
  auto or_env = [reads_environment](const std::string& text) { return reads_environment ? text : std::string(); };
  const std::string default_version = f.default_version == ProtocolVersion::v5     ? "mqttv5"
                                      : f.default_version == ProtocolVersion::v31 ? "mqttv31"
                                                                                  : "mqttv311";

  const char* broker = "Broker";
  app.add_option(spelled("-h,--host"), f.host, "Broker host name or address (default: localhost" + or_env(", or $MQTK_HOST") + ")")->group(grouped(broker));
  app.add_option(spelled("-p,--port"), f.port, "Broker port (default: 1883, 8883 with TLS" + or_env(", or $MQTK_PORT") + ")")->group(grouped(broker));
  app.add_option(spelled("-L,--url"), f.url, "Broker URL mqtt[s]://[user[:pass]@]host[:port]/topic or ws[s]://host[:port]/path")->group(grouped(broker));
  app.add_option(spelled("-V,--protocol-version"), f.protocol_version, "MQTT version: mqttv31, mqttv311 or mqttv5 (also 3.1, 3.1.1, 5; default: " + default_version + ")")->group(grouped(broker));
  app.add_option(spelled("-i,--id"), f.id, "Client id (default: <prefix>-<random>)")->group(grouped(broker));
  app.add_option(spelled("-I,--id-prefix"), f.id_prefix, "Prefix for the generated client id (default: mqtk)")->group(grouped(broker));
  app.add_option(spelled("-k,--keepalive"), f.keepalive, "Keepalive in seconds, 5..65535 (default: 60); a broker silent for 1.5x this counts as gone")->group(grouped(broker));
  app.add_flag(spelled("-c,--disable-clean-session"), f.disable_clean_session, "Persistent session: keep subscriptions and queued messages while away (needs -i)")->group(grouped(broker));
  app.add_option(spelled("-x,--session-expiry-interval"), f.session_expiry, "v5 session expiry in seconds (default with -c: never)")->group(grouped(broker));
  app.add_option(spelled("--connect-timeout"), f.connect_timeout_s, "Seconds to wait for CONNACK (default: 10)")->group(grouped(broker));
  app.add_option(spelled("-D,--property"), f.properties, "v5 property: COMMAND NAME VALUE (user-property: COMMAND user-property KEY VALUE)")->expected(3, 4)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->group(grouped(broker));
  app.add_option(spelled("--ws-header"), f.ws_headers, "Extra websocket HTTP header 'Name: value' (repeatable)")->group(grouped(broker));
  app.add_option(spelled("--proxy"), f.proxy, "Proxy URL: http://, socks5:// or socks5h://[user:pass@]host:port (" + or_env("or $MQTK_PROXY; ") + "$http_proxy is ignored)")->group(grouped(broker));

  const char* auth = "Authentication";
  app.add_option(spelled("-u,--username"), f.username, "User name" + or_env(" (or $MQTK_USERNAME)"))->group(grouped(auth));
  app.add_option(spelled("-P,--pw"), f.password, "Password; '-' prompts on the terminal (or " + or_env("$MQTK_PASSWORD, ") + "--" + spelling.prefix + "password-file)")->group(grouped(auth));
  app.add_option(spelled("--password-file"), f.password_file, "Read the password from the first line of FILE")->group(grouped(auth));

  const char* will = "Will";
  app.add_option(spelled("--will-topic"), f.will_topic, "Topic of the will message")->group(grouped(will));
  app.add_option(spelled("--will-payload"), f.will_payload, "Payload of the will message")->group(grouped(will));
  app.add_option(spelled("--will-qos"), f.will_qos, "QoS of the will message (0, 1, 2)")->group(grouped(will));
  app.add_flag(spelled("--will-retain"), f.will_retain, "Retain the will message")->group(grouped(will));

  const char* tls = "TLS";
  app.add_option(spelled("--cafile"), f.cafile, "CA certificates (PEM) to verify the broker; enables TLS")->check(CLI::ExistingFile)->group(grouped(tls));
  app.add_option(spelled("--capath"), f.capath, "Directory of hashed CA certificates; enables TLS")->check(CLI::ExistingDirectory)->group(grouped(tls));
  app.add_option(spelled("--cert"), f.cert, "Client certificate (PEM)")->check(CLI::ExistingFile)->group(grouped(tls));
  app.add_option(spelled("--key"), f.key, "Client private key (PEM)")->check(CLI::ExistingFile)->group(grouped(tls));
  app.add_option(spelled("--key-password"), f.key_password, "Password of an encrypted --key")->group(grouped(tls));
  app.add_flag(spelled("--insecure"), f.insecure, "Do not verify the broker's certificate chain and host name")->group(grouped(tls));
  app.add_flag(spelled("--tls-use-os-certs"), f.tls_use_os_certs, "Verify the broker against the system's CA store; enables TLS")->group(grouped(tls));
  app.add_option(spelled("--tls-alpn"), f.tls_alpn, "TLS ALPN protocol, e.g. mqtt")->group(grouped(tls));
  app.add_option(spelled("--tls-version"), f.tls_version, "tlsv1.3, tlsv1.2 or tlsv1.1 (default: negotiate)")->check(CLI::IsMember({"tlsv1.3", "tlsv1.2", "tlsv1.1"}))->group(grouped(tls));
  app.add_option(spelled("--ciphers"), f.ciphers, "OpenSSL cipher list")->group(grouped(tls));

  const char* config = "Configuration";
  app.add_option(spelled("--profile"), f.profile, "Use the named profile of ~/.config/mqtk/config.json" + or_env(" (or $MQTK_PROFILE)"))->group(grouped(config));
  if (spelling.prefix.empty())
    app.add_flag("--print-config", f.print_config, "Print each effective connection setting and where it came from, then exit")->group(grouped(config));

  const char* reconnect = "Reconnect";
  // Fix: add_flag() bound to a std::optional<bool> runs its callback for the default as well
  // (CLI11 2.1.2 run_callback_for_default), so `reconnect` was always set, to false, and an
  // unbounded `mqtk sub` never reconnected. A flag function runs only when the flag is given.
  app.add_flag_function(spelled("--reconnect,!--no-reconnect"), [&f](std::int64_t count) { f.reconnect = count > 0; },
                        "Reconnect with backoff after the connection is lost")->group(grouped(reconnect));
  app.add_option(spelled("--reconnect-min"), f.reconnect_min_s, "First reconnect delay in seconds (default: 1)")->group(grouped(reconnect));
  app.add_option(spelled("--reconnect-max"), f.reconnect_max_s, "Longest reconnect delay in seconds (default: 30)")->group(grouped(reconnect));
}

namespace {

ResolvedConnection resolve_flags(const ConnectionFlags& f, const EnvironmentLookup& env) {
  ResolvedConnection resolved;
  ClientOptions& o = resolved.client;

  if (f.url && (f.host || f.port)) throw UsageError("-L/--url cannot be combined with -h/--host or -p/--port");
  if (f.url) {
    BrokerUrl url = BrokerUrl::parse(*f.url);
    if ((url.transport == Transport::tcp || url.transport == Transport::tls) && !url.path.empty())
      resolved.url_topic = url.path;
    if (url.username) o.username = url.username;
    if (url.password) o.password = url.password;
    o.broker = std::move(url);
  } else {
    o.broker.host = f.host ? *f.host : env("MQTK_HOST").value_or("localhost");
  }

  o.tls.ca_file = f.cafile.value_or("");
  o.tls.ca_path = f.capath.value_or("");
  o.tls.cert_file = f.cert.value_or("");
  o.tls.key_file = f.key.value_or("");
  o.tls.key_password = f.key_password.value_or("");
  o.tls.insecure = f.insecure;
  o.tls.version = f.tls_version.value_or("");
  o.tls.ciphers = f.ciphers.value_or("");
  if (f.tls_alpn) o.tls.alpn = {*f.tls_alpn};
  if (f.cert.has_value() != f.key.has_value()) throw UsageError("--cert and --key must be given together");
  const bool tls_flags = f.cafile || f.capath || f.cert || f.insecure || f.tls_use_os_certs ||
                         f.tls_alpn || f.tls_version;
  if (tls_flags) {
    o.tls.enabled = true;
    if (o.broker.transport == Transport::tcp) o.broker.transport = Transport::tls;
    if (o.broker.transport == Transport::websocket) o.broker.transport = Transport::websocket_tls;
  }

  if (f.port) {
    check_range("-p/--port", *f.port, 1, 65535);
    o.broker.port = static_cast<std::uint16_t>(*f.port);
  } else if (f.url) {
    // The URL's own port, or its scheme's default: -L mqtts://host means 8883.
  } else if (auto port = env("MQTK_PORT"); port) {
    try {
      const int value = std::stoi(*port);
      check_range("MQTK_PORT", value, 1, 65535);
      o.broker.port = static_cast<std::uint16_t>(value);
    } catch (const std::logic_error&) {
      throw UsageError("MQTK_PORT '" + *port + "' is not a port number");
    }
  } else {
    o.broker.port = default_port(o.broker.transport);
  }

  o.version = f.protocol_version ? parse_protocol_version(*f.protocol_version) : f.default_version;
  const bool v5 = o.version == ProtocolVersion::v5;
  if (f.id) {
    if (f.id->empty()) throw UsageError("-i/--id must not be empty");
    if (f.id->size() > 65535) throw UsageError("-i/--id is longer than 65535 bytes");
    if (o.version == ProtocolVersion::v31 && f.id->size() > 23)
      throw UsageError("-i/--id: MQTT 3.1 allows at most 23 characters; use -V 3.1.1 or 5");
    o.client_id = *f.id;
  }
  if (f.id && f.id_prefix) throw UsageError("-i/--id and -I/--id-prefix cannot be combined");
  if (f.id_prefix) o.id_prefix = *f.id_prefix;
  if (f.keepalive) {
    check_range("-k/--keepalive", *f.keepalive, 5, 65535);
    o.keepalive_s = static_cast<std::uint16_t>(*f.keepalive);
  }
  o.clean_session = !f.disable_clean_session;
  if (f.disable_clean_session && !f.id)
    throw UsageError("-c/--disable-clean-session needs a client id (-i): the session is found by it");
  if (f.session_expiry) {
    if (!v5) throw UsageError("-x/--session-expiry-interval needs MQTT 5 (-V 5)");
    check_range("-x/--session-expiry-interval", *f.session_expiry, 0, 4294967295LL);
    o.session_expiry_s = static_cast<std::uint32_t>(*f.session_expiry);
  }
  if (f.connect_timeout_s) o.connect_timeout = seconds_flag("--connect-timeout", *f.connect_timeout_s);

  if (f.username) o.username = *f.username;
  else if (!o.username) o.username = env("MQTK_USERNAME");
  if (f.password && f.password_file) throw UsageError("-P/--pw and --password-file cannot be combined");
  if (f.password) o.password = *f.password == "-" && !f.print_config ? prompt_password() : *f.password;
  else if (f.password_file) o.password = read_password_file(*f.password_file);
  else if (!o.password) o.password = env("MQTK_PASSWORD");
  o.engine = engine_from_environment(env);
  if (o.password && !o.username) throw UsageError("a password needs a user name (-u)");

  resolved.properties = parse_property_flags(f.properties);
  const PropertyFlags& props = resolved.properties;
  if (!props.empty && !v5) throw UsageError("-D/--property needs MQTT 5 (-V 5)");
  o.connect_properties = props.connect;
  if (props.session_expiry_interval) o.session_expiry_s = props.session_expiry_interval;

  if (f.will_payload || f.will_qos || f.will_retain) {
    if (!f.will_topic) throw UsageError("--will-payload, --will-qos and --will-retain need --will-topic");
  }
  if (f.will_topic) {
    if (std::string problem = topic_name_problem(*f.will_topic); !problem.empty())
      throw UsageError("--will-topic " + quote_for_message(*f.will_topic) + ": " + problem);
    Will will;
    will.topic = *f.will_topic;
    will.payload = f.will_payload.value_or("");
    if (f.will_qos) check_range("--will-qos", *f.will_qos, 0, 2);
    will.qos = f.will_qos.value_or(0);
    will.retain = f.will_retain;
    will.properties = props.will;
    will.delay_interval = props.will_delay_interval;
    o.will = std::move(will);
  }

  // Only --proxy and MQTK_PROXY choose a proxy. http_proxy/https_proxy are for HTTP clients and
  // are ignored on purpose (the core keeps paho from falling back to them).
  if (f.proxy) o.proxy = ProxyOptions::parse(*f.proxy);
  else if (auto proxy = env("MQTK_PROXY"); proxy) {
    try {
      o.proxy = ProxyOptions::parse(*proxy);
    } catch (const UsageError& e) {
      throw UsageError(std::string("MQTK_PROXY: ") + e.what());
    }
  }
  for (const std::string& header : f.ws_headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
      throw UsageError("--ws-header '" + header + "': expected 'Name: value'");
    std::string value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    o.websocket_headers[header.substr(0, colon)] = value;
  }

  if (f.reconnect) o.reconnect.enabled = *f.reconnect;
  if (f.reconnect_min_s) o.reconnect.min_delay = seconds_flag("--reconnect-min", *f.reconnect_min_s);
  if (f.reconnect_max_s) o.reconnect.max_delay = seconds_flag("--reconnect-max", *f.reconnect_max_s);
  if (o.reconnect.max_delay < o.reconnect.min_delay)
    throw UsageError("--reconnect-max must not be less than --reconnect-min");
  return resolved;
}

}  // namespace

ResolvedConnection resolve_client_options(const ConnectionFlags& given, const EnvironmentLookup& env) {
  const ConfiguredFlags configured = apply_configuration(given, env);
  ResolvedConnection resolved;
  try {
    resolved = resolve_flags(configured.flags, env);
  } catch (const UsageError& e) {
    // A value from a file fails with the flag's own message: say which file set it.
    std::string message = e.what();
    for (const auto& [name, source] : configured.sources)
      if (source != "command line" && !source.starts_with("environment ") &&
          message.find("--" + name) != std::string::npos)
        message += " (set in " + source + ")";
    throw UsageError(message);
  }
  if (given.print_config) throw ConfigPrintout(describe_configuration(resolved, configured));
  return resolved;
}

}  // namespace mqtk::cli
