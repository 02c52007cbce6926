# Warnings for every target of ours; errors only when BRIDGE_WERROR is on (CI), so a user's
# newer compiler never breaks their build over a new warning.
add_library(bridge_warnings INTERFACE)
target_compile_options(bridge_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wformat=2
  -Wimplicit-fallthrough)
if(BRIDGE_WERROR)
  target_compile_options(bridge_warnings INTERFACE -Werror)
endif()
# g++ 12 at -O3 (Release) reports -Wrestrict inside libstdc++'s own std::string operator+
# (GCC bug 105329, fixed in 13): a false positive that would fail every Release -Werror build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(bridge_warnings INTERFACE -Wno-restrict)
endif()

# libstdc++ bounds checks in Debug builds.
add_compile_definitions($<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)

if(BRIDGE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
