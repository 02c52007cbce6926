#include "platform/platform.hpp"

namespace bridge::platform {

// libcurl and libcrypto are linked into the executable here: nothing to load.
void preload_network_libraries() {}

} // namespace bridge::platform
