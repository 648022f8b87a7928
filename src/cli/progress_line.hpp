#pragma once
// One progress line on stderr for the commands that wait on AWS (diff against deployed stacks,
// drift): shown and redrawn in place only when stderr is a terminal, cleared when done.

#include <unistd.h>

#include <iostream>
#include <string>

namespace leafsynth::cli {

/// A progress line on stderr, only when stderr is a terminal; cleared when it goes.
class ProgressLine {
public:
    ProgressLine() : tty_(::isatty(STDERR_FILENO) == 1) {}
    ~ProgressLine() {
        if (tty_ && shown_) std::cerr << "\r\033[K" << std::flush;
    }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;
    /// Shows `leafsynth: <text>` in place of the previous line.
    void show(const std::string& text) {
        if (!tty_) return;
        shown_ = true;
        std::cerr << "\r\033[Kleafsynth: " << text << std::flush;
    }

private:
    bool tty_;
    bool shown_ = false;
};

} // namespace leafsynth::cli
