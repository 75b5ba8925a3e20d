#pragma once
// The JSON object of mosquitto_sub's -F %j and %J (2.0.11 built with cJSON), for scripts
// written against mosquitto_sub. mqtk's own --json record is json_format.hpp.
//
//   {"tst":"2020-05-06T22:12:00.000000Z+0100","topic":"t","qos":0,"retain":0,"payloadlen":5,
//    "properties":{...},"payload":...}
//
// As mosquitto: "tst" is local time with microseconds and that literal "Z" before the UTC
// offset; an empty payload is null; property names are hyphenated and "user-properties" is an
// object whose keys may repeat. Differences, all so no payload is lost or printed as invalid
// JSON:
// - %j: a payload that is not valid UTF-8 is base64, flagged by "payload_encoding":"base64"
//   before it (mosquitto 2.0.11 prints the raw bytes inside the string).
// - %J: JSON is embedded with the whitespace between tokens removed but each token as written
//   (cJSON re-formats numbers: 1e3 -> 1000); a payload that is not JSON is written as %j
//   writes it plus "payload_encoding":"utf8" (mosquitto prints an error and no object).
// - Binary correlation data is base64 with "correlation-data-encoding":"base64".
// - No "mid": mqtk::Message does not carry the packet id.
// - Properties come in a fixed order (the MQTT 5 PUBLISH property table), not wire order.

#include <string>

#include "cli/output/timestamp.hpp"
#include <mqtk/message.hpp>

namespace mqtk::cli {

enum class JsonPayloadStyle {
  escaped,   // %j: the payload as a JSON string
  embedded,  // %J: the payload's own JSON
};

// Appends the compact object (one line).
void append_mosquitto_json(std::string& out, const Message& message, const LocalTime& time,
                           JsonPayloadStyle style);

}  // namespace mqtk::cli
