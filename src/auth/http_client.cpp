#include "auth/http_client.hpp"

#include "core/url.hpp"
#include "transport/event_loop.hpp"

namespace bridge::auth {
namespace {

constexpr std::size_t k_body_limit = 4 * 1024 * 1024; // metadata and token replies are small

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace

std::string HttpReply::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return value;
    }
  }
  return {};
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& form) {
  std::string out;
  for (const auto& [name, value] : form) {
    if (!out.empty()) {
      out += '&';
    }
    out += core::percent_encode(name) + "=" + core::percent_encode(value);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    auto end = query.find('&', pos);
    if (end == std::string_view::npos) {
      end = query.size();
    }
    auto part = query.substr(pos, end - pos);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(percent_decode(part), std::string());
      } else {
        out.emplace_back(percent_decode(part.substr(0, eq)), percent_decode(part.substr(eq + 1)));
      }
    }
    pos = end + 1;
  }
  return out;
}

core::Result<HttpReply> HttpClient::get(const std::string& url, transport::HeaderList headers) {
  transport::HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.redirects = transport::Redirects::same_origin; // metadata that moved within its origin
  request.headers = std::move(headers);
  request.headers.emplace_back("Accept", "application/json");
  return send(std::move(request));
}

core::Result<HttpReply> HttpClient::post_form(const std::string& url,
                                              const std::vector<std::pair<std::string, std::string>>& form,
                                              transport::HeaderList headers) {
  transport::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.redirects = transport::Redirects::none; // token and revocation requests: see http_client.hpp
  request.body = form_encode(form);
  request.headers = std::move(headers);
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("Accept", "application/json");
  return send(std::move(request));
}

core::Result<HttpReply> HttpClient::post_json(const std::string& url, const std::string& body,
                                              transport::HeaderList headers) {
  transport::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.redirects = transport::Redirects::none; // registration: see http_client.hpp
  request.body = body;
  request.headers = std::move(headers);
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", "application/json");
  return send(std::move(request));
}

core::Result<HttpReply> HttpClient::send(transport::HttpRequest request) {
  auto parsed = core::parse_url(request.url);
  if (!parsed) {
    return core::make_error(core::ErrorKind::invalid_input, "not a URL: " + request.url);
  }
  if (parsed->scheme != "https" && !(parsed->scheme == "http" && core::is_loopback_host(parsed->host)) &&
      !m_options.allow_http_redirects) {
    return core::make_error(core::ErrorKind::invalid_input,
                            "refusing to send OAuth traffic over plain http to " + core::origin_of(*parsed) +
                                " (https is required except for loopback; see \"allow_http\")");
  }
  request.ca_file = m_options.ca_file;
  request.allow_http_redirects = m_options.allow_http_redirects || parsed->scheme == "http";
  request.timeout = m_options.timeout;

  transport::EventLoop loop;
  HttpReply reply;
  std::optional<core::Error> failure;
  bool too_large = false;
  transport::HttpCallbacks callbacks;
  callbacks.on_head = [&reply](const transport::HttpResponseHead& head) {
    reply.status = head.status;
    reply.headers = head.headers;
  };
  callbacks.on_body = [&reply, &too_large, &loop](std::string_view chunk) {
    if (reply.body.size() + chunk.size() > k_body_limit) {
      too_large = true;
      loop.stop();
      return false;
    }
    reply.body.append(chunk);
    return true;
  };
  bool done = false;
  callbacks.on_done = [&](const core::Status& status, const transport::HttpResponseHead& head) {
    if (!status) {
      failure = status.error();
    }
    reply.status = head.status;
    reply.headers = head.headers;
    done = true;
    loop.stop();
  };
  std::string url = request.url;
  loop.start(std::move(request), std::move(callbacks));
  // Bound the wait: a server that never finishes must not hold the command forever.
  loop.schedule(m_options.timeout + std::chrono::seconds(2), [&loop] { loop.stop(); });
  loop.run();
  if (too_large) {
    return core::make_error(core::ErrorKind::protocol, url + ": the reply is too large");
  }
  if (failure) {
    // A refused redirect (protocol) did reach the server: it answered with somewhere else.
    bool unreachable = failure->kind == core::ErrorKind::network || failure->kind == core::ErrorKind::timeout;
    return core::make_error(failure->kind, (unreachable ? "cannot reach " : "") + url + ": " + failure->message);
  }
  if (!done) {
    return core::make_error(core::ErrorKind::timeout, url + ": no reply in time");
  }
  return reply;
}

} // namespace bridge::auth
