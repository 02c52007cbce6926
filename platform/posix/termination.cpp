#include "platform/termination.hpp"

#include <csignal>
#include <pthread.h>
#include <thread>

namespace bridge::platform {

void watch_termination(std::function<bool()> on_request) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Blocked here (and so in every thread created from now on): delivered only to sigwait below.
  if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) {
    return; // the default action (end at once) stays: nothing worse than before
  }
  std::thread([signals, on_request = std::move(on_request)] {
    for (;;) {
      int received = 0;
      if (sigwait(&signals, &received) == 0 && !on_request()) {
        // The default action, from this thread: unblocked here only, then raised here.
        std::signal(received, SIG_DFL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, received);
        pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
        raise(received);
      }
    }
  }).detach();
}

} // namespace bridge::platform
