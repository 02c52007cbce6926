#pragma once

// Whether NO_PROXY (a comma- or space-separated list, as libcurl reads it) exempts a host from the
// proxy: `*` exempts every host; a name matches itself and its subdomains (a leading '.' is
// optional); an IPv4 address matches itself or a CIDR block (10.0.0.0/8). `bridge doctor` asks
// this before it blames a proxy for a failed connection, since libcurl never used the proxy then.

#include <string_view>

namespace bridge::core {

bool no_proxy_exempts(std::string_view no_proxy, std::string_view host);

} // namespace bridge::core
