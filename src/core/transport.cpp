#include "core/transport.hpp"

#include "core/native_transport.hpp"
#include "core/paho_engine.hpp"
#include <mqtk/error.hpp>

namespace mqtk::detail {
namespace {

// What keeps `options` from mqtk's own engine, or empty when it can serve them.
std::string native_engine_refusal(const ClientOptions& options) {
  if (uses_tls(options)) return "TLS";
  if (options.broker.transport != mqtk::Transport::tcp) return "websockets";
  if (options.proxy.kind != ProxyKind::none) return "a proxy";
  return {};
}

}  // namespace

std::unique_ptr<Transport> make_transport(const ClientOptions& options, const std::string& client_id,
                                          TransportEvents& events) {
  const std::string refusal = native_engine_refusal(options);
  if (options.engine == Engine::native && !refusal.empty())
    throw UsageError("the native engine speaks plain MQTT over TCP only, not " + refusal +
                     " (use the automatic or paho engine)");
  if (options.engine == Engine::paho || !refusal.empty())
    return paho_engine().make_transport(options, client_id, events);
  return std::make_unique<NativeTransport>(options, client_id, events);
}

}  // namespace mqtk::detail
