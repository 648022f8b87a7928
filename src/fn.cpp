#include "leafsynth/fn.hpp"

#include <cstdio>

namespace leafsynth {

namespace {
Value call(Intrinsic::Kind kind, std::vector<Value> args) {
    Intrinsic i{kind, std::move(args), nullptr, nullptr, {}};
    return Value(std::move(i));
}
Value pseudo(const char* name) {
    Intrinsic i{Intrinsic::Kind::Ref, {}, nullptr, nullptr, name};
    return Value(std::move(i));
}
} // namespace

namespace Fn {
Value sub(std::string body) { return call(Intrinsic::Kind::Sub, {std::move(body)}); }
Value sub(std::string body, Map variables) {
    if (variables.empty()) return sub(std::move(body));
    return call(Intrinsic::Kind::Sub, {std::move(body), std::move(variables)});
}
Value join(std::string delimiter, List values) {
    return call(Intrinsic::Kind::Join, {std::move(delimiter), std::move(values)});
}
Value join(std::string delimiter, Value list) {
    return call(Intrinsic::Kind::Join, {std::move(delimiter), std::move(list)});
}
Value select(int index, Value list) { return call(Intrinsic::Kind::Select, {index, std::move(list)}); }
Value split(std::string delimiter, Value source) {
    return call(Intrinsic::Kind::Split, {std::move(delimiter), std::move(source)});
}
Value get_azs(Value region) { return call(Intrinsic::Kind::GetAZs, {std::move(region)}); }
Value import_value(Value export_name) { return call(Intrinsic::Kind::ImportValue, {std::move(export_name)}); }
Value if_(const CfnCondition& condition, Value when_true, Value when_false) {
    Intrinsic i{Intrinsic::Kind::If, {std::move(when_true), std::move(when_false)}, nullptr, &condition, {}};
    return Value(std::move(i));
}
Value base64(Value value) { return call(Intrinsic::Kind::Base64, {std::move(value)}); }
Value find_in_map(Value map_name, Value top_key, Value second_key) {
    return call(Intrinsic::Kind::FindInMap, {std::move(map_name), std::move(top_key), std::move(second_key)});
}
Value cidr(Value ip_block, Value count, Value cidr_bits) {
    return call(Intrinsic::Kind::Cidr, {std::move(ip_block), std::move(count), std::move(cidr_bits)});
}
namespace {
void json_string_content(const Value& v, List& out);

// Appends literal text to the pieces, merging it with a literal piece before it.
void append_text(List& out, const std::string& s) {
    if (!out.empty() && out.back().is_string()) out.back() = Value(out.back().as_string() + s);
    else out.push_back(s);
}

// A string as a JSON string literal, quotes included.
std::string quoted_json(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
        switch (c) {
        case '"': q += "\\\""; break;
        case '\\': q += "\\\\"; break;
        case '\n': q += "\\n"; break;
        case '\r': q += "\\r"; break;
        case '\t': q += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                q += buf;
            } else {
                q += c;
            }
        }
    }
    return q + "\"";
}

void json_pieces(const Value& v, List& out) {
    auto text = [&](const std::string& s) { append_text(out, s); };
    auto quoted = [](const std::string& s) { return quoted_json(s); };
    if (v.is_null()) text("null");
    else if (v.is_bool()) text(v.as_bool() ? "true" : "false");
    else if (v.is_int()) text(std::to_string(v.as_int()));
    else if (v.is_double()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v.as_double());
        text(buf);
    } else if (v.is_string()) text(quoted(v.as_string()));
    else if (v.is_list()) {
        text("[");
        bool first = true;
        for (const auto& e : v.as_list()) {
            if (!first) text(",");
            first = false;
            json_pieces(e, out);
        }
        text("]");
    } else if (v.is_map()) {
        text("{");
        bool first = true;
        for (const auto& [k, e] : v.as_map()) {
            if (e.is_null()) continue;
            if (!first) text(",");
            first = false;
            text(quoted(k) + ":");
            json_pieces(e, out);
        }
        text("}");
    } else {
        // An intrinsic stands for a string at deploy time.
        text("\"");
        json_string_content(v, out);
        text("\"");
    }
}

// The inside of a JSON string (without its quotes) standing for `v`, which is a string or an intrinsic.
// An `Fn::Join` with an empty delimiter over a literal list is spliced piece by piece, its literal pieces
// escaped, so `"SOURCE '" + <log group> + "'\n..."` stays valid JSON once resolved. Any other intrinsic
// is spliced as it is (its value must need no escaping, as names and ARNs do not).
void json_string_content(const Value& v, List& out) {
    if (v.is_string()) {
        const std::string q = quoted_json(v.as_string());
        append_text(out, q.substr(1, q.size() - 2));
        return;
    }
    if (v.is_int()) {
        append_text(out, std::to_string(v.as_int()));
        return;
    }
    if (v.is_intrinsic()) {
        const Intrinsic& i = v.as_intrinsic();
        if (i.kind == Intrinsic::Kind::Join && i.args.size() == 2 && i.args[0].is_string() &&
            i.args[0].as_string().empty() && i.args[1].is_list()) {
            for (const auto& piece : i.args[1].as_list()) json_string_content(piece, out);
            return;
        }
    }
    out.push_back(v);
}
} // namespace

Value to_json_string(const Value& value) {
    List pieces;
    json_pieces(value, pieces);
    if (pieces.size() == 1 && pieces.front().is_string()) return pieces.front();
    return join("", std::move(pieces));
}

Value equals(Value a, Value b) { return call(Intrinsic::Kind::Equals, {std::move(a), std::move(b)}); }
Value and_(List conditions) { return call(Intrinsic::Kind::And, std::move(conditions)); }
Value or_(List conditions) { return call(Intrinsic::Kind::Or, std::move(conditions)); }
Value not_(Value condition) { return call(Intrinsic::Kind::Not, {std::move(condition)}); }
Value condition(const CfnCondition& condition) {
    Intrinsic i{Intrinsic::Kind::Condition, {}, nullptr, &condition, {}};
    return Value(std::move(i));
}
} // namespace Fn

namespace Aws {
Value account_id() { return pseudo("AWS::AccountId"); }
Value region() { return pseudo("AWS::Region"); }
Value partition() { return pseudo("AWS::Partition"); }
Value stack_name() { return pseudo("AWS::StackName"); }
Value stack_id() { return pseudo("AWS::StackId"); }
Value url_suffix() { return pseudo("AWS::URLSuffix"); }
Value no_value() { return pseudo("AWS::NoValue"); }
Value notification_arns() { return pseudo("AWS::NotificationARNs"); }
} // namespace Aws

} // namespace leafsynth
