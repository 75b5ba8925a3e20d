#pragma once
// `mqtk conn`: connect with the shared connection flags, print what the broker said in CONNACK
// (session present, receive maximum, maximum QoS, ...), disconnect. Exit 0, or 3 when refused.

#include "cli/command.hpp"
