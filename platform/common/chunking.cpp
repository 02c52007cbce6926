#include "platform/common/chunking.hpp"

#include <algorithm>
#include <charconv>

namespace bridge::platform::chunking {

Encoded encode(std::string_view value, std::size_t limit) {
  limit = std::max<std::size_t>(limit, 8);
  Encoded encoded;
  if (value.size() + 1 <= limit) {
    encoded.head.reserve(value.size() + 1);
    encoded.head.push_back('=');
    encoded.head.append(value);
    return encoded;
  }
  for (std::size_t offset = 0; offset < value.size(); offset += limit) {
    encoded.chunks.emplace_back(value.substr(offset, limit));
  }
  encoded.head = "#" + std::to_string(encoded.chunks.size());
  return encoded;
}

core::Result<Head> parse_head(std::string_view blob) {
  if (blob.empty()) {
    return core::make_error(core::ErrorKind::protocol, "empty credential (not written by mcp-bridge)");
  }
  Head head;
  if (blob.front() == '=') {
    head.value.assign(blob.substr(1));
    return head;
  }
  if (blob.front() == '#') {
    std::string_view digits = blob.substr(1);
    std::size_t count = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || count == 0 ||
        count > k_max_chunks) {
      return core::make_error(core::ErrorKind::protocol, "credential head has a bad chunk count");
    }
    head.is_inline = false;
    head.count = count;
    return head;
  }
  return core::make_error(core::ErrorKind::protocol, "credential not written by mcp-bridge (unknown format)");
}

std::string chunk_name(std::string_view base, std::size_t index) {
  std::string name(base);
  name.push_back('#');
  name.append(std::to_string(index));
  return name;
}

core::Result<std::string> decode(std::string_view head_blob, const std::vector<std::string>& chunks) {
  auto head = parse_head(head_blob);
  if (!head) {
    return head.error();
  }
  if (head->is_inline) {
    return std::move(head->value);
  }
  if (chunks.size() != head->count) {
    return core::make_error(core::ErrorKind::protocol,
                            "credential is missing chunks (" + std::to_string(chunks.size()) + " of " +
                                std::to_string(head->count) + "); set it again");
  }
  std::string value;
  for (const auto& chunk : chunks) {
    value.append(chunk);
  }
  return value;
}

} // namespace bridge::platform::chunking
