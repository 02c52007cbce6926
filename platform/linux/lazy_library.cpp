#include "platform/linux/lazy_library.hpp"

#include "platform/platform.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <thread>

#ifndef BRIDGE_LIBCURL_SONAME
#error "BRIDGE_LIBCURL_SONAME and the other sonames come from platform/CMakeLists.txt"
#endif

namespace bridge::platform::lazy {

void LazyLibrary::open() {
  std::call_once(m_once, [this] { open_once(); });
}

void LazyLibrary::open_once() {
  // RTLD_LOCAL: the library's symbols stay out of the global scope, so they never shadow or get
  // shadowed by the forwarding functions of the same names in this executable.
  m_handle = ::dlopen(m_soname, RTLD_NOW | RTLD_LOCAL);
  if (m_handle == nullptr && m_fallback != nullptr && m_fallback[0] != '\0') {
    std::string first = ::dlerror();
    m_handle = ::dlopen(m_fallback, RTLD_NOW | RTLD_LOCAL);
    if (m_handle == nullptr) {
      m_error = first + "; " + ::dlerror();
    }
  } else if (m_handle == nullptr) {
    m_error = ::dlerror();
  }
}

std::optional<std::string> LazyLibrary::load_error() {
  open();
  if (m_handle != nullptr) {
    return std::nullopt;
  }
  return std::string("cannot load ") + m_soname + " (" + m_error + "); install " + m_package;
}

void* LazyLibrary::symbol(const char* name) {
  if (auto error = load_error()) {
    throw std::runtime_error(*error);
  }
  ::dlerror();
  void* address = ::dlsym(m_handle, name);
  if (address == nullptr) {
    throw std::runtime_error(std::string(m_soname) + " has no " + name + " (too old a version?)");
  }
  return address;
}

LazyLibrary& libcurl() {
  static LazyLibrary library(BRIDGE_LIBCURL_SONAME, BRIDGE_LIBCURL_PATH, "libcurl (Debian: libcurl4)");
  return library;
}

LazyLibrary& libcrypto() {
  static LazyLibrary library(BRIDGE_LIBCRYPTO_SONAME, BRIDGE_LIBCRYPTO_PATH, "OpenSSL's libcrypto (Debian: libssl3)");
  return library;
}

LazyLibrary& libsecret() {
  static LazyLibrary library(BRIDGE_LIBSECRET_SONAME, BRIDGE_LIBSECRET_PATH, "libsecret (Debian: libsecret-1-0)");
  return library;
}

} // namespace bridge::platform::lazy

namespace bridge::platform {

void preload_network_libraries() {
  // One thread for both: libcurl brings libcrypto in as a dependency, so the second open is a
  // reference count. Detached: a process that exits first does not wait for it.
  std::thread([] {
    lazy::libcurl().open();
    lazy::libcrypto().open();
  }).detach();
}

} // namespace bridge::platform
