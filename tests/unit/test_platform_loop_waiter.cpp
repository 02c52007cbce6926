// How the event loop sleeps before libcurl is loaded, and how it learns that stdin ended
// (platform/loop_waiter.hpp). The descriptor cases are POSIX: Windows reads stdin on a thread.

#include "catch.hpp"

#include "platform/loop_waiter.hpp"

#include <chrono>
#include <thread>

using bridge::platform::LoopWaiter;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

} // namespace

TEST_CASE("a notify before the wait is not lost, and the wait then ends at once", "[platform][loop]") {
  LoopWaiter waiter;
  waiter.notify();
  auto started = Clock::now();
  CHECK_FALSE(waiter.wait(std::nullopt, 5000ms));
  CHECK(Clock::now() - started < 2000ms);
}

TEST_CASE("a notify from another thread ends a wait", "[platform][loop]") {
  LoopWaiter waiter;
  auto started = Clock::now();
  std::thread notifier([&waiter] {
    std::this_thread::sleep_for(50ms);
    waiter.notify();
  });
  CHECK_FALSE(waiter.wait(std::nullopt, 10000ms));
  notifier.join();
  CHECK(Clock::now() - started < 5000ms);
}

TEST_CASE("without notify or input the wait lasts its timeout", "[platform][loop]") {
  LoopWaiter waiter;
  auto started = Clock::now();
  CHECK_FALSE(waiter.wait(std::nullopt, 30ms));
  CHECK(Clock::now() - started >= 25ms);
}

#ifndef _WIN32

#include <unistd.h>

TEST_CASE("input is reported when it arrives and when its writer goes away", "[platform][loop]") {
  int ends[2];
  REQUIRE(::pipe(ends) == 0);
  LoopWaiter waiter;

  CHECK_FALSE(waiter.wait(ends[0], 20ms)); // nothing yet
  CHECK_FALSE(bridge::platform::input_ended(ends[0]));

  REQUIRE(::write(ends[1], "x\n", 2) == 2);
  CHECK(waiter.wait(ends[0], 5000ms));
  char buffer[8];
  REQUIRE(::read(ends[0], buffer, sizeof buffer) == 2);
  CHECK_FALSE(bridge::platform::input_ended(ends[0])); // drained, writer still there

  ::close(ends[1]);
  CHECK(bridge::platform::input_ended(ends[0])); // POLLHUP alone: what libcurl would not report
  CHECK(waiter.wait(ends[0], 5000ms));
  CHECK(::read(ends[0], buffer, sizeof buffer) == 0);
  ::close(ends[0]);
}

#endif
