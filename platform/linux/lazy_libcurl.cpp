// libcurl's functions as the sources call them, forwarding to the library opened on first use
// (lazy_library.hpp says why).

#include "platform/linux/lazy_library.hpp"

// The function, not gcc's type-checking macro of the same name: it is defined here.
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include <cstdarg>

namespace {

// curl_easy_setopt and curl_multi_setopt take one argument whose type the option's number
// tells (CURLOPTTYPE_*, the same ranges libcurl reads it by); it is passed on with that type.
template <typename Handle, typename Option, typename Real>
auto forward_option(Real real, Handle* handle, Option option, va_list args) {
  const long number = static_cast<long>(option);
  if (number < CURLOPTTYPE_OBJECTPOINT) {
    return real(handle, option, va_arg(args, long));
  }
  if (number < CURLOPTTYPE_FUNCTIONPOINT) {
    return real(handle, option, va_arg(args, void*));
  }
  if (number < CURLOPTTYPE_OFF_T) {
    using Function = void (*)();
    return real(handle, option, va_arg(args, Function));
  }
  if (number < CURLOPTTYPE_BLOB) {
    return real(handle, option, va_arg(args, curl_off_t));
  }
  return real(handle, option, va_arg(args, void*));
}

} // namespace

BRIDGE_LAZY_FORWARD(libcurl, CURLcode, curl_global_init, (long flags), (flags))
BRIDGE_LAZY_FORWARD(libcurl, void, curl_global_cleanup, (void), ())
BRIDGE_LAZY_FORWARD(libcurl, CURL*, curl_easy_init, (void), ())
BRIDGE_LAZY_FORWARD(libcurl, void, curl_easy_cleanup, (CURL * handle), (handle))
BRIDGE_LAZY_FORWARD(libcurl, void, curl_easy_reset, (CURL * handle), (handle))
BRIDGE_LAZY_FORWARD(libcurl, CURLcode, curl_easy_pause, (CURL * handle, int bitmask), (handle, bitmask))
BRIDGE_LAZY_FORWARD(libcurl, const char*, curl_easy_strerror, (CURLcode code), (code))
BRIDGE_LAZY_FORWARD(libcurl, curl_slist*, curl_slist_append, (curl_slist * list, const char* text), (list, text))
BRIDGE_LAZY_FORWARD(libcurl, void, curl_slist_free_all, (curl_slist * list), (list))
BRIDGE_LAZY_FORWARD(libcurl, CURLM*, curl_multi_init, (void), ())
BRIDGE_LAZY_FORWARD(libcurl, CURLMcode, curl_multi_cleanup, (CURLM * multi), (multi))
BRIDGE_LAZY_FORWARD(libcurl, CURLMcode, curl_multi_add_handle, (CURLM * multi, CURL* easy), (multi, easy))
BRIDGE_LAZY_FORWARD(libcurl, CURLMcode, curl_multi_remove_handle, (CURLM * multi, CURL* easy), (multi, easy))
BRIDGE_LAZY_FORWARD(libcurl, CURLMcode, curl_multi_perform, (CURLM * multi, int* running), (multi, running))
BRIDGE_LAZY_FORWARD(libcurl, CURLMsg*, curl_multi_info_read, (CURLM * multi, int* remaining), (multi, remaining))
BRIDGE_LAZY_FORWARD(libcurl, CURLMcode, curl_multi_wakeup, (CURLM * multi), (multi))
BRIDGE_LAZY_FORWARD(libcurl, CURLMcode, curl_multi_poll,
                    (CURLM * multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms, int* ret),
                    (multi, extra_fds, extra_nfds, timeout_ms, ret))

// The two setopt functions: the same forwarding, for an easy and a multi handle.
#define BRIDGE_FORWARD_SETOPT(code_type, name, handle_type, option_type)          \
  extern "C" code_type name(handle_type* handle, option_type option, ...) {        \
    static auto* const real = bridge::platform::lazy::libcurl().function<decltype(name)>(#name);                  \
    va_list args;                                                                  \
    va_start(args, option);                                                        \
    code_type code = forward_option(real, handle, option, args);                   \
    va_end(args);                                                                  \
    return code;                                                                   \
  }

BRIDGE_FORWARD_SETOPT(CURLcode, curl_easy_setopt, CURL, CURLoption)
BRIDGE_FORWARD_SETOPT(CURLMcode, curl_multi_setopt, CURLM, CURLMoption)

// Every CURLINFO_* takes a pointer to where the answer goes.
extern "C" CURLcode curl_easy_getinfo(CURL* handle, CURLINFO info, ...) {
  static auto* const real = bridge::platform::lazy::libcurl().function<decltype(curl_easy_getinfo)>("curl_easy_getinfo");
  va_list args;
  va_start(args, info);
  CURLcode code = real(handle, info, va_arg(args, void*));
  va_end(args);
  return code;
}
