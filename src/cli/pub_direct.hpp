#pragma once
// The one-shot `mqtk pub` direct path: connect, publish one message, disconnect, exit, with
// mqtk's own MQTT connection (direct_publisher.hpp) instead of the paho-backed core client.
// Why: scripts call `mqtk pub -m` in loops (issue #4). On paho a one-shot QoS 1 publish took
// 20-125 ms (bimodal: paho.mqtt.c 1.3's receive thread sleeps 100 ms when it starts before
// its socket is registered, its threads start with 10 ms poll waits, and it sets up OpenSSL;
// PERF-NOTES gotcha 4) where mosquitto_pub takes about 3 ms; the direct path needs no thread
// and no TLS library set-up (bench/oneshot.sh measures both; README "mqtk pub" has the figures).
//
// Used when all of these hold, else `run_pub` goes through the core client unchanged:
//  - one message: -m, -f, -s, -n or --size (not -l, not --jsonl, no --repeat above 1);
//  - mqtt:// over plain TCP: no TLS, no websockets, no proxy (--proxy, MQTK_PROXY);
//  - nothing the codec does not encode as paho does: no -D property, no will, no --reconnect.
// Client id (-i, or -I/the default prefix with the core's random suffix), -k, -c, -x,
// credentials, -V 3.1/3.1.1/5, -q 0/1/2 and -r are all encoded. Users see the same stderr
// lines and exit codes as on the core client; with -d one more info line names the direct
// path, and -dd says why a run did not take it.

#include <chrono>
#include <string>

#include "cli/command.hpp"
#include "cli/pub_options.hpp"
#include <mqtk/message.hpp>

namespace mqtk::cli {

// Why `message` cannot take the direct path (for a debug line), or empty when it can.
std::string direct_path_refusal(const PubOptions& options, const ResolvedConnection& resolved,
                                const Message& message);

// Publishes `message` on the direct path and ends the process through finish_process(); throws
// ConnectError (the core's words) when it cannot connect, and Error for an oversize payload.
[[noreturn]] ExitCode run_direct_pub(const ResolvedConnection& resolved, const Message& message,
                                     std::chrono::milliseconds ack_timeout,
                                     CommandContext& context);

}  // namespace mqtk::cli
