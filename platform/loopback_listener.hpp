#pragma once

// The OAuth redirect listener (RFC 8252 §7.3): an HTTP server on 127.0.0.1 only, ephemeral or a
// given port, that waits for the request to its callback path that its caller accepts as the
// answer, answers it with a page for the browser, and closes. Requests for other paths (a
// browser's /favicon.ico) get a 404, and callback requests the caller turns away (a wrong
// `state`) their page: neither counts.

#include "core/result.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace bridge::platform {

struct LoopbackReply {
  int status = 200;
  std::string html;
  // False: this request was not the awaited one (it gets its page; the listener keeps waiting).
  bool done = true;
};

class LoopbackListener {
public:
  virtual ~LoopbackListener() = default;
  // Binds 127.0.0.1:<port> (0 = ephemeral).
  static core::Result<std::unique_ptr<LoopbackListener>> bind(int port);

  [[nodiscard]] virtual int port() const = 0;
  // Waits up to `timeout` for a GET of `path` (e.g. "/callback"); hands each one's request target
  // ("/callback?code=…&state=…") to `answer` and sends its reply; the first reply that is `done`
  // closes the listener and its target is returned.
  // Error{timeout} when nothing came in time; Error{unavailable} soon after `cancelled` turns true.
  virtual core::Result<std::string> wait(const std::string& path, std::chrono::milliseconds timeout,
                                         const std::function<LoopbackReply(const std::string& target)>& answer,
                                         const std::function<bool()>& cancelled) = 0;
};

} // namespace bridge::platform
