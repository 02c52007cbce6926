#include "catch.hpp"

#include "transport/client_output.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using bridge::transport::ClientOutput;
using namespace std::chrono_literals;

namespace {

// What the client would read, and a way to make it stop reading for a while.
struct Pipe {
  std::mutex mutex;
  std::condition_variable cv;
  std::string written;
  bool reading = true;
  std::atomic<int> direct_writes{0};

  ClientOutput::Sink sink() {
    return [this](std::string_view bytes) {
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [this] { return reading; });
      written.append(bytes);
      return true;
    };
  }
  std::string text() {
    std::lock_guard<std::mutex> lock(mutex);
    return written;
  }
  void set_reading(bool on) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      reading = on;
    }
    cv.notify_all();
  }
};

ClientOutput::Options small_options() {
  ClientOutput::Options options;
  options.commit_bytes = 100;
  options.fast_window = 10s;
  options.high_water = 1000;
  options.low_water = 200;
  return options;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(text.substr(start, nl - start));
  }
  return lines;
}

// Waits (bounded) until the pipe holds `count` whole lines.
std::vector<std::string> wait_lines(Pipe& pipe, std::size_t count) {
  for (int i = 0; i < 500; ++i) {
    auto lines = lines_of(pipe.text());
    if (lines.size() >= count) {
      return lines;
    }
    std::this_thread::sleep_for(2ms);
  }
  return lines_of(pipe.text());
}

} // namespace

TEST_CASE("each message is one line, in order, its line breaks folded", "[output]") {
  Pipe pipe;
  ClientOutput output(pipe.sink(), nullptr, small_options());
  output.write_message("{\n  \"id\": 1\n}\n");
  output.write_message(R"({"id":2,"text":"a\nb"})");
  output.flush(2s);
  auto lines = wait_lines(pipe, 2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "{   \"id\": 1 }");
  CHECK(lines[1] == R"({"id":2,"text":"a\nb"})");
}

TEST_CASE("a small message with nothing ahead of it is written at once when the pipe has room", "[output]") {
  Pipe pipe;
  std::atomic<int> asked{0};
  ClientOutput output(pipe.sink(), [&asked](std::size_t) { return ++asked, true; }, small_options());
  output.write_message(R"({"id":1})");
  // Written before write_message returned: no writer thread involved.
  CHECK(pipe.text() == "{\"id\":1}\n");
  CHECK(asked == 1);
}

TEST_CASE("whole messages pass a result that trickles in; it goes out whole when it ends", "[output]") {
  Pipe pipe;
  ClientOutput output(pipe.sink(), nullptr, small_options());
  output.write_piece(R"({"id":7,"result":{"text":")"); // under commit_bytes: gathered aside
  output.write_message(R"({"id":"ping"})");
  auto lines = wait_lines(pipe, 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == R"({"id":"ping"})");
  output.write_piece("slow\n");
  output.write_piece(R"("}})");
  output.end_pieces();
  output.flush(2s);
  lines = wait_lines(pipe, 2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == R"({"id":7,"result":{"text":"slow "}})");
}

TEST_CASE("a result that flows goes out while it arrives; whole messages wait for its line to end", "[output]") {
  Pipe pipe;
  ClientOutput output(pipe.sink(), nullptr, small_options());
  std::string head = R"({"id":8,"result":{"text":")" + std::string(150, 'x');
  output.write_piece(head); // over commit_bytes at once: it flows
  for (int i = 0; i < 500 && pipe.text().size() < head.size(); ++i) {
    std::this_thread::sleep_for(2ms);
  }
  CHECK(pipe.text() == head); // on its way before its end came
  output.write_message(R"({"id":"ping"})");
  std::this_thread::sleep_for(20ms);
  CHECK(pipe.text() == head); // never inside the open line
  output.write_piece(R"("}})");
  output.end_pieces();
  output.flush(2s);
  auto lines = wait_lines(pipe, 2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == head + R"("}})");
  CHECK(lines[1] == R"({"id":"ping"})");
}

TEST_CASE("an abandoned result: gone whole when nothing of it was written, else its line ends where it stands", "[output]") {
  Pipe pipe;
  ClientOutput output(pipe.sink(), nullptr, small_options());
  SECTION("not started") {
    output.write_piece(R"({"id":9,"result":{)");
    output.abandon_pieces();
    output.write_message(R"({"id":9,"error":{}})");
    output.flush(2s);
    auto lines = wait_lines(pipe, 1);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == R"({"id":9,"error":{}})");
  }
  SECTION("started") {
    std::string head = R"({"id":10,"result":{"text":")" + std::string(150, 'y');
    output.write_piece(head);
    for (int i = 0; i < 500 && pipe.text().size() < head.size(); ++i) {
      std::this_thread::sleep_for(2ms);
    }
    output.abandon_pieces();
    output.write_message(R"({"id":10,"error":{}})");
    output.flush(2s);
    auto lines = wait_lines(pipe, 2);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == head);
    CHECK(lines[1] == R"({"id":10,"error":{}})");
  }
}

TEST_CASE("a client that does not read: backlogged past the high-water mark, drained once it reads", "[output]") {
  Pipe pipe;
  std::atomic<int> drained{0};
  ClientOutput output(pipe.sink(), nullptr, small_options());
  output.set_on_drained([&drained] { ++drained; });
  pipe.set_reading(false);
  for (int i = 0; i < 30 && !output.backlogged(); ++i) {
    output.write_message(R"({"id":)" + std::to_string(i) + R"(,"pad":")" + std::string(80, 'p') + R"("})");
  }
  CHECK(output.backlogged());
  CHECK(drained == 0);
  pipe.set_reading(true);
  output.flush(2s);
  CHECK_FALSE(output.backlogged());
  CHECK(drained == 1);
  auto lines = lines_of(pipe.text());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CHECK(lines[i].rfind(R"({"id":)" + std::to_string(i) + ",", 0) == 0); // all of them, in order
  }
}

TEST_CASE("a client gone: later writes are dropped, nothing blocks", "[output]") {
  ClientOutput output([](std::string_view) { return false; }, nullptr, small_options());
  output.write_message(R"({"id":1})");
  output.flush(2s);
  CHECK(output.broken());
  output.write_message(R"({"id":2})");
  output.write_piece("{");
  output.end_pieces();
  output.flush(2s);
}
