#include "leafsynth/errors.hpp"

namespace leafsynth {

namespace {
std::string join_messages(const std::vector<std::string>& messages) {
    std::string out = std::to_string(messages.size()) + (messages.size() == 1 ? " problem" : " problems") +
                      " found:";
    for (const auto& m : messages) out += "\n  " + m;
    return out;
}
} // namespace

ValidationError::ValidationError(std::vector<std::string> messages)
    : Error(join_messages(messages)), messages_(std::move(messages)) {}

} // namespace leafsynth
