#include "leafsynth/bootstrap_contract.hpp"
#include "leafsynth/stack.hpp"

#include "detail/text.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/region.hpp"

#include <fstream>
#include <iterator>

#include "leafsynth/app.hpp"
#include "leafsynth/fn.hpp"

#include "leafsynth/cfn_element.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/logical_id.hpp"

namespace leafsynth {

Stack::Stack(Construct& scope, std::string id, StackProps props)
    : Construct(scope, std::move(id)), stack_name_(props.stack_name.empty() ? this->id() : props.stack_name),
      description_(std::move(props.description)), env_(std::move(props.env)),
      termination_protection_(props.termination_protection) {
    mark_kind(ConstructKind::Stack);
}

Stack& Stack::of(const Construct& construct) {
    for (const Construct* c = &construct; c != nullptr; c = c->parent()) {
        if (auto* s = construct_cast<Stack>(c)) return const_cast<Stack&>(*s);
    }
    throw ConstructError("'" + construct.path() + "' is not inside a Stack; create it under a Stack");
}

std::string Stack::artifact_id() const {
    // Top-level stacks use their id (as CDK does); nested paths would be flattened here.
    std::string out;
    for (char c : id())
        out.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '-');
    return out;
}

std::string Stack::template_file(bool yaml) const {
    return artifact_id() + (yaml ? ".template.yaml" : ".template.json");
}

std::string Stack::allocate_logical_id(const CfnElement& element) const {
    std::vector<std::string> components;
    bool below = false;
    for (const Construct* c : element.scopes()) {
        if (below) components.push_back(c->id());
        if (c == this) below = true;
    }
    return make_unique_id(components);
}

std::vector<CfnElement*> Stack::elements() const {
    std::vector<CfnElement*> out;
    std::vector<Construct*> todo(children().rbegin(), children().rend());
    while (!todo.empty()) {
        Construct* c = todo.back();
        todo.pop_back();
        if (construct_cast<Stack>(c)) continue; // a nested stack has its own template
        if (auto* e = construct_cast<CfnElement>(c)) out.push_back(e);
        for (auto it = c->children().rbegin(); it != c->children().rend(); ++it) todo.push_back(*it);
    }
    return out;
}

std::vector<std::string> Stack::validate() const {
    std::vector<std::string> errors;
    if (stack_name_.size() > 128)
        errors.push_back("stack name " + quote_excerpt(stack_name_) + " is " + std::to_string(stack_name_.size()) +
                         " characters long; CloudFormation allows at most 128");
    // `^[A-Za-z][A-Za-z0-9-]*$`
    if (stack_name_.empty() || !detail::is_letter(stack_name_.front()) ||
        !detail::all_of_length(stack_name_, 1, stack_name_.size(), [](char c) { return detail::is_alnum(c) || c == '-'; }))
        errors.push_back("stack name " + quote_excerpt(stack_name_) +
                         " is invalid; it must start with a letter and contain only letters, digits and '-'");
    if (description_.size() > 1024)
        errors.push_back("the description is " + std::to_string(description_.size()) +
                         " bytes long; CloudFormation allows at most 1024");
    if (!env_.account.empty() && !detail::all_of_length(env_.account, 12, 12, detail::is_digit))
        errors.push_back("account " + quote_excerpt(env_.account) + " is not a 12-digit AWS account id");
    if (!env_.region.empty() && !is_region_name(env_.region))
        errors.push_back("region " + quote_excerpt(env_.region) + " is not a region name such as 'us-east-1'");
    return errors;
}

} // namespace leafsynth

namespace leafsynth {

namespace {
const Stack& top_level(const Stack& s) {
    const Stack* cur = &s;
    for (const Construct* c = s.parent(); c != nullptr; c = c->parent())
        if (auto* st = construct_cast<Stack>(c)) cur = st;
    return *cur;
}

/// `${AWS::AccountId}` / `${AWS::Region}` replaced by the stack's concrete values when known.
std::string with_env(std::string text, const Environment& env) {
    auto replace = [&](const std::string& from, const std::string& to) {
        if (to.empty()) return;
        for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
            text.replace(at, from.size(), to);
    };
    replace("${AWS::AccountId}", env.account);
    replace("${AWS::Region}", env.region);
    return text;
}

Value sub_or_string(const std::string& text) {
    if (text.find("${") != std::string::npos) return Fn::sub(text);
    return Value(text);
}
} // namespace

AssetLocation Stack::asset_location(const std::string& hash, const std::string& extension) const {
    const auto* app = construct_cast<App>(&root());
    AssetSettings settings = app ? app->asset_settings() : AssetSettings{};
    std::string bucket = settings.bucket_name.empty()
                             ? bootstrap::assets_bucket_name("${AWS::AccountId}", "${AWS::Region}")
                             : settings.bucket_name;
    bucket = with_env(bucket, env_);
    std::string key = settings.prefix + hash + extension;
    AssetLocation loc;
    loc.hash = hash;
    loc.bucket_name = sub_or_string(bucket);
    loc.object_key = key;
    loc.s3_url = sub_or_string("s3://" + bucket + "/" + key);
    loc.http_url = Fn::sub(with_env("https://s3.${AWS::Region}.${AWS::URLSuffix}/", env_) + bucket + "/" + key);
    return loc;
}

AssetLocation Stack::add_asset(std::string contents, const std::string& extension, const std::string& display_name) {
    std::string hash = sha256_hex(contents);
    auto& owner = const_cast<Stack&>(top_level(*this));
    bool known = false;
    for (const auto& a : owner.assets_) known = known || a.hash == hash;
    if (!known) owner.assets_.push_back(Asset{hash, "asset." + hash + extension, display_name, std::move(contents)});
    return asset_location(hash, extension);
}

AssetLocation Stack::add_directory_asset(const std::filesystem::path& dir, const std::string& display_name) {
    return add_asset(zip_directory(dir), ".zip", display_name);
}

AssetLocation Stack::add_file_asset(const std::filesystem::path& file, const std::string& display_name) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError("asset '" + file.string() + "' cannot be read; check the path");
    std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string ext = file.extension().string();
    return add_asset(std::move(contents), ext, display_name);
}

} // namespace leafsynth
