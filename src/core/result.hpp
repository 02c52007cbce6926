#pragma once

// Expected failures are values: Result<T> holds either a T or an Error. Exceptions are kept for
// programming errors and fatal start-up problems, caught once in main().

#include <string>
#include <utility>
#include <variant>

namespace bridge::core {

enum class ErrorKind {
  invalid_input,   // malformed JSON, wrong types, bad config
  not_found,       // unknown tool, missing secret, missing file
  io,              // filesystem or pipe failure
  network,         // connect, DNS, TLS, reset
  timeout,
  protocol,        // the peer broke the MCP / HTTP contract
  auth,            // 401/403, missing or rejected credentials
  unavailable,     // a backend that is down or not configured
};

struct Error {
  ErrorKind kind = ErrorKind::invalid_input;
  std::string message;
};

inline Error make_error(ErrorKind kind, std::string message) {
  return Error{kind, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
public:
  Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}

  [[nodiscard]] bool ok() const { return m_state.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_state); }
  const T& value() const& { return std::get<0>(m_state); }
  T&& value() && { return std::get<0>(std::move(m_state)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const Error& error() const { return std::get<1>(m_state); }

private:
  std::variant<T, Error> m_state;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Status(Ok{}); }

} // namespace bridge::core
