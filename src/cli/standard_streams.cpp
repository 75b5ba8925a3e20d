#include "cli/standard_streams.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <initializer_list>

namespace mqtk::cli {

void hold_closed_standard_streams() noexcept {
  struct Stream {
    int fd;
    int flags;  // the direction it is NOT used in, except stderr
  };
  for (const Stream s : {Stream{STDIN_FILENO, O_WRONLY}, Stream{STDOUT_FILENO, O_RDONLY},
                         Stream{STDERR_FILENO, O_WRONLY}}) {
    if (::fcntl(s.fd, F_GETFD) != -1) continue;
    // open() returns the lowest free number, which is s.fd since the lower ones are open.
    const int held = ::open("/dev/null", s.flags);
    if (held != -1 && held != s.fd) {
      ::dup2(held, s.fd);
      ::close(held);
    }
  }
}

}  // namespace mqtk::cli
