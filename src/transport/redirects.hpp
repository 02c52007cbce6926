#pragma once

// Whether a redirect is followed (http.hpp, Redirects): a pure decision, so the rule is tested
// without a network; event_loop.cpp asks it for each 3xx and does what it says.

#include "core/result.hpp"
#include "transport/http.hpp"

#include <string>

namespace bridge::transport {

constexpr int k_max_redirects = 5;

// 301, 302, 303, 307, 308: the statuses that send the client elsewhere (with a Location).
bool is_redirect_status(long status);

// The URL to request next, after `request` (at its own URL) was answered with `status` and the
// absolute Location `location`, `followed` redirects into the exchange; or an Error{protocol}
// saying why not, naming the status and the Location's origin (never its path or query).
core::Result<std::string> next_hop(const HttpRequest& request, long status, const std::string& location, int followed);

} // namespace bridge::transport
