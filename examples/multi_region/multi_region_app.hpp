#pragma once
/// @file multi_region_app.hpp
/// A two-region example app exercising every way a value travels between stacks:
/// Shared (main region) -> Edge (us-east-1) -> Service (main region), a same-region export,
/// and nested stacks that use values from their parent, a sibling and another top-level stack.

#include <string>

#include "leafsynth/leafsynth.hpp"
#include "leafsynth/nested_stack.hpp"

namespace multi_region {

/// Builds the example into `app` with the given main region and optional account.
void build(leafsynth::App& app, const std::string& main_region, const std::string& account = {});

} // namespace multi_region
