#pragma once

// What `bridge doctor` checks in a server's answer to its initialize probe, apart from the HTTP
// status: the body must hold one whole JSON-RPC response (a JSON body, or an SSE event whose data
// is one), or the server is not usable, whatever its status line said. Also which proxy libcurl
// would use for a host (none when NO_PROXY exempts it), so a failure is blamed on a proxy only
// when one was in the way.

#include <string>

namespace bridge::cli {

// Why the reply is no usable initialize answer, or "" when it is one.
std::string initialize_reply_problem(const std::string& content_type, const std::string& body);

// The environment variable naming the proxy libcurl uses for `host` ("" for none).
std::string proxy_for_host(const std::string& host);

} // namespace bridge::cli
