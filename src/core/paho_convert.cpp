#include "core/paho_convert.hpp"

#include "core/connack_refusal.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include <mqtk/error.hpp>
#include <mqtk/reason_code.hpp>

namespace mqtk::detail {

std::int32_t paho_four_byte_value(std::uint32_t value) {
  return static_cast<std::int32_t>(
      std::min<std::uint32_t>(value, std::numeric_limits<std::int32_t>::max()));
}

namespace {

mqtt::property four_byte_property(mqtt::property::code code, std::uint32_t value) {
  return {code, paho_four_byte_value(value)};
}

void add_common_properties(mqtt::properties& out, const MessageProperties& in) {
  if (in.payload_format_indicator)
    out.add({mqtt::property::PAYLOAD_FORMAT_INDICATOR, *in.payload_format_indicator});
  if (in.message_expiry_interval)
    out.add(four_byte_property(mqtt::property::MESSAGE_EXPIRY_INTERVAL, *in.message_expiry_interval));
  if (in.content_type) out.add({mqtt::property::CONTENT_TYPE, *in.content_type});
  if (in.response_topic) out.add({mqtt::property::RESPONSE_TOPIC, *in.response_topic});
  if (in.correlation_data) out.add({mqtt::property::CORRELATION_DATA, *in.correlation_data});
  if (in.topic_alias) out.add({mqtt::property::TOPIC_ALIAS, *in.topic_alias});
  for (const auto& [key, value] : in.user_properties)
    out.add({mqtt::property::USER_PROPERTY, key, value});
}

std::string data_of(const MQTTLenString& s) {
  return s.data ? std::string(s.data, static_cast<std::size_t>(s.len)) : std::string();
}

}  // namespace

int paho_mqtt_version(ProtocolVersion version) noexcept {
  switch (version) {
    case ProtocolVersion::v31: return MQTTVERSION_3_1;
    case ProtocolVersion::v311: return MQTTVERSION_3_1_1;
    case ProtocolVersion::v5: return MQTTVERSION_5;
  }
  return MQTTVERSION_3_1_1;
}

mqtt::create_options make_create_options(const ClientOptions& options) {
  // paho counts every queued, not yet written publish against maxBufferedMessages, even while
  // connected (PERF-NOTES gotcha 5): it must exceed our own in-flight window.
  mqtt::create_options create(paho_mqtt_version(options.version),
                              static_cast<int>(options.max_inflight * 2 + 16));
  // We buffer publishes made while disconnected ourselves (bounded, ordered, observable).
  create.set_send_while_disconnected(false);
  create.set_restore_messages(false);
  create.set_persist_qos0(false);
  return create;
}

mqtt::connect_options make_connect_options(const ClientOptions& options,
                                           const std::string& paho_proxy) {
  const bool v5 = options.version == ProtocolVersion::v5;
  mqtt::connect_options connect;
  connect.set_mqtt_version(paho_mqtt_version(options.version));
  connect.set_keep_alive_interval(options.keepalive_s);
  connect.set_connect_timeout(
      std::chrono::duration_cast<std::chrono::seconds>(options.connect_timeout).count() + 1);
  connect.set_max_inflight(static_cast<int>(std::max<std::size_t>(options.max_inflight, 1)));
  if (v5) {
    // paho rejects v5 connects with the v3 cleansession flag set (-15, RELIABILITY P19).
    connect.set_clean_session(false);
    connect.set_clean_start(options.clean_session);
  }
  else
    connect.set_clean_session(options.clean_session);
  if (options.username) connect.set_user_name(*options.username);
  if (options.password) connect.set_password(*options.password);

  if (v5) {
    mqtt::properties props;
    if (const std::optional<std::uint32_t> expiry = options.effective_session_expiry())
      props.add(four_byte_property(mqtt::property::SESSION_EXPIRY_INTERVAL, *expiry));
    const auto& cp = options.connect_properties;
    if (cp.receive_maximum) props.add({mqtt::property::RECEIVE_MAXIMUM, *cp.receive_maximum});
    if (cp.maximum_packet_size)
      props.add(four_byte_property(mqtt::property::MAXIMUM_PACKET_SIZE, *cp.maximum_packet_size));
    if (cp.topic_alias_maximum)
      props.add({mqtt::property::TOPIC_ALIAS_MAXIMUM, *cp.topic_alias_maximum});
    if (cp.request_response_information)
      props.add({mqtt::property::REQUEST_RESPONSE_INFORMATION,
                 *cp.request_response_information ? 1 : 0});
    if (cp.request_problem_information)
      props.add({mqtt::property::REQUEST_PROBLEM_INFORMATION,
                 *cp.request_problem_information ? 1 : 0});
    for (const auto& [key, value] : cp.user_properties)
      props.add({mqtt::property::USER_PROPERTY, key, value});
    connect.set_properties(std::move(props));
  }

  if (options.will) {
    const Will& will = *options.will;
    mqtt::properties will_props;
    if (v5) {
      add_common_properties(will_props, will.properties);
      if (will.delay_interval)
        will_props.add(four_byte_property(mqtt::property::WILL_DELAY_INTERVAL, *will.delay_interval));
    }
    connect.set_will(mqtt::will_options(will.topic, will.payload.data(), will.payload.size(),
                                        will.qos, will.retain, will_props));
  }

  if (uses_tls(options)) {
    const TlsOptions& t = options.tls;
    mqtt::ssl_options ssl;
    if (!t.ca_file.empty()) ssl.set_trust_store(t.ca_file);
    if (!t.ca_path.empty()) ssl.ca_path(t.ca_path);
    if (!t.cert_file.empty()) ssl.set_key_store(t.cert_file);
    if (!t.key_file.empty()) ssl.set_private_key(t.key_file);
    if (!t.key_password.empty()) ssl.set_private_key_password(t.key_password);
    if (!t.ciphers.empty()) ssl.set_enabled_cipher_suites(t.ciphers);
    if (!t.alpn.empty()) ssl.set_alpn_protos(t.alpn);
    // Chain and hostname checks are separate switches in paho (P23): both on unless insecure.
    ssl.set_enable_server_cert_auth(!t.insecure);
    ssl.set_verify(!t.insecure);
    if (t.version == "tlsv1" || t.version == "tlsv1.0") ssl.set_ssl_version(MQTT_SSL_VERSION_TLS_1_0);
    else if (t.version == "tlsv1.1") ssl.set_ssl_version(MQTT_SSL_VERSION_TLS_1_1);
    else if (t.version == "tlsv1.2") ssl.set_ssl_version(MQTT_SSL_VERSION_TLS_1_2);
    connect.set_ssl(std::move(ssl));
  }

  if (!options.websocket_headers.empty()) {
    mqtt::name_value_collection headers;
    for (const auto& [name, value] : options.websocket_headers) headers.insert({name, value});
    connect.set_http_headers(std::move(headers));
  }
  if (!paho_proxy.empty()) {
    // paho uses httpProxy for tcp/ws and httpsProxy for ssl/wss, and parses both every time.
    connect.set_http_proxy(paho_proxy);
    connect.set_https_proxy(paho_proxy);
  }
  return connect;
}

mqtt::properties to_paho_properties(const MessageProperties& properties) {
  mqtt::properties out;
  add_common_properties(out, properties);
  return out;
}

MessageProperties from_paho_properties(const MQTTProperties& properties) {
  MessageProperties out;
  for (int i = 0; i < properties.count; ++i) {
    const MQTTProperty& p = properties.array[i];
    switch (p.identifier) {
      case MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR:
        out.payload_format_indicator = p.value.byte;
        break;
      case MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL:
        out.message_expiry_interval = p.value.integer4;
        break;
      case MQTTPROPERTY_CODE_CONTENT_TYPE: out.content_type = data_of(p.value.data); break;
      case MQTTPROPERTY_CODE_RESPONSE_TOPIC: out.response_topic = data_of(p.value.data); break;
      case MQTTPROPERTY_CODE_CORRELATION_DATA:
        out.correlation_data = data_of(p.value.data);
        break;
      case MQTTPROPERTY_CODE_TOPIC_ALIAS: out.topic_alias = p.value.integer2; break;
      case MQTTPROPERTY_CODE_USER_PROPERTY:
        out.user_properties.emplace_back(data_of(p.value.data), data_of(p.value.value));
        break;
      case MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER:
        out.subscription_identifiers.push_back(p.value.integer4);
        break;
      default: break;
    }
  }
  return out;
}

mqtt::message_ptr to_paho_message(const Message& message, ProtocolVersion version) {
  auto msg = mqtt::make_message(message.topic, message.payload.data(), message.payload.size(),
                                message.qos, message.retain);
  if (version == ProtocolVersion::v5 && !message.properties.empty())
    msg->set_properties(to_paho_properties(message.properties));
  return msg;
}

Message from_paho_message(const mqtt::message& message) {
  Message out;
  out.topic = message.get_topic();
  out.payload = message.get_payload_str();
  out.qos = message.get_qos();
  out.retain = message.is_retained();
  out.duplicate = message.is_duplicate();
  out.properties = from_paho_properties(message.get_properties().c_struct());
  out.received_at = std::chrono::system_clock::now();
  return out;
}

ConnectResult make_connect_result(const mqtt::connect_response& response,
                                  const std::string& client_id) {
  ConnectResult r;
  r.session_present = response.is_session_present();
  switch (response.get_mqtt_version()) {
    case MQTTVERSION_3_1: r.version = ProtocolVersion::v31; break;
    case MQTTVERSION_5: r.version = ProtocolVersion::v5; break;
    default: r.version = ProtocolVersion::v311; break;
  }
  r.client_id = client_id;
  r.server_uri = response.get_server_uri();
  const MQTTProperties& props = response.get_properties().c_struct();
  for (int i = 0; i < props.count; ++i) {
    const MQTTProperty& p = props.array[i];
    switch (p.identifier) {
      case MQTTPROPERTY_CODE_RECEIVE_MAXIMUM: r.receive_maximum = p.value.integer2; break;
      case MQTTPROPERTY_CODE_MAXIMUM_QOS: r.maximum_qos = p.value.byte; break;
      case MQTTPROPERTY_CODE_RETAIN_AVAILABLE: r.retain_available = p.value.byte != 0; break;
      case MQTTPROPERTY_CODE_MAXIMUM_PACKET_SIZE: r.maximum_packet_size = p.value.integer4; break;
      case MQTTPROPERTY_CODE_ASSIGNED_CLIENT_IDENTIFER:
        r.assigned_client_id = data_of(p.value.data);
        r.client_id = *r.assigned_client_id;
        break;
      case MQTTPROPERTY_CODE_TOPIC_ALIAS_MAXIMUM: r.topic_alias_maximum = p.value.integer2; break;
      case MQTTPROPERTY_CODE_REASON_STRING: r.reason_string = data_of(p.value.data); break;
      case MQTTPROPERTY_CODE_WILDCARD_SUBSCRIPTION_AVAILABLE:
        r.wildcard_subscription_available = p.value.byte != 0;
        break;
      case MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIERS_AVAILABLE:
        r.subscription_identifiers_available = p.value.byte != 0;
        break;
      case MQTTPROPERTY_CODE_SHARED_SUBSCRIPTION_AVAILABLE:
        r.shared_subscription_available = p.value.byte != 0;
        break;
      case MQTTPROPERTY_CODE_SERVER_KEEP_ALIVE: r.server_keep_alive = p.value.integer2; break;
      case MQTTPROPERTY_CODE_RESPONSE_INFORMATION:
        r.response_information = data_of(p.value.data);
        break;
      case MQTTPROPERTY_CODE_SERVER_REFERENCE: r.server_reference = data_of(p.value.data); break;
      case MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL:
        r.session_expiry_interval = p.value.integer4;
        break;
      case MQTTPROPERTY_CODE_USER_PROPERTY:
        r.user_properties.emplace_back(data_of(p.value.data), data_of(p.value.value));
        break;
      default: break;
    }
  }
  return r;
}

std::string describe_connect_failure(int return_code, int reason_code, ProtocolVersion version,
                                     const std::string& uri, const std::string& tls_error,
                                     const std::string& paho_message) {
  const std::string where = "could not connect to " + uri + ": ";
  // paho.mqtt.cpp 1.2 reports a v5 CONNACK refusal as the exception's return code (e.g. 135)
  // with reason code 0, so look at both (was: "MQTT error [135]: CONNACK return code").
  const int code = version == ProtocolVersion::v5 && reason_code >= 0x80 ? reason_code : return_code;
  if (std::string refusal = describe_connack_refusal(version, code); !refusal.empty())
    return where + refusal;
  if (!tls_error.empty()) {
    std::string text = tls_error;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return where + "TLS handshake failed: " + text;
  }
  if (return_code == MQTTASYNC_BAD_PROTOCOL || return_code == MQTTASYNC_SSL_NOT_SUPPORTED)
    return where + "unsupported protocol in URI";
  // paho's own text ("TCP/TLS connect failure") plus what the code means.
  std::string detail = paho_message;
  if (detail.empty()) detail = mqtt::exception::error_str(return_code);
  return where + detail;
}

}  // namespace mqtk::detail
