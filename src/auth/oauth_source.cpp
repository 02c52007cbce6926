#include "auth/oauth_source.hpp"

#include "auth/background.hpp"

#include "auth/oauth_client.hpp"
#include "auth/www_authenticate.hpp"
#include "core/remedy.hpp"
#include "platform/file_lock.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace bridge::auth {
namespace {

constexpr std::int64_t k_refresh_margin_s = 60; // refresh this long before expiry
constexpr int k_max_step_ups = 3;

} // namespace

struct OAuthSource::State : std::enable_shared_from_this<OAuthSource::State> {
  core::ServerConfig server;
  platform::StorePreference preference;
  std::string key;
  std::string lock_name;
  std::unique_ptr<Workers> workers; // keychain reads and OAuth exchanges, off the loop thread

  bool loaded = false;                 // the first read of the store has come back
  bool store_loading = false;          // a read of the store is under way
  std::vector<std::function<void()>> ready_waiters; // prepare() calls waiting for the first read
  std::optional<TokenBundle> bundle;
  std::chrono::steady_clock::time_point last_store_check;
  bool refreshing = false;
  std::vector<std::function<void(bool)>> refresh_waiters;
  bool logging_in = false;
  bool auto_login_tried = false;
  // The server answered 401/403. Until it does, a server we never logged in to is tried without
  // a token: some servers configured "oauth" ask for none, and need no browser login.
  bool server_asked = false;
  std::string rejected_access_token; // the server refused it and its renewal failed: never reuse it
  std::vector<std::function<void(bool)>> login_waiters;
  int step_ups = 0;
  std::optional<core::Error> last_error;
  std::function<void()> on_credentials;

  void spawn(std::function<void()> body) { workers->spawn(std::move(body)); }

  // Reads the token store on a worker (the keychain may take seconds to answer); the result
  // comes back in store_loaded. At most one read at a time.
  void start_store_load();
  void store_loaded(core::Result<std::optional<TokenBundle>> stored);
  void start_refresh(std::function<void(bool)> done);
  void refresh_finished(core::Result<TokenBundle> result);
  void start_login(std::optional<std::string> scope, std::optional<BearerChallenge> challenge,
                   std::function<void(bool)> done);
  void login_finished(core::Result<TokenBundle> result);
};

OAuthSource::OAuthSource(core::ServerConfig server, platform::StorePreference preference, transport::EventLoop& loop)
    : m_state(std::make_shared<State>()) {
  m_state->key = token_key(server);
  m_state->lock_name = token_lock_name(server);
  m_state->server = std::move(server);
  m_state->preference = preference;
  m_state->workers = std::make_unique<Workers>(loop);
}

OAuthSource::~OAuthSource() { m_state->workers->stop(); }

void OAuthSource::prepare(std::function<void()> ready) {
  auto& state = *m_state;
  if (state.loaded) {
    ready();
    return;
  }
  state.ready_waiters.push_back(std::move(ready));
  state.start_store_load();
}

void OAuthSource::State::start_store_load() {
  if (store_loading) {
    return;
  }
  store_loading = true;
  last_store_check = std::chrono::steady_clock::now();
  std::weak_ptr<State> weak = weak_from_this();
  spawn([weak, box = workers->mailbox(), pref = preference, k = key] {
    auto stored = [&]() -> core::Result<std::optional<TokenBundle>> {
      auto store = TokenStore::open(pref);
      if (!store) {
        return store.error();
      }
      return store->load(k);
    }();
    box->post([weak, stored = std::move(stored)]() mutable {
      if (auto self = weak.lock()) {
        self->store_loaded(std::move(stored));
      }
    });
  });
}

void OAuthSource::State::store_loaded(core::Result<std::optional<TokenBundle>> stored) {
  store_loading = false;
  bool first = !loaded;
  loaded = true;
  last_store_check = std::chrono::steady_clock::now();
  auto now = unix_now();
  bool was_usable = bundle && bundle->usable(now);
  if (!stored) {
    last_error = stored.error();
  } else if (stored->has_value() && (!bundle || (*stored)->access_token != bundle->access_token) &&
             (rejected_access_token.empty() || (*stored)->access_token != rejected_access_token)) {
    bundle = std::move(**stored);
  }
  auto waiters = std::move(ready_waiters);
  ready_waiters.clear();
  for (auto& waiter : waiters) {
    waiter();
  }
  // Someone logged in meanwhile (`bridge login`, another bridge): connect again with it.
  if (!first && !was_usable && bundle && bundle->usable(now) && on_credentials) {
    spdlog::info("{}: found new tokens in the token store", server.name);
    on_credentials();
  }
}

void OAuthSource::set_on_credentials(std::function<void()> callback) { m_state->on_credentials = std::move(callback); }

core::Result<std::optional<std::string>> OAuthSource::authorization() {
  auto& state = *m_state;
  if (!state.loaded) {
    // Only a link that skipped prepare() gets here: read the store in the background meanwhile.
    state.start_store_load();
    return core::make_error(core::ErrorKind::auth, "reading the stored tokens; try again in a moment");
  }
  auto now = unix_now();
  if (!state.bundle || !state.bundle->usable(now)) {
    // Someone may have logged in meanwhile (`bridge login`, another bridge): look again in the
    // background, but not on every request; a find connects the upstream again.
    if (std::chrono::steady_clock::now() - state.last_store_check > std::chrono::seconds(2)) {
      state.start_store_load();
    }
  }
  if (state.bundle && state.bundle->has_access_token()) {
    if (state.bundle->expires_within(now, k_refresh_margin_s) && !state.refreshing &&
        state.bundle->renewable()) {
      state.start_refresh(nullptr);
    }
    if (!state.bundle->expires_within(now, 0) || state.bundle->renewable()) {
      // An expired token with a refresh under way earns a 401, which waits for the refresh.
      return std::optional<std::string>("Bearer " + state.bundle->access_token);
    }
  }
  if (!state.bundle && !state.server_asked && !state.logging_in) {
    return std::optional<std::string>(); // never logged in: see whether the server asks at all
  }
  // No usable token: log in in the background (once per process), and say so meanwhile.
  if (!state.logging_in && !state.auto_login_tried) {
    state.start_login(std::nullopt, std::nullopt, nullptr);
  }
  std::string message;
  if (state.logging_in) {
    message = state.server.oauth.grant == "authorization_code"
                  ? "not logged in (a browser login was started; finish it there)"
                  : "not logged in yet (obtaining a token)";
  } else if (state.last_error) {
    message = "not logged in (the last attempt failed: " + state.last_error->message + ")";
  } else {
    message = "not logged in";
  }
  return core::make_error(core::ErrorKind::auth, message);
}

void OAuthSource::on_challenge(long status, const std::string& www_authenticate, std::function<void(bool retry)> done) {
  auto& state = *m_state;
  auto challenge = bearer_challenge(www_authenticate);
  bool first_ask = !state.server_asked;
  state.server_asked = true;
  if (first_ask && !state.bundle && !state.auto_login_tried) {
    // It asks, and we have never logged in: log in in the background (with what the challenge
    // says), and fail this attempt with "not logged in" meanwhile, as without the probe.
    state.start_login(std::nullopt, challenge, nullptr);
    done(false);
    return;
  }
  if (status == 403) {
    if (challenge.error == "insufficient_scope" && state.step_ups < k_max_step_ups) {
      ++state.step_ups;
      std::string granted = state.bundle ? state.bundle->scope : std::string();
      std::string scope = union_scopes(granted, challenge.scope);
      spdlog::info("{}: the server wants more scope ({}); authorizing again", state.server.name, challenge.scope);
      state.start_login(scope.empty() ? std::nullopt : std::optional<std::string>(scope), challenge, std::move(done));
      return;
    }
    done(false);
    return;
  }
  if (state.bundle && state.bundle->renewable()) {
    state.start_refresh(std::move(done));
    return;
  }
  if (!state.auto_login_tried || state.logging_in) {
    state.start_login(std::nullopt, challenge, std::move(done));
    return;
  }
  done(false);
}

void OAuthSource::State::start_refresh(std::function<void(bool)> done) {
  if (done) {
    refresh_waiters.push_back(std::move(done));
  }
  if (refreshing) {
    return;
  }
  refreshing = true;
  std::weak_ptr<State> weak = weak_from_this();
  spawn([weak, box = workers->mailbox(), config = server, pref = preference, k = key, lock_name_copy = lock_name,
         local = bundle, cancel_flag = workers->cancelled()]() mutable {
    auto result = [&]() -> core::Result<TokenBundle> {
      // One refresh at a time across every bridge of this user: a rotating refresh token is
      // spent by the first use, so the others must pick up what it stored instead.
      auto lock = platform::ProcessLock::acquire(lock_name_copy + ".refresh", std::chrono::seconds(30));
      if (!lock) {
        return lock.error();
      }
      auto store = TokenStore::open(pref);
      if (!store) {
        return store.error();
      }
      auto stored = store->load(k);
      if (!stored) {
        return stored.error();
      }
      auto now = unix_now();
      std::optional<TokenBundle> base = stored->has_value() ? std::move(*stored) : local;
      if (!base) {
        return core::make_error(core::ErrorKind::auth, "no stored tokens");
      }
      if (local && base->access_token != local->access_token && base->has_access_token() &&
          !base->expires_within(now, 30)) {
        return *base; // another process refreshed already
      }
      auto hooks = default_hooks();
      hooks.cancelled = [cancel_flag] { return cancel_flag->load(); };
      OAuthClient client(config, std::make_shared<ReferenceResolver>(pref), hooks);
      auto fresh = client.refresh(*base);
      if (!fresh) {
        return fresh.error();
      }
      if (auto saved = store->save(k, *fresh); !saved) {
        spdlog::warn("{}: could not store the refreshed token: {}", config.name, saved.error().message);
      }
      return fresh;
    }();
    box->post([weak, result = std::move(result)]() mutable {
      if (auto self = weak.lock()) {
        self->refresh_finished(std::move(result));
      }
    });
  });
}

void OAuthSource::State::refresh_finished(core::Result<TokenBundle> result) {
  refreshing = false;
  auto waiters = std::move(refresh_waiters);
  refresh_waiters.clear();
  if (result) {
    bundle = std::move(*result);
    last_error.reset();
    for (auto& waiter : waiters) {
      waiter(true);
    }
    return;
  }
  spdlog::warn("{}: token refresh failed: {}", server.name, result.error().message);
  if (result.error().kind == core::ErrorKind::auth) {
    // The refresh token is dead: only a new login helps (started once per process). The store
    // still holds the dead tokens, so the login must not take them for someone else's fresh ones.
    if (bundle) {
      rejected_access_token = bundle->access_token;
      bundle->access_token.clear();
      bundle->refresh_token.clear();
    }
    if (!auto_login_tried || logging_in) {
      for (auto& waiter : waiters) {
        login_waiters.push_back(std::move(waiter));
      }
      start_login(std::nullopt, std::nullopt, nullptr);
      return;
    }
  }
  last_error = result.error();
  for (auto& waiter : waiters) {
    waiter(false);
  }
}

void OAuthSource::State::start_login(std::optional<std::string> scope, std::optional<BearerChallenge> challenge,
                                     std::function<void(bool)> done) {
  if (done) {
    login_waiters.push_back(std::move(done));
  }
  if (logging_in) {
    return;
  }
  logging_in = true;
  bool step_up = scope.has_value() && challenge && challenge->error == "insufficient_scope";
  if (!step_up) {
    auto_login_tried = true;
  }
  std::weak_ptr<State> weak = weak_from_this();
  spawn([weak, box = workers->mailbox(), config = server, pref = preference, k = key, lock_name_copy = lock_name,
         local = bundle, rejected = rejected_access_token, scope, challenge, step_up,
         cancel_flag = workers->cancelled()]() mutable {
    auto result = [&]() -> core::Result<TokenBundle> {
      auto hooks = default_hooks();
      hooks.cancelled = [cancel_flag] { return cancel_flag->load(); };
      auto store = TokenStore::open(pref);
      if (!store) {
        return store.error();
      }
      auto usable_elsewhere = [&](const std::optional<TokenBundle>& stored) {
        return stored && stored->usable(unix_now()) && (!local || stored->access_token != local->access_token) &&
               (rejected.empty() || stored->access_token != rejected);
      };
      // One browser login per upstream across every bridge: the others wait for its tokens.
      auto lock = platform::ProcessLock::acquire(lock_name_copy + ".login", std::chrono::milliseconds(0));
      if (!lock) {
        spdlog::info("{}: another mcp-bridge process is logging in; waiting for its tokens", config.name);
        auto until = std::chrono::steady_clock::now() + hooks.login_timeout + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < until && !cancel_flag->load()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(250));
          auto stored = store->load(k);
          if (stored && usable_elsewhere(*stored)) {
            return **stored;
          }
          if (auto again = platform::ProcessLock::acquire(lock_name_copy + ".login", std::chrono::milliseconds(0))) {
            break; // the other login ended without tokens: do not start another by surprise
          }
        }
        return core::make_error(core::ErrorKind::auth, "another process's login did not complete");
      }
      auto stored = store->load(k);
      if (!step_up && stored && usable_elsewhere(*stored)) {
        return **stored; // logged in elsewhere just now
      }
      std::optional<TokenBundle> previous = stored && stored->has_value() ? **stored : local;
      OAuthClient client(config, std::make_shared<ReferenceResolver>(pref), hooks);
      auto fresh = client.login(previous, challenge, scope);
      if (!fresh) {
        return fresh.error();
      }
      if (auto saved = store->save(k, *fresh); !saved) {
        spdlog::warn("{}: could not store the new tokens: {}", config.name, saved.error().message);
      }
      return fresh;
    }();
    box->post([weak, result = std::move(result)]() mutable {
      if (auto self = weak.lock()) {
        self->login_finished(std::move(result));
      }
    });
  });
}

void OAuthSource::State::login_finished(core::Result<TokenBundle> result) {
  logging_in = false;
  auto waiters = std::move(login_waiters);
  login_waiters.clear();
  if (result) {
    bundle = std::move(*result);
    last_error.reset();
    spdlog::info("{}: logged in", server.name);
    if (waiters.empty()) {
      if (on_credentials) {
        on_credentials();
      }
    }
    for (auto& waiter : waiters) {
      waiter(true);
    }
    return;
  }
  last_error = result.error();
  spdlog::warn("{}: login failed: {} — {}", server.name, result.error().message,
               core::credentials_remedy(server, result.error()));
  if (waiters.empty() && on_credentials) {
    // A background login that failed (the server offers no OAuth sign-in, the user gave up): the
    // upstream connects again at once, so it fails with this reason and its remedy instead of
    // "a browser login was started" until the next retry.
    on_credentials();
  }
  for (auto& waiter : waiters) {
    waiter(false);
  }
}

void ReconnectingLink::connect(const nlohmann::json& client_capabilities, const std::string& protocol_version) {
  m_capabilities = client_capabilities;
  m_protocol_version = protocol_version;
  m_connected = true;
  m_inner->connect(client_capabilities, protocol_version);
}

void ReconnectingLink::shutdown(std::function<void()> done) {
  m_closed = true;
  m_inner->shutdown(std::move(done));
}

void ReconnectingLink::reconnect() {
  if (m_connected && !m_closed) {
    m_inner->connect(m_capabilities, m_protocol_version);
  }
}

} // namespace bridge::auth
