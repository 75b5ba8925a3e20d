// --print-config (declared in connection_config.hpp): the effective connection settings, one
// "name  value  source" line each, for a user wondering which file set what.
#include <cstdio>

#include "cli/connection_config.hpp"

namespace mqtk::cli {
namespace {

class Report {
 public:
  explicit Report(const ConfiguredFlags& configured) : configured_(configured) {}

  // The source of the first of `names` that has one, else `fallback`.
  std::string source(std::initializer_list<const char*> names,
                     const std::string& fallback = "built-in default") const {
    for (const char* name : names)
      if (auto it = configured_.sources.find(name); it != configured_.sources.end()) return it->second;
    return fallback;
  }
  void line(const std::string& name, const std::string& value, const std::string& source) {
    char padded[64];
    std::snprintf(padded, sizeof padded, "%-18s", name.c_str());
    text_ += padded;
    std::snprintf(padded, sizeof padded, "%-30s", value.c_str());
    text_ += padded;
    text_ += value.size() >= 30 ? "  " : "";
    text_ += source.empty() ? "" : "  " + source;
    while (!text_.empty() && text_.back() == ' ') text_.pop_back();
    text_ += '\n';
  }
  std::string text() const { return text_; }

 private:
  const ConfiguredFlags& configured_;
  std::string text_;
};

std::string or_none(const std::string& value) { return value.empty() ? "(none)" : value; }

std::string seconds(std::chrono::milliseconds ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(ms.count()) / 1000.0);
  return text;
}

std::string proxy_text(const ProxyOptions& proxy) {
  if (proxy.kind == ProxyKind::none) return "(none)";
  const char* scheme = proxy.kind == ProxyKind::http ? "http" : (proxy.remote_dns ? "socks5h" : "socks5");
  // Credentials in a proxy URL are never shown.
  return std::string(scheme) + "://" + proxy.host + ":" + std::to_string(proxy.port);
}

}  // namespace

std::string describe_configuration(const ResolvedConnection& resolved, const ConfiguredFlags& configured) {
  const ClientOptions& o = resolved.client;
  Report r(configured);
  for (const std::string& file : configured.files) r.line("config file", file, "");
  if (configured.profile) r.line("profile", configured.profile->name, configured.profile->chosen_by);
  else r.line("profile", "(none)", "");

  r.line("broker", display_uri(o.broker), r.source({"url", "host", "port"}));
  r.line("host", o.broker.host, r.source({"url", "host"}));
  r.line("port", std::to_string(o.broker.port), r.source({"url", "port"}, "built-in default for the transport"));
  r.line("protocol-version", std::string(to_string(o.version)), r.source({"protocol-version"}));
  if (!o.client_id.empty()) r.line("id", o.client_id, r.source({"id"}));
  else r.line("id-prefix", o.id_prefix, r.source({"id-prefix"}));
  r.line("username", o.username.value_or("(none)"), r.source({"username", "url"}, ""));
  r.line("password", o.password ? "(set, not shown)" : "(none)", r.source({"pw", "password-file", "url"}, ""));
  r.line("keepalive", std::to_string(o.keepalive_s), r.source({"keepalive"}));
  r.line("clean-session", o.clean_session ? "yes" : "no", r.source({"disable-clean-session"}));
  r.line("connect-timeout", seconds(o.connect_timeout), r.source({"connect-timeout"}));
  r.line("tls", uses_tls(o) ? "yes" : "no",
         uses_tls(o) ? r.source({"url", "cafile", "capath", "cert", "insecure", "tls-use-os-certs",
                                 "tls-alpn", "tls-version"}) : "built-in default");
  r.line("cafile", or_none(o.tls.ca_file), r.source({"cafile"}, ""));
  r.line("capath", or_none(o.tls.ca_path), r.source({"capath"}, ""));
  r.line("cert", or_none(o.tls.cert_file), r.source({"cert"}, ""));
  r.line("key", or_none(o.tls.key_file), r.source({"key"}, ""));
  r.line("tls-version", o.tls.version.empty() ? "(negotiate)" : o.tls.version, r.source({"tls-version"}));
  r.line("insecure", o.tls.insecure ? "yes" : "no", r.source({"insecure"}));
  r.line("proxy", proxy_text(o.proxy), r.source({"proxy"}, ""));
  if (o.will) r.line("will-topic", o.will->topic, r.source({"will-topic"}));
  const bool reconnect_given = configured.flags.reconnect.has_value();
  r.line("reconnect", reconnect_given ? (*configured.flags.reconnect ? "yes" : "no") : "(the command decides)",
         r.source({"reconnect"}, ""));
  r.line("reconnect-min", seconds(o.reconnect.min_delay), r.source({"reconnect-min"}));
  r.line("reconnect-max", seconds(o.reconnect.max_delay), r.source({"reconnect-max"}));
  return r.text();
}

}  // namespace mqtk::cli
