#pragma once

// What `bridge add --replace` changed in a server entry, printed field by field so the user sees
// the effect of a re-run. Fields that may hold a secret (token, headers, oauth) are named, never shown.

#include "cli/config_edit.hpp"

#include <string>
#include <vector>

namespace bridge::cli {

// "  prefix: \"jc_admin_\" -> \"jc_x_\"", "  headers.X-Key: changed", … (empty when equal).
std::vector<std::string> entry_changes(const OrderedJson& before, const OrderedJson& after);

// Prints entry_changes on stdout under "Changed:" (or "Nothing else changed.").
void print_entry_changes(const OrderedJson& before, const OrderedJson& after);

} // namespace bridge::cli
