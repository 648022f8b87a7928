#include "detail/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

namespace leafsynth::detail {

std::size_t thread_count(std::size_t jobs, std::size_t tasks) {
    std::size_t n = jobs ? jobs : std::max<std::size_t>(1, std::thread::hardware_concurrency());
    return std::max<std::size_t>(1, std::min(n, tasks));
}

void run_in_parallel(std::size_t count, std::size_t jobs, const std::function<void(std::size_t)>& task) {
    const std::size_t threads = thread_count(jobs, count);
    std::vector<std::exception_ptr> failures(count);
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i = next++; i < count; i = next++) {
            try {
                task(i);
            } catch (...) {
                failures[i] = std::current_exception();
            }
        }
    };
    if (threads == 1) {
        work();
    } else {
        std::vector<std::thread> pool;
        pool.reserve(threads - 1);
        try {
            for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
        } catch (...) {
            // No thread to be had: the ones started and this one do the work.
        }
        work();
        for (auto& t : pool) t.join();
    }
    for (auto& f : failures)
        if (f) std::rethrow_exception(f);
}

} // namespace leafsynth::detail
