#pragma once

// Config headers whose values hold references (`"X-API-Key": "${keychain:jc}"`) are read like a
// token: on a worker thread (auth/background.hpp), before the upstream's first connect
// (auth/prepared_link.hpp), so a keychain that is slow or frozen delays that upstream alone and
// never the bridge's start or its event loop. Wraps the upstream's own auth source, if any.

#include "platform/secret_store.hpp"
#include "transport/auth_source.hpp"
#include "transport/event_loop.hpp"
#include "transport/http.hpp"

#include <functional>
#include <memory>
#include <string>

namespace bridge::auth {

class ReferencedHeaders final : public transport::AuthSource {
public:
  // `configured`: the headers as written in the config; `apply` receives them resolved, on the
  // loop thread, before `ready` of prepare() is called. `inner` may be null (no Authorization).
  ReferencedHeaders(std::string server_name, transport::HeaderList configured, platform::StorePreference preference,
                    std::shared_ptr<transport::AuthSource> inner,
                    std::function<void(transport::HeaderList)> apply, transport::EventLoop& loop);
  ~ReferencedHeaders() override;
  ReferencedHeaders(const ReferencedHeaders&) = delete;
  ReferencedHeaders& operator=(const ReferencedHeaders&) = delete;

  void prepare(std::function<void()> ready) override;
  // The reason a header could not be read (the upstream then fails alone, with it), else the
  // inner source's answer.
  core::Result<std::optional<std::string>> authorization() override;
  void on_challenge(long status, const std::string& www_authenticate, std::function<void(bool retry)> done) override;

private:
  struct State;
  std::shared_ptr<State> m_state;
};

} // namespace bridge::auth
