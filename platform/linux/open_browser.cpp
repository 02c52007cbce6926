#include "platform/platform.hpp"
#include "platform/posix/opener.hpp"

namespace bridge::platform {

core::Status open_browser(const std::string& url) { return posix::open_url(url, {"xdg-open"}); }

} // namespace bridge::platform
