#pragma once

// Replacing a file people also edit by hand (our config, an AI client's config) so that a crash or
// a full disk never leaves half a file: a temp file in the same folder, written, flushed to disk,
// then renamed over the old one. Implemented per OS next to the private (0600) files, which use it.

#include "core/result.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace bridge::platform {

// `path` must be the real file, not a symlink to it (the caller resolves links, so the link stays
// a link). `mode`: the permission bits to give the new file (POSIX; the old file's, to keep them);
// nullopt: 0644 less the umask. The parent folder must exist.
core::Status replace_file_durably(const std::filesystem::path& path, std::string_view contents,
                                  std::optional<std::filesystem::perms> mode);

} // namespace bridge::platform
