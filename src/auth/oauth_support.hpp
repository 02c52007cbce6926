#pragma once

// Small pieces shared by the OAuth client's files (oauth_client.cpp, oauth_browser.cpp,
// oauth_device.cpp, oauth_enterprise.cpp): reading OAuth JSON replies and errors, the form type,
// the grant-type URNs, and the pages the loopback redirect shows. Not for use outside auth/.

#include "auth/http_client.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bridge::auth::support {

using Form = std::vector<std::pair<std::string, std::string>>;

inline constexpr const char* k_device_grant = "urn:ietf:params:oauth:grant-type:device_code";
inline constexpr const char* k_jwt_assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
inline constexpr const char* k_jwt_bearer_grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
inline constexpr const char* k_token_exchange_grant = "urn:ietf:params:oauth:grant-type:token-exchange";
inline constexpr const char* k_id_token_type = "urn:ietf:params:oauth:token-type:id_token";
inline constexpr const char* k_id_jag_type = "urn:ietf:params:oauth:token-type:id-jag";

bool contains(const std::vector<std::string>& list, std::string_view item);
// The string member `key` of a JSON object, or "" (absent, or not a string).
std::string str(const nlohmann::json& object, const char* key);
std::optional<std::string> find_param(const Form& params, std::string_view name);

// {"error": "...", "error_description": "..."} from an OAuth error reply.
struct OAuthError {
  std::string code;
  std::string description;
};
OAuthError oauth_error_of(const HttpReply& reply);
// "HTTP 400 invalid_grant: the code expired"
std::string describe_failure(const HttpReply& reply);

std::string html_page(const std::string& title, const std::string& message);
std::string html_escape(std::string_view text);

// Only https, or http to a loopback host, may be handed to a browser opener.
bool url_allowed_for_browser(const std::string& url);

} // namespace bridge::auth::support
