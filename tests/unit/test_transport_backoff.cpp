// Reconnect timing: the server's `retry` exactly (the conformance suite allows -50/+200 ms),
// otherwise exponential backoff with jitter and a cap.

#include "catch.hpp"

#include "transport/backoff.hpp"

using namespace bridge::transport;
using std::chrono::milliseconds;

TEST_CASE("backoff doubles from the base, stays in the upper half, and is capped", "[transport][backoff]") {
  CHECK(backoff_delay(0, 0.0) == milliseconds(250));
  CHECK(backoff_delay(0, 0.999) <= milliseconds(500));
  CHECK(backoff_delay(1, 0.0) == milliseconds(500));
  CHECK(backoff_delay(2, 0.0) == milliseconds(1000));
  for (int attempt = 0; attempt < 100; ++attempt) {
    for (double r : {0.0, 0.5, 0.999}) {
      auto d = backoff_delay(attempt, r);
      CHECK(d >= milliseconds(250));
      CHECK(d <= k_backoff_cap);
    }
  }
  CHECK(backoff_delay(1000, 0.0) == k_backoff_cap / 2);
  CHECK(backoff_delay(3, 2.0) == backoff_delay(3, 1.0)); // out-of-range randomness is clamped
}

TEST_CASE("a server's retry is honoured exactly after a stream that worked", "[transport][backoff]") {
  for (double r : {0.0, 0.5, 0.999}) {
    auto d = reconnect_delay(500, 0, r);
    CHECK(d >= milliseconds(500)); // never sooner (the suite fails below 450 ms)
    CHECK(d <= milliseconds(520)); // nor much later (it warns above 700 ms)
  }
  CHECK(reconnect_delay(0, 0, 0.0) == milliseconds(0));
  CHECK(reconnect_delay(2000, 0, 0.0) == milliseconds(2000));
  CHECK(reconnect_delay(k_retry_ceiling_ms * 10, 0, 0.0) == milliseconds(k_retry_ceiling_ms));
  CHECK(reconnect_delay(-5, 0, 0.0) == milliseconds(0));
}

TEST_CASE("after failures, retry is a floor under the backoff", "[transport][backoff]") {
  CHECK(reconnect_delay(500, 1, 0.0) == milliseconds(500));
  CHECK(reconnect_delay(100, 5, 0.0) == backoff_delay(4, 0.0));
  CHECK(reconnect_delay(std::nullopt, 3, 0.3) == backoff_delay(3, 0.3));
}
