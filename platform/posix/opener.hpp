#pragma once

// POSIX browser opening shared by Linux and macOS: validate the URL, try each $BROWSER entry,
// then the platform opener, each exec'd directly (posix_spawnp, no shell) with stdin and stdout
// on /dev/null. When nothing works the URL is printed on stderr for the user to open.

#include "core/result.hpp"

#include <string>
#include <vector>

namespace bridge::platform::posix {

core::Status open_url(const std::string& url, const std::vector<std::string>& default_opener);

} // namespace bridge::platform::posix
