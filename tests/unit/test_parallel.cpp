// detail::run_in_parallel, which synthesis uses to build the top-level stacks' templates and to
// write the output files.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "detail/parallel.hpp"

using leafsynth::detail::run_in_parallel;
using leafsynth::detail::thread_count;

TEST_CASE("run_in_parallel: every task runs once, on at most the threads asked for") {
    for (std::size_t jobs : {0, 1, 2, 4, 64}) {
        INFO("jobs " << jobs);
        std::vector<std::atomic<int>> runs(100);
        std::mutex mutex;
        std::set<std::thread::id> threads;
        run_in_parallel(runs.size(), jobs, [&](std::size_t i) {
            ++runs[i];
            std::lock_guard lock(mutex);
            threads.insert(std::this_thread::get_id());
        });
        for (const auto& r : runs) CHECK(r == 1);
        CHECK(threads.size() <= thread_count(jobs, runs.size()));
        if (jobs == 1) CHECK(threads == std::set<std::thread::id>{std::this_thread::get_id()});
    }
    run_in_parallel(0, 4, [](std::size_t) { FAIL("no task to run"); });
}

TEST_CASE("run_in_parallel: thread_count is between 1 and the number of tasks") {
    CHECK(thread_count(1, 10) == 1);
    CHECK(thread_count(4, 10) == 4);
    CHECK(thread_count(4, 3) == 3);
    CHECK(thread_count(4, 0) == 1);
    CHECK(thread_count(0, 1000) >= 1);
}

TEST_CASE("run_in_parallel: one thread runs the tasks in order") {
    std::vector<std::size_t> order;
    run_in_parallel(10, 1, [&](std::size_t i) { order.push_back(i); });
    CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("run_in_parallel: the exception of the lowest failing task, after all tasks ran") {
    for (std::size_t jobs : {1, 2, 4}) {
        INFO("jobs " << jobs);
        std::atomic<int> ran{0};
        try {
            run_in_parallel(50, jobs, [&](std::size_t i) {
                ++ran;
                // The later failure is thrown first in time, when threads take tasks in order.
                if (i == 40) throw std::runtime_error("task 40");
                if (i == 7) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    throw std::runtime_error("task 7");
                }
            });
            FAIL("no exception");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "task 7");
        }
        CHECK(ran == 50);
    }
}
