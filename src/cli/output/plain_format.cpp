#include "cli/output/plain_format.hpp"

#include "cli/output/encoding.hpp"

namespace mqtk::cli {
namespace {

void append_bytes(std::string& out, std::string_view bytes, bool escape) {
  if (escape) {
    append_terminal_safe(out, bytes);
  } else {
    out.append(bytes);
  }
}

}  // namespace

void append_plain(std::string& out, const Message& message, const PlainStyle& style) {
  if (message.payload.empty()) {
    if (style.verbose && style.newline) {
      append_bytes(out, message.topic, style.escape_binary);
      out.append(" (null)\n");
    }
    return;
  }
  if (style.verbose) {
    append_bytes(out, message.topic, style.escape_binary);
    out.push_back(' ');
  }
  append_bytes(out, message.payload, style.escape_binary);
  if (style.newline) out.push_back('\n');
}

}  // namespace mqtk::cli
