#pragma once

// The id of a JSON-RPC request read from its first bytes only: a message too large to take (a
// line over the input limit) is still answered with its own id when the id comes before the bulk
// of it, as every client writes it ({"jsonrpc":"2.0","id":7,"method":…,"params":{…huge…}}).

#include <optional>
#include <string>
#include <string_view>

namespace bridge::core {

// The raw token of the top-level "id" member (a number or a string, quotes included) when it lies
// wholly within `head`; nullopt when `head` is not the start of a JSON object, the id is not there
// (yet), or it is not a number or a string.
std::optional<std::string> leading_id(std::string_view head);

} // namespace bridge::core
