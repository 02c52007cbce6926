#pragma once

// Reconnect timing for streams, pure so it can be tested exactly: a server's SSE `retry` wins
// (the spec says the client MUST wait that long, and the conformance suite checks it to within
// -50/+200 ms); without one, exponential backoff with jitter and a cap.

#include <algorithm>
#include <chrono>
#include <optional>

namespace bridge::transport {

inline constexpr std::chrono::milliseconds k_backoff_base{500};
inline constexpr std::chrono::milliseconds k_backoff_cap{30000};
inline constexpr long long k_retry_ceiling_ms = 10LL * 60 * 1000; // a server asking for more is capped

// Attempt 0 waits about base, each further attempt twice as long, up to cap; "full jitter" in the
// upper half ([d/2, d]) so many bridges restarting together do not reconnect in lockstep.
// `unit_random` is in [0, 1).
inline std::chrono::milliseconds backoff_delay(int attempt, double unit_random,
                                               std::chrono::milliseconds base = k_backoff_base,
                                               std::chrono::milliseconds cap = k_backoff_cap) {
  long long delay = base.count();
  for (int i = 0; i < attempt && delay < cap.count(); ++i) {
    delay *= 2;
  }
  delay = std::min<long long>(delay, cap.count());
  double r = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(delay / 2 + static_cast<long long>(static_cast<double>(delay / 2) * r));
}

// How long to wait before reconnecting a stream. `failures` counts the attempts in a row that
// got nowhere (0 after a stream that worked). With a server `retry`: exactly that (plus at most
// 10 ms of jitter) after a stream that worked; after failures, the longer of it and the backoff,
// so a server that is down is not hammered at its own polling rate.
inline std::chrono::milliseconds reconnect_delay(std::optional<long long> retry_ms, int failures, double unit_random) {
  if (retry_ms) {
    long long retry = std::clamp<long long>(*retry_ms, 0, k_retry_ceiling_ms);
    auto exact = std::chrono::milliseconds(retry + static_cast<long long>(std::clamp(unit_random, 0.0, 1.0) * 10.0));
    if (failures == 0) {
      return exact;
    }
    return std::max(exact, backoff_delay(failures - 1, unit_random));
  }
  return backoff_delay(failures, unit_random);
}

} // namespace bridge::transport
