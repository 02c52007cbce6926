#include "core/no_proxy.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

namespace bridge::core {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<std::uint32_t> ipv4(std::string_view text) {
  std::uint32_t address = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (text.empty() || text.front() != '.') {
        return std::nullopt;
      }
      text.remove_prefix(1);
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data() || value > 255) {
      return std::nullopt;
    }
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    address = (address << 8) | value;
  }
  if (!text.empty()) {
    return std::nullopt;
  }
  return address;
}

bool entry_exempts(std::string_view entry, const std::string& host) {
  if (entry == "*") {
    return true;
  }
  if (auto host_address = ipv4(host)) {
    std::string_view address_text = entry;
    unsigned bits = 32;
    if (auto slash = entry.find('/'); slash != std::string_view::npos) {
      address_text = entry.substr(0, slash);
      std::string_view bits_text = entry.substr(slash + 1);
      auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
      if (ec != std::errc() || end != bits_text.data() + bits_text.size() || bits > 32) {
        return false;
      }
    }
    auto entry_address = ipv4(address_text);
    if (!entry_address) {
      return false;
    }
    std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (*host_address & mask) == (*entry_address & mask);
  }
  if (!entry.empty() && entry.front() == '.') {
    entry.remove_prefix(1);
  }
  if (entry.empty()) {
    return false;
  }
  std::string name = lower(entry);
  return host == name || (host.size() > name.size() && host.compare(host.size() - name.size(), name.size(), name) == 0 &&
                          host[host.size() - name.size() - 1] == '.');
}

} // namespace

bool no_proxy_exempts(std::string_view no_proxy, std::string_view host) {
  std::string wanted = lower(host);
  if (wanted.size() > 2 && wanted.front() == '[' && wanted.back() == ']') {
    wanted = wanted.substr(1, wanted.size() - 2); // an IPv6 literal as a URL writes it
  }
  std::size_t at = 0;
  while (at < no_proxy.size()) {
    std::size_t end = no_proxy.find_first_of(", \t", at);
    if (end == std::string_view::npos) {
      end = no_proxy.size();
    }
    std::string_view entry = no_proxy.substr(at, end - at);
    // "host:port": the port is not compared (a proxy is chosen per host).
    if (auto colon = entry.rfind(':'); colon != std::string_view::npos && entry.find(':') == colon) {
      entry = entry.substr(0, colon);
    }
    if (!entry.empty() && entry_exempts(entry, wanted)) {
      return true;
    }
    at = end + 1;
  }
  return false;
}

} // namespace bridge::core
