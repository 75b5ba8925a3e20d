#include "core/transport.hpp"

namespace mqtk::detail {

std::unique_ptr<Transport> make_transport(const ClientOptions& options, const std::string& client_id,
                                          TransportEvents& events) {
  return make_paho_transport(options, client_id, events);
}

}  // namespace mqtk::detail
