#pragma once
// The rows of the bad-input matrix (included once, by tests/faults/bad_input_test.cpp, whose
// helpers they use): what mqtk is given, the exit status and the words stderr must carry.

namespace {

std::vector<Case> matrix() {
  const auto plain = [](const Args& tail) {
    return [tail](Env& e) { return joined(joined({tail.front()}, e.at(e.plain)), Args(tail.begin() + 1, tail.end())); };
  };
  return {
      // Topics and filters: refused before connecting.
      {"wildcard + in a pub topic", mqtk(plain({"pub", "-t", "a/+/b", "-m", "x"})), 2,
       {"'a/+/b'", "wildcards"}},
      {"wildcard # in a pub topic", mqtk(plain({"pub", "-t", "a/#", "-m", "x"})), 2,
       {"'a/#'", "wildcards"}},
      {"# not last in a filter", mqtk(plain({"sub", "-t", "a/#/b"})), 2,
       {"'a/#/b'", "'#' must be the last level"}},
      {"# inside a level", mqtk(plain({"sub", "-t", "a/b#"})), 2, {"'a/b#'", "whole level"}},
      {"+ inside a level", mqtk(plain({"sub", "-t", "+x"})), 2, {"'+x'", "'+' must occupy"}},
      {"empty filter", mqtk(plain({"sub", "-t", ""})), 2, {"must not be empty"}},
      {"empty pub topic", mqtk(plain({"pub", "-t", "", "-m", "x"})), 2, {"topic"}},
      {"empty rr request topic", mqtk(plain({"rr", "-t", "", "-e", "r", "-m", "x"})), 2,
       {"topic"}},
      {"NUL in a topic (--jsonl)", mqtk(plain({"pub", "--jsonl"}),
                                        R"({"topic":"a\u0000b","payload":"x"})" "\n"),
       2, {"line 1", "U+0000"}},
      {"invalid UTF-8 in a filter", mqtk(plain({"sub", "-t", "a\xff"})), 2,
       {"invalid UTF-8 at byte 1"}},
      {"invalid UTF-8 in a pub topic", mqtk(plain({"pub", "-t", "b\xc3(", "-m", "x"})), 2,
       {"invalid UTF-8"}},
      {"pub topic over 65535 bytes",
       mqtk([](Env& e) { return joined(joined({"pub"}, e.at(e.plain)), {"-t", e.long_name, "-m", "x"}); }),
       2, {"70000 bytes", "65535"}},
      {"filter over 65535 bytes",
       mqtk([](Env& e) { return joined(joined({"sub"}, e.at(e.plain)), {"-t", e.long_name}); }), 2,
       {"70000 bytes", "65535"}},
      {"will topic with a wildcard", mqtk(plain({"pub", "-t", "a", "-m", "x", "--will-topic", "w/#"})),
       2, {"--will-topic 'w/#'"}},
      // Numbers out of range, unknown and conflicting flags, missing files.
      {"qos 3", mqtk(plain({"sub", "-t", "a", "-q", "3"})), 2, {"--qos", "3"}},
      {"qos -1 on pub", mqtk(plain({"pub", "-t", "a", "-m", "x", "-q", "-1"})), 2, {"-1"}},
      {"port 0", mqtk([](Env&) { return Args{"conn", "-p", "0"}; }), 2, {"-p/--port 0", "1..65535"}},
      {"port 70000", mqtk([](Env&) { return Args{"rr", "-p", "70000", "-t", "a", "-e", "b", "-m", "x"}; }),
       2, {"70000", "1..65535"}},
      {"keepalive 4", mqtk(plain({"sub", "-t", "a", "-k", "4"})), 2, {"-k/--keepalive 4", "5..65535"}},
      {"keepalive 70000", mqtk(plain({"conn", "-k", "70000"})), 2, {"70000", "5..65535"}},
      {"unknown flag", mqtk(plain({"rr", "--bogus"})), 2, {"--bogus"}},
      {"-m with -l", mqtk(plain({"pub", "-t", "a", "-m", "x", "-l"})), 2, {"exclude each other"}},
      {"-c without -i", mqtk(plain({"sub", "-t", "a", "-c"})), 2, {"needs a client id"}},
      {"-C 0", mqtk(plain({"sub", "-t", "a", "-C", "0"})), 2, {"-C/--count"}},
      {"missing payload file", mqtk(plain({"pub", "-t", "a", "-f", "/nonexistent/payload"})), 2,
       {"/nonexistent/payload", "No such file"}},
      {"missing CA file", mqtk(plain({"conn", "--cafile", "/nonexistent/ca.pem"})), 2,
       {"/nonexistent/ca.pem"}},
      {"unreadable CA (a directory)",
       mqtk([](Env& e) { return joined(joined({"conn"}, e.at(e.tls)), {"--cafile", e.files.path().string()}); }),
       2, {"--cafile"}},
      // Refusals: TLS, credentials, ACL, network, DNS, proxy, packet size.
      {"wrong CA", mqtk([](Env& e) {
         return Args{"conn", "-h", e.tls.host(), "-p", std::to_string(e.tls.tls_port()), "--cafile",
                     e.tls.wrong_ca_file()};
       }),
       3, {"certificate verify failed"}},
      {"expired server certificate",
       mqtk([](Env& e) { return joined(joined({"sub"}, e.tls_at(e.expired)), {"-t", "a", "-C", "1"}); }),
       3, {"expired"}},
      {"server certificate for another name", mqtk([](Env& e) {
         return Args{"pub", "-h", e.other_name.host(), "-p", std::to_string(e.other_name.port()),
                     "--cafile", e.tls.ca_file(), "-t", "a", "-m", "x"};
       }),
       3, {"127.0.0.2"}},
      {"wrong password", mqtk([](Env& e) {
         return joined(joined({"sub"}, e.at(e.secured)), {"-u", "mqtk", "-P", "wrong", "-t", "a"});
       }),
       3, {"not authorized"}},
      // mosquitto 2.0.11 grants a subscription its ACL denies (SUBACK 0/1, not 0x80/0x87) and
      // only withholds the messages, so mqtk cannot tell: nothing arrives and -W ends it.
      {"subscription the ACL denies", mqtk([](Env& e) {
         return joined(joined(joined({"sub"}, e.at(e.secured)), e.user()),
                       {"-V", "5", "-t", "secret/x", "-W", "1"});
       }),
       4, {"timed out"}},
      {"publish denied by the ACL", mqtk([](Env& e) {
         return joined(joined(joined({"pub"}, e.at(e.secured)), e.user()),
                       {"-V", "5", "-q", "1", "-t", "secret/x", "-m", "x"});
       }),
       1, {"secret/x", "not authorized"}},
      {"broker not listening",
       mqtk([](Env&) { return Args{"conn", "-p", std::to_string(free_port())}; }), 3,
       {"connection refused"}},
      {"DNS failure", mqtk([](Env&) { return Args{"pub", "-h", "no.such.host.invalid", "-t", "a", "-m", "x"}; }),
       3, {"no.such.host.invalid"}},
      {"proxy refusing", mqtk([](Env& e) {
         return joined(joined({"conn"}, e.at(e.plain)),
                       {"--proxy", "http://127.0.0.1:" + std::to_string(e.refusing.port())});
       }),
       3, {"proxy", "refused"}},
      {"path to the broker refusing",
       mqtk([](Env& e) { return joined({"sub", "-t", "a"}, proxy_args(e.refusing)); }), 3,
       {"connection refused"}},
      {"payload above the broker's maximum packet size", mqtk([](Env& e) {
         return joined(joined({"pub"}, e.at(e.small)), {"-V", "5", "-t", "big", "--size", "2000"});
       }),
       1, {"1000"}},
      // Closed streams.
      {"stdin closed (pub -l)", shell(plain({"pub", "-t", "a", "-q", "1", "-l"}), "<&-"), 1,
       {"stdin", "Bad file descriptor"}},
      {"stdout closed (sub)", shell(plain({"sub", "-t", "keep/r", "-C", "1"}), ">&-"), 1,
       {"stdout", "Bad file descriptor"}},
      {"stdout closed early (| head -n 1)", stdout_closed_early, 0, {}, true},
      // Signals during each subcommand, after it accepted a QoS 1 message.
      {"SIGINT during sub -C 5", signal_sub(SIGINT, {"-C", "5"}), 130, {}, true},
      {"SIGTERM during an unbounded sub", signal_sub(SIGTERM, {}), 0, {}, true},
      {"SIGINT during pub -l with acks pending", signal_pub(SIGINT), 130, {}, true},
      {"SIGTERM during pub -l with acks pending", signal_pub(SIGTERM), 143, {}, true},
      {"SIGINT during rr", signal_rr(SIGINT), 130, {}, true},
      {"SIGTERM during rr", signal_rr(SIGTERM), 143, {}, true},
      {"SIGINT during conn's connect", signal_during_connect(SIGINT, "conn"), 130, {}, true},
      {"SIGTERM during conn's connect", signal_during_connect(SIGTERM, "conn"), 143, {}, true},
      {"SIGINT during sub's connect", signal_during_connect(SIGINT, "sub", {"-t", "a"}), 130, {}, true},
      {"SIGTERM during pub's connect", signal_during_connect(SIGTERM, "pub", {"-t", "a", "-m", "x"}), 143, {}, true},
  };
}

}  // namespace
