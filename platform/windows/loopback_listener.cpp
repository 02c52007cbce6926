// Windows side of platform/loopback_listener.hpp (Winsock).

#include "platform/loopback_listener.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <algorithm>

namespace bridge::platform {
namespace {

constexpr std::size_t k_request_limit = 16 * 1024;

struct WinsockInit {
  WinsockInit() {
    WSADATA data;
    ok = WSAStartup(MAKEWORD(2, 2), &data) == 0;
  }
  ~WinsockInit() {
    if (ok) {
      WSACleanup();
    }
  }
  bool ok = false;
};

class Socket {
public:
  explicit Socket(SOCKET s) : m_socket(s) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { reset(); }
  void reset() {
    if (m_socket != INVALID_SOCKET) {
      closesocket(m_socket);
      m_socket = INVALID_SOCKET;
    }
  }
  [[nodiscard]] SOCKET get() const { return m_socket; }
  SOCKET release() {
    SOCKET s = m_socket;
    m_socket = INVALID_SOCKET;
    return s;
  }

private:
  SOCKET m_socket;
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

void reply(SOCKET s, const LoopbackReply& answer) {
  std::string response = "HTTP/1.1 " + std::to_string(answer.status) + " " + reason_of(answer.status) +
                         "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                         "Connection: close\r\nContent-Length: " +
                         std::to_string(answer.html.size()) + "\r\n\r\n" + answer.html;
  std::size_t sent = 0;
  while (sent < response.size()) {
    int n = ::send(s, response.data() + sent, static_cast<int>(response.size() - sent), 0);
    if (n <= 0) {
      return;
    }
    sent += static_cast<std::size_t>(n);
  }
}

int wait_readable(SOCKET s, long long milliseconds) {
  WSAPOLLFD pfd{};
  pfd.fd = s;
  pfd.events = POLLRDNORM;
  return WSAPoll(&pfd, 1, static_cast<INT>(std::min<long long>(milliseconds, 1000)));
}

// After the last page, waits (briefly) for the browser to close its end first: the side that
// closes first keeps the connection in TIME_WAIT, and with SO_EXCLUSIVEADDRUSE one of ours on
// the port would refuse the next login's bind on a fixed oauth.redirect_port for minutes.
// (POSIX sets SO_REUSEADDR instead; here that option would let other programs take the port.)
void let_browser_close_first(SOCKET s) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  char buffer[512];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      return; // the browser keeps it open: ours closes first after all
    }
    int ready = wait_readable(s, left);
    if (ready < 0 || (ready > 0 && ::recv(s, buffer, static_cast<int>(sizeof(buffer)), 0) <= 0)) {
      return; // closed by the browser (or broken): ours closes second
    }
  }
}

std::string read_head(SOCKET s, std::chrono::steady_clock::time_point until) {
  std::string data;
  char buffer[2048];
  while (data.find("\r\n\r\n") == std::string::npos && data.find("\n\n") == std::string::npos &&
         data.size() < k_request_limit) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      break;
    }
    if (wait_readable(s, left) <= 0) {
      continue;
    }
    int n = ::recv(s, buffer, static_cast<int>(sizeof(buffer)), 0);
    if (n <= 0) {
      break;
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return data;
}

class WindowsLoopbackListener final : public LoopbackListener {
public:
  WindowsLoopbackListener(SOCKET s, int port) : m_socket(s), m_port(port) {}
  [[nodiscard]] int port() const override { return m_port; }

  core::Result<std::string> wait(const std::string& path, std::chrono::milliseconds timeout,
                                 const std::function<LoopbackReply(const std::string& target)>& answer,
                                 const std::function<bool()>& cancelled) override {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (m_socket.get() != INVALID_SOCKET) {
      if (cancelled && cancelled()) {
        m_socket.reset();
        return core::make_error(core::ErrorKind::unavailable, "the login was cancelled");
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
      if (left <= 0) {
        m_socket.reset();
        return core::make_error(core::ErrorKind::timeout, "no answer from the browser in time");
      }
      if (wait_readable(m_socket.get(), left) <= 0) {
        continue;
      }
      Socket client(::accept(m_socket.get(), nullptr, nullptr));
      if (client.get() == INVALID_SOCKET) {
        continue;
      }
      auto head = read_head(client.get(), std::min(until, std::chrono::steady_clock::now() + std::chrono::seconds(10)));
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
      if (method != "GET" || target.substr(0, target.find('?')) != path) {
        reply(client.get(), {404, "<!doctype html><title>Not found</title><p>Not found.</p>"});
        continue;
      }
      auto answered = answer(target);
      reply(client.get(), answered);
      if (!answered.done) {
        continue; // not the answer awaited (a wrong state): keep listening for the real one
      }
      m_socket.reset();
      let_browser_close_first(client.get());
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
  static WinsockInit winsock;
  if (!winsock.ok) {
    return core::make_error(core::ErrorKind::io, "Winsock is not available");
  }
  if (port < 0 || port > 65535) {
    return core::make_error(core::ErrorKind::invalid_input, "oauth.redirect_port must be 0..65535");
  }
  Socket s(::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
  if (s.get() == INVALID_SOCKET) {
    return core::make_error(core::ErrorKind::io, "cannot create a socket");
  }
  BOOL exclusive = TRUE;
  setsockopt(s.get(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&exclusive), sizeof(exclusive));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<u_short>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // 127.0.0.1 only
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || ::listen(s.get(), 8) != 0) {
    return core::make_error(core::ErrorKind::io, "cannot listen on 127.0.0.1:" + std::to_string(port) +
                                                     (port != 0 ? " (is oauth.redirect_port in use?)" : ""));
  }
  int length = sizeof(address);
  ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&address), &length);
  int bound = ntohs(address.sin_port);
  return std::unique_ptr<LoopbackListener>(std::make_unique<WindowsLoopbackListener>(s.release(), bound));
}

} // namespace bridge::platform
