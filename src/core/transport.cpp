#include "core/transport.hpp"

#include "core/native_transport.hpp"
#include "core/paho_engine.hpp"

namespace mqtk::detail {

std::unique_ptr<Transport> make_transport(const ClientOptions& options, const std::string& client_id,
                                          TransportEvents& events) {
  // mqtk's own engine reaches every broker the options describe (TLS, websockets, proxies):
  // paho only when asked for.
  if (options.engine == Engine::paho) return paho_engine().make_transport(options, client_id, events);
  return std::make_unique<NativeTransport>(options, client_id, events);
}

}  // namespace mqtk::detail
