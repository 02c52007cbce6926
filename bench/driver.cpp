// The benchmark's native driver: drives one MCP client side and prints one JSON object of
// measurements on stdout. Native so that it is never the bottleneck: lines are found with memchr
// over new bytes only, big results are never parsed, small ones with nlohmann.
//
//   driver stdio [options] -- COMMAND ARGS...   a stdio MCP server (bridge serve, mcp-remote)
//   driver http  [options] --url URL            the upstream directly, over HTTP (libcurl)
//
// Options (both):
//   --echo N            echo round trips to time (after --warmup W untimed ones)
//   --big B1,B2,...     tool results of these sizes in bytes, each --big-reps R times
//   --idle-cpu S        then stay idle S seconds and report the CPU the server side used
//   --tool-prefix P     the exposed names are P + echo, P + big (the bridge's prefix)
//   --list-only N       no calls: time initialize → tools/list answered with ≥ N tools
//   --timeout S         bound on any single wait (default 120)
//   --pair-url URL      also talk to URL directly and alternate the echo calls between the two
//                       (--pair-block N calls at a time, default 1, each block after untimed
//                       calls to the same side) and the big results (each repetition both ways):
//                       the direct client's numbers come out as "pair", measured under the same
//                       moment-to-moment state of the machine (http mode too: an A/A check)
//   --samples-out F     write each timed echo call's µs to F, one per line ("pair" lines after)
//   --start-at T        wait until T (Unix time in ms) before starting the clock: several drivers
//                       given the same T begin at the same moment (the fan-out baseline)
// stdio only: the child's stderr goes to --stderr FILE (default /dev/null). The environment is
// passed through as is.
// http only: --idle-cpu spawns `curl -N` holding the session's GET stream open and measures it.

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "driver: %s\n", message.c_str());
  std::exit(1);
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Options {
  std::string mode;
  std::vector<std::string> command;
  std::string url;
  int echo = 0;
  int warmup = 100;
  std::vector<long> big;
  int big_reps = 1;
  int idle_cpu_s = 0;
  std::string prefix;
  int list_only = -1;
  long long start_at_ms = 0;
  std::string pair_url;
  std::string samples_out;
  int pair_block = 1;
  int timeout_s = 120;
  std::string stderr_path = "/dev/null";
};

// ------------------------------------------------------------------------------------------------
// /proc: peak RSS and CPU of a process tree

std::vector<pid_t> tree_of(pid_t root) {
  std::vector<std::pair<pid_t, pid_t>> parents; // pid, ppid
  if (DIR* dir = opendir("/proc")) {
    while (dirent* entry = readdir(dir)) {
      pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
      if (pid <= 0) {
        continue;
      }
      std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
      std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
      auto close = text.rfind(')');
      if (close == std::string::npos) {
        continue;
      }
      std::istringstream rest(text.substr(close + 2));
      char state = 0;
      pid_t ppid = 0;
      rest >> state >> ppid;
      parents.emplace_back(pid, ppid);
    }
    closedir(dir);
  }
  std::vector<pid_t> tree{root};
  for (std::size_t i = 0; i < tree.size(); ++i) {
    for (auto [pid, ppid] : parents) {
      if (ppid == tree[i]) {
        tree.push_back(pid);
      }
    }
  }
  return tree;
}

long status_kib(pid_t pid, const char* field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  std::string key = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.rfind(key, 0) == 0) {
      return std::atol(line.c_str() + key.size());
    }
  }
  return 0;
}

long tree_kib(pid_t root, const char* field) {
  long total = 0;
  for (pid_t pid : tree_of(root)) {
    total += status_kib(pid, field);
  }
  return total;
}

long tree_hwm_kib(pid_t root) { return tree_kib(root, "VmHWM"); }

// CPU time of every thread of every process in the tree, in nanoseconds (schedstat: precise,
// unlike the 10 ms ticks of /proc/PID/stat).
double tree_cpu_ns(pid_t root) {
  double total = 0;
  for (pid_t pid : tree_of(root)) {
    std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    if (DIR* dir = opendir(tasks.c_str())) {
      while (dirent* entry = readdir(dir)) {
        if (entry->d_name[0] == '.') {
          continue;
        }
        std::ifstream schedstat(tasks + "/" + entry->d_name + "/schedstat");
        double ns = 0;
        if (schedstat >> ns) {
          total += ns;
        }
      }
      closedir(dir);
    }
  }
  return total;
}

struct Cpu {
  double ms = 0;
  long wakeups = 0;
};

long tree_switches(pid_t root) {
  long total = 0;
  for (pid_t pid : tree_of(root)) {
    total += status_kib(pid, "voluntary_ctxt_switches") + status_kib(pid, "nonvoluntary_ctxt_switches");
  }
  return total;
}

Cpu measure_idle(pid_t root, int seconds) {
  double before = tree_cpu_ns(root);
  long switches_before = tree_switches(root);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  return Cpu{(tree_cpu_ns(root) - before) / 1e6, tree_switches(root) - switches_before};
}

// ------------------------------------------------------------------------------------------------
// Finding the id in a big line without parsing it: the id sits near one end of the object.

bool big_line_has_id(std::string_view line, long id) {
  std::string token = "\"id\":" + std::to_string(id);
  auto ends_ok = [&](std::string_view window) {
    for (std::size_t at = window.find(token); at != std::string_view::npos; at = window.find(token, at + 1)) {
      char next = at + token.size() < window.size() ? window[at + token.size()] : '}';
      if (next == ',' || next == '}' || next == ' ') {
        return true;
      }
    }
    return false;
  };
  std::size_t edge = std::min<std::size_t>(line.size(), 512);
  return ends_ok(line.substr(0, edge)) || ends_ok(line.substr(line.size() - edge));
}

constexpr std::size_t k_parse_limit = 1 << 20;

struct Reply {
  std::size_t bytes = 0;
  json message; // parsed when small
  bool parsed = false;
};

// ------------------------------------------------------------------------------------------------
// A stdio MCP server as a child process

class StdioPeer {
public:
  StdioPeer(const std::vector<std::string>& command, const std::string& stderr_path) {
    int in_pipe[2];
    int out_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
      die("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<char*> argv;
    for (const auto& arg : command) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    started = Clock::now();
    if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      die("cannot start " + command[0]);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(in_pipe[0]);
    close(out_pipe[1]);
    m_in = in_pipe[1];
    m_out = out_pipe[0];
    m_buffer.resize(1 << 20);
  }

  ~StdioPeer() { stop(); }

  void send(const std::string& line) {
    std::string data = line + "\n";
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      ssize_t n = write(m_in, p, left);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        die("the server closed its stdin");
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }

  // The next whole line, as a view valid until the next call; nullopt at the deadline or EOF.
  std::optional<std::string_view> next_line(Clock::time_point deadline) {
    if (m_consumed > 0) {
      std::memmove(m_buffer.data(), m_buffer.data() + m_consumed, m_size - m_consumed);
      m_size -= m_consumed;
      m_scanned -= std::min(m_scanned, m_consumed);
      m_consumed = 0;
    }
    for (;;) {
      if (const void* nl = std::memchr(m_buffer.data() + m_scanned, '\n', m_size - m_scanned)) {
        std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - m_buffer.data());
        m_consumed = end + 1;
        m_scanned = 0;
        return std::string_view(m_buffer.data(), end);
      }
      m_scanned = m_size;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        return std::nullopt;
      }
      pollfd pfd{m_out, POLLIN, 0};
      int ready = poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 1000)));
      if (ready <= 0) {
        continue;
      }
      if (m_buffer.size() - m_size < (1 << 19)) {
        m_buffer.resize(m_buffer.size() * 2);
      }
      ssize_t n = read(m_out, m_buffer.data() + m_size, m_buffer.size() - m_size);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return std::nullopt;
      }
      m_size += static_cast<std::size_t>(n);
    }
  }

  void stop() {
    if (pid <= 0) {
      return;
    }
    if (m_in >= 0) {
      close(m_in);
      m_in = -1;
    }
    auto deadline = Clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        for (pid_t child : tree_of(pid)) {
          kill(child, SIGKILL);
        }
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    close(m_out);
    pid = -1;
  }

  pid_t pid = -1;
  Clock::time_point started;

private:
  int m_in = -1;
  int m_out = -1;
  std::vector<char> m_buffer;
  std::size_t m_size = 0;
  std::size_t m_scanned = 0;
  std::size_t m_consumed = 0;
};

// ------------------------------------------------------------------------------------------------
// The direct HTTP client: libcurl, one connection kept alive, SSE or JSON replies.

struct HttpReply {
  long status = 0;
  std::string content_type;
  std::string session_id;
  std::string body;
};

class HttpPeer {
public:
  explicit HttpPeer(std::string url) : m_url(std::move(url)) {
    m_easy = curl_easy_init();
    if (m_easy == nullptr) {
      die("curl_easy_init failed");
    }
  }
  ~HttpPeer() {
    if (m_easy != nullptr) {
      curl_easy_cleanup(m_easy);
    }
  }

  HttpReply post(const std::string& body) {
    HttpReply reply;
    curl_easy_reset(m_easy);
    curl_easy_setopt(m_easy, CURLOPT_URL, m_url.c_str());
    curl_easy_setopt(m_easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_easy, CURLOPT_POST, 1L);
    curl_easy_setopt(m_easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(m_easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(m_easy, CURLOPT_BUFFERSIZE, 256L * 1024L);
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json, text/event-stream");
    headers = curl_slist_append(headers, "Expect:");
    if (!session_id.empty()) {
      headers = curl_slist_append(headers, ("Mcp-Session-Id: " + session_id).c_str());
      headers = curl_slist_append(headers, ("MCP-Protocol-Version: " + protocol_version).c_str());
    }
    curl_easy_setopt(m_easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(m_easy, CURLOPT_WRITEFUNCTION, &HttpPeer::on_body);
    curl_easy_setopt(m_easy, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(m_easy, CURLOPT_HEADERFUNCTION, &HttpPeer::on_header);
    curl_easy_setopt(m_easy, CURLOPT_HEADERDATA, &reply);
    CURLcode code = curl_easy_perform(m_easy);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
      die(std::string("HTTP: ") + curl_easy_strerror(code));
    }
    curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
  }

  std::string session_id;
  std::string protocol_version = "2025-06-18";

private:
  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    static_cast<HttpReply*>(user)->body.append(data, size * count);
    return size * count;
  }
  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* reply = static_cast<HttpReply*>(user);
    std::string_view line(data, size * count);
    auto value = [&](std::string_view name) -> std::optional<std::string> {
      if (line.size() <= name.size() || strncasecmp(line.data(), name.data(), name.size()) != 0) {
        return std::nullopt;
      }
      std::string_view v = line.substr(name.size());
      while (!v.empty() && (v.front() == ' ')) {
        v.remove_prefix(1);
      }
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) {
        v.remove_suffix(1);
      }
      return std::string(v);
    };
    if (auto v = value("content-type:")) {
      reply->content_type = *v;
    } else if (auto s = value("mcp-session-id:")) {
      reply->session_id = *s;
    }
    return size * count;
  }

  std::string m_url;
  CURL* m_easy = nullptr;
};

// The JSON-RPC message text in a reply: the body itself, or the last SSE `data:` of the stream
// (a reply stream may carry notifications before the response; the response comes last).
std::string_view message_of(const HttpReply& reply) {
  std::string_view body = reply.body;
  if (reply.content_type.rfind("text/event-stream", 0) != 0) {
    return body;
  }
  std::string_view last;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) {
      end = body.size();
    }
    std::string_view line = body.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.rfind("data:", 0) == 0) {
      line.remove_prefix(5);
      if (!line.empty() && line.front() == ' ') {
        line.remove_prefix(1);
      }
      last = line;
    }
    pos = end + 1;
  }
  return last;
}

// ------------------------------------------------------------------------------------------------
// The scenario, over either side

class Client {
public:
  virtual ~Client() = default;
  // Sends a request and waits for its response (answering the server's own requests meanwhile).
  virtual Reply request(long id, const std::string& method, const json& params) = 0;
  virtual void notify(const std::string& method) = 0;
  virtual pid_t server_pid() const = 0;
};

std::string request_text(long id, const std::string& method, const json& params) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
}

class StdioClient final : public Client {
public:
  StdioClient(const Options& options) : m_peer(options.command, options.stderr_path), m_timeout(options.timeout_s) {}

  Reply request(long id, const std::string& method, const json& params) override {
    m_peer.send(request_text(id, method, params));
    return wait_for(id);
  }

  Reply wait_for(long id) {
    auto deadline = Clock::now() + std::chrono::seconds(m_timeout);
    for (;;) {
      auto line = m_peer.next_line(deadline);
      if (!line) {
        die("no response to request " + std::to_string(id) + " (timeout or the server exited)");
      }
      if (line->size() >= k_parse_limit) {
        if (big_line_has_id(*line, id)) {
          return Reply{line->size(), json(), false};
        }
        continue;
      }
      json message = json::parse(*line, nullptr, false);
      if (!message.is_object()) {
        die("the server wrote a line that is not a JSON object: " + std::string(line->substr(0, 200)));
      }
      if (message.contains("method")) {
        if (message.contains("id")) { // the server's own request: answer it
          json answer = {{"jsonrpc", "2.0"}, {"id", message["id"]}};
          if (message["method"] == "ping") {
            answer["result"] = json::object();
          } else if (message["method"] == "roots/list") {
            answer["result"] = {{"roots", json::array()}};
          } else {
            answer["error"] = {{"code", -32601}, {"message", "not supported by the bench driver"}};
          }
          m_peer.send(answer.dump());
        }
        continue;
      }
      if (message.contains("id") && message["id"] == id) {
        return Reply{line->size(), std::move(message), true};
      }
    }
  }

  void notify(const std::string& method) override {
    m_peer.send(json{{"jsonrpc", "2.0"}, {"method", method}}.dump());
  }
  pid_t server_pid() const override { return m_peer.pid; }
  StdioPeer& peer() { return m_peer; }

private:
  StdioPeer m_peer;
  int m_timeout;
};

class HttpClient final : public Client {
public:
  explicit HttpClient(const std::string& url) : m_peer(url) {}

  Reply request(long id, const std::string& method, const json& params) override {
    HttpReply reply = m_peer.post(request_text(id, method, params));
    if (method == "initialize") {
      m_peer.session_id = reply.session_id;
    }
    if (reply.status != 200) {
      die("HTTP " + std::to_string(reply.status) + " for " + method + ": " + reply.body.substr(0, 300));
    }
    std::string_view text = message_of(reply);
    if (text.size() >= k_parse_limit) {
      if (!big_line_has_id(text, id)) {
        die("the big reply does not carry id " + std::to_string(id));
      }
      return Reply{text.size(), json(), false};
    }
    json message = json::parse(text, nullptr, false);
    if (!message.is_object() || message["id"] != id) {
      die("unexpected reply to " + method + ": " + std::string(text.substr(0, 300)));
    }
    if (method == "initialize" && message.contains("result")) {
      m_peer.protocol_version = message["result"].value("protocolVersion", m_peer.protocol_version);
    }
    return Reply{text.size(), std::move(message), true};
  }

  void notify(const std::string& method) override {
    HttpReply reply = m_peer.post(json{{"jsonrpc", "2.0"}, {"method", method}}.dump());
    if (reply.status != 202 && reply.status != 200) {
      die("HTTP " + std::to_string(reply.status) + " for " + method);
    }
  }
  pid_t server_pid() const override { return 0; }
  const std::string& session_id() { return m_peer.session_id; }
  const std::string& protocol_version() { return m_peer.protocol_version; }

private:
  HttpPeer m_peer;
};

json initialize_params() {
  return {{"protocolVersion", "2025-06-18"},
          {"capabilities", json::object()},
          {"clientInfo", {{"name", "mcp-bridge-bench"}, {"version", "1.0.0"}}}};
}

std::size_t count_tools(const Reply& reply) {
  if (!reply.parsed || !reply.message.contains("result")) {
    return 0;
  }
  const auto& tools = reply.message["result"]["tools"];
  return tools.is_array() ? tools.size() : 0;
}

bool lists_tool(const Reply& reply, const std::string& name) {
  if (!reply.parsed || !reply.message.contains("result")) {
    return false;
  }
  for (const auto& tool : reply.message["result"]["tools"]) {
    if (tool.value("name", "") == name) {
      return true;
    }
  }
  return false;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  // Nearest rank.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

std::string text_of(const Reply& reply) {
  try {
    return reply.message.at("result").at("content").at(0).at("text").get<std::string>();
  } catch (const std::exception&) {
    return {};
  }
}

int run(const Options& options) {
  json out = {{"mode", options.mode}};
  if (options.start_at_ms > 0) {
    // A process that started late (ten of them on two cores) still begins with the others.
    std::this_thread::sleep_until(std::chrono::system_clock::time_point(std::chrono::milliseconds(options.start_at_ms)));
  }
  std::unique_ptr<Client> client;
  auto t0 = Clock::now();
  StdioClient* stdio = nullptr;
  if (options.mode == "stdio") {
    auto owned = std::make_unique<StdioClient>(options);
    stdio = owned.get();
    t0 = stdio->peer().started;
    client = std::move(owned);
  } else {
    client = std::make_unique<HttpClient>(options.url);
  }
  long next_id = 1;
  Reply init = client->request(next_id++, "initialize", initialize_params());
  out["start_ms"] = ms_since(t0);
  if (!init.parsed || !init.message.contains("result")) {
    die("initialize failed: " + init.message.dump());
  }
  client->notify("notifications/initialized");
  auto deadline = Clock::now() + std::chrono::seconds(options.timeout_s);

  if (options.list_only >= 0) {
    // Fan-out: initialize → tools/list answered with every upstream's tools.
    for (;;) {
      Reply list = client->request(next_id++, "tools/list", json::object());
      std::size_t tools = count_tools(list);
      if (static_cast<int>(tools) >= options.list_only) {
        out["list_ms"] = ms_since(t0);
        out["tools"] = tools;
        break;
      }
      if (Clock::now() > deadline) {
        die("tools/list never showed " + std::to_string(options.list_only) + " tools (last " + std::to_string(tools) + ")");
      }
      out["list_retries"] = out.value("list_retries", 0) + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }

  const std::string echo_name = options.prefix + "echo";
  const std::string big_name = options.prefix + "big";
  // Wait until the tools are listed (the bridge connects its upstreams after initialize).
  for (;;) {
    Reply list = client->request(next_id++, "tools/list", json::object());
    if (lists_tool(list, echo_name) && lists_tool(list, big_name)) {
      out["ready_ms"] = ms_since(t0);
      break;
    }
    if (Clock::now() > deadline) {
      die("tools/list never showed " + echo_name + " and " + big_name);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  // The paired direct client: the machine's speed drifts by 2× within seconds here, so two runs
  // one after the other can compare different machines; calls alternated one by one cannot.
  std::unique_ptr<Client> pair;
  long pair_id = 1;
  json pair_out = json::object();
  if (!options.pair_url.empty()) {
    pair = std::make_unique<HttpClient>(options.pair_url);
    Reply pair_init = pair->request(pair_id++, "initialize", initialize_params());
    if (!pair_init.parsed || !pair_init.message.contains("result")) {
      die("paired initialize failed: " + pair_init.message.dump());
    }
    pair->notify("notifications/initialized");
    pair_out["url"] = options.pair_url;
  }

  if (options.echo > 0) {
    std::vector<double> samples;
    std::vector<double> pair_samples;
    samples.reserve(static_cast<std::size_t>(options.echo));
    double cpu_before = 0;
    auto echo_once = [](Client& target, long id, const std::string& name, const std::string& message) {
      auto start = Clock::now();
      Reply reply = target.request(id, "tools/call", {{"name", name}, {"arguments", {{"message", message}}}});
      double us = ms_since(start) * 1000.0;
      if (text_of(reply) != message) {
        die("echo returned something else: " + reply.message.dump().substr(0, 300));
      }
      return us;
    };
    // With a pair, the calls alternate between the two sides in blocks (--pair-block, 1 by
    // default), each block after a few untimed calls to the same side, so each timed call meets
    // its own path awake. Blocks of 1 track the machine's drift best: with blocks of 5–100 the
    // ratio of one 2000-call run wandered between 0.92 and 1.28 (slow spells of tens of calls land
    // on one side's block); with blocks of 1 it stayed within 1.12–1.13 over the same minutes.
    const int block = options.pair_block;
    const int settle = std::max(2, block / 4);
    int settle_calls = 0; // untimed calls to the server after the warm-up: its CPU covers them too
    auto time_pair_block = [&](int count) {
      for (int j = 0; j < settle + count; ++j) {
        double us = echo_once(*pair, pair_id++, "echo", "pair " + std::to_string(j));
        if (j >= settle) {
          pair_samples.push_back(us);
        }
      }
    };
    for (int i = 0; i < options.warmup + options.echo; ++i) {
      std::string message = "ping " + std::to_string(i);
      const int timed_index = i - options.warmup;
      const bool block_start = pair && timed_index >= 0 && timed_index % block == 0;
      if (block_start) {
        // The pair's block comes first, then `settle` untimed calls to this side.
        time_pair_block(std::min(block, options.echo - timed_index));
        for (int j = 0; j < settle; ++j) {
          echo_once(*client, next_id++, echo_name, "settle " + std::to_string(j));
          ++settle_calls;
        }
      }
      double us = echo_once(*client, next_id++, echo_name, message);
      if (i >= options.warmup) {
        samples.push_back(us);
      }
      if (i + 1 == options.warmup && client->server_pid() > 0) {
        cpu_before = tree_cpu_ns(client->server_pid());
      }
    }
    if (client->server_pid() > 0 && options.warmup > 0) {
      // The server side's CPU per call (all its threads): what the hop costs, apart from waiting.
      out["echo_server_cpu_us"] = (tree_cpu_ns(client->server_pid()) - cpu_before) / 1000.0 / (options.echo + settle_calls);
    }
    if (!options.samples_out.empty()) {
      std::ofstream file(options.samples_out);
      for (double us : samples) {
        file << us << "\n";
      }
      for (double us : pair_samples) {
        file << "pair " << us << "\n";
      }
    }
    out["echo_n"] = samples.size();
    out["echo_median_us"] = percentile(samples, 50);
    out["echo_p99_us"] = percentile(samples, 99);
    out["echo_min_us"] = percentile(samples, 0);
    if (pair) {
      pair_out["echo_n"] = pair_samples.size();
      pair_out["echo_median_us"] = percentile(pair_samples, 50);
      pair_out["echo_p99_us"] = percentile(pair_samples, 99);
      pair_out["echo_min_us"] = percentile(pair_samples, 0);
    }
  }
  if (client->server_pid() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    out["rss_idle_kib"] = tree_hwm_kib(client->server_pid());
    out["rss_anon_idle_kib"] = tree_kib(client->server_pid(), "RssAnon"); // private, not shared libraries
  }

  json big = json::array();
  json pair_big = json::array();
  auto fetch_big = [](Client& target, long id, const std::string& name, long bytes) {
    auto start = Clock::now();
    Reply reply = target.request(id, "tools/call", {{"name", name}, {"arguments", {{"bytes", bytes}}}});
    double ms = ms_since(start);
    if (reply.bytes < static_cast<std::size_t>(bytes)) {
      die("a " + std::to_string(bytes) + "-byte result arrived with only " + std::to_string(reply.bytes) + " bytes");
    }
    if (reply.parsed && text_of(reply).size() != static_cast<std::size_t>(bytes)) {
      die("a " + std::to_string(bytes) + "-byte result has the wrong text");
    }
    return ms;
  };
  for (long bytes : options.big) {
    std::vector<double> times;
    std::vector<double> pair_times;
    for (int r = 0; r < options.big_reps; ++r) {
      // With a pair, each repetition fetches the result both ways, who goes first alternating.
      if (pair && r % 2 == 1) {
        pair_times.push_back(fetch_big(*pair, pair_id++, "big", bytes));
      }
      times.push_back(fetch_big(*client, next_id++, big_name, bytes));
      if (pair && r % 2 == 0) {
        pair_times.push_back(fetch_big(*pair, pair_id++, "big", bytes));
      }
    }
    big.push_back({{"bytes", bytes}, {"ms", percentile(times, 50)}, {"all_ms", times}});
    if (pair) {
      pair_big.push_back({{"bytes", bytes}, {"ms", percentile(pair_times, 50)}, {"all_ms", pair_times}});
    }
  }
  out["big"] = big;
  if (pair) {
    pair_out["big"] = pair_big;
    out["pair"] = pair_out;
  }
  if (client->server_pid() > 0) {
    out["rss_peak_kib"] = tree_hwm_kib(client->server_pid());
  }

  if (options.idle_cpu_s > 0) {
    if (client->server_pid() > 0) {
      auto cpu = measure_idle(client->server_pid(), options.idle_cpu_s);
      out["idle_cpu_ms"] = cpu.ms;
      out["idle_switches"] = cpu.wakeups;
    } else {
      // Direct: a curl process holding the session's GET stream open is the client side.
      auto* http = static_cast<HttpClient*>(client.get());
      std::vector<std::string> command = {"curl", "-sN", "-o", "/dev/null", "-H", "Accept: text/event-stream",
                                          "-H", "Mcp-Session-Id: " + http->session_id(), "-H",
                                          "MCP-Protocol-Version: " + http->protocol_version(), options.url};
      StdioPeer curl(command, "/dev/null");
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      auto cpu = measure_idle(curl.pid, options.idle_cpu_s);
      out["idle_cpu_ms"] = cpu.ms;
      out["idle_switches"] = cpu.wakeups;
      kill(curl.pid, SIGTERM);
    }
  }
  if (stdio != nullptr) {
    auto stop_start = Clock::now();
    stdio->peer().stop();
    out["stop_ms"] = ms_since(stop_start);
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

std::vector<long> parse_sizes(const std::string& text) {
  std::vector<long> sizes;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) {
      sizes.push_back(std::atol(item.c_str()));
    }
  }
  return sizes;
}

} // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Options options;
  if (argc < 2) {
    die("usage: driver stdio|http [options] [-- COMMAND ARGS...]");
  }
  options.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        die("missing value for " + arg);
      }
      return argv[++i];
    };
    if (arg == "--") {
      options.command.assign(argv + i + 1, argv + argc);
      break;
    }
    if (arg == "--url") {
      options.url = value();
    } else if (arg == "--echo") {
      options.echo = std::atoi(value().c_str());
    } else if (arg == "--warmup") {
      options.warmup = std::atoi(value().c_str());
    } else if (arg == "--big") {
      options.big = parse_sizes(value());
    } else if (arg == "--big-reps") {
      options.big_reps = std::atoi(value().c_str());
    } else if (arg == "--idle-cpu") {
      options.idle_cpu_s = std::atoi(value().c_str());
    } else if (arg == "--tool-prefix") {
      options.prefix = value();
    } else if (arg == "--list-only") {
      options.list_only = std::atoi(value().c_str());
    } else if (arg == "--pair-block") {
      options.pair_block = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--samples-out") {
      options.samples_out = value();
    } else if (arg == "--pair-url") {
      options.pair_url = value();
    } else if (arg == "--start-at") {
      options.start_at_ms = std::atoll(value().c_str());
    } else if (arg == "--timeout") {
      options.timeout_s = std::atoi(value().c_str());
    } else if (arg == "--stderr") {
      options.stderr_path = value();
    } else {
      die("unknown option " + arg);
    }
  }
  if (options.mode == "stdio" && options.command.empty()) {
    die("stdio: give the server command after --");
  }
  if (options.mode == "http" && options.url.empty()) {
    die("http: --url is required");
  }
  if (options.mode != "stdio" && options.mode != "http") {
    die("the mode is stdio or http");
  }
  return run(options);
}
