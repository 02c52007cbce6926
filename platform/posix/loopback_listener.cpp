// POSIX side of platform/loopback_listener.hpp (Linux and macOS).

#include "platform/loopback_listener.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bridge::platform {
namespace {

constexpr std::size_t k_request_limit = 16 * 1024;

class Socket {
public:
  explicit Socket(int fd) : m_fd(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { reset(); }
  void reset() {
    if (m_fd >= 0) {
      ::close(m_fd);
      m_fd = -1;
    }
  }
  [[nodiscard]] int get() const { return m_fd; }
  int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }

private:
  int m_fd;
};

const char* reason_of(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 404:
    return "Not Found";
  default:
    return "Error";
  }
}

void send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    sent += static_cast<std::size_t>(n);
  }
}

void reply(int fd, const LoopbackReply& answer) {
  std::string response = "HTTP/1.1 " + std::to_string(answer.status) + " " + reason_of(answer.status) +
                         "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                         "Connection: close\r\nContent-Length: " +
                         std::to_string(answer.html.size()) + "\r\n\r\n" + answer.html;
  send_all(fd, response);
}

// Reads up to the end of the request head (or a bound), at most `until`.
std::string read_head(int fd, std::chrono::steady_clock::time_point until) {
  std::string data;
  char buffer[2048];
  while (data.find("\r\n\r\n") == std::string::npos && data.find("\n\n") == std::string::npos &&
         data.size() < k_request_limit) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      break;
    }
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 250)));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      continue;
    }
    auto n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return data;
}

class PosixLoopbackListener final : public LoopbackListener {
public:
  PosixLoopbackListener(int fd, int port) : m_socket(fd), m_port(port) {}
  [[nodiscard]] int port() const override { return m_port; }

  core::Result<std::string> wait(const std::string& path, std::chrono::milliseconds timeout,
                                 const std::function<LoopbackReply(const std::string& target)>& answer,
                                 const std::function<bool()>& cancelled) override {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (m_socket.get() >= 0) {
      if (cancelled && cancelled()) {
        m_socket.reset();
        return core::make_error(core::ErrorKind::unavailable, "the login was cancelled");
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
      if (left <= 0) {
        m_socket.reset();
        return core::make_error(core::ErrorKind::timeout, "no answer from the browser in time");
      }
      pollfd pfd{m_socket.get(), POLLIN, 0};
      int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 250)));
      if (ready <= 0) {
        continue;
      }
      Socket client(::accept(m_socket.get(), nullptr, nullptr));
      if (client.get() < 0) {
        continue;
      }
      auto head = read_head(client.get(), std::min(until, std::chrono::steady_clock::now() + std::chrono::seconds(10)));
      // "GET /callback?… HTTP/1.1"
      auto line_end = head.find_first_of("\r\n");
      std::string line = head.substr(0, line_end);
      auto first = line.find(' ');
      auto second = first == std::string::npos ? std::string::npos : line.find(' ', first + 1);
      if (first == std::string::npos || second == std::string::npos) {
        reply(client.get(), {400, "<!doctype html><title>Bad request</title><p>Bad request.</p>"});
        continue;
      }
      std::string method = line.substr(0, first);
      std::string target = line.substr(first + 1, second - first - 1);
      std::string target_path = target.substr(0, target.find('?'));
      if (method != "GET" || target_path != path) {
        reply(client.get(), {404, "<!doctype html><title>Not found</title><p>Not found.</p>"});
        continue;
      }
      auto answered = answer(target);
      reply(client.get(), answered);
      if (!answered.done) {
        continue; // not the answer awaited (a wrong state): keep listening for the real one
      }
      m_socket.reset(); // the awaited request, then closed
      return target;
    }
    return core::make_error(core::ErrorKind::unavailable, "the redirect listener is closed");
  }

private:
  Socket m_socket;
  int m_port;
};

} // namespace

core::Result<std::unique_ptr<LoopbackListener>> LoopbackListener::bind(int port) {
  if (port < 0 || port > 65535) {
    return core::make_error(core::ErrorKind::invalid_input, "oauth.redirect_port must be 0..65535");
  }
  Socket fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return core::make_error(core::ErrorKind::io, std::string("cannot create a socket: ") + std::strerror(errno));
  }
  // The listener closes the browser's connection first, which leaves it in TIME_WAIT on our
  // port for a minute: without SO_REUSEADDR a second `bridge login` on a fixed
  // oauth.redirect_port could not bind. It allows no more than that on Linux: a port another
  // socket is bound to stays refused (sharing a live port needs SO_REUSEPORT). macOS also lets a
  // specific address share a port held on the wildcard one, the specific one (ours, 127.0.0.1)
  // getting the loopback connections: nobody can take our listener over either way. Windows
  // differs (SO_REUSEADDR there lets others take a port over): see its file.
  int reuse = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse)) != 0) {
    return core::make_error(core::ErrorKind::io, std::string("cannot set SO_REUSEADDR: ") + std::strerror(errno));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // 127.0.0.1 only, never 0.0.0.0
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || ::listen(fd.get(), 8) != 0) {
    return core::make_error(core::ErrorKind::io, "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " +
                                                     std::strerror(errno) +
                                                     (port != 0 ? " (is oauth.redirect_port in use?)" : ""));
  }
  socklen_t length = sizeof(address);
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
  int bound = ntohs(address.sin_port);
  return std::unique_ptr<LoopbackListener>(std::make_unique<PosixLoopbackListener>(fd.release(), bound));
}

} // namespace bridge::platform
