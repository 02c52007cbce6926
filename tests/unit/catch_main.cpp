// Catch2 v2 needs one translation unit to define main; v3 brings its own when linked with
// Catch2WithMain, but defining it here keeps both the same.
#ifdef BRIDGE_CATCH3
#include <catch2/catch_session.hpp>
int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
#else
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
