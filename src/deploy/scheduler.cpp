#include "deploy/scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace leafsynth::deploy {

void run_in_order(const std::vector<std::vector<std::size_t>>& waits, int workers,
                  const std::function<void(std::size_t, std::size_t)>& task) {
    const std::size_t n = waits.size();
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<bool> started(n, false), done(n, false);
    std::size_t remaining = n;
    auto ready = [&](std::size_t i) {
        return !started[i] && std::all_of(waits[i].begin(), waits[i].end(), [&](std::size_t d) { return done[d]; });
    };
    auto worker = [&](std::size_t number) {
        for (;;) {
            std::size_t next = n;
            {
                std::unique_lock lock(mutex);
                cv.wait(lock, [&] {
                    if (remaining == 0) return true;
                    for (std::size_t i = 0; i < n; ++i)
                        if (ready(i)) return true;
                    return false;
                });
                if (remaining == 0) return;
                for (std::size_t i = 0; i < n && next == n; ++i)
                    if (ready(i)) next = i;
                started[next] = true;
            }
            task(next, number);
            {
                std::lock_guard lock(mutex);
                done[next] = true;
                --remaining;
            }
            cv.notify_all();
        }
    };
    std::vector<std::thread> threads;
    const std::size_t count = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(std::max(workers, 1)), n));
    for (std::size_t t = 0; t < count && n > 0; ++t) threads.emplace_back(worker, t);
    for (auto& t : threads) t.join();
}

} // namespace leafsynth::deploy
