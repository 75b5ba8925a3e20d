#pragma once
// `mqtk sub`: mosquitto_sub's options and output, plus --json, --until, a chosen queue, and
// reconnect across broker restarts. Prints each message as it arrives (stdout is data).

#include "cli/command.hpp"
