#pragma once

// Logs never touch stdout (it is the protocol). stderr gets warnings by default; --verbose or
// BRIDGE_LOG=debug|info|warn|error|off changes that. `bridge serve` also keeps a rotating log
// file, <data dir>/logs/bridge.log (1 MiB × 3 files, info and above, debug with --verbose), since
// some AI clients hide a server's stderr. Everything logged passes through redact() first.

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace bridge::cli {

void setup_logging(bool verbose, bool to_file = false);
// For the terminal commands: the same, but only errors on stderr unless --verbose / BRIDGE_LOG
// (the commands print what matters themselves).
void setup_cli_logging(bool verbose);

// Where the rotating log file is (whether or not it exists yet).
std::filesystem::path log_file_path();
// Where the audit log is: <data dir>/audit.log.
std::filesystem::path audit_log_path();

// Masks what looks like a credential: Authorization header values, Bearer tokens, JumpCloud API
// keys (jca_…), token/secret/password fields in JSON or query strings, OAuth codes.
std::string redact(std::string_view text);

// The audit log writer ("audit_log": true): one JSON object per line, with "time" (UTC, ISO 8601)
// put first, in <data dir>/audit.log (rotating, 10 MiB × 5). Empty function when it cannot be opened
// (said once on stderr).
std::function<void(const nlohmann::ordered_json& record)> make_audit_writer();

} // namespace bridge::cli
