// The Catch2 main of the ContainerManager config loader tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
