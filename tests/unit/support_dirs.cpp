// The folders of one suite, for the shared helpers of support.hpp (compiled into each suite with
// its own LEAFSYNTH_UNIT_EMIT_DIR and LEAFSYNTH_UNIT_SCRATCH_DIR). Declared in support.hpp; not
// included here, so that this file compiles in a moment.
namespace unit {
const char* emit_root() { return LEAFSYNTH_UNIT_EMIT_DIR; }
const char* scratch_root() { return LEAFSYNTH_UNIT_SCRATCH_DIR; }
} // namespace unit
