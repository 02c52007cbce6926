#include "auth/oauth_source.hpp"

#include "auth/oauth_client.hpp"
#include "auth/www_authenticate.hpp"
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

// The loop pointer, cleared when the source goes away, so a late worker posts nowhere.
struct Mailbox {
  std::mutex mutex;
  transport::EventLoop* loop = nullptr;
  void post(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mutex);
    if (loop != nullptr) {
      loop->post(std::move(task));
    }
  }
};

} // namespace

struct OAuthSource::State : std::enable_shared_from_this<OAuthSource::State> {
  core::ServerConfig server;
  platform::StorePreference preference;
  std::string key;
  std::string lock_name;
  std::shared_ptr<Mailbox> mailbox = std::make_shared<Mailbox>();

  bool loaded = false;
  std::optional<TokenBundle> bundle;
  std::chrono::steady_clock::time_point last_store_check;
  bool refreshing = false;
  std::vector<std::function<void(bool)>> refresh_waiters;
  bool logging_in = false;
  bool auto_login_tried = false;
  std::string rejected_access_token; // the server refused it and its renewal failed: never reuse it
  std::vector<std::function<void(bool)>> login_waiters;
  int step_ups = 0;
  std::optional<core::Error> last_error;
  std::function<void()> on_credentials;

  std::optional<TokenStore> loop_store; // the loop thread's own (workers open theirs)

  // Worker threads: told to stop and waited for (briefly) when the source goes away, so none
  // outlives the process's statics (libcurl, the logger) in the middle of its work.
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  std::vector<Worker> workers;

  template <typename Body> void spawn(Body body) {
    // Reap the finished ones first.
    for (auto it = workers.begin(); it != workers.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = workers.erase(it);
      } else {
        ++it;
      }
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers.push_back(Worker{std::thread([body = std::move(body), done]() mutable {
                               body();
                               done->store(true);
                             }),
                             done});
  }

  void stop_workers() {
    cancel->store(true);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (auto& worker : workers) {
      while (!worker.done->load() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (worker.done->load()) {
        worker.thread.join();
      } else {
        worker.thread.detach(); // stuck in a network call: leave it rather than hang the exit
      }
    }
    workers.clear();
  }

  void load_from_store() {
    last_store_check = std::chrono::steady_clock::now();
    if (!loop_store) {
      // Opened once: probing for a keychain must not stall the event loop again and again.
      auto opened = TokenStore::open(preference);
      if (!opened) {
        last_error = opened.error();
        return;
      }
      loop_store.emplace(std::move(*opened));
    }
    auto stored = loop_store->load(key);
    if (!stored) {
      last_error = stored.error();
      return;
    }
    if (stored->has_value() && (!bundle || (*stored)->access_token != bundle->access_token)) {
      bundle = std::move(*stored);
    }
  }

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
  m_state->mailbox->loop = &loop;
}

OAuthSource::~OAuthSource() {
  {
    std::lock_guard<std::mutex> lock(m_state->mailbox->mutex);
    m_state->mailbox->loop = nullptr;
  }
  m_state->stop_workers();
}

void OAuthSource::set_on_credentials(std::function<void()> callback) { m_state->on_credentials = std::move(callback); }

core::Result<std::optional<std::string>> OAuthSource::authorization() {
  auto& state = *m_state;
  if (!state.loaded) {
    state.loaded = true;
    state.load_from_store();
  }
  auto now = unix_now();
  if (!state.bundle || !state.bundle->usable(now)) {
    // Someone may have logged in meanwhile (`bridge login`, another bridge): look again, but not
    // on every request.
    if (std::chrono::steady_clock::now() - state.last_store_check > std::chrono::seconds(2)) {
      state.load_from_store();
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
  spawn([weak, box = mailbox, config = server, pref = preference, k = key, lock_name_copy = lock_name,
         local = bundle, cancel_flag = cancel]() mutable {
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
  spawn([weak, box = mailbox, config = server, pref = preference, k = key, lock_name_copy = lock_name,
         local = bundle, rejected = rejected_access_token, scope, challenge, step_up, cancel_flag = cancel]() mutable {
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
  spdlog::warn("{}: login failed: {} — run `bridge login {}`", server.name, result.error().message, server.name);
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
