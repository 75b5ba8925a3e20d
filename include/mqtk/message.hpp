#pragma once
/// @file
/// One MQTT application message as mqtk sees it: topic, payload bytes, delivery flags and the
/// MQTT 5 properties that travel with it. A plain value type, independent of paho.
/// Thread-safety: a plain value, not synchronized; each message popped from a queue belongs to
/// the thread that popped it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mqtk {

/// MQTT 5 message properties; all empty on 3.1/3.1.1 connections.
struct MessageProperties {
  std::optional<std::uint8_t> payload_format_indicator{};  ///< 1 = UTF-8 text
  std::optional<std::uint32_t> message_expiry_interval{};  ///< seconds
  std::optional<std::string> content_type{};
  std::optional<std::string> response_topic{};
  std::optional<std::string> correlation_data{};         ///< raw bytes
  std::optional<std::uint16_t> topic_alias{};
  /// Ordered and repeatable, as on the wire.
  std::vector<std::pair<std::string, std::string>> user_properties{};
  std::vector<std::uint32_t> subscription_identifiers{};

  bool empty() const {
    return !payload_format_indicator && !message_expiry_interval && !content_type &&
           !response_topic && !correlation_data && !topic_alias && user_properties.empty() &&
           subscription_identifiers.empty();
  }
  friend bool operator==(const MessageProperties&, const MessageProperties&) = default;
};

/// An application message, incoming (from Client::messages()) or outgoing (to publish()).
struct Message {
  std::string topic{};
  std::string payload{};  ///< raw bytes, may contain NUL
  int qos = 0;
  bool retain = false;
  bool duplicate = false;
  MessageProperties properties{};
  /// Set by the client when the message arrived; unset for outgoing messages.
  std::optional<std::chrono::system_clock::time_point> received_at{};
  /// Incoming QoS 1 and 2: the PUBLISH's packet identifier (mosquitto_sub's %m), what
  /// Client::acknowledge() answers. 0 otherwise; ignored by publish().
  std::uint16_t packet_id = 0;

  friend bool operator==(const Message&, const Message&) = default;
};

}  // namespace mqtk
