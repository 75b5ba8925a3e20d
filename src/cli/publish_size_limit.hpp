#pragma once
// The broker's MQTT 5 Maximum Packet Size (from CONNACK), checked before a PUBLISH is sent by
// both ways `mqtk pub` publishes (through the core client, pub_run.cpp, and the one-shot direct
// path, pub_direct.cpp), so both refuse the same payloads with the same words.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <mqtk/message.hpp>

namespace mqtk::cli {

// A little above the PUBLISH packet's size on the wire (it allows for the largest fixed header
// and property lengths), so the check never lets an oversize packet through.
std::size_t estimated_publish_size(const Message& message);

// Throws Error (runtime) "<where>payload of N bytes exceeds the broker's maximum packet size of
// M bytes" when `message` would not fit; nothing when the broker set no maximum.
void check_publish_size(const Message& message, std::optional<std::uint32_t> maximum,
                        const std::string& where);

}  // namespace mqtk::cli
