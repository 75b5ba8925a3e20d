#include "support/broker_fixture.hpp"

#include <csignal>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "support/free_port.hpp"

namespace mqtk::test {
namespace {

constexpr const char* mosquitto_path = "/usr/sbin/mosquitto";
constexpr auto startup_timeout = std::chrono::seconds{5};
constexpr auto stop_timeout = std::chrono::seconds{5};
constexpr int start_attempts = 5;

void run_checked(const std::vector<std::string>& argv) {
  const ProcessResult result = run_process(argv);
  if (!result.ok()) {
    std::string command;
    for (const auto& arg : argv) command += arg + " ";
    throw std::runtime_error("test support: '" + command + "' failed: " + describe(result));
  }
}

// EC P-256 keys: generated in milliseconds, unlike RSA, and every TLS stack we test speaks them.
void make_key_and_csr(const std::filesystem::path& key, const std::filesystem::path& csr,
                      const std::string& subject) {
  run_checked({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.string(), "-out",
               csr.string(), "-subj", subject});
}

void make_ca(const std::filesystem::path& cert, const std::filesystem::path& key,
             const std::string& subject) {
  run_checked({"openssl", "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.string(), "-out",
               cert.string(), "-days", "3650", "-subj", subject, "-addext",
               "basicConstraints=critical,CA:TRUE", "-addext",
               "keyUsage=critical,keyCertSign,cRLSign"});
}

void sign(const std::filesystem::path& csr, const std::filesystem::path& ca_cert,
          const std::filesystem::path& ca_key, const std::filesystem::path& extensions,
          const std::string& serial, const std::filesystem::path& cert) {
  run_checked({"openssl", "x509", "-req", "-in", csr.string(), "-CA", ca_cert.string(), "-CAkey",
               ca_key.string(), "-set_serial", serial, "-days", "3650", "-sha256", "-extfile",
               extensions.string(), "-out", cert.string()});
}

// `openssl x509 -req` cannot backdate a certificate; `openssl ca` can, given its little database.
void sign_expired(const TempDir& pki, const std::filesystem::path& csr,
                  const std::filesystem::path& extensions, const std::filesystem::path& cert) {
  pki.write_file("index.txt", "");
  pki.write_file("serial", "10\n");
  const auto config = pki.write_file(
      "ca.cnf", "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = " +
                    (pki.path() / "index.txt").string() + "\nnew_certs_dir = " +
                    pki.path().string() + "\nserial = " + (pki.path() / "serial").string() +
                    "\ndefault_md = sha256\npolicy = any\nunique_subject = no\n"
                    "[any]\ncommonName = supplied\n");
  run_checked({"openssl", "ca", "-batch", "-notext", "-config", config.string(), "-cert",
               (pki.path() / "ca.crt").string(), "-keyfile", (pki.path() / "ca.key").string(),
               "-in", csr.string(), "-out", cert.string(), "-startdate", "20200101000000Z",
               "-enddate", "20200102000000Z", "-extfile", extensions.string()});
}

struct CertificateStore {
  TempDir pki{"mqtk-pki"};
  TestCertificates files;

  CertificateStore() {
    const auto at = [this](const char* name) { return pki.path() / name; };
    files = TestCertificates{at("ca.crt"),          at("server.crt"),     at("server.key"),
                             at("expired-server.crt"), at("client.crt"), at("client.key"),
                             at("wrong-ca.crt")};
    make_ca(files.ca_cert, at("ca.key"), "/CN=mqtk test CA");
    make_ca(files.wrong_ca_cert, at("wrong-ca.key"), "/CN=mqtk unrelated CA");

    const auto server_extensions = pki.write_file(
        "server.ext",
        "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n"
        "extendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n");
    make_key_and_csr(files.server_key, at("server.csr"), "/CN=localhost");
    sign(at("server.csr"), files.ca_cert, at("ca.key"), server_extensions, "2", files.server_cert);
    sign_expired(pki, at("server.csr"), server_extensions, files.expired_server_cert);

    const auto client_extensions = pki.write_file(
        "client.ext",
        "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n"
        "extendedKeyUsage = clientAuth\n");
    make_key_and_csr(files.client_key, at("client.csr"), "/CN=mqtk-client");
    sign(at("client.csr"), files.ca_cert, at("ca.key"), client_extensions, "3", files.client_cert);
  }
};

enum class ProbeResult { accepted, refused };

// A connect that lands on our own ephemeral port (TCP simultaneous open, possible because the
// broker's ports come from the ephemeral range) is not the broker: count it as refused.
ProbeResult probe(std::uint16_t port) {
  UniqueFd sock{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (!sock ||
      ::connect(sock.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return ProbeResult::refused;
  }
  sockaddr_in local{};
  socklen_t length = sizeof local;
  ::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&local), &length);
  return local.sin_port == address.sin_port ? ProbeResult::refused : ProbeResult::accepted;
}

}  // namespace

const TestCertificates& test_certificates() {
  // Function-local static: openssl runs once per test process (about 0.1 s), on first use only,
  // thread-safely, and the directory is removed at exit. Every fixture and test reuses it.
  static const CertificateStore store;
  return store.files;
}

BrokerFixture::BrokerFixture(BrokerOptions options) : options_(std::move(options)) {
  if (options_.auth) {
    run_checked({"mosquitto_passwd", "-b", "-c", (dir() / "passwd").string(),
                 std::string(broker_username), std::string(broker_password)});
  }
  if (options_.acl) dir_.write_file("acl", *options_.acl);
  choose_ports();
  start();
}

BrokerFixture::~BrokerFixture() {
  try {
    stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): ChildProcess's destructor still reaps it
  }
}

std::uint16_t BrokerFixture::tls_port() const {
  if (!options_.tls) throw std::logic_error("BrokerFixture::tls_port() needs BrokerOptions::tls");
  return tls_port_;
}

std::uint16_t BrokerFixture::ws_port() const {
  if (!options_.websockets) {
    throw std::logic_error("BrokerFixture::ws_port() needs BrokerOptions::websockets");
  }
  return ws_port_;
}

std::string BrokerFixture::url() const { return "mqtt://" + host() + ":" + std::to_string(port()); }

std::string BrokerFixture::tls_url() const {
  return "mqtts://" + host() + ":" + std::to_string(tls_port());
}

std::string BrokerFixture::ws_url() const {
  return "ws://" + host() + ":" + std::to_string(ws_port());
}

std::string BrokerFixture::log() const { return read_file(dir() / "mosquitto.log"); }

bool BrokerFixture::wait_for_log(std::string_view needle, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (log().find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

void BrokerFixture::choose_ports() {
  port_ = free_port();
  do {
    tls_port_ = options_.tls ? free_port() : 0;
  } while (tls_port_ != 0 && tls_port_ == port_);
  do {
    ws_port_ = options_.websockets ? free_port() : 0;
  } while (ws_port_ != 0 && (ws_port_ == port_ || ws_port_ == tls_port_));
}

std::string BrokerFixture::config_text() const {
  const auto at = [this](const char* name) { return (dir() / name).string(); };
  std::ostringstream config;
  config << "# Generated by mqtk's BrokerFixture for one test.\n";
  // mosquitto started as root switches to user 'mosquitto', which then cannot write the
  // persistence db or log in our root-owned temp dir. 'user root' keeps it as the caller.
  if (::geteuid() == 0) config << "user root\n";
  config << "log_dest file " << at("mosquitto.log") << "\n"
         << "log_type all\n"
         // Default 1000: burst tests with an offline session would lose messages.
         << "max_queued_messages 10000\n"
         << "allow_anonymous " << (options_.auth ? "false" : "true") << "\n";
  if (options_.auth) config << "password_file " << at("passwd") << "\n";
  if (options_.acl) config << "acl_file " << at("acl") << "\n";
  if (options_.persistence) {
    config << "persistence true\n"
           << "persistence_location " << dir().string() << "/\n"
           << "autosave_interval 1\n";
  }
  config << "\nlistener " << port_ << " " << host() << "\n";
  if (options_.tls) {
    const TestCertificates& certificates = test_certificates();
    const auto& server_cert = options_.tls_expired_server_cert ? certificates.expired_server_cert
                                                               : certificates.server_cert;
    config << "\nlistener " << tls_port_ << " " << host() << "\n"
           << "cafile " << certificates.ca_cert.string() << "\n"
           << "certfile " << server_cert.string() << "\n"
           << "keyfile " << certificates.server_key.string() << "\n";
    if (options_.tls_require_client_cert) config << "require_certificate true\n";
  }
  if (options_.websockets) {
    config << "\nlistener " << ws_port_ << " " << host() << "\n"
           << "protocol websockets\n";
  }
  if (!options_.extra_config.empty()) config << "\n";
  for (const auto& line : options_.extra_config) config << line << "\n";
  return config.str();
}

std::optional<std::string> BrokerFixture::try_start() {
  const auto config_path = dir_.write_file("mosquitto.conf", config_text());
  const auto output_path = dir() / "mosquitto.out";
  const std::size_t log_offset = log().size();
  const std::size_t output_offset = read_file(output_path).size();
  broker_.start({mosquitto_path, "-c", config_path.string()},
                ChildOptions{.output_file = output_path});
  paused_ = false;

  std::vector<std::uint16_t> ports_to_probe{port_};  // each probe shows in the log: one per port
  if (options_.tls) ports_to_probe.push_back(tls_port_);
  if (options_.websockets) ports_to_probe.push_back(ws_port_);

  const auto deadline = std::chrono::steady_clock::now() + startup_timeout;
  std::string failure;
  for (;;) {
    if (!broker_.running()) {
      failure = "mosquitto exited during startup";
      break;
    }
    // A port that accepts may belong to someone else (it was taken after free_port(), and
    // connects land in that listener's backlog), so first wait for mosquitto to say it bound
    // every listener: it logs "running" only after that.
    if (log().find(" running\n", log_offset) != std::string::npos) {
      std::erase_if(ports_to_probe,
                    [](std::uint16_t port) { return probe(port) == ProbeResult::accepted; });
      if (ports_to_probe.empty()) return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      failure = "mosquitto did not accept connections within 5 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  const ProcessResult result = broker_.wait(stop_timeout);
  std::ostringstream report;
  report << failure << " (" << (result.term_signal ? "signal " : "exit code ")
         << (result.term_signal ? result.term_signal : result.exit_code) << ")\n--- "
         << config_path.string() << " ---\n" << read_file(config_path) << "--- mosquitto output ---\n"
         << read_file(output_path).substr(output_offset) << "--- mosquitto log ---\n"
         << log().substr(log_offset);
  return report.str();
}

void BrokerFixture::start() {
  if (running()) throw std::logic_error("BrokerFixture::start(): the broker is already running");
  for (int attempt = 1;; ++attempt) {
    const std::optional<std::string> failure = try_start();
    if (!failure) {
      ports_fixed_ = true;
      return;
    }
    // Between free_port() and mosquitto's bind another process (a parallel ctest) may take a
    // port. Fresh ports fix that on the first start; a restart must keep its ports, so wait.
    const bool port_taken = failure->find("Address already in use") != std::string::npos;
    if (!port_taken || attempt == start_attempts) {
      throw std::runtime_error("BrokerFixture: " + *failure);
    }
    if (ports_fixed_) {
      std::this_thread::sleep_for(std::chrono::milliseconds{100} * attempt);
    } else {
      choose_ports();
    }
  }
}

void BrokerFixture::stop() {
  if (!running()) return;
  broker_.signal(SIGTERM);
  broker_.signal(SIGCONT);  // a paused broker only acts on SIGTERM once it runs again
  broker_.wait(stop_timeout);
  paused_ = false;
}

void BrokerFixture::kill() {
  if (!running()) return;
  broker_.signal(SIGKILL);
  broker_.wait(stop_timeout);
  paused_ = false;
}

void BrokerFixture::restart() {
  stop();
  start();
}

void BrokerFixture::pause() {
  if (!running()) throw std::logic_error("BrokerFixture::pause(): the broker is not running");
  broker_.signal(SIGSTOP);
  paused_ = true;
}

void BrokerFixture::resume() {
  if (!paused_) return;
  broker_.signal(SIGCONT);
  paused_ = false;
}

bool BrokerFixture::running() { return broker_.running(); }

}  // namespace mqtk::test
