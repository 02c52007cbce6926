#pragma once

// `bridge login jumpcloud` on a fresh install, and `bridge login NAME --org ID` for an MSP child
// org: when the config has no entry of that name, the JumpCloud preset's entry is added first
// (DESIGN.md, Commands), so a newcomer never needs `bridge add` or a URL before signing in.

#include "cli/options.hpp"
#include "core/result.hpp"

#include <string>

namespace bridge::cli {

// Adds the preset entry when `name` has none and the preset applies (name "jumpcloud", or any name
// with `org`), saying so on stderr; true when it added one. An existing entry is left alone, except
// that an `org` other than its organizationID is an Error naming the fix.
core::Result<bool> add_preset_for_login(const GlobalOptions& global, const std::string& name, const std::string& org);

// The command that adds NAME: `bridge add jumpcloud` for a preset (no URL needed), else with --url.
std::string add_remedy(const std::string& name);

} // namespace bridge::cli
