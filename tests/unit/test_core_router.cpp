// The router's logic against in-process fakes of its seams (links, scheduler, client writer).
// Real-server behaviour is covered by the integration suite; this pins down ids, routing, waits
// and failures exactly.

#include "catch.hpp"

#include "core/router.hpp"

#include <map>

using namespace bridge::core;
using nlohmann::json;

namespace {

class FakeScheduler final : public Scheduler {
public:
  TimerId schedule(std::chrono::milliseconds delay, std::function<void()> callback) override {
    TimerId id = m_next++;
    m_timers[id] = {m_now + delay, std::move(callback)};
    return id;
  }
  void cancel(TimerId id) override { m_timers.erase(id); }
  [[nodiscard]] std::chrono::steady_clock::time_point now() const override { return m_now; }
  void advance(std::chrono::milliseconds by) {
    m_now += by;
    for (bool fired = true; fired;) {
      fired = false;
      for (auto it = m_timers.begin(); it != m_timers.end(); ++it) {
        if (it->second.first <= m_now) {
          auto callback = std::move(it->second.second);
          m_timers.erase(it);
          callback();
          fired = true;
          break;
        }
      }
    }
  }

private:
  std::chrono::steady_clock::time_point m_now{};
  TimerId m_next = 1;
  std::map<TimerId, std::pair<std::chrono::steady_clock::time_point, std::function<void()>>> m_timers;
};

class FakeWriter final : public ClientWriter {
public:
  void write_message(std::string&& message) override { messages.push_back(std::move(message)); }
  json last() const { return json::parse(messages.back()); }
  std::vector<std::string> messages;
};

struct LinkLog {
  int connects = 0;
  std::string protocol_version;
  json capabilities;
  std::vector<std::pair<std::uint64_t, std::string>> requests;
  std::vector<std::string> messages;
  bool shut_down = false;
};

class FakeLink final : public UpstreamLink {
public:
  explicit FakeLink(LinkLog& log) : m_log(log) {}
  void connect(const json& caps, const std::string& protocol_version) override {
    m_log.protocol_version = protocol_version;
    ++m_log.connects;
    m_log.capabilities = caps;
  }
  void send_request(std::uint64_t id, std::string text) override { m_log.requests.emplace_back(id, std::move(text)); }
  void send_message(std::string text) override { m_log.messages.push_back(std::move(text)); }
  void shutdown(std::function<void()> done) override {
    m_log.shut_down = true;
    done();
  }

private:
  LinkLog& m_log;
};

InboundMessage inbound(const std::string& text) {
  InboundMessage message;
  message.text = text;
  ensure_padding(message.text);
  auto envelope = scan_envelope(message.text);
  REQUIRE(envelope.ok());
  message.envelope = *envelope;
  return message;
}

ServerConfig server(const std::string& name, const std::string& prefix) {
  ServerConfig s;
  s.name = name;
  s.prefix = prefix;
  s.url = "http://127.0.0.1:1/mcp";
  s.timeout_s = 5;
  return s;
}

struct Fixture {
  FakeScheduler scheduler;
  FakeWriter writer;
  LinkLog logs[2];
  std::unique_ptr<Router> router;

  explicit Fixture(RouterOptions options = {}) {
    router = std::make_unique<Router>(std::vector<ServerConfig>{server("alpha", "a_"), server("beta", "b_")}, options,
                                      scheduler, writer);
    router->set_link(0, std::make_unique<FakeLink>(logs[0]));
    router->set_link(1, std::make_unique<FakeLink>(logs[1]));
  }

  void client(const std::string& line) { router->on_client_message(std::string(line)); }

  void initialize() {
    client(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"sampling":{}},"clientInfo":{"name":"t","version":"1"}}})");
  }

  // Brings upstream `i` up with the given tools, answering the router's list requests.
  void bring_up(std::size_t i, const std::vector<std::string>& tools) {
    router->on_upstream_ready(i, {{"protocolVersion", "2025-06-18"}, {"capabilities", {{"tools", json::object()}}}});
    answer_tools_list(i, tools);
  }

  void answer_tools_list(std::size_t i, const std::vector<std::string>& tools) {
    auto& requests = logs[i].requests;
    REQUIRE_FALSE(requests.empty());
    auto [id, text] = requests.back();
    CHECK(json::parse(text)["method"] == "tools/list");
    json list = json::array();
    for (const auto& tool : tools) {
      list.push_back({{"name", tool}, {"inputSchema", {{"type", "object"}}}});
    }
    router->on_upstream_message(i, inbound(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", {{"tools", list}}}}.dump()));
  }
};

} // namespace

TEST_CASE("initialize is answered at once and connects every upstream with the client's capabilities", "[router]") {
  Fixture f;
  f.initialize();
  REQUIRE(f.writer.messages.size() == 1);
  auto answer = f.writer.last();
  CHECK(answer["id"] == 0);
  CHECK(answer["result"]["protocolVersion"] == "2025-06-18");
  CHECK(answer["result"]["serverInfo"]["name"] == "mcp-bridge");
  CHECK(answer["result"]["capabilities"]["tools"]["listChanged"] == true);
  CHECK(f.logs[0].connects == 1);
  CHECK(f.logs[1].connects == 1);
  CHECK(f.logs[0].capabilities.contains("sampling"));
}

TEST_CASE("protocol versions are negotiated", "[router]") {
  for (const auto& [asked, expected] : std::vector<std::pair<std::string, std::string>>{
           {"2024-11-05", "2024-11-05"}, {"2025-03-26", "2025-03-26"}, {"2025-11-25", "2025-11-25"}, {"2099-01-01", "2025-11-25"}}) {
    Fixture f;
    f.client(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")" + asked + R"(","capabilities":{}}})");
    CHECK(f.writer.last()["result"]["protocolVersion"] == expected);
  }
}

TEST_CASE("tools/list waits for connecting upstreams, then merges with prefixes", "[router]") {
  Fixture f;
  f.initialize();
  f.client(R"({"jsonrpc":"2.0","id":"list-1","method":"tools/list"})");
  CHECK(f.writer.messages.size() == 1); // deferred
  f.bring_up(0, {"echo", "odd.name"});
  CHECK(f.writer.messages.size() == 1); // beta still connecting
  f.router->on_upstream_failed(1, make_error(ErrorKind::network, "connection refused"));
  REQUIRE(f.writer.messages.size() == 2);
  auto list = f.writer.last();
  CHECK(list["id"] == "list-1");
  REQUIRE(list["result"]["tools"].size() == 2);
  CHECK(list["result"]["tools"][0]["name"] == "a_echo");
  CHECK(list["result"]["tools"][1]["name"] == "a_odd_name");
}

TEST_CASE("tools/list answers after the wait bound with what is there, then announces late tools", "[router]") {
  Fixture f;
  f.initialize();
  f.client(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  f.bring_up(0, {"echo"});
  f.scheduler.advance(std::chrono::milliseconds(5000));
  REQUIRE(f.writer.messages.size() == 2);
  CHECK(f.writer.last()["result"]["tools"].size() == 1);
  f.bring_up(1, {"add"});
  CHECK(f.writer.last()["method"] == "notifications/tools/list_changed");
  f.client(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})");
  CHECK(f.writer.last()["result"]["tools"].size() == 2);
}

TEST_CASE("calls are routed with the bridge's ids and answered with the client's exact id", "[router]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"odd.name"});
  f.bring_up(1, {"add"});
  f.client(R"({"jsonrpc":"2.0","id":"7","method":"tools/call","params":{"name":"a_odd_name","arguments":{"x":1.50}}})");
  f.client(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"b_add","arguments":{}}})");
  auto [alpha_id, alpha_text] = f.logs[0].requests.back();
  auto [beta_id, beta_text] = f.logs[1].requests.back();
  CHECK(alpha_id != beta_id);
  auto alpha = json::parse(alpha_text);
  CHECK(alpha["id"] == alpha_id);
  CHECK(alpha["params"]["name"] == "odd.name");
  CHECK(alpha_text.find("1.50") != std::string::npos); // arguments untouched, byte for byte
  CHECK(json::parse(beta_text)["params"]["name"] == "add");

  f.router->on_upstream_message(1, inbound(R"({"jsonrpc":"2.0","id":)" + std::to_string(beta_id) +
                                           R"(,"result":{"content":[{"type":"text","text":"3"}]}})"));
  CHECK(f.writer.messages.back().find(R"("id":7,)") != std::string::npos);
  f.router->on_upstream_message(0, inbound(R"({"jsonrpc":"2.0","id":)" + std::to_string(alpha_id) +
                                           R"(,"result":{"content":[]}})"));
  CHECK(f.writer.messages.back().find(R"("id":"7",)") != std::string::npos);
}

TEST_CASE("a call to a failed upstream returns a tool error naming it and the remedy", "[router]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"echo"});
  f.router->on_upstream_failed(1, make_error(ErrorKind::auth, "the server answered HTTP 401"));
  f.client(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"b_anything"}})");
  auto answer = f.writer.last();
  CHECK(answer["id"] == 9);
  CHECK(answer["result"]["isError"] == true);
  auto text = answer["result"]["content"][0]["text"].get<std::string>();
  CHECK(text.find("beta") != std::string::npos);
  CHECK(text.find("401") != std::string::npos);
  f.client(R"({"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"zzz"}})");
  CHECK(f.writer.last()["error"]["code"] == -32602);
}

TEST_CASE("calls queue while their upstream connects and fail if it fails", "[router]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"echo"});
  f.router->on_upstream_ready(1, {{"protocolVersion", "2025-06-18"}, {"capabilities", {{"tools", json::object()}}}});
  f.answer_tools_list(1, {"slow"});
  f.router->on_upstream_failed(1, make_error(ErrorKind::network, "reset"));
  f.client(R"({"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"b_slow"}})");
  CHECK(f.writer.last()["result"]["isError"] == true);
}

TEST_CASE("a request that times out gets an answer and the upstream is told to cancel", "[router]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"echo"});
  f.bring_up(1, {});
  f.client(R"({"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"a_echo"}})");
  auto sent_id = f.logs[0].requests.back().first;
  f.scheduler.advance(std::chrono::seconds(5));
  auto answer = f.writer.last();
  CHECK(answer["id"] == 12);
  CHECK(answer["result"]["isError"] == true);
  REQUIRE_FALSE(f.logs[0].messages.empty());
  auto cancel = json::parse(f.logs[0].messages.back());
  CHECK(cancel["method"] == "notifications/cancelled");
  CHECK(cancel["params"]["requestId"] == sent_id);
  // A late answer is dropped, not delivered twice.
  auto count = f.writer.messages.size();
  f.router->on_upstream_message(0, inbound(R"({"jsonrpc":"2.0","id":)" + std::to_string(sent_id) + R"(,"result":{}})"));
  CHECK(f.writer.messages.size() == count);
}

TEST_CASE("a transport failure of one request answers that request", "[router]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"echo"});
  f.bring_up(1, {});
  f.client(R"({"jsonrpc":"2.0","id":"r","method":"tools/call","params":{"name":"a_echo"}})");
  f.router->on_upstream_request_failed(0, f.logs[0].requests.back().first, make_error(ErrorKind::network, "reset"));
  CHECK(f.writer.last()["id"] == "r");
  CHECK(f.writer.last()["result"]["isError"] == true);
}

TEST_CASE("client cancellation reaches the right upstream with its id", "[router]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"echo"});
  f.bring_up(1, {});
  f.client(R"({"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"a_echo"}})");
  auto sent_id = f.logs[0].requests.back().first;
  f.client(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c1","reason":"user"}})");
  auto cancel = json::parse(f.logs[0].messages.back());
  CHECK(cancel["params"]["requestId"] == sent_id);
  CHECK(cancel["params"]["reason"] == "user");
}

TEST_CASE("upstream requests are relayed to the client and answers routed back", "[router]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"echo"});
  f.bring_up(1, {});
  f.router->on_upstream_message(1, inbound(R"({"jsonrpc":"2.0","id":"srv-1","method":"sampling/createMessage","params":{}})"));
  auto relayed = f.writer.last();
  CHECK(relayed["method"] == "sampling/createMessage");
  CHECK(relayed["id"].is_number());
  f.client(R"({"jsonrpc":"2.0","id":)" + relayed["id"].dump() + R"(,"result":{"role":"assistant"}})");
  auto back = json::parse(f.logs[1].messages.back());
  CHECK(back["id"] == "srv-1");
  CHECK(back["result"]["role"] == "assistant");
  // The upstream's ping is answered by the bridge itself.
  f.router->on_upstream_message(0, inbound(R"({"jsonrpc":"2.0","id":5,"method":"ping"})"));
  CHECK(json::parse(f.logs[0].messages.back())["id"] == 5);
}

TEST_CASE("lists are paginated with the bridge's own cursor", "[router]") {
  RouterOptions options;
  options.page_size = 2;
  Fixture f(options);
  f.initialize();
  f.bring_up(0, {"t1", "t2", "t3"});
  f.bring_up(1, {"u1", "u2"});
  std::vector<std::string> names;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    json params = cursor.empty() ? json::object() : json{{"cursor", cursor}};
    f.client(json{{"jsonrpc", "2.0"}, {"id", page}, {"method", "tools/list"}, {"params", params}}.dump());
    auto result = f.writer.last()["result"];
    for (const auto& tool : result["tools"]) {
      names.push_back(tool["name"]);
    }
    if (!result.contains("nextCursor")) {
      break;
    }
    cursor = result["nextCursor"];
  }
  CHECK(names == std::vector<std::string>{"a_t1", "a_t2", "a_t3", "b_u1", "b_u2"});
  f.client(R"({"jsonrpc":"2.0","id":99,"method":"tools/list","params":{"cursor":"bogus"}})");
  CHECK(f.writer.last()["error"]["code"] == -32602);
}

TEST_CASE("upstream pagination is followed", "[router]") {
  Fixture f;
  f.initialize();
  f.router->on_upstream_ready(0, {{"protocolVersion", "2025-06-18"}, {"capabilities", {{"tools", json::object()}}}});
  auto [id1, text1] = f.logs[0].requests.back();
  f.router->on_upstream_message(0, inbound(json{{"jsonrpc", "2.0"}, {"id", id1},
                                                {"result", {{"tools", {{{"name", "p1"}}}}, {"nextCursor", "c2"}}}}.dump()));
  auto [id2, text2] = f.logs[0].requests.back();
  CHECK(json::parse(text2)["params"]["cursor"] == "c2");
  f.router->on_upstream_message(0, inbound(json{{"jsonrpc", "2.0"}, {"id", id2}, {"result", {{"tools", {{{"name", "p2"}}}}}}}.dump()));
  f.bring_up(1, {});
  f.client(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  CHECK(f.writer.last()["result"]["tools"].size() == 2);
}

TEST_CASE("bad client input gets JSON-RPC errors and nothing else is lost", "[router]") {
  Fixture f;
  f.client("{not json");
  CHECK(f.writer.last()["error"]["code"] == -32700);
  CHECK(f.writer.last()["id"].is_null());
  f.client(R"({"jsonrpc":"2.0","id":5})");
  CHECK(f.writer.last()["error"]["code"] == -32600);
  f.client(R"({"jsonrpc":"2.0","id":6,"method":"server/discover"})");
  CHECK(f.writer.last()["error"]["code"] == -32601);
  CHECK(f.writer.last()["id"] == 6);
  f.client(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  CHECK(f.writer.last()["id"] == 7);
  CHECK(f.writer.last()["result"].empty());
}

TEST_CASE("closing shuts every upstream down", "[router]") {
  Fixture f;
  f.initialize();
  bool done = false;
  f.router->on_client_closed([&] { done = true; });
  CHECK(done);
  CHECK(f.logs[0].shut_down);
  CHECK(f.logs[1].shut_down);
}

TEST_CASE("a call that races the first listing waits for it instead of failing", "[router]") {
  Fixture f;
  f.initialize();
  f.client(R"({"jsonrpc":"2.0","id":"early","method":"tools/call","params":{"name":"a_echo","arguments":{}}})");
  CHECK(f.writer.messages.size() == 1); // held, not failed
  f.bring_up(0, {"echo"});
  REQUIRE_FALSE(f.logs[0].requests.empty());
  auto [id, text] = f.logs[0].requests.back();
  CHECK(json::parse(text)["params"]["name"] == "echo");
  f.router->on_upstream_message(0, inbound(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"result":{"content":[]}})"));
  CHECK(f.writer.last()["id"] == "early");
}

TEST_CASE("a held call is answered when the wait bound passes", "[router]") {
  Fixture f;
  f.initialize();
  f.client(R"({"jsonrpc":"2.0","id":"late","method":"tools/call","params":{"name":"b_echo"}})");
  CHECK(f.writer.messages.size() == 1);
  f.scheduler.advance(std::chrono::milliseconds(5000));
  CHECK(f.writer.last()["id"] == "late");
  CHECK(f.writer.last()["result"]["isError"] == true);
}

namespace {

// Starts a tools/call to a_echo and returns the bridge's id for it.
std::uint64_t call_alpha(Fixture& f, const std::string& client_id) {
  f.client(R"({"jsonrpc":"2.0","id":)" + client_id + R"(,"method":"tools/call","params":{"name":"a_echo"}})");
  return f.logs[0].requests.back().first;
}

} // namespace

TEST_CASE("a streamed result reaches the client with its id; other messages are not held back", "[router][stream]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"echo"});
  f.bring_up(1, {"add"});
  auto id = call_alpha(f, "\"s1\"");
  f.client(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"b_add"}})");
  auto beta_id = f.logs[1].requests.back().first;
  auto before = f.writer.messages.size();

  auto stream = f.router->open_response_stream(0, id, R"({"result":{"content":[{"type":"text","text":"he)");
  REQUIRE(stream);
  // One at a time: a second large reply is delivered whole instead.
  CHECK_FALSE(f.router->open_response_stream(1, beta_id, R"({"result":{)"));
  CHECK(stream->data(R"(llo"}],"isError":false},"jsonrpc":"2.0",)"));
  // Beta answers meanwhile: it goes to the writer at once (keeping each message whole around the
  // stream's line is the writer's job: transport/client_output.hpp).
  f.router->on_upstream_message(1, inbound(R"({"jsonrpc":"2.0","id":)" + std::to_string(beta_id) + R"(,"result":{}})"));
  REQUIRE(f.writer.messages.size() == before + 1);
  CHECK(json::parse(f.writer.messages[before])["id"] == 2);
  CHECK(stream->data(R"("id":)" + std::to_string(id) + "}"));
  stream->end();
  REQUIRE(f.writer.messages.size() == before + 2);
  auto streamed = json::parse(f.writer.messages[before + 1]);
  CHECK(streamed["id"] == "s1");
  CHECK(streamed["result"]["content"][0]["text"] == "hello");
  // The request is answered: a late duplicate is dropped.
  f.router->on_upstream_message(0, inbound(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"result":{}})"));
  CHECK(f.writer.messages.size() == before + 2);
}

TEST_CASE("streams are refused for what is not a passed-through result", "[router][stream]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"echo"});
  auto id = call_alpha(f, "5");
  CHECK_FALSE(f.router->open_response_stream(0, id, R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"error":{)"));
  CHECK_FALSE(f.router->open_response_stream(0, id, R"({"method":"x","params":{)"));
  CHECK_FALSE(f.router->open_response_stream(1, id, R"({"result":{)")); // another upstream's
  CHECK_FALSE(f.router->open_response_stream(0, id + 100, R"({"result":{)")); // unknown
  // A list the router answers itself from its catalog (internal) is never streamed.
  f.router->on_upstream_message(0, inbound(R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})"));
  auto list_id = f.logs[0].requests.back().first;
  CHECK_FALSE(f.router->open_response_stream(0, list_id, R"({"result":{"tools":[)"));
}

TEST_CASE("a stream cut, gone wrong, or timed out ends as an error answer, exactly once", "[router][stream]") {
  Fixture f;
  f.initialize();
  f.bring_up(0, {"echo"});
  f.bring_up(1, {"add"});

  SECTION("cut") {
    auto id = call_alpha(f, "21");
    auto stream = f.router->open_response_stream(0, id, R"({"result":{"content":[{"type":"text","text":"part)");
    REQUIRE(stream);
    stream->abort(make_error(ErrorKind::network, "connection reset"));
    auto answer = f.writer.last(); // the default writer drops an abandoned message's pieces
    CHECK(answer["id"] == 21);
    CHECK(answer["result"]["isError"] == true);
    CHECK(answer["result"]["content"][0]["text"].get<std::string>().find("the tool ran, but its result was cut off") !=
          std::string::npos);
    CHECK_FALSE(stream->data("more"));
  }
  SECTION("wrong id") {
    auto id = call_alpha(f, "22");
    auto stream = f.router->open_response_stream(0, id, R"({"result":{"content":[]},"jsonrpc":"2.0",)");
    REQUIRE(stream);
    CHECK_FALSE(stream->data(R"("id":999999})"));
    CHECK(f.writer.last()["id"] == 22);
    CHECK(f.writer.last()["result"]["isError"] == true);
  }
  SECTION("timed out: a ping meanwhile is answered at once, the call with an error at the timeout") {
    auto id = call_alpha(f, "23");
    auto stream = f.router->open_response_stream(0, id, R"({"result":{"content":[)");
    REQUIRE(stream);
    auto before = f.writer.messages.size();
    f.client(R"({"jsonrpc":"2.0","id":24,"method":"ping"})");
    REQUIRE(f.writer.messages.size() == before + 1);
    CHECK(json::parse(f.writer.messages[before])["id"] == 24);
    f.scheduler.advance(std::chrono::seconds(5));
    REQUIRE(f.writer.messages.size() == before + 2);
    CHECK(json::parse(f.writer.messages[before + 1])["id"] == 23);
    CHECK_FALSE(stream->data("]}"));
  }
  SECTION("dropped unfinished") {
    auto id = call_alpha(f, "25");
    auto stream = f.router->open_response_stream(0, id, R"({"result":{"content":[)");
    REQUIRE(stream);
    stream.reset();
    CHECK(f.writer.last()["id"] == 25);
    CHECK(f.writer.last()["result"]["isError"] == true);
  }
  // Every case leaves the client's line free again: a new call is answered at once.
  auto beta_id = (f.client(R"({"jsonrpc":"2.0","id":30,"method":"tools/call","params":{"name":"b_add"}})"),
                  f.logs[1].requests.back().first);
  f.router->on_upstream_message(1, inbound(R"({"jsonrpc":"2.0","id":)" + std::to_string(beta_id) + R"(,"result":{}})"));
  CHECK(f.writer.last()["id"] == 30);
}
