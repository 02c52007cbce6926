#pragma once

// Which requests an upstream may send through the bridge to the AI client. An upstream is offered
// the client's own capabilities, but a server that ignores them (or one written by hand) may still
// ask for sampling, elicitation or roots: relaying that to a client that never declared it leaves
// the client with a request it cannot answer (some hang, some drop the connection). The bridge
// answers such requests itself, at once, with an error.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace bridge::core {

// Why the client (with these initialize capabilities) cannot answer `method` with `params`, in
// words for the log and the upstream's error; "" when it can, or when the method is not one that
// needs a capability (those are relayed and the client answers for itself).
std::string unanswerable_by_client(const nlohmann::json& client_capabilities, std::string_view method,
                                   const nlohmann::json& params);

} // namespace bridge::core
