#pragma once

// Which URLs may be handed to a browser opener. An authorization URL comes from a remote server:
// only https (any host) or http to a loopback host, printable ASCII only (no spaces, quotes,
// control characters), no user-info. Pure; every OS's open_browser calls it first.

#include "core/result.hpp"

#include <string>
#include <vector>

namespace bridge::platform {

core::Status validate_browser_url(const std::string& url);

// $BROWSER-style list: entries separated by `separator` (':' on POSIX), each split on blanks into
// a program and its arguments (no shell quoting). A "%s" argument is replaced by the URL;
// otherwise the URL is appended as the last argument. Empty entries are skipped.
std::vector<std::vector<std::string>> browser_commands(const std::string& list, const std::string& url,
                                                       char separator);

} // namespace bridge::platform
