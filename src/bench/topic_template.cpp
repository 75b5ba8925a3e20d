#include "bench/topic_template.hpp"

#include <cctype>

#include <mqtk/error.hpp>

namespace mqtk::bench {
namespace {

constexpr std::string_view kRandom = "%rand_";

// Length of the digits at `text`'s start.
std::size_t digits_at(std::string_view text) noexcept {
  std::size_t n = 0;
  while (n < text.size() && std::isdigit(static_cast<unsigned char>(text[n])) != 0) ++n;
  return n;
}

}  // namespace

void validate_topic_template(std::string_view pattern, std::string_view flag) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') continue;
    const std::string_view rest = pattern.substr(i);
    if (rest.starts_with("%i") || rest.starts_with("%c")) {
      ++i;
    } else if (rest.starts_with(kRandom) && digits_at(rest.substr(kRandom.size())) > 0) {
      i += kRandom.size() + digits_at(rest.substr(kRandom.size())) - 1;
    } else {
      throw UsageError(std::string(flag) + " '" + std::string(pattern) +
                       "': unknown placeholder (use %i, %c or %rand_N)");
    }
  }
}

std::string expand_client_topic(std::string_view pattern, std::uint64_t number,
                                std::string_view client_id) {
  std::string topic;
  topic.reserve(pattern.size() + 16);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'i') {
      topic += std::to_string(number);
      ++i;
    } else if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'c') {
      topic += client_id;
      ++i;
    } else {
      topic += pattern[i];
    }
  }
  return topic;
}

bool has_random_part(std::string_view pattern) noexcept {
  return pattern.find(kRandom) != std::string_view::npos;
}

std::string expand_random(std::string_view topic, std::mt19937_64& random) {
  std::string out;
  out.reserve(topic.size() + 8);
  std::size_t i = 0;
  while (i < topic.size()) {
    const std::size_t at = topic.find(kRandom, i);
    const std::size_t digits = at == std::string_view::npos ? 0 : digits_at(topic.substr(at + kRandom.size()));
    if (at == std::string_view::npos || digits == 0) {
      out += topic.substr(i);
      break;
    }
    out += topic.substr(i, at - i);
    const std::uint64_t limit = std::stoull(std::string(topic.substr(at + kRandom.size(), digits)));
    out += std::to_string(limit == 0 ? 0 : random() % limit + 1);
    i = at + kRandom.size() + digits;
  }
  return out;
}

std::string subscription_filter(std::string_view pattern) {
  std::string filter;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = pattern.find('/', start);
    const std::string_view level = pattern.substr(start, end == std::string_view::npos ? end : end - start);
    filter += level.find('%') == std::string_view::npos ? std::string(level) : std::string("+");
    if (end == std::string_view::npos) break;
    filter += '/';
    start = end + 1;
  }
  return filter;
}

}  // namespace mqtk::bench
