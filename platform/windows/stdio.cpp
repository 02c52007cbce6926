#include "platform/platform.hpp"

#include <climits>
#include <fcntl.h>
#include <io.h>

namespace bridge::platform {

long read_stdin(char* buffer, std::size_t size) {
  unsigned int chunk = size > INT_MAX ? static_cast<unsigned int>(INT_MAX) : static_cast<unsigned int>(size);
  int n = _read(0, buffer, chunk);
  return n < 0 ? -1L : static_cast<long>(n);
}

bool write_stdout(const char* data, std::size_t size) {
  while (size > 0) {
    unsigned int chunk = size > INT_MAX ? static_cast<unsigned int>(INT_MAX) : static_cast<unsigned int>(size);
    int n = _write(1, data, chunk);
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// An anonymous pipe cannot be asked for its room without a write: everything goes through the
// writer thread (transport/client_output.hpp).
bool stdout_ready_for(std::size_t /*size*/) { return false; }

void prepare_stdio() {
  // The protocol is bytes: no CRLF translation, no Ctrl-Z end of file.
  _setmode(0, _O_BINARY);
  _setmode(1, _O_BINARY);
}

} // namespace bridge::platform
