#pragma once

// The user's terminal, for the few commands that talk to a person rather than to an AI client:
// reading a secret without echo (`bridge token set`) and asking a yes/no question
// (`bridge call` when a tool needs confirmation). Each OS implements these in its own folder.

#include "core/result.hpp"

#include <string>

namespace bridge::platform {

// True when stdin is an interactive terminal (not a pipe or a file).
bool stdin_is_terminal();

// Prints `prompt` on stderr and reads one line from the terminal with echo switched off; the
// echo is restored on every path. Without a terminal on stdin: an Error (kind unavailable).
core::Result<std::string> read_secret_no_echo(const std::string& prompt);

} // namespace bridge::platform
