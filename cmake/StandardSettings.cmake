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

# libstdc++ bounds checks in Debug builds.
add_compile_definitions($<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)

if(BRIDGE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
