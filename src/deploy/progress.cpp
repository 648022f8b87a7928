#include "deploy/progress.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "leafsynth/errors.hpp"

namespace leafsynth::deploy {

std::string duration_text(std::chrono::milliseconds d) {
    const auto s = d.count() / 1000;
    return s >= 60 ? fmt::format("{}m{:02}s", s / 60, s % 60) : fmt::format("{}.{}s", s, (d.count() % 1000) / 100);
}

std::string event_line(const std::string& stack, const std::string& region, const aws_api::StackEvent& e) {
    const std::string where = e.stack_name == stack || e.stack_name.empty() ? stack : stack + " > " + e.stack_name;
    return fmt::format("{}  {} ({})  {}  {} {}{}", e.timestamp, where, region, e.status, e.resource_type, e.logical_id,
                       e.status_reason.empty() ? "" : "  " + one_line_excerpt(e.status_reason, 300));
}

std::function<void(const aws_api::StackEvent&)> event_follower(ProgressView& print, Progress mode, const std::string& stack,
                                                               const std::string& region) {
    switch (mode) {
    case Progress::Live: return [&print, stack](const aws_api::StackEvent& e) { print.event(stack, e); };
    case Progress::Events:
        return [&print, stack, region](const aws_api::StackEvent& e) { print.line(event_line(stack, region, e)); };
    case Progress::Quiet: break;
    }
    return {};
}

ProgressView::ProgressView(std::ostream* out, bool live) : out_(out), live_(live && out) {
    if (!live_) return;
    ticker_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            tick_.wait_for(lock, std::chrono::seconds(1));
            if (!stopping_ && !running_.empty()) draw_locked(); // the elapsed times move on
        }
    });
}

ProgressView::~ProgressView() { stop(); }

void ProgressView::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        if (live_) erase_locked();
    }
    tick_.notify_all();
    if (ticker_.joinable()) ticker_.join();
}

void ProgressView::erase_locked() {
    if (drawn_ > 0) *out_ << "\x1b[" << drawn_ << "F\x1b[J"; // up to the block's first line, clear below
    drawn_ = 0;
}

void ProgressView::draw_locked() {
    erase_locked();
    const auto now = std::chrono::steady_clock::now();
    for (const auto& name : order_) {
        const Running& r = running_.at(name);
        std::size_t done = 0;
        std::vector<std::string> busy;
        for (const auto& [key, status] : r.latest) {
            if (status.ends_with("_COMPLETE") || status.ends_with("_SKIPPED")) ++done; // DELETE_SKIPPED: retained
            else if (status.ends_with("_IN_PROGRESS")) busy.push_back(key.substr(key.find('\n') + 1));
        }
        std::string busy_text;
        for (std::size_t i = 0; i < busy.size() && i < 3; ++i) busy_text += (i ? ", " : "") + busy[i];
        if (busy.size() > 3) busy_text += fmt::format(" and {} more", busy.size() - 3);
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - r.started).count();
        *out_ << fmt::format("  {:<48} {:<10} {:<28} {:>4}/{:<4} {:>4}s  {}\n", name, r.region, r.status,
                             std::min(done, r.total), r.total, seconds, busy_text);
        ++drawn_;
    }
    out_->flush();
}

void ProgressView::line(const std::string& text) {
    if (!out_) return;
    std::lock_guard lock(mutex_);
    if (live_) erase_locked();
    *out_ << text << "\n";
    if (live_ && !stopping_) draw_locked();
    out_->flush();
}

void ProgressView::stack_started(const std::string& stack, const std::string& region, std::size_t total) {
    if (!live_) return;
    std::lock_guard lock(mutex_);
    Running r;
    r.region = region;
    r.total = total;
    r.started = std::chrono::steady_clock::now();
    running_[stack] = std::move(r);
    order_.push_back(stack);
    if (!stopping_) draw_locked();
}

void ProgressView::event(const std::string& stack, const aws_api::StackEvent& e) {
    if (!live_) return;
    std::lock_guard lock(mutex_);
    auto it = running_.find(stack);
    if (it == running_.end()) return;
    if (e.resource_type == "AWS::CloudFormation::Stack" && e.logical_id == e.stack_name) {
        if (e.stack_name == stack) it->second.status = e.status; // the stack's own status
        return;                                                  // a nested stack's own events count as its resource
    }
    it->second.latest[e.stack_id + "\n" + e.logical_id] = e.status;
    if (!stopping_) draw_locked();
}

void ProgressView::stack_finished(const std::string& stack) {
    if (!live_) return;
    std::lock_guard lock(mutex_);
    running_.erase(stack);
    std::erase(order_, stack);
    if (!stopping_) draw_locked();
}

} // namespace leafsynth::deploy
