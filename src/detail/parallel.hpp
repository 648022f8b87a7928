#pragma once
// Internal: runs independent tasks on the machine's cores.

#include <cstddef>
#include <functional>

namespace leafsynth::detail {

/// The number of threads to use for `jobs` (0: one per core) and `tasks` tasks: at least 1, at
/// most `tasks`.
std::size_t thread_count(std::size_t jobs, std::size_t tasks);

/// Calls `task(i)` for every i in [0, count), on `thread_count(jobs, count)` threads (the calling
/// thread is one of them; with one, everything runs on it, in order). Tasks are handed out in
/// order of i. Returns when all have ended; when tasks threw, rethrows the exception of the
/// lowest i (so what is reported does not depend on timing), after the others have finished.
void run_in_parallel(std::size_t count, std::size_t jobs, const std::function<void(std::size_t)>& task);

} // namespace leafsynth::detail
