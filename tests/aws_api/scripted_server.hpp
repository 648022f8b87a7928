#pragma once
// A scripted HTTP/1.1 server on 127.0.0.1 for the AWS API tests: each request gets the next
// scripted reply (the last one repeats) and is recorded. Started by its constructor, stopped and
// joined by its destructor.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

/// One scripted answer: a status and body (and extra `Name: value` header lines), or `hang`
/// (read the request, never answer). The answer to a HEAD request has no body but its
/// Content-Length is the body's size.
struct Reply {
    int status = 200;
    std::string body;
    bool hang = false;
    std::vector<std::string> headers{};
};

/// A request as the server saw it.
struct Seen {
    std::string head; // request line and headers
    std::string body;
};

/// An HTTP/1.1 server on 127.0.0.1 that answers each request with the next scripted reply (the
/// last one repeats) and records every request. Stopped (and joined) by its destructor.
class ScriptedServer {
public:
    explicit ScriptedServer(std::deque<Reply> replies) : replies_(std::move(replies)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        REQUIRE(::listen(fd_, 16) == 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptedServer() {
        stop_ = true;
        thread_.join();
        for (int c : hung_) ::close(c);
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<Seen> seen() {
        std::lock_guard lock(mutex_);
        return seen_;
    }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            if (handle(c)) hung_.push_back(c); // kept open, unanswered, until the server stops
            else ::close(c);
        }
    }
    /// Answers one request; true when the reply is to hang (the connection stays open).
    bool handle(int c) {
        std::string data;
        char buf[4096];
        std::size_t header_end = std::string::npos, want = 0;
        while (!stop_) {
            pollfd p{c, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0) return false;
            data.append(buf, static_cast<std::size_t>(n));
            if (header_end == std::string::npos && (header_end = data.find("\r\n\r\n")) != std::string::npos) {
                const auto cl = data.find("Content-Length: ");
                want = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
            }
            if (header_end != std::string::npos && data.size() >= header_end + 4 + want) break;
        }
        Reply reply;
        {
            std::lock_guard lock(mutex_);
            seen_.push_back({data.substr(0, header_end), data.substr(header_end + 4)});
            reply = replies_.front();
            if (replies_.size() > 1) replies_.pop_front();
        }
        if (reply.hang) return true;
        std::string extra;
        for (const std::string& h : reply.headers) extra += h + "\r\n";
        const bool head = data.rfind("HEAD ", 0) == 0;
        const std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Type: text/xml\r\n" +
                                extra + "Connection: close\r\nContent-Length: " + std::to_string(reply.body.size()) +
                                "\r\n\r\n" + (head ? std::string() : reply.body);
        (void)::write(c, out.data(), out.size());
        return false;
    }

    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::deque<Reply> replies_;
    std::vector<Seen> seen_;
    std::vector<int> hung_;
    std::thread thread_;
};

/// An AWS query API error answer.
[[maybe_unused]] std::string error_body(const std::string& code, const std::string& message) {
    return "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type>"
           "<Code>" + code + "</Code><Message>" + message + "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
}

} // namespace
