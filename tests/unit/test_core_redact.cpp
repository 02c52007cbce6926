// Redaction of log lines: credentials never reach a log, useful messages stay readable.

#include "catch.hpp"

#include "core/redact.hpp"

#include <string>

using bridge::core::redact;

namespace {

bool leaks(const std::string& text, const std::string& secret) { return redact(text).find(secret) != std::string::npos; }

} // namespace

TEST_CASE("headers and bearer credentials are masked", "[redact]") {
  CHECK(redact("Authorization: Bearer abc.def-123") == "Authorization: [redacted]");
  CHECK_FALSE(leaks("sending authorization=Bearer s3cr3t to host", "s3cr3t"));
  CHECK_FALSE(leaks("{\"Authorization\": \"Bearer s3cr3t\"}", "s3cr3t"));
  CHECK_FALSE(leaks("retrying with bearer s3cr3t.tok", "s3cr3t"));
  CHECK_FALSE(leaks("Proxy-Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"));
}

TEST_CASE("JumpCloud API keys, token fields and OAuth codes are masked", "[redact]") {
  CHECK(redact("key jca_0123456789abcdef rejected") == "key jca_[redacted] rejected");
  CHECK_FALSE(leaks(R"({"access_token":"at-1","refresh_token": "rt-2","expires_in":3600})", "at-1"));
  CHECK_FALSE(leaks(R"({"access_token":"at-1","refresh_token": "rt-2","expires_in":3600})", "rt-2"));
  CHECK(redact(R"({"expires_in":3600})") == R"({"expires_in":3600})");
  CHECK_FALSE(leaks("grant_type=authorization_code&code=c0de&code_verifier=v3r&client_secret=cs", "c0de"));
  CHECK_FALSE(leaks("grant_type=authorization_code&code=c0de&code_verifier=v3r&client_secret=cs", "v3r"));
  CHECK_FALSE(leaks("GET /callback?code=c0de&state=st4te HTTP/1.1", "st4te"));
  CHECK_FALSE(leaks(R"({"client_secret":"cs-9","password":"pw"})", "cs-9"));
  // Enterprise grant: the ID token in a token exchange, the ID-JAG in a JWT bearer grant.
  CHECK_FALSE(leaks("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=eyJ.id.tok", "eyJ.id.tok"));
  CHECK_FALSE(leaks("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ.jag.tok", "eyJ.jag.tok"));
  CHECK_FALSE(leaks(R"({"idp_id_token":"idt-1","idp_refresh_token":"idrt-2"})", "idt-1"));
  CHECK_FALSE(leaks(R"({"idp_id_token":"idt-1","idp_refresh_token":"idrt-2"})", "idrt-2"));
}

TEST_CASE("ordinary messages about tokens stay readable", "[redact]") {
  const std::string message =
      "servers.jc.token: environment variable JC_KEY is not set (the AI client must pass it in its \"env\" block)";
  CHECK(redact(message) == message);
  CHECK(redact("token_store is \"file\"; secrets are kept in /home/me/.local/share/mcp-bridge/secrets.json") ==
        "token_store is \"file\"; secrets are kept in /home/me/.local/share/mcp-bridge/secrets.json");
  CHECK(redact("jumpcloud: unavailable — not logged in — run `bridge login jumpcloud`") ==
        "jumpcloud: unavailable — not logged in — run `bridge login jumpcloud`");
}
