#pragma once
/// @file progress.hpp
/// What a deploy shows while it runs. Lines (a stack starting, its change set, its result) go to
/// the output as they come, never interleaved. On a terminal, the live view keeps a block at the
/// bottom with one line per stack in progress: stack, region, status, resources done/total (nested
/// stacks included), elapsed time and the resources in progress, redrawn as events arrive and
/// every second. Otherwise each stack event can be one line of its own (`--progress events`).
/// Internal to the leafsynth CLI (not installed).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "aws_api/cloudformation.hpp"

namespace leafsynth::deploy {

/// How progress is shown.
enum class Progress {
    Live,   ///< On a terminal: a block of lines redrawn per stack in progress (ProgressView).
    Events, ///< One line per stack event, with its time (CI logs, `--progress events`).
    Quiet   ///< Only each stack's start and end.
};

/// A duration as the final tables show it: `4.2s`, `3m07s`.
std::string duration_text(std::chrono::milliseconds d);

/// One stack event as `--progress events` prints it: time, stack (a nested stack's events name it
/// after its parent, `Parent > Nested-ABC123`) and region, status, type, logical id, reason.
std::string event_line(const std::string& stack, const std::string& region, const aws_api::StackEvent& e);

class ProgressView;

/// Where the stack events of `stack` go as `mode` shows them: into `print`'s live block, as lines
/// of their own (`event_line`), or nowhere (an empty function, for Quiet).
std::function<void(const aws_api::StackEvent&)> event_follower(ProgressView& print, Progress mode, const std::string& stack,
                                                               const std::string& region);

/// The output of a deploy: plain lines, and the live block when `live`.
class ProgressView {
public:
    /// Writes to `out` (nullptr: nowhere); with `live`, keeps the block redrawn (a terminal).
    ProgressView(std::ostream* out, bool live);
    ~ProgressView();
    ProgressView(const ProgressView&) = delete;
    ProgressView& operator=(const ProgressView&) = delete;

    /// A line of its own, above the live block.
    void line(const std::string& text);
    /// A stack starts: `total` resources in its template and nested templates.
    void stack_started(const std::string& stack, const std::string& region, std::size_t total);
    /// A stack event of `stack` (or of one of its nested stacks).
    void event(const std::string& stack, const aws_api::StackEvent& e);
    /// A stack is done: it leaves the block.
    void stack_finished(const std::string& stack);
    /// Ends the live block (the final frame is erased); also done by the destructor.
    void stop();
    /// The mutex that keeps output whole (held while asking a question on the terminal).
    std::mutex& mutex() { return mutex_; }

private:
    struct Running {
        std::string region;
        std::size_t total = 0;
        std::string status = "CHANGE SET";
        std::map<std::string, std::string> latest; // stack id + logical id -> latest status
        std::chrono::steady_clock::time_point started;
    };
    void draw_locked();
    void erase_locked();

    std::ostream* out_;
    bool live_;
    std::mutex mutex_;
    std::condition_variable tick_;
    bool stopping_ = false;
    std::size_t drawn_ = 0; // lines of the block on the screen
    std::vector<std::string> order_;
    std::map<std::string, Running> running_;
    std::thread ticker_;
};

} // namespace leafsynth::deploy
