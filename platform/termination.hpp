#pragma once

// A request to end the process politely (SIGTERM or SIGINT on POSIX; Ctrl-C, Ctrl-Break or the
// console closing on Windows), handed to ordinary code instead of killing it: `serve` then ends
// its upstream sessions as it does at end of input.

#include <functional>

namespace bridge::platform {

// Calls `on_request` (on a thread of its own, never in a signal handler) each time termination is
// asked for; when it returns false (nobody can wind down now, or it was asked already) the
// default action follows: the process ends at once. POSIX: call it before the process starts any
// other thread, since the signals are blocked in this thread and every thread started after it,
// and received by sigwait() on the watcher's own thread. Children started later get the default
// signal mask back.
void watch_termination(std::function<bool()> on_request);

} // namespace bridge::platform
