#include "core/websocket_frame.hpp"

#include "core/wire_frame.hpp"

namespace mqtk::detail {
namespace {

std::string base64(const unsigned char* data, std::size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < size; i += 3) {
    const std::uint32_t chunk = (static_cast<std::uint32_t>(data[i]) << 16) |
                                (i + 1 < size ? static_cast<std::uint32_t>(data[i + 1]) << 8 : 0u) |
                                (i + 2 < size ? static_cast<std::uint32_t>(data[i + 2]) : 0u);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < size ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

}  // namespace

std::string websocket_upgrade_request(std::string_view host, std::uint16_t port, std::string_view path,
                                      std::mt19937& random,
                                      const std::map<std::string, std::string>& headers) {
  unsigned char key[16];
  for (unsigned char& byte : key) byte = static_cast<unsigned char>(random());
  std::string request = "GET /" + std::string(path) + " HTTP/1.1\r\n";
  request += "Host: " + std::string(host) + ":" + std::to_string(port) + "\r\n";
  request += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
  request += "Sec-WebSocket-Key: " + base64(key, sizeof key) + "\r\n";
  request += "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  return request;
}

std::size_t websocket_response_size(std::string_view buffer) noexcept {
  const std::size_t end = buffer.find("\r\n\r\n");
  return end == std::string_view::npos ? 0 : end + 4;
}

std::string websocket_response_error(std::string_view response) {
  const std::string_view status = response.substr(0, response.find("\r\n"));
  if (status.starts_with("HTTP/1.1 101")) return {};
  return "websocket upgrade refused: " + std::string(status);
}

void append_websocket_frame(std::string& out, std::string_view payload, std::uint32_t mask_key,
                            std::uint8_t opcode) {
  out.push_back(static_cast<char>(0x80 | opcode));
  const std::size_t size = payload.size();
  if (size < 126) {
    out.push_back(static_cast<char>(0x80 | size));
  } else if (size < 65536) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(size >> 8));
    out.push_back(static_cast<char>(size & 0xff));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
  }
  const char mask[4] = {static_cast<char>(mask_key >> 24), static_cast<char>(mask_key >> 16),
                        static_cast<char>(mask_key >> 8), static_cast<char>(mask_key)};
  out.append(mask, 4);
  const std::size_t start = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < size; ++i) out[start + i] = static_cast<char>(out[start + i] ^ mask[i % 4]);
}

WebsocketInput read_websocket_frames(std::string_view data, std::string& stream, std::uint32_t mask_key) {
  WebsocketInput input;
  for (;;) {
    const std::string_view rest = data.substr(input.consumed);
    if (rest.size() < 2) return input;
    const auto first = static_cast<std::uint8_t>(rest[0]);
    const auto second = static_cast<std::uint8_t>(rest[1]);
    std::size_t header = 2;
    std::uint64_t size = second & 0x7f;
    if (size == 126) {
      if (rest.size() < 4) return input;
      size = (static_cast<std::uint64_t>(static_cast<std::uint8_t>(rest[2])) << 8) | static_cast<std::uint8_t>(rest[3]);
      header = 4;
    } else if (size == 127) {
      if (rest.size() < 10) return input;
      size = 0;
      for (int i = 2; i < 10; ++i) size = (size << 8) | static_cast<std::uint8_t>(rest[static_cast<std::size_t>(i)]);
      header = 10;
    }
    const bool masked = (second & 0x80) != 0;
    if (masked) header += 4;
    if (size > (std::uint64_t{1} << 31)) throw wire::CodecError("websocket frame too large");
    if (rest.size() < header + size) return input;
    std::string payload(rest.substr(header, size));
    if (masked)
      for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ rest[header - 4 + i % 4]);
    input.consumed += header + size;
    switch (first & 0x0f) {
      case 0x0: case 0x2: stream += payload; break;
      case 0x8: input.closed = true; return input;
      case 0x9: append_websocket_frame(input.pongs, payload, mask_key, 0xA); break;
      case 0xA: break;
      default: throw wire::CodecError("unexpected websocket opcode " + std::to_string(first & 0x0f));
    }
  }
}

}  // namespace mqtk::detail
