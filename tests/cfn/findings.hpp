#pragma once
// The schema tests' view of a ValidationError: its messages, and the one among them that says something.
#include <catch2/catch.hpp>

#include <leafsynth/leafsynth.hpp>

#include <string>
#include <vector>

/// The messages of the ValidationError that synthesizing `app` throws (none: the app is valid).
inline std::vector<std::string> findings(leafsynth::App& app) {
    try {
        app.synth();
    } catch (const leafsynth::ValidationError& e) {
        return e.messages();
    }
    return {};
}

/// The one finding that contains `text` (fails the test when there is not exactly one).
inline std::string the_finding(const std::vector<std::string>& all, const std::string& text) {
    std::vector<std::string> hits;
    for (const auto& m : all)
        if (m.find(text) != std::string::npos) hits.push_back(m);
    INFO("findings: " << Catch::Detail::stringify(all));
    REQUIRE(hits.size() == 1);
    return hits[0];
}
