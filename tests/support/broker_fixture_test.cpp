// Self-test of the test support library: the process helpers and BrokerFixture, checked with
// Debian's mosquitto_pub/mosquitto_sub as the independent client.

#include "support/broker_fixture.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <csignal>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <vector>

using namespace std::chrono_literals;
using mqtk::test::BrokerFixture;
using mqtk::test::BrokerOptions;
using mqtk::test::ChildProcess;
using mqtk::test::ProcessResult;
using mqtk::test::describe;
using mqtk::test::run_process;

namespace {

std::vector<std::string> client_args(const char* program, std::uint16_t port,
                                     std::vector<std::string> extra) {
  std::vector<std::string> argv{program, "-h", "127.0.0.1", "-p", std::to_string(port)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

ProcessResult publish(std::uint16_t port, std::vector<std::string> extra) {
  return run_process(client_args("mosquitto_pub", port, std::move(extra)), {}, 10s);
}

// Subscribes and waits for one message, with -W so a lost message fails instead of hanging.
ProcessResult receive_one(std::uint16_t port, std::vector<std::string> extra) {
  extra.insert(extra.end(), {"-v", "-C", "1", "-W", "5"});
  return run_process(client_args("mosquitto_sub", port, std::move(extra)), {}, 10s);
}

std::string ws_frame(const std::string& mqtt_packet) {
  // Client frames must be masked (RFC 6455 5.3); a zero mask keeps the bytes readable.
  std::string frame{'\x82', static_cast<char>(0x80 | mqtt_packet.size()), 0, 0, 0, 0};
  return frame + mqtt_packet;
}

std::string read_some(int fd, std::size_t at_least) {
  std::string data;
  std::array<char, 1024> buffer{};
  while (data.size() < at_least) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n <= 0) break;
    data.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return data;
}

}  // namespace

TEST_CASE("run_process reports exit code, stdout and stderr, and feeds stdin") {
  const ProcessResult shell =
      run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(shell.exit_code == 3);
  CHECK(shell.term_signal == 0);
  CHECK(shell.out == "out\n");
  CHECK(shell.err == "err\n");
  CHECK_FALSE(shell.timed_out);

  const std::string big_input(1 << 20, 'x');  // larger than a pipe buffer, both ways
  const ProcessResult cat = run_process({"cat"}, big_input);
  CHECK(cat.ok());
  CHECK(cat.out == big_input);

  const ProcessResult stdin_ignored = run_process({"true"}, big_input);
  CHECK(stdin_ignored.exit_code == 0);  // EPIPE on stdin neither hangs nor kills us

  CHECK_THROWS_WITH(run_process({"/nonexistent/program"}),
                    doctest::Contains("cannot run '/nonexistent/program'"));
}

TEST_CASE("run_process kills the child on timeout") {
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult result = run_process({"sleep", "10"}, {}, 200ms);
  CHECK(result.timed_out);
  CHECK(result.term_signal == SIGKILL);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}

TEST_CASE("ChildProcess reads lines, writes stdin and reports signals") {
  ChildProcess cat({"cat"}, {.pipe_stdin = true});
  CHECK(cat.write_stdin("one\ntwo\nthree"));
  CHECK(cat.read_line() == "one");
  CHECK(cat.read_line() == "two");
  CHECK_FALSE(cat.read_line(50ms).has_value());  // "three" has no newline yet
  const ProcessResult finished = cat.wait();      // closes stdin: cat flushes and exits
  CHECK(finished.exit_code == 0);
  CHECK(finished.out == "three");

  ChildProcess sleeper({"sleep", "10"});
  CHECK(sleeper.running());
  sleeper.signal(SIGTERM);
  const ProcessResult terminated = sleeper.wait(5s);
  CHECK(terminated.term_signal == SIGTERM);
  CHECK_FALSE(sleeper.running());
}

TEST_CASE("BrokerFixture: plain broker delivers retained and live messages") {
  BrokerFixture broker;
  CHECK(broker.url() == "mqtt://127.0.0.1:" + std::to_string(broker.port()));
  CHECK(broker.running());

  const ProcessResult retained = publish(broker.port(), {"-t", "a/retained", "-m", "kept", "-r"});
  REQUIRE_MESSAGE(retained.ok(), describe(retained));
  const ProcessResult got_retained = receive_one(broker.port(), {"-t", "a/#"});
  REQUIRE_MESSAGE(got_retained.ok(), describe(got_retained));
  CHECK(got_retained.out == "a/retained kept\n");

  ChildProcess subscriber(client_args("mosquitto_sub", broker.port(),
                                      {"-i", "live-sub", "-t", "b/live", "-v", "-C", "1", "-W", "5"}));
  REQUIRE(broker.wait_for_log("Sending SUBACK to live-sub"));
  REQUIRE(publish(broker.port(), {"-t", "b/live", "-m", "hello"}).ok());
  CHECK(subscriber.read_line() == "b/live hello");
  CHECK(subscriber.wait().exit_code == 0);
  CHECK(broker.log().find("mosquitto version") != std::string::npos);
}

TEST_CASE("BrokerFixture: auth refuses anonymous clients and accepts mqtk/secret") {
  BrokerFixture broker({.auth = true});
  const ProcessResult anonymous = publish(broker.port(), {"-t", "t", "-m", "x"});
  CHECK(anonymous.exit_code != 0);
  CHECK(anonymous.err.find("not authorised") != std::string::npos);

  const ProcessResult wrong_password =
      publish(broker.port(), {"-u", "mqtk", "-P", "wrong", "-t", "t", "-m", "x"});
  CHECK(wrong_password.exit_code != 0);

  const std::vector<std::string> login{"-u", "mqtk", "-P", "secret"};
  std::vector<std::string> pub_args = login;
  pub_args.insert(pub_args.end(), {"-t", "auth/t", "-m", "in", "-r"});
  REQUIRE_MESSAGE(publish(broker.port(), pub_args).ok(), broker.log());
  std::vector<std::string> sub_args = login;
  sub_args.insert(sub_args.end(), {"-t", "auth/t"});
  CHECK(receive_one(broker.port(), sub_args).out == "auth/t in\n");
}

TEST_CASE("BrokerFixture: TLS verifies against the test CA only") {
  BrokerFixture broker({.tls = true});
  CHECK(broker.tls_url() == "mqtts://127.0.0.1:" + std::to_string(broker.tls_port()));

  const ProcessResult right_ca = publish(
      broker.tls_port(), {"--cafile", broker.ca_file().string(), "-t", "tls/t", "-m", "x", "-r"});
  CHECK_MESSAGE(right_ca.ok(), describe(right_ca));
  const ProcessResult by_name = run_process({"mosquitto_pub", "-h", "localhost", "-p",
                                             std::to_string(broker.tls_port()), "--cafile",
                                             broker.ca_file().string(), "-t", "tls/t", "-m", "y"});
  CHECK_MESSAGE(by_name.ok(), describe(by_name));

  const ProcessResult wrong_ca = publish(
      broker.tls_port(), {"--cafile", broker.wrong_ca_file().string(), "-t", "tls/t", "-m", "x"});
  CHECK(wrong_ca.exit_code != 0);
  CHECK_THROWS_AS(static_cast<void>(broker.ws_port()), std::logic_error);
}

TEST_CASE("BrokerFixture: TLS client certificates and expired server certificates") {
  BrokerFixture mutual({.tls = true, .tls_require_client_cert = true});
  const std::vector<std::string> ca{"--cafile", mutual.ca_file().string(), "-t", "t", "-m", "x"};
  CHECK(publish(mutual.tls_port(), ca).exit_code != 0);
  std::vector<std::string> with_cert = ca;
  with_cert.insert(with_cert.end(), {"--cert", mutual.client_cert_file().string(), "--key",
                                     mutual.client_key_file().string()});
  const ProcessResult authenticated = publish(mutual.tls_port(), with_cert);
  CHECK_MESSAGE(authenticated.ok(), describe(authenticated));

  BrokerFixture expired({.tls = true, .tls_expired_server_cert = true});
  const ProcessResult refused = publish(
      expired.tls_port(), {"--cafile", expired.ca_file().string(), "-t", "t", "-m", "x"});
  CHECK(refused.exit_code != 0);
}

TEST_CASE("BrokerFixture: websockets listener speaks MQTT") {
  BrokerFixture broker({.websockets = true});
  CHECK(broker.ws_url() == "ws://127.0.0.1:" + std::to_string(broker.ws_port()));

  mqtk::test::UniqueFd sock{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  const timeval receive_timeout{5, 0};
  ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof receive_timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(broker.ws_port());
  REQUIRE(::connect(sock.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);

  const std::string upgrade =
      "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Protocol: mqtt\r\n\r\n";
  REQUIRE(::send(sock.get(), upgrade.data(), upgrade.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(upgrade.size()));
  const std::string response = read_some(sock.get(), 1);
  REQUIRE_MESSAGE(response.rfind("HTTP/1.1 101", 0) == 0, response);
  REQUIRE(response.find("\r\n\r\n") != std::string::npos);  // the 101 arrives in one segment

  using namespace std::string_literals;
  const std::string connect = "\x10\x12\0\x04MQTT\x04\x02\0\x3c\0\x06ws-one"s;  // v3.1.1, clean
  const std::string publish_retained = "\x31\x0b\0\x04ws/thello"s;
  const std::string disconnect = "\xe0\x00"s;
  const std::string frames = ws_frame(connect) + ws_frame(publish_retained) + ws_frame(disconnect);
  REQUIRE(::send(sock.get(), frames.data(), frames.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(frames.size()));
  CHECK(read_some(sock.get(), 6) == "\x82\x04\x20\x02\0\0"s);  // CONNACK, accepted

  const ProcessResult via_plain = receive_one(broker.port(), {"-t", "ws/t"});
  CHECK_MESSAGE(via_plain.out == "ws/t hello\n", describe(via_plain));
}

TEST_CASE("BrokerFixture: a persistent session survives restarts") {
  BrokerFixture broker({.persistence = true});
  const std::uint16_t port = broker.port();
  const std::vector<std::string> session{"-c", "-i", "persist-sub", "-q", "1", "-t", "p/t"};
  std::vector<std::string> subscribe_and_leave = session;
  subscribe_and_leave.push_back("-E");  // exit once the SUBACK is in
  REQUIRE(run_process(client_args("mosquitto_sub", port, subscribe_and_leave)).ok());

  broker.restart();
  CHECK(broker.port() == port);
  REQUIRE(publish(port, {"-q", "1", "-t", "p/t", "-m", "while offline"}).ok());
  broker.restart();  // the queued message must come back from the db as well

  const ProcessResult resumed = receive_one(port, session);
  CHECK_MESSAGE(resumed.out == "p/t while offline\n", (describe(resumed) + "\n" + broker.log()));
  CHECK(broker.log().find("Error saving") == std::string::npos);
}

TEST_CASE("BrokerFixture: kill, start, pause and resume") {
  BrokerFixture broker;
  const std::uint16_t port = broker.port();
  const pid_t first_pid = broker.pid();
  broker.kill();
  CHECK_FALSE(broker.running());
  CHECK(publish(port, {"-t", "t", "-m", "x"}).exit_code != 0);
  broker.start();
  CHECK(broker.running());
  CHECK(broker.pid() != first_pid);
  CHECK(broker.port() == port);
  CHECK_THROWS_AS(broker.start(), std::logic_error);

  broker.pause();
  const ProcessResult hung = run_process(client_args("mosquitto_pub", port, {"-t", "t", "-m", "x"}),
                                         {}, 300ms);
  CHECK(hung.timed_out);  // TCP connects through the backlog, CONNACK never comes
  broker.resume();
  CHECK(publish(port, {"-t", "t", "-m", "x"}).ok());
}

TEST_CASE("BrokerFixture: start failures throw with the broker's own words") {
  CHECK_THROWS_WITH_AS(BrokerFixture({.extra_config = {"no_such_option 1"}}),
                       doctest::Contains("no_such_option"), std::runtime_error);

  BrokerFixture broker;
  broker.stop();
  {
    mqtk::test::UniqueFd squatter{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(broker.port());
    REQUIRE(::bind(squatter.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(squatter.get(), 1) == 0);
    CHECK_THROWS_WITH_AS(broker.start(), doctest::Contains("Address already in use"),
                         std::runtime_error);
  }
  broker.start();  // the port is free again, and still the same
  CHECK(publish(broker.port(), {"-t", "t", "-m", "x"}).ok());
}
