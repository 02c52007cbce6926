#pragma once

// Logs go to stderr only (stdout is the protocol). Default level: warnings; --verbose or
// BRIDGE_LOG=debug|info|warn|error|off changes it.

namespace bridge::cli {

void setup_logging(bool verbose);

} // namespace bridge::cli
