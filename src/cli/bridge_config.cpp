// `mqtk bridge --config FILE`: both sides and several rules in one JSON file. Keys are the long
// flag names without the side prefix ("cafile" for --from-cafile), so the man page documents
// both at once; the command line wins over the file.

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/bridge_options.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

using Json = nlohmann::json;

class ConfigReader {
 public:
  explicit ConfigReader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    throw UsageError("--config '" + path_ + "': " + key + ": " + why);
  }
  std::string text(const Json& value, const std::string& key) const {
    if (!value.is_string()) fail(key, "expected a string");
    return value.get<std::string>();
  }
  long long integer(const Json& value, const std::string& key) const {
    if (!value.is_number_integer()) fail(key, "expected an integer");
    return value.get<long long>();
  }
  double number(const Json& value, const std::string& key) const {
    if (!value.is_number()) fail(key, "expected a number of seconds");
    return value.get<double>();
  }
  bool boolean(const Json& value, const std::string& key) const {
    if (!value.is_boolean()) fail(key, "expected true or false");
    return value.get<bool>();
  }

  void side(const Json& object, const std::string& name, ConnectionFlags& f) const {
    if (!object.is_object()) fail(name, "expected an object");
    using Setter = std::function<void(const Json&, const std::string&)>;
    auto fill_text = [this](std::optional<std::string>& field) -> Setter {
      return [this, &field](const Json& v, const std::string& key) { if (!field) field = text(v, key); };
    };
    auto fill_seconds = [this](std::optional<double>& field) -> Setter {
      return [this, &field](const Json& v, const std::string& key) { if (!field) field = number(v, key); };
    };
    const std::map<std::string, Setter> setters = {
        {"url", fill_text(f.url)},
        {"host", fill_text(f.host)},
        {"port", [this, &f](const Json& v, const std::string& key) { if (!f.port) f.port = static_cast<int>(integer(v, key)); }},
        {"protocol-version", [this, &f](const Json& v, const std::string& key) {
           if (!f.protocol_version) f.protocol_version = v.is_number() ? v.dump() : text(v, key); }},
        {"id", fill_text(f.id)},
        {"username", fill_text(f.username)},
        {"pw", fill_text(f.password)},
        {"password-file", fill_text(f.password_file)},
        {"keepalive", [this, &f](const Json& v, const std::string& key) { if (!f.keepalive) f.keepalive = static_cast<int>(integer(v, key)); }},
        {"session-expiry-interval", [this, &f](const Json& v, const std::string& key) { if (!f.session_expiry) f.session_expiry = integer(v, key); }},
        {"connect-timeout", fill_seconds(f.connect_timeout_s)},
        {"cafile", fill_text(f.cafile)},
        {"capath", fill_text(f.capath)},
        {"cert", fill_text(f.cert)},
        {"key", fill_text(f.key)},
        {"key-password", fill_text(f.key_password)},
        {"insecure", [this, &f](const Json& v, const std::string& key) { f.insecure = f.insecure || boolean(v, key); }},
        {"tls-version", fill_text(f.tls_version)},
        {"tls-alpn", fill_text(f.tls_alpn)},
        {"ciphers", fill_text(f.ciphers)},
        {"proxy", fill_text(f.proxy)},
        {"reconnect-min", fill_seconds(f.reconnect_min_s)},
        {"reconnect-max", fill_seconds(f.reconnect_max_s)},
    };
    for (const auto& [key, value] : object.items()) {
      const std::string where = name + "." + key;
      auto setter = setters.find(key);
      if (setter == setters.end()) fail(where, "unknown key");
      setter->second(value, where);
    }
  }

  RuleFlags rule(const Json& object, const std::string& where) const {
    if (!object.is_object()) fail(where, "expected an object with \"topic\" or \"reverse\"");
    RuleFlags r;
    const bool forward = object.contains("topic");
    if (forward == object.contains("reverse")) fail(where, "needs exactly one of \"topic\" and \"reverse\"");
    r.direction = forward ? BridgeDirection::forward : BridgeDirection::reverse;
    for (const auto& [key, value] : object.items()) {
      if (key == "topic" || key == "reverse") r.filter = text(value, where + "." + key);
      else if (key == "qos") r.qos = static_cast<int>(integer(value, where + ".qos"));
      else if (key == "remap") r.remap = text(value, where + ".remap");
      else fail(where + "." + key, "unknown key");
    }
    return r;
  }

 private:
  std::string path_;
};

}  // namespace

void apply_bridge_config(BridgeFlags& flags, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("--config '" + path + "': cannot be read");
  const ConfigReader reader(path);
  Json config;
  try {
    config = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw UsageError("--config '" + path + "': not valid JSON (" + e.what() + ")");
  }
  if (!config.is_object()) reader.fail("top level", "expected an object");
  std::vector<RuleFlags> rules;
  for (const auto& [key, value] : config.items()) {
    if (key == "from") {
      reader.side(value, key, flags.from);
    } else if (key == "to") {
      reader.side(value, key, flags.to);
    } else if (key == "rules") {
      if (!value.is_array()) reader.fail(key, "expected an array");
      for (std::size_t i = 0; i < value.size(); ++i)
        rules.push_back(reader.rule(value[i], "rules[" + std::to_string(i) + "]"));
    } else if (key == "name") {
      if (!flags.name) flags.name = reader.text(value, key);
    } else if (key == "max-queued") {
      if (!flags.max_queued) flags.max_queued = reader.integer(value, key);
    } else if (key == "max-inflight") {
      if (!flags.max_inflight) flags.max_inflight = reader.integer(value, key);
    } else {
      reader.fail(key, "unknown key");
    }
  }
  rules.insert(rules.end(), flags.rules.begin(), flags.rules.end());
  flags.rules = std::move(rules);
}

}  // namespace mqtk::cli
