#pragma once

// Shared libraries loaded on first use rather than by the loader at exec time.
//
// Debian's libcurl pulls 32 libraries into the process (OpenSSL, GnuTLS, Kerberos, LDAP, ...)
// and libsecret 16 more (GLib, GIO, libgcrypt): mapping and relocating them took ~25 ms of a
// 31 ms start, before main() ran. The bridge answers `initialize` without any of them, so on
// Linux they are opened with dlopen instead: libcurl and libcrypto on a background thread once
// `serve` is ready to read the client (the first upstream request waits for the rest of the load),
// libsecret on the first keychain access. The lazy_*.cpp files define each function the sources call with the
// library's own signature and forward to the real one, so no call site knows.

#include <mutex>
#include <optional>
#include <string>

namespace bridge::platform::lazy {

class LazyLibrary {
public:
  // soname: what dlopen looks for first (the system's search path); fallback: the full path
  // found at build time, tried when the soname alone is not found; package: what to install.
  LazyLibrary(const char* soname, const char* fallback, const char* package)
      : m_soname(soname), m_fallback(fallback), m_package(package) {}
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  // Opens the library (once; a second caller waits for the first). Errors surface in symbol()
  // and load_error().
  void open();
  // Opens the library; says why it could not be, if so ("cannot load ...; install ...").
  std::optional<std::string> load_error();
  // The address of `name`; throws std::runtime_error naming the library when it cannot be
  // opened or lacks the symbol.
  void* symbol(const char* name);
  // The same, typed: function<decltype(curl_easy_init)>("curl_easy_init").
  template <typename Function>
  Function* function(const char* name) {
    return reinterpret_cast<Function*>(symbol(name));
  }

private:
  void open_once();

  const char* m_soname;
  const char* m_fallback;
  const char* m_package;
  std::once_flag m_once;
  void* m_handle = nullptr;
  std::string m_error;
};

LazyLibrary& libcurl();
LazyLibrary& libcrypto();
LazyLibrary& libsecret();

} // namespace bridge::platform::lazy

// Defines `name` with the signature its header declares and forwards to the library's own.
// decltype(&name) takes the type from that declaration, so a mismatch does not compile.
#define BRIDGE_LAZY_FORWARD(library, ret, name, params, args)                                        \
  extern "C" ret name params {                                                                       \
    static auto* const real = ::bridge::platform::lazy::library().function<decltype(name)>(#name); \
    return real args;                                                                                \
  }
