#pragma once
// Internal to the core: the one place where mqtk's value types meet paho's. Included only by
// core .cpp files, so no public header depends on paho.

#include <cstdint>
#include <functional>
#include <string>

#include <mqtt/async_client.h>

#include <mqtk/client.hpp>
#include <mqtk/client_options.hpp>
#include <mqtk/message.hpp>

namespace mqtk::detail {

int paho_mqtt_version(ProtocolVersion version) noexcept;

mqtt::create_options make_create_options(const ClientOptions& options);
// No OpenSSL error handler is registered: paho.mqtt.cpp 1.2 hands the C library a context
// pointer into a temporary copy of these options (P21), so the handler would dangle. TLS
// failures are explained by network_diagnosis instead.
// paho_proxy: for paho's httpProxy and httpsProxy, from ProxyRoute::paho_proxy(); empty leaves
// them unset (paho then reads $http_proxy / $https_proxy, which ProxyRoute rules out first).
mqtt::connect_options make_connect_options(const ClientOptions& options,
                                           const std::string& paho_proxy);

// A four-byte integer property value as paho can send it. paho.mqtt.c 1.3.11's writeInt4()
// divides a signed int, so a value above INT32_MAX reached the wire mangled (0xFFFFFFFF, -c's
// "never expire" session, went out as 255 s). Clamped instead: INT32_MAX seconds is 68 years,
// and no packet size near it is meaningful.
std::int32_t paho_four_byte_value(std::uint32_t value);

mqtt::properties to_paho_properties(const MessageProperties& properties);
MessageProperties from_paho_properties(const MQTTProperties& properties);
mqtt::message_ptr to_paho_message(const Message& message, ProtocolVersion version);
Message from_paho_message(const mqtt::message& message);

ConnectResult make_connect_result(const mqtt::connect_response& response,
                                  const std::string& client_id);

// Builds the ConnectError message for a failed connect token or exception.
std::string describe_connect_failure(int return_code, int reason_code, ProtocolVersion version,
                                     const std::string& uri, const std::string& tls_error,
                                     const std::string& paho_message);

}  // namespace mqtk::detail
