#pragma once
// A process started with stdin, stdout or stderr closed (`<&-`, `>&-`) would hand that number to
// the next descriptor mqtk opens (the signal watcher's eventfd, the broker's socket): `pub -l`
// then read an eventfd forever, and `sub` would write messages into the MQTT connection.

namespace mqtk::cli {

// Fills each closed standard descriptor with /dev/null before anything else is opened: stdin
// write-only and stdout read-only, so using them fails with EBADF as the closed ones would
// (reported, exit 1); stderr writable, so diagnostics are discarded as the caller asked.
void hold_closed_standard_streams() noexcept;

}  // namespace mqtk::cli
