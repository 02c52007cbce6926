#include "auth/referenced_headers.hpp"

#include "auth/background.hpp"
#include "auth/references.hpp"

#include <vector>

namespace bridge::auth {

struct ReferencedHeaders::State {
  std::string server_name;
  transport::HeaderList configured;
  platform::StorePreference preference = platform::StorePreference::automatic;
  std::shared_ptr<transport::AuthSource> inner;
  std::function<void(transport::HeaderList)> apply;
  std::unique_ptr<Workers> workers;
  bool resolved = false;
  bool resolving = false;
  std::optional<core::Error> failure; // why a header could not be read
  std::vector<std::function<void()>> waiters;

  void finish(core::Result<transport::HeaderList> headers) {
    resolving = false;
    resolved = true;
    if (headers) {
      failure.reset();
      apply(std::move(*headers));
    } else {
      failure = headers.error();
    }
    auto ready = std::move(waiters);
    waiters.clear();
    for (auto& waiter : ready) {
      if (inner && !failure) {
        inner->prepare(std::move(waiter));
      } else {
        waiter();
      }
    }
  }
};

ReferencedHeaders::ReferencedHeaders(std::string server_name, transport::HeaderList configured,
                                     platform::StorePreference preference, std::shared_ptr<transport::AuthSource> inner,
                                     std::function<void(transport::HeaderList)> apply, transport::EventLoop& loop)
    : m_state(std::make_shared<State>()) {
  m_state->server_name = std::move(server_name);
  m_state->configured = std::move(configured);
  m_state->preference = preference;
  m_state->inner = std::move(inner);
  m_state->apply = std::move(apply);
  m_state->workers = std::make_unique<Workers>(loop);
}

ReferencedHeaders::~ReferencedHeaders() { m_state->workers->stop(); }

void ReferencedHeaders::prepare(std::function<void()> ready) {
  auto& state = *m_state;
  if (state.resolved && !state.failure) {
    if (state.inner) {
      state.inner->prepare(std::move(ready));
    } else {
      ready();
    }
    return;
  }
  // Not read yet, or the last read failed (a reference stored since, a keychain unlocked since):
  // read again; the old failure stands until the new read answers.
  state.waiters.push_back(std::move(ready));
  if (state.resolving) {
    return;
  }
  state.resolving = true;
  std::weak_ptr<State> weak = m_state;
  state.workers->spawn([weak, box = state.workers->mailbox(), name = state.server_name, headers = state.configured,
                        preference = state.preference]() mutable {
    // A resolver of its own: its keychain handle belongs to this thread.
    ReferenceResolver resolver(preference);
    core::Result<transport::HeaderList> result = [&]() -> core::Result<transport::HeaderList> {
      for (auto& [header, value] : headers) {
        auto resolved = resolver.resolve(value, "servers." + name + ".headers." + header);
        if (!resolved) {
          return resolved.error();
        }
        value = std::move(*resolved);
      }
      return std::move(headers);
    }();
    box->post([weak, result = std::move(result)]() mutable {
      if (auto self = weak.lock()) {
        self->finish(std::move(result));
      }
    });
  });
}

core::Result<std::optional<std::string>> ReferencedHeaders::authorization() {
  if (m_state->failure) {
    return *m_state->failure;
  }
  if (!m_state->resolved) {
    return core::make_error(core::ErrorKind::auth, "reading the configured headers; try again in a moment");
  }
  if (m_state->inner) {
    return m_state->inner->authorization();
  }
  return std::optional<std::string>();
}

void ReferencedHeaders::on_challenge(long status, const std::string& www_authenticate,
                                     std::function<void(bool retry)> done) {
  if (m_state->inner) {
    m_state->inner->on_challenge(status, www_authenticate, std::move(done));
    return;
  }
  done(false);
}

} // namespace bridge::auth
