#include "auth/static_token.hpp"

#include "auth/background.hpp"

#include <vector>

namespace bridge::auth {

struct StaticTokenAuth::State : std::enable_shared_from_this<StaticTokenAuth::State> {
  std::string server_name;
  std::string reference;
  platform::StorePreference preference = platform::StorePreference::automatic;
  std::unique_ptr<Workers> workers;
  std::optional<core::Result<std::string>> header; // "Bearer …", or why there is none
  bool resolving = false;
  std::vector<std::function<void()>> waiters;

  void start_resolve() {
    if (resolving) {
      return;
    }
    resolving = true;
    std::weak_ptr<State> weak = weak_from_this();
    workers->spawn([weak, box = workers->mailbox(), name = server_name, ref = reference, pref = preference] {
      // A resolver of its own: the shared one is the loop thread's.
      auto token = ReferenceResolver(pref).resolve(ref, "servers." + name + ".token");
      core::Result<std::string> value = [&]() -> core::Result<std::string> {
        if (!token) {
          return core::make_error(core::ErrorKind::auth, token.error().message);
        }
        if (token->empty()) {
          return core::make_error(core::ErrorKind::auth, "servers." + name + ".token: the token is empty");
        }
        return "Bearer " + *token;
      }();
      box->post([weak, value = std::move(value)]() mutable {
        if (auto self = weak.lock()) {
          self->resolved(std::move(value));
        }
      });
    });
  }

  void resolved(core::Result<std::string> result) {
    resolving = false;
    header = std::move(result);
    auto ready = std::move(waiters);
    waiters.clear();
    for (auto& waiter : ready) {
      waiter();
    }
  }
};

StaticTokenAuth::StaticTokenAuth(std::string server_name, std::string token_reference,
                                 platform::StorePreference preference, transport::EventLoop& loop)
    : m_state(std::make_shared<State>()) {
  m_state->server_name = std::move(server_name);
  m_state->reference = std::move(token_reference);
  m_state->preference = preference;
  m_state->workers = std::make_unique<Workers>(loop);
}

StaticTokenAuth::~StaticTokenAuth() { m_state->workers->stop(); }

void StaticTokenAuth::prepare(std::function<void()> ready) {
  // A failed read is not kept as the answer: this connect reads again (the user may have run
  // `bridge token set` or unlocked the keychain since).
  if (m_state->header && *m_state->header) {
    ready();
    return;
  }
  m_state->waiters.push_back(std::move(ready));
  m_state->start_resolve();
}

core::Result<std::optional<std::string>> StaticTokenAuth::authorization() {
  const auto& header = m_state->header;
  if (!header) {
    m_state->start_resolve(); // only a link that skipped prepare() gets here
    return core::make_error(core::ErrorKind::auth, "reading the token; try again in a moment");
  }
  if (!*header) {
    return header->error();
  }
  return std::optional<std::string>(**header);
}

void StaticTokenAuth::on_challenge(long, const std::string&, std::function<void(bool retry)> done) {
  // A static token cannot be refreshed; reading it again (in the background; the old value stays
  // until the new one is read) lets `bridge token set` take effect without a restart.
  m_state->start_resolve();
  done(false);
}

} // namespace bridge::auth
