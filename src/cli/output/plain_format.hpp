#pragma once
// mosquitto_sub's default output (the payload) and -v (the topic, a space, the payload), each
// followed by a newline unless -N. As mosquitto_sub does, a message with an empty payload
// prints nothing by default, and "<topic> (null)" with -v (nothing with -v -N).
//
// Bytes are written unchanged unless escape_binary is set, which mqtk sets when stdout is a
// terminal: then topic and payload go through append_terminal_safe() (encoding.hpp), so a
// binary payload or an escape sequence cannot garble the terminal. Piped output stays
// byte-exact, as mosquitto_sub's always is.

#include <string>

#include <mqtk/message.hpp>

namespace mqtk::cli {

struct PlainStyle {
  bool verbose = false;        // -v
  bool newline = true;         // false with -N
  bool escape_binary = false;  // stdout is a terminal
};

void append_plain(std::string& out, const Message& message, const PlainStyle& style);

}  // namespace mqtk::cli
