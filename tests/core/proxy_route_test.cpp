// ProxyRoute: which proxy paho is handed, in which form, and what reaches an HTTP proxy. A small
// recording proxy in this process shows the exact CONNECT paho sends, credentials included.

#include "core/proxy_route.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/client_test_helpers.hpp"

using namespace std::chrono_literals;
using namespace mqtk;
using namespace mqtk::test;

namespace {

// Records every request header block it is sent and answers each with 403.
class RecordingHttpProxy {
 public:
  RecordingHttpProxy() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), length) == 0);
    REQUIRE(::listen(listener_.get(), 8) == 0);
    REQUIRE(::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~RecordingHttpProxy() {
    stop_ = true;
    thread_.join();
  }
  RecordingHttpProxy(const RecordingHttpProxy&) = delete;
  RecordingHttpProxy& operator=(const RecordingHttpProxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd ready{listener_.get(), POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      UniqueFd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!client) continue;
      timeval timeout{2, 0};
      ::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      std::string request;
      char c = 0;
      while (request.find("\r\n\r\n") == std::string::npos && ::recv(client.get(), &c, 1, 0) == 1)
        request += c;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      const std::string refusal = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
      ::send(client.get(), refusal.data(), refusal.size(), MSG_NOSIGNAL);
    }
  }

  UniqueFd listener_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("paho's proxy string: no scheme, credentials percent-encoded, IPv6 bracketed") {
  ProxyOptions proxy = ProxyOptions::parse("http://us@r:p%w:/d@proxy.example:3128");
  CHECK(paho_proxy_string(proxy) == "us%40r:p%25w%3A%2Fd@proxy.example:3128");
  CHECK(paho_proxy_string(ProxyOptions::parse("http://[::1]:8080")) == "[::1]:8080");
  CHECK(paho_proxy_string(ProxyOptions::parse("http://user@h:1")) == "user@h:1");
}

TEST_CASE("socks5h:// asks the proxy to resolve names; socks5:// does not") {
  CHECK(ProxyOptions::parse("socks5h://p:1080").remote_dns);
  CHECK_FALSE(ProxyOptions::parse("socks5://p:1080").remote_dns);
  CHECK_FALSE(ProxyOptions::parse("http://p:8080").remote_dns);
}

TEST_CASE("ProxyRoute hands paho the relay, or the user's HTTP proxy, or nothing") {
  ClientOptions options = options_for("mqtt://broker.example:1883", "route");
  CHECK(ProxyRoute(options).paho_proxy().empty() == !environment_sets_paho_proxy());
  CHECK(ProxyRoute(options).proxy_display().empty());
  options.proxy = ProxyOptions::parse("http://u:p@proxy.example:3128");
  CHECK(ProxyRoute(options).paho_proxy() == "u:p@proxy.example:3128");
  CHECK(ProxyRoute(options).proxy_display() == "http://proxy.example:3128");
  options.proxy = ProxyOptions::parse("socks5h://u:p@proxy.example:1080");
  const ProxyRoute route(options);
  REQUIRE(route.relay() != nullptr);
  CHECK(route.paho_proxy() == "127.0.0.1:" + std::to_string(route.relay()->port()));
  CHECK(route.proxy_display() == "socks5h://proxy.example:1080");  // never the credentials
}

TEST_CASE("SOCKS5 credentials longer than RFC 1929 allows are a usage error") {
  ClientOptions options = options_for("mqtt://broker.example:1883", "route");
  options.proxy = ProxyOptions::parse("socks5://u:" + std::string(256, 'p') + "@proxy.example:1080");
  CHECK_THROWS_AS(ProxyRoute{options}, UsageError);
}

TEST_CASE("paho sends the HTTP proxy exactly the credentials given, whatever their characters") {
  RecordingHttpProxy proxy;
  for (const char* url : {"mqtt://127.0.0.1:1883", "mqtts://localhost:8883"}) {
    CAPTURE(url);
    ClientOptions options = options_for(url, "credentials");
    options.engine = Engine::paho;  // paho's own proxy parser is what this is about
    // '@' in the user name, and '%' without two hex digits: raw, paho would split the string at
    // the wrong '@', and its %XX decoder would loop forever on "%zz".
    options.proxy =
        ProxyOptions::parse("http://us@r:p%zz:/x@127.0.0.1:" + std::to_string(proxy.port()));
    const auto start = std::chrono::steady_clock::now();
    const auto failure = connect_failure(options);
    CHECK(std::chrono::steady_clock::now() - start < 4s);
    REQUIRE(failure.has_value());
    CHECK(failure->category == ErrorCategory::connect);
    CHECK(contains(failure->message, "through proxy http://127.0.0.1:" + std::to_string(proxy.port())));
    CHECK(contains(failure->message, "refused CONNECT to"));
    CHECK(contains(failure->message, "403 Forbidden"));
  }
  const std::vector<std::string> requests = proxy.requests();
  // Per connect: paho's CONNECT, then mqtk's own to learn why it failed.
  REQUIRE(requests.size() == 4);
  const std::string basic = "Basic dXNAcjpwJXp6Oi94\r\n";  // base64("us@r:p%zz:/x")
  CHECK(requests[0].rfind("CONNECT 127.0.0.1:1883 HTTP/1.1\r\n", 0) == 0);
  CHECK(contains(requests[0], "Proxy-authorization: " + basic));  // paho's spelling
  CHECK(contains(requests[1], "Proxy-Authorization: " + basic));
  CHECK(requests[2].rfind("CONNECT localhost:8883 HTTP/1.1\r\n", 0) == 0);  // TLS: httpsProxy
  CHECK(contains(requests[2], "Proxy-authorization: " + basic));
}
