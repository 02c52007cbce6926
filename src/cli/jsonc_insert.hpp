#pragma once

// Adding one member to an object of a JSONC file by editing its text, so that the user's comments
// and layout survive (`bridge install` into VS Code's commented mcp.json). Pure: text in, text out.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace bridge::cli {

// `text` with "member": value added as the last member of the top-level object's `object_key`
// object (created as "object_key": {"member": value} when the top level has no such key).
// nullopt when the text is not shaped so (the caller then rewrites the whole file); the caller
// checks the result parses to what it wants.
std::optional<std::string> insert_member_jsonc(const std::string& text, const std::string& object_key,
                                               const std::string& member, const nlohmann::ordered_json& value);

} // namespace bridge::cli
