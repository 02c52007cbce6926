// The on-demand loading behind libcurl, libcrypto and libsecret on Linux
// (platform/linux/lazy_library.hpp).

#include "catch.hpp"

#ifdef __linux__

#include "platform/linux/lazy_library.hpp"

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>

using bridge::platform::lazy::LazyLibrary;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Where this process's libm came from (the C++ runtime always maps it), read from /proc.
std::string mapped_libm_path() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash != std::string::npos && contains(line, "/libm.so.6")) {
      return line.substr(slash);
    }
  }
  return {};
}

} // namespace

TEST_CASE("a lazy library resolves the same function the loader would", "[platform][lazy]") {
  LazyLibrary math("libm.so.6", "", "libm");
  REQUIRE_FALSE(math.load_error().has_value());
  using Cos = double (*)(double);
  auto* cos_from_library = reinterpret_cast<Cos>(math.symbol("cos"));
  REQUIRE(cos_from_library != nullptr);
  CHECK(cos_from_library(0.5) == std::cos(0.5));
  try {
    math.symbol("no_such_function_in_libm");
    FAIL("a missing symbol must throw");
  } catch (const std::runtime_error& error) {
    CHECK(contains(error.what(), "libm.so.6 has no no_such_function_in_libm"));
  }
}

TEST_CASE("a library that is not installed is an error naming it and what to install", "[platform][lazy]") {
  LazyLibrary missing("libbridge-not-installed.so.7", "/nonexistent/libbridge-not-installed.so.7", "the demo package");
  auto error = missing.load_error();
  REQUIRE(error.has_value());
  CHECK(contains(*error, "cannot load libbridge-not-installed.so.7"));
  CHECK(contains(*error, "/nonexistent/libbridge-not-installed.so.7")); // the fallback was tried
  CHECK(contains(*error, "install the demo package"));
  CHECK_THROWS_AS(missing.symbol("anything"), std::runtime_error);
}

TEST_CASE("the fallback path is used when the soname is not on the search path", "[platform][lazy]") {
  const std::string libm = mapped_libm_path();
  REQUIRE_FALSE(libm.empty());
  LazyLibrary math("libbridge-not-installed.so.7", libm.c_str(), "libm");
  REQUIRE_FALSE(math.load_error().has_value());
  CHECK(math.symbol("cos") != nullptr);
}

#endif
