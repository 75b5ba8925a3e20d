// `mqtk pub` as a drop-in for mosquitto_pub 2.0: -t -m -f -s -n -q -r --repeat --repeat-delay
// -D publish, -i -I -k -V -c -x -L, --will-*, --cafile, -u/-P, --password-file and
// MQTK_PASSWORD, checked on what an independent mosquitto_sub receives and on the broker's log.

#include "cli/pub_harness.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

using namespace mqtk::test;
using namespace mqtk::test::pub;

TEST_CASE("-t -m -q -r: the message arrives with its QoS and the broker keeps it retained") {
  BrokerFixture broker;
  ChildProcess live = start_receiver(broker, {"-t", "p/#", "-q", "2", "-C", "2", "-F", "%t %q %p"});
  const ProcessResult q1 = run_pub(broker, {"-t", "p/a", "-m", "hello world", "-q", "1", "-r"});
  INFO(describe(q1));
  CHECK(q1.exit_code == 0);
  CHECK(q1.out.empty());
  CHECK(q1.err.empty());
  const ProcessResult q2 = run_pub(broker, {"-t", "p/b", "-m", "two", "--qos", "2"});
  CHECK(q2.exit_code == 0);
  CHECK(received(live) == "p/a 1 hello world\np/b 2 two\n");
  CHECK(contains(broker.log(), "(d0, q1, r1, m1, 'p/a', ... (11 bytes))"));

  // A later subscriber gets the retained copy, flagged retained.
  const ProcessResult later = run_process(
      joined(joined({"mosquitto_sub"}, broker_args(broker)),
             {"-t", "p/a", "-C", "1", "-W", "5", "-F", "%r %p"}),
      {}, 20s);
  CHECK(later.out == "1 hello world\n");
}

TEST_CASE("-f sends a file's exact bytes, -s all of stdin as one message, -n an empty one") {
  BrokerFixture broker;
  TempDir dir;
  const std::string binary("\x00\x01\n\xff\r\n end\x00", 11);
  const auto file = dir.write_file("payload.bin", binary);
  ChildProcess receiver = start_receiver(broker, {"-t", "f/#", "-C", "3", "-F", "%t %x"});
  CHECK(run_pub(broker, {"-t", "f/file", "-f", file.string()}).ok());
  CHECK(run_pub(broker, {"-t", "f/stdin", "-s"}, "line one\nline two\n").ok());
  CHECK(run_pub(broker, {"-t", "f/null", "-n"}).ok());
  CHECK(received(receiver) == "f/file " + hex(binary) + "\nf/stdin " +
                                  hex("line one\nline two\n") + "\nf/null \n");
}

TEST_CASE("--repeat N sends N copies, --repeat-delay spaces them; --repeat 0 is a usage error") {
  BrokerFixture broker;
  ChildProcess receiver = start_receiver(broker, {"-t", "rep", "-C", "3", "-F", "%p"});
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult result =
      run_pub(broker, {"-t", "rep", "-m", "again", "-q", "1", "--repeat", "3", "--repeat-delay",
                       "0.2"});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(received(receiver) == "again\nagain\nagain\n");
  CHECK(elapsed >= 350ms);  // two gaps of 0.2 s, loosely

  const ProcessResult zero = run_pub(broker, {"-t", "rep", "-m", "x", "--repeat", "0"});
  CHECK(zero.exit_code == 2);
  CHECK(contains(zero.err, "--repeat"));
}

TEST_CASE("-D publish properties arrive as sent (MQTT 5); without -V 5 they are refused") {
  BrokerFixture broker;
  ChildProcess receiver =
      start_receiver(broker, {"-V", "5", "-t", "d/a", "-C", "1", "-F", "%C|%P|%D|%R|%E|%p"});
  const ProcessResult result = run_pub(
      broker, {"-V", "5", "-t", "d/a", "-m", "with properties", "-q", "1",
               "-D", "publish", "content-type", "text/plain",
               "-D", "publish", "user-property", "k", "v1",
               "-D", "publish", "user-property", "k", "v2",
               "-D", "publish", "user-property", "other", "x y",
               "-D", "publish", "correlation-data", "corr-123",
               "-D", "publish", "response-topic", "d/reply",
               "-D", "publish", "message-expiry-interval", "3600"});
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  const std::string out = received(receiver);
  // The expiry counts down at the broker: 3600, or 3599 when a second boundary passed.
  CHECK((out == "text/plain|k:v1 k:v2 other:x y|corr-123|d/reply|3600|with properties\n" ||
         out == "text/plain|k:v1 k:v2 other:x y|corr-123|d/reply|3599|with properties\n"));

  const ProcessResult v311 =
      run_pub(broker, {"-t", "d/a", "-m", "x", "-D", "publish", "content-type", "a"});
  CHECK(v311.exit_code == 2);
  CHECK(contains(v311.err, "-V 5"));
  const ProcessResult wrong_packet =
      run_pub(broker, {"-V", "5", "-t", "d/a", "-m", "x", "-D", "publish", "receive-maximum", "5"});
  CHECK(wrong_packet.exit_code == 2);
  CHECK(contains(wrong_packet.err, "not allowed for publish"));
}

TEST_CASE("-i, -I, -k, -V, -c and -x reach the broker's CONNECT") {
  BrokerFixture broker;
  const std::string id = unique_id("pid");
  REQUIRE(run_pub(broker, {"-i", id, "-k", "30", "-t", "i/a", "-m", "x"}).ok());
  CHECK(contains(broker.log(), " as " + id + " (p2, c1, k30)."));

  const std::string v5 = unique_id("pv5");
  const ProcessResult session =
      run_pub(broker, {"-i", v5, "-V", "mqttv5", "-c", "-x", "120", "-t", "i/a", "-m", "x"});
  INFO(describe(session));
  CHECK(session.exit_code == 0);
  CHECK(contains(broker.log(), " as " + v5 + " (p5, c0, k60)."));

  const std::string v31 = unique_id("pv31");
  REQUIRE(run_pub(broker, {"-i", v31, "-V", "mqttv31", "-t", "i/a", "-m", "x"}).ok());
  CHECK(contains(broker.log(), " as " + v31 + " (p1, c1, k60)."));

  REQUIRE(run_pub(broker, {"-I", "pubprefix", "-t", "i/a", "-m", "x"}).ok());
  CHECK(contains(broker.log(), " as pubprefix"));

  CHECK(run_pub(broker, {"-k", "2", "-t", "i/a", "-m", "x"}).exit_code == 2);
  CHECK(run_pub(broker, {"-c", "-t", "i/a", "-m", "x"}).exit_code == 2);  // -c needs -i
  const ProcessResult expiry_v311 = run_pub(broker, {"-i", "e", "-x", "5", "-t", "i/a", "-m", "x"});
  CHECK(expiry_v311.exit_code == 2);
  CHECK(contains(expiry_v311.err, "-V 5"));
}

TEST_CASE("-L mqtt://host:port/topic publishes to the URL's topic; -t wins over it") {
  BrokerFixture broker;
  ChildProcess receiver = start_receiver(broker, {"-t", "url/#", "-C", "2", "-v"});
  const ProcessResult from_url = run_mqtk({"pub", "-L", broker.url() + "/url/topic", "-m", "a"});
  INFO(describe(from_url));
  CHECK(from_url.exit_code == 0);
  CHECK(run_mqtk({"pub", "-L", broker.url() + "/url/topic", "-t", "url/flag", "-m", "b"}).ok());
  CHECK(received(receiver) == "url/topic a\nurl/flag b\n");
  CHECK(run_mqtk({"pub", "-L", broker.url(), "-h", "127.0.0.1", "-t", "x", "-m", "x"}).exit_code ==
        2);
  CHECK(run_mqtk({"pub", "-L", broker.url(), "-m", "no topic"}).exit_code == 2);
}

TEST_CASE("--will-*: a clean exit sends no will, a killed publisher's will arrives retained") {
  BrokerFixture broker;
  ChildProcess receiver = start_receiver(broker, {"-t", "w/#", "-C", "2", "-v"});
  const ProcessResult clean = run_pub(
      broker, {"-t", "w/data", "-m", "data", "--will-topic", "w/gone", "--will-payload", "clean"});
  INFO(describe(clean));
  CHECK(clean.exit_code == 0);

  const std::string id = unique_id("will");
  ChildProcess streaming(mqtk_argv(broker, "pub",
                                   {"-i", id, "-t", "w/data", "-l", "--will-topic", "w/gone",
                                    "--will-payload", "killed", "--will-qos", "1",
                                    "--will-retain"}),
                         {.pipe_stdin = true});
  REQUIRE(broker.wait_for_log("Sending CONNACK to " + id));
  streaming.signal(SIGKILL);
  static_cast<void>(streaming.wait(10s));
  CHECK(received(receiver) == "w/data data\nw/gone killed\n");

  const ProcessResult retained = run_process(
      joined(joined({"mosquitto_sub"}, broker_args(broker)),
             {"-t", "w/gone", "-C", "1", "-W", "5", "-F", "%r %q %p"}),
      {}, 20s);
  CHECK(retained.out == "1 0 killed\n");  // mosquitto_sub subscribes at QoS 0

  const ProcessResult no_topic = run_pub(broker, {"-t", "w/x", "-m", "x", "--will-payload", "p"});
  CHECK(no_topic.exit_code == 2);
  CHECK(contains(no_topic.err, "--will-topic"));
}

TEST_CASE("TLS: --cafile verifies the broker; the wrong CA exits 3") {
  BrokerFixture broker({.tls = true});
  ChildProcess receiver = start_receiver(broker, {"-t", "tls/a", "-C", "1"});
  const ProcessResult result =
      run_mqtk({"pub", "-h", "127.0.0.1", "-p", std::to_string(broker.tls_port()), "--cafile",
                broker.ca_file().string(), "-t", "tls/a", "-m", "over tls", "-q", "1"});
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(received(receiver) == "over tls\n");

  const ProcessResult wrong_ca =
      run_mqtk({"pub", "-L", broker.tls_url() + "/tls/a", "--cafile",
                broker.wrong_ca_file().string(), "-m", "never"});
  INFO(describe(wrong_ca));
  CHECK(wrong_ca.exit_code == 3);
  CHECK(contains(wrong_ca.err, "TLS"));
  const ProcessResult insecure =
      run_mqtk({"pub", "-L", broker.tls_url() + "/tls/a", "--insecure", "-m", "unverified"});
  INFO(describe(insecure));
  CHECK(insecure.exit_code == 0);
}

TEST_CASE("TLS client certificates: --cert/--key are presented; without them the broker refuses") {
  BrokerFixture broker({.tls = true, .tls_require_client_cert = true});
  ChildProcess receiver = start_receiver(broker, {"-t", "cert/a", "-C", "1"});
  const std::vector<std::string> tls{"-h", "127.0.0.1", "-p", std::to_string(broker.tls_port()),
                                     "--cafile", broker.ca_file().string()};
  const ProcessResult with_cert = run_mqtk(joined(
      joined({"pub"}, tls), {"--cert", broker.client_cert_file().string(), "--key",
                             broker.client_key_file().string(), "-t", "cert/a", "-m", "signed"}));
  INFO(describe(with_cert));
  CHECK(with_cert.exit_code == 0);
  CHECK(received(receiver) == "signed\n");
  const ProcessResult without = run_mqtk(joined(joined({"pub"}, tls), {"-t", "cert/a", "-m", "x"}));
  CHECK(without.exit_code == 3);
  const ProcessResult half =
      run_mqtk(joined(joined({"pub"}, tls),
                      {"--cert", broker.client_cert_file().string(), "-t", "cert/a", "-m", "x"}));
  CHECK(half.exit_code == 2);  // --cert without --key
}

TEST_CASE("-d says what it does on stderr; --quiet leaves only errors") {
  BrokerFixture broker;
  const ProcessResult debug = run_pub(broker, {"-d", "-t", "q/a", "-m", "x"});
  INFO(describe(debug));
  CHECK(debug.exit_code == 0);
  CHECK(contains(debug.err, "connecting to"));
  const std::string input = R"({"topic":"q/a","payload":1})" "\nnot json\n";
  const ProcessResult warned = run_pub(broker, {"--jsonl", "--on-error", "skip"}, input);
  CHECK(warned.exit_code == 0);
  CHECK(contains(warned.err, "line 2"));
  const ProcessResult quiet = run_pub(broker, {"--quiet", "--jsonl", "--on-error", "skip"}, input);
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
}

TEST_CASE("-u/-P, --password-file and MQTK_PASSWORD authenticate; a wrong password exits 3") {
  BrokerFixture broker({.auth = true});
  const std::string user(broker_username);
  const std::string password(broker_password);
  ChildProcess receiver =
      start_receiver(broker, {"-u", user, "-P", password, "-t", "auth/#", "-C", "3", "-v"});

  const ProcessResult flags = run_pub(broker, {"-u", user, "-P", password, "-t", "auth/flags",
                                               "-m", "1"});
  INFO(describe(flags));
  CHECK(flags.exit_code == 0);

  TempDir dir;
  const auto file = dir.write_file("password", password + "\n");
  const ProcessResult from_file = run_pub(
      broker, {"-u", user, "--password-file", file.string(), "-t", "auth/file", "-m", "2"});
  INFO(describe(from_file));
  CHECK(from_file.exit_code == 0);

  const ProcessResult from_env = run_process(
      joined({"env", "MQTK_PASSWORD=" + password, mqtk_binary_path(), "pub"},
             joined(broker_args(broker), {"-u", user, "-t", "auth/env", "-m", "3"})),
      {}, 20s);
  INFO(describe(from_env));
  CHECK(from_env.exit_code == 0);
  CHECK(received(receiver) == "auth/flags 1\nauth/file 2\nauth/env 3\n");

  const ProcessResult wrong =
      run_pub(broker, {"-u", user, "-P", "nope", "-t", "auth/x", "-m", "x"});
  INFO(describe(wrong));
  CHECK(wrong.exit_code == 3);
  CHECK(!wrong.err.empty());
  // -P on the command line wins over the environment.
  const ProcessResult flag_wins = run_process(
      joined({"env", "MQTK_PASSWORD=wrong", mqtk_binary_path(), "pub"},
             joined(broker_args(broker), {"-u", user, "-P", password, "-t", "auth/x", "-m", "x"})),
      {}, 20s);
  CHECK(flag_wins.exit_code == 0);
  const ProcessResult anonymous = run_pub(broker, {"-t", "auth/x", "-m", "x"});
  CHECK(anonymous.exit_code == 3);

  const ProcessResult missing_file =
      run_pub(broker, {"-u", user, "--password-file", (dir.path() / "none").string(), "-t",
                       "auth/x", "-m", "x"});
  CHECK(missing_file.exit_code == 2);
  CHECK(contains(missing_file.err, "--password-file"));
  CHECK(run_pub(broker, {"-P", password, "-t", "auth/x", "-m", "x"}).exit_code == 2);
  CHECK(run_pub(broker, {"-u", user, "-P", password, "--password-file", file.string(), "-t",
                         "auth/x", "-m", "x"})
            .exit_code == 2);
}

TEST_CASE("a QoS 1 publish the broker refuses (MQTT 5, ACL) is an error, not a success") {
  BrokerFixture broker({.auth = true,
                        .acl = std::string("user ") + std::string(broker_username) +
                               "\ntopic readwrite allowed/#\n"});
  const std::string user(broker_username);
  const std::string password(broker_password);
  const ProcessResult allowed = run_pub(
      broker, {"-V", "5", "-u", user, "-P", password, "-t", "allowed/a", "-m", "x", "-q", "1"});
  INFO(describe(allowed));
  CHECK(allowed.exit_code == 0);
  const ProcessResult denied = run_pub(
      broker, {"-V", "5", "-u", user, "-P", password, "-t", "denied/a", "-m", "x", "-q", "1"});
  INFO(describe(denied));
  CHECK(denied.exit_code == 1);
  CHECK(contains(denied.err, "denied/a"));
}
