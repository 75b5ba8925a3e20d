#include "cli/payload.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "cli/output/encoding.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

std::string read_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    throw UsageError("-f '" + path + "': " + std::strerror(errno));
  if (S_ISDIR(info.st_mode)) throw UsageError("-f '" + path + "': is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("-f '" + path + "': " + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  std::string payload = std::move(content).str();
  if (payload.size() > max_payload_bytes)
    throw UsageError("-f '" + path + "': " + std::to_string(payload.size()) +
                     " bytes is more than one MQTT message can carry");
  return payload;
}

std::string decode_hex(std::string_view text) {
  std::string out;
  if (text.size() % 2 != 0) throw UsageError("-m with --format hex: odd number of hex digits");
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0)
      throw UsageError("-m with --format hex: '" + std::string(text.substr(i, 2)) +
                       "' at offset " + std::to_string(i) + " is not hex");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string random_payload(std::size_t size) {
  static constexpr char alphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::mt19937_64 random(std::random_device{}());
  std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
  std::string out(size, '\0');
  for (char& c : out) c = alphabet[pick(random)];
  return out;
}

}  // namespace

void check_payload_flags(const PayloadFlags& f, bool allow_streams) {
  const int sources = f.message.has_value() + f.file.has_value() + f.stdin_file + f.stdin_line +
                      f.null_message + f.size.has_value() + f.jsonl;
  if (sources == 0)
    throw UsageError("no payload: give one of -m, -f, -s, -l, -n, --size or --jsonl");
  // Fix: "--jsonl -f FILE" is the one allowed pair; it used to excuse any third source as well
  // ("--jsonl -f FILE -m x" ignored -m silently).
  if (sources > (f.jsonl && f.file ? 2 : 1))
    throw UsageError("-m, -f, -s, -l, -n, --size and --jsonl exclude each other");
  if (!allow_streams && (f.stdin_line || f.jsonl))
    throw UsageError("-l and --jsonl are for mqtk pub");
  if (f.encoding && !f.message) throw UsageError("--format applies to -m only");
  if (f.size && (*f.size < 0 || static_cast<std::size_t>(*f.size) > max_payload_bytes))
    throw UsageError("--size " + std::to_string(*f.size) + " is out of range 0.." +
                     std::to_string(max_payload_bytes));
}

void validate_json_payload(std::string_view payload, const std::string& where) {
  try {
    const auto parsed = nlohmann::json::parse(payload);
    static_cast<void>(parsed);
  } catch (const nlohmann::json::parse_error& e) {
    std::string reason = e.what();
    if (const auto colon = reason.find("parse error"); colon != std::string::npos)
      reason = reason.substr(colon);
    // An empty `where` (pub -l, whose caller names the line) avoids "line 2: payload: payload".
    throw UsageError((where.empty() ? "" : where + ": ") + "payload is not valid JSON (" + reason +
                     ")");
  }
}

std::string read_whole_payload(const PayloadFlags& f, LineReader& stdin_reader) {
  std::string payload;
  if (f.message) {
    payload = *f.message;
    if (f.encoding == "hex") {
      payload = decode_hex(payload);
    } else if (f.encoding == "base64") {
      auto decoded = decode_base64(payload);
      if (!decoded) throw UsageError("-m with --format base64: not valid base64");
      payload = std::move(*decoded);
    }
  } else if (f.file) {
    payload = read_file(*f.file);
  } else if (f.stdin_file) {
    payload = stdin_reader.read_all(max_payload_bytes);
  } else if (f.size) {
    payload = random_payload(static_cast<std::size_t>(*f.size));
  }
  // Fix: every source but -f was reported as "-m".
  if (f.validate_json) {
    const std::string source = f.file           ? "-f '" + *f.file + "'"
                               : f.stdin_file   ? "-s (standard input)"
                               : f.null_message ? "-n"
                               : f.size         ? "--size"
                                                : "-m";
    validate_json_payload(payload, source);
  }
  return payload;
}

}  // namespace mqtk::cli
