#pragma once
/// @file leafsynth.hpp
/// Everything of the public API in one include.

#include "leafsynth/app.hpp"
#include "leafsynth/asset.hpp"
#include "leafsynth/assembly_manifest.hpp"
#include "leafsynth/bootstrap_contract.hpp"
#include "leafsynth/cfn_condition.hpp"
#include "leafsynth/cfn_element.hpp"
#include "leafsynth/cfn_output.hpp"
#include "leafsynth/cfn_parameter.hpp"
#include "leafsynth/cfn_resource.hpp"
#include "leafsynth/construct.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/graph.hpp"
#include "leafsynth/logical_id.hpp"
#include "leafsynth/nested_stack.hpp"
#include "leafsynth/region.hpp"
#include "leafsynth/stack.hpp"
#include "leafsynth/tags.hpp"
#include "leafsynth/value.hpp"
#include "leafsynth/version.hpp"
