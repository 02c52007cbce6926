#include "transport/redirects.hpp"

#include "core/url.hpp"

namespace bridge::transport {

bool is_redirect_status(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

core::Result<std::string> next_hop(const HttpRequest& request, long status, const std::string& location, int followed) {
  const std::string code = "HTTP " + std::to_string(status);
  auto to = core::parse_url(location);
  if (!to || (to->scheme != "http" && to->scheme != "https")) {
    return core::make_error(core::ErrorKind::protocol, "the server answered " + code + " without a usable http(s) Location");
  }
  // Only the origin is named: a Location's path or query may carry what is not ours to log.
  const std::string where = core::origin_of(*to);
  if (request.redirects == Redirects::none) {
    return core::make_error(core::ErrorKind::protocol,
                            "the server answered " + code + ", a redirect to " + where + ", which is not followed for this request");
  }
  auto from = core::parse_url(request.url);
  if (!from || !core::same_origin(*from, *to)) {
    return core::make_error(core::ErrorKind::protocol, "the server redirected to " + where + " (" + code +
                                                           "), another origin, where the bridge does not send the "
                                                           "request; update the url in the config if it moved");
  }
  if (to->scheme == "http" && from->scheme != "http" && !request.allow_http_redirects) {
    return core::make_error(core::ErrorKind::protocol, "the server redirected to plain http (" + where + "); not followed");
  }
  if (followed >= k_max_redirects) {
    return core::make_error(core::ErrorKind::protocol,
                            "more than " + std::to_string(k_max_redirects) + " redirects (the last " + code + " to " + where + ")");
  }
  return location;
}

} // namespace bridge::transport
