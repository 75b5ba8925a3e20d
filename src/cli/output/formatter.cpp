#include "cli/output/formatter.hpp"

#include <chrono>

#include "cli/output/json_format.hpp"
#include "cli/output/json_text.hpp"
#include "cli/output/plain_format.hpp"
#include "cli/output/template_format.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

class PlainFormatter final : public MessageFormatter {
 public:
  explicit PlainFormatter(const PlainStyle& style) : style_(style) {}
  void format(std::string& out, const Message& message) override {
    append_plain(out, message, style_);
  }

 private:
  PlainStyle style_;
};

class JsonLinesFormatter final : public MessageFormatter {
 public:
  JsonLinesFormatter(bool pretty, bool newline) : pretty_(pretty), newline_(newline) {}
  void format(std::string& out, const Message& message) override {
    if (pretty_) {
      compact_.clear();  // reused, so pretty output costs no allocation per message either
      append_json_line(compact_, message);
      append_indented_json(out, compact_);
    } else {
      append_json_line(out, message);
    }
    if (newline_) out.push_back('\n');
  }

 private:
  bool pretty_;
  bool newline_;
  std::string compact_;
};

class TemplateFormatter final : public MessageFormatter {
 public:
  TemplateFormatter(TemplateFormat format, bool newline)
      : format_(std::move(format)), newline_(newline) {}
  void format(std::string& out, const Message& message) override {
    const bool needs_now = format_.uses_time() && !message.received_at;
    format_.write(
        out, message,
        needs_now ? std::chrono::system_clock::now() : std::chrono::system_clock::time_point{});
    if (newline_) out.push_back('\n');
  }

 private:
  TemplateFormat format_;
  bool newline_;
};

}  // namespace

std::unique_ptr<MessageFormatter> make_formatter(const OutputOptions& options) {
  const bool newline = !options.no_newline;
  if (options.json && options.format_template) {
    throw UsageError("--json and -F cannot be used together");
  }
  if (options.json) return std::make_unique<JsonLinesFormatter>(options.pretty, newline);
  if (options.format_template) {
    TemplateOptions template_options;
    template_options.pretty_json = options.pretty;
    template_options.escape_binary = options.escape_binary;
    return std::make_unique<TemplateFormatter>(
        TemplateFormat::compile(*options.format_template, template_options), newline);
  }
  PlainStyle style;
  style.verbose = options.verbose;
  style.newline = newline;
  style.escape_binary = options.escape_binary;
  return std::make_unique<PlainFormatter>(style);
}

}  // namespace mqtk::cli
