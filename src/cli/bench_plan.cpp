#include "cli/bench_plan.hpp"

#include <algorithm>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <thread>
#include <unistd.h>

#include "bench/topic_template.hpp"
#include <mqtk/error.hpp>

namespace mqtk::cli {
namespace {

void refuse_unsupported(const BenchOptions& o, const ResolvedConnection& resolved) {
  const ConnectionFlags& f = o.connection;
  if (resolved.client.proxy.kind != ProxyKind::none)
    throw UsageError("bench: --proxy is not supported (bench clients connect directly)");
  if (f.will_topic || f.will_payload) throw UsageError("bench: --will-* is not supported");
  if (f.id) throw UsageError("bench: --id names one client; bench clients are named <prefix>-<number> (use --id-prefix)");
  if (!f.properties.empty()) throw UsageError("bench: -D/--property is not supported");
  if (!f.ws_headers.empty()) throw UsageError("bench: --ws-header is not supported");
  if (o.mode == BenchMode::sub && bench::has_random_part(o.topic))
    throw UsageError("-t '" + o.topic + "': %rand_N makes no sense in a subscription");
  if (o.mode == BenchMode::pub && o.shared_group && !o.subscribe)
    throw UsageError("--shared needs --subscribe on bench pub (it names the subscribers' group)");
}

std::pair<sockaddr_storage, socklen_t> resolve_address(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0 || found == nullptr)
    throw ConnectError("could not resolve host '" + host + "': " + ::gai_strerror(rc));
  std::pair<sockaddr_storage, socklen_t> address{};
  std::memcpy(&address.first, found->ai_addr, found->ai_addrlen);
  address.second = found->ai_addrlen;
  ::freeaddrinfo(found);
  return address;
}

bool is_loopback(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET)
    return (ntohl(reinterpret_cast<const sockaddr_in&>(address).sin_addr.s_addr) >> 24) == 127;
  if (address.ss_family == AF_INET6)
    return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6&>(address).sin6_addr);
  return false;
}

// n split over `parts` shares in proportion to `weights` (the remainder to the first ones).
std::vector<std::uint64_t> split(std::uint64_t n, const std::vector<std::uint64_t>& weights) {
  std::uint64_t total = 0;
  for (auto w : weights) total += w;
  std::vector<std::uint64_t> shares(weights.size(), 0);
  if (total == 0) return shares;
  std::uint64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    shares[i] = static_cast<std::uint64_t>(static_cast<long double>(n) * weights[i] / total);
    given += shares[i];
  }
  for (std::size_t i = 0; given < n; i = (i + 1) % weights.size())
    if (weights[i] > 0) ++shares[i], ++given;
  return shares;
}

}  // namespace

BenchSetup plan_bench(const BenchOptions& o, const ResolvedConnection& resolved) {
  refuse_unsupported(o, resolved);
  bench::validate_topic_template(o.topic, "-t");
  const ClientOptions& client = resolved.client;
  BenchSetup setup;
  setup.broker = display_uri(client.broker);

  bench::SessionSettings& session = setup.session;
  session.version = client.version == ProtocolVersion::v5    ? bench::MqttVersion::v5
                    : client.version == ProtocolVersion::v31 ? bench::MqttVersion::v31
                                                             : bench::MqttVersion::v311;
  session.keepalive_s = client.keepalive_s;
  session.clean_start = o.clean.value_or(client.clean_session);
  session.session_expiry_s = client.session_expiry_s;
  session.username = client.username;
  session.password = client.password;
  session.window = o.window;
  std::tie(session.address, session.address_length) = resolve_address(client.broker.host, client.broker.port);
  setup.local_broker = is_loopback(session.address);
  const Transport transport = client.broker.transport;
  if (transport == Transport::websocket || transport == Transport::websocket_tls) {
    session.websocket = true;
    session.websocket_host = client.broker.host;
    session.websocket_port = client.broker.port;
    session.websocket_path = client.broker.path.empty() ? "mqtt" : client.broker.path;
  }
  if (uses_tls(client)) {
    try {
      setup.tls = std::make_unique<bench::TlsContext>(client.tls, client.broker.host);
    } catch (const detail::TlsSetupError& error) {
      throw UsageError(error.flag() + ": " + error.what());
    }
    session.tls = setup.tls.get();
  }

  const bool sink = o.mode == BenchMode::pub && o.subscribe;
  setup.receives = o.mode == BenchMode::sub || sink;
  setup.connections = o.clients + (sink ? 1 : 0);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const auto worker_count = static_cast<std::size_t>(std::min<std::uint64_t>(o.workers.value_or(cores), setup.connections));

  const std::string prefix = o.connection.id_prefix.value_or(std::string("mqtkb-") + mode_name(o.mode) + "-" +
                                                             std::to_string(::getpid()));
  double connect_interval_ms = o.connect_interval_ms.value_or(0);
  if (o.connect_rate) connect_interval_ms = 1000.0 / *o.connect_rate;
  const auto connect_interval = std::chrono::duration<double, std::milli>(connect_interval_ms);
  const std::string shared = o.shared_group ? "$share/" + *o.shared_group + "/" : "";

  setup.workers.resize(worker_count);
  for (bench::WorkerPlan& plan : setup.workers) {
    plan.qos = o.mode == BenchMode::conn ? 0 : o.qos;
    plan.payload_size = o.size;
    plan.random_topics = bench::has_random_part(o.topic);
    plan.shared_subscription = o.shared_group.has_value();
    plan.sequences_from_first_seen = o.mode == BenchMode::sub;
    plan.max_connecting = std::max<std::size_t>(1, o.connect_concurrency / worker_count);
    if (o.connection.connect_timeout_s)
      plan.connect_timeout = std::chrono::duration_cast<bench::Clock::duration>(
          std::chrono::duration<double>(*o.connection.connect_timeout_s));
  }
  if (sink) {
    bench::ClientPlan plan;
    plan.role = bench::ClientRole::subscriber;
    plan.number = o.start_number + o.clients;
    plan.client_id = prefix + "-sink";
    plan.topic = shared + bench::subscription_filter(o.topic);
    setup.workers[0].clients.push_back(std::move(plan));
  }
  std::vector<std::uint64_t> publishers(worker_count, 0);
  for (std::uint64_t i = 0; i < o.clients; ++i) {
    bench::ClientPlan plan;
    plan.number = o.start_number + i;
    plan.client_id = prefix + "-" + std::to_string(plan.number);
    plan.connect_offset = std::chrono::duration_cast<bench::Clock::duration>(connect_interval * static_cast<double>(i));
    const std::string topic = bench::expand_client_topic(o.topic, plan.number, plan.client_id);
    if (o.mode == BenchMode::pub) {
      plan.role = bench::ClientRole::publisher;
      plan.topic = topic;
      ++publishers[(i + (sink ? 1 : 0)) % worker_count];
    } else if (o.mode == BenchMode::sub) {
      plan.role = bench::ClientRole::subscriber;
      plan.topic = shared + topic;
    }
    setup.workers[(i + (sink ? 1 : 0)) % worker_count].clients.push_back(std::move(plan));
  }

  if (o.mode == BenchMode::pub) {
    double rate = o.rate.value_or(0);
    if (o.publish_interval_ms) rate = static_cast<double>(o.clients) * 1000.0 / *o.publish_interval_ms;
    std::vector<std::uint64_t> totals(worker_count, bench::OpenLoopSchedule::kUnlimited);
    if (o.count) totals = split(*o.count, publishers);
    for (std::size_t w = 0; w < worker_count; ++w) {
      bench::WorkerPlan& plan = setup.workers[w];
      plan.publish_rate = rate * static_cast<double>(publishers[w]) / static_cast<double>(o.clients);
      if (o.limit) totals[w] = std::min(totals[w], *o.limit * publishers[w]);
      plan.publish_total = totals[w];
    }
  }
  return setup;
}

const char* mode_name(BenchMode mode) {
  return mode == BenchMode::conn ? "conn" : mode == BenchMode::pub ? "pub" : "sub";
}

}  // namespace mqtk::cli
