#include "leafsynth/cfn_resource.hpp"

#include <algorithm>

#include "cfn/validate.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/tags.hpp"

namespace leafsynth {

CfnResource::CfnResource(Construct& scope, std::string id, std::string type, Map properties)
    : CfnElement(scope, std::move(id)), type_(std::move(type)), properties_(std::move(properties)) {
    auto [format, property] = TagManager::format_of(type_);
    if (format != TagType::NotTaggable) {
        tags_ = std::make_unique<TagManager>(format, property);
        // Tags given in the properties become initial tags (priority 50, as in CDK), so
        // Tags::of() can still override them and the tag property is rendered in one place.
        auto it = properties_.find(property);
        if (it != properties_.end() && format == TagType::LaunchTemplate && it->second.is_list()) {
            // `TagSpecifications`: the launch template's own tags, in entries of ResourceType
            // `launch-template` (the only type CloudFormation takes there).
            auto field = [](const Value& v, const char* key) -> const Value* {
                if (!v.is_map()) return nullptr;
                auto f = v.as_map().find(key);
                return f == v.as_map().end() ? nullptr : &f->second;
            };
            List given_tags;
            for (const auto& spec : it->second.as_list()) {
                const Value* type = field(spec, "ResourceType");
                if (!type || !type->is_string() || type->as_string() != "launch-template")
                    throw ConstructError("'" + path() + "': " + property +
                                         " of an AWS::EC2::LaunchTemplate takes only entries of ResourceType "
                                         "'launch-template'; put the tags of launched resources in "
                                         "LaunchTemplateData.TagSpecifications");
                if (const Value* t = field(spec, "Tags"); t && t->is_list())
                    for (const auto& tag : t->as_list()) given_tags.push_back(tag);
            }
            it->second = std::move(given_tags);
        }
        if (it != properties_.end()) {
            const Value& given = it->second;
            if (given.is_list()) {
                for (const auto& t : given.as_list()) {
                    if (!t.is_map()) continue;
                    const auto& m = t.as_map();
                    auto k = m.find("Key");
                    auto v = m.find("Value");
                    if (k == m.end() || v == m.end() || !k->second.is_string() || v->second.is_null()) continue;
                    auto p = m.find("PropagateAtLaunch");
                    bool propagate = p == m.end() || !p->second.is_bool() || p->second.as_bool();
                    // The value may be unresolved (e.g. a Ref); it is kept as given.
                    tags_->set_tag_value(k->second.as_string(), v->second, 50, propagate);
                }
                properties_.erase(it);
            } else if (given.is_map() && format == TagType::Map) {
                for (const auto& [k, v] : given.as_map())
                    if (!v.is_null()) tags_->set_tag_value(k, v, 50);
                properties_.erase(it);
            }
        }
    }
}

CfnResource::~CfnResource() = default;

void CfnResource::set_property(const std::string& path, Value value) {
    Map* target = &properties_;
    std::size_t start = 0;
    for (;;) {
        std::size_t dot = path.find('.', start);
        std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (dot == std::string::npos) {
            if (value.is_null()) target->erase(key);
            else (*target)[key] = std::move(value);
            return;
        }
        Value& next = (*target)[key];
        if (!next.is_map()) next = Map{};
        target = &next.as_map();
        start = dot + 1;
    }
}

Value CfnResource::ref() const {
    Intrinsic i{Intrinsic::Kind::Ref, {}, this, nullptr, {}};
    return Value(std::move(i));
}

Value CfnResource::get_att(std::string attribute) const {
    Intrinsic i{Intrinsic::Kind::GetAtt, {}, this, nullptr, std::move(attribute)};
    return Value(std::move(i));
}

void CfnResource::add_depends_on(const CfnResource& other) {
    if (&other == this) throw ConstructError("'" + path() + "' cannot depend on itself");
    if (std::find(depends_on_.begin(), depends_on_.end(), &other) == depends_on_.end())
        depends_on_.push_back(&other);
}

void CfnResource::apply_removal_policy(RemovalPolicy policy) { removal_policy_ = policy; }

std::vector<std::string> CfnResource::validate() const { return cfn::detail::schema_findings(*this); }

void CfnResource::add_metadata(const std::string& key, Value value) { metadata_[key] = std::move(value); }

} // namespace leafsynth
