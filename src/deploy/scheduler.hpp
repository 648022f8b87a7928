#pragma once
/// @file scheduler.hpp
/// Running a deploy's or destroy's stacks: each only after the stacks it waits for, independent
/// ones at once on a few threads. Internal to the leafsynth CLI (not installed).

#include <cstddef>
#include <functional>
#include <vector>

namespace leafsynth::deploy {

/// Runs `task(i, worker)` for every i in [0, waits.size()) on up to `workers` threads (`worker` is
/// the thread's number, 0 to workers-1, for per-thread clients), each task only after every task
/// that `waits[i]` lists has returned; among the tasks that are ready, the lowest index first.
/// `waits` must not contain a cycle (the plans are ordered). `task` must not throw.
void run_in_order(const std::vector<std::vector<std::size_t>>& waits, int workers,
                  const std::function<void(std::size_t i, std::size_t worker)>& task);

} // namespace leafsynth::deploy
