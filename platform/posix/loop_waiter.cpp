#include "platform/loop_waiter.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <unistd.h>

namespace bridge::platform {

// A self-pipe: notify() writes a byte, wait() polls its read end next to the input.
struct LoopWaiter::State {
  int read_end = -1;
  int write_end = -1;
};

namespace {

void make_nonblocking_cloexec(int fd) {
  (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  (void)::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

} // namespace

LoopWaiter::LoopWaiter() : m_state(std::make_unique<State>()) {
  int ends[2];
  if (::pipe(ends) != 0) { // pipe2 is not on macOS
    throw std::runtime_error("cannot create the event loop's wake-up pipe");
  }
  make_nonblocking_cloexec(ends[0]);
  make_nonblocking_cloexec(ends[1]);
  m_state->read_end = ends[0];
  m_state->write_end = ends[1];
}

LoopWaiter::~LoopWaiter() {
  ::close(m_state->read_end);
  ::close(m_state->write_end);
}

void LoopWaiter::notify() {
  const char byte = 1;
  // A full pipe already holds a pending wake-up: nothing is lost when this write fails.
  (void)!::write(m_state->write_end, &byte, 1);
}

bool LoopWaiter::wait(std::optional<int> input, std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{m_state->read_end, POLLIN, 0}, {input.value_or(-1), POLLIN, 0}};
  const nfds_t count = input ? 2 : 1;
  int ready = ::poll(fds, count, static_cast<int>(timeout.count()));
  if (ready <= 0) {
    return false; // timeout, or EINTR: the caller loops anyway
  }
  if (fds[0].revents != 0) {
    char drain[64];
    while (::read(m_state->read_end, drain, sizeof drain) > 0) {
    }
  }
  return input && fds[1].revents != 0;
}

std::optional<int> pollable_stdin() { return STDIN_FILENO; }

bool input_ended(int fd) {
  pollfd check{fd, POLLIN, 0};
  if (::poll(&check, 1, 0) <= 0) {
    return false;
  }
  return (check.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

} // namespace bridge::platform
