#include "leafsynth/cfn_resource.hpp"

#include <algorithm>

#include "cfn/validate.hpp"
#include "detail/property_path.hpp"
#include "leafsynth/errors.hpp"
#include "leafsynth/tags.hpp"

namespace leafsynth {

CfnResource::CfnResource(Construct& scope, std::string id, std::string type, Map properties)
    : CfnElement(scope, std::move(id)), type_(std::move(type)), properties_(std::move(properties)) {
    mark_kind(ConstructKind::Resource);
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

namespace {

/// `over` (given at creation and with set_property) merged onto `under` (what the owning construct
/// rendered): maps key by key, a map of list indices into a list element by element (a set_property
/// path through a rendered list); anything else in `over` replaces. `at` is the path so far.
Value layered(const Value& under, const Value& over, std::vector<std::string>& at, std::vector<std::string>& problems) {
    if (!over.is_map() || !(under.is_map() || under.is_list())) return over;
    Value out = under;
    for (const auto& [key, value] : over.as_map()) {
        at.push_back(key);
        if (out.is_map()) {
            Map& m = out.as_map();
            auto it = m.find(key);
            if (it == m.end()) m.emplace(key, value);
            else it->second = layered(it->second, value, at, problems);
        } else {
            List& l = out.as_list();
            const auto index = detail::list_index(key);
            const std::string path = detail::join_property_path(at, at.size());
            if (!index) problems.push_back(detail::not_an_index("set_property", path, at, at.size() - 1, l.size()));
            else if (*index >= l.size())
                problems.push_back(detail::index_past_end("set_property", path, at, at.size() - 1, l.size()) +
                                   " (the list is rendered by the construct that owns this resource)");
            else l[*index] = layered(l[*index], value, at, problems);
        }
        at.pop_back();
    }
    return out;
}

[[noreturn]] void fail_at(const CfnResource& resource, const std::string& message) {
    throw ConstructError("'" + resource.path() + "': " + message);
}

} // namespace

const Map& CfnResource::properties() const {
    if (rendered_.empty()) return properties_;
    if (!merged_current_) {
        std::vector<std::string> at;
        merge_problems_.clear();
        merged_ = layered(Value(rendered_), Value(properties_), at, merge_problems_).as_map();
        merged_current_ = true;
    }
    return merged_;
}

void CfnResource::render_properties(Map rendered) {
    rendered_ = std::move(rendered);
    merged_current_ = false;
}

std::vector<std::string> CfnResource::validate() const {
    (void)properties();
    std::vector<std::string> problems = rendered_.empty() ? std::vector<std::string>{} : merge_problems_;
    for (auto& f : cfn::detail::schema_findings(*this)) problems.push_back(std::move(f));
    return problems;
}

void CfnResource::set_property(const std::string& path, Value value) {
    const std::vector<std::string> segments = detail::split_property_path(path, this->path(), "set_property");
    merged_current_ = false;
    Map* map = &properties_; // the level being walked is a map ...
    List* list = nullptr;    // ... or a list
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& key = segments[i];
        const bool last = i + 1 == segments.size();
        Value* slot = nullptr;
        if (list) {
            const auto index = detail::list_index(key);
            if (!index) fail_at(*this, detail::not_an_index("set_property", path, segments, i, list->size()));
            if (*index >= list->size()) {
                if (value.is_null()) return; // removing what is not there
                fail_at(*this, detail::index_past_end("set_property", path, segments, i, list->size()));
            }
            if (last) {
                if (value.is_null()) list->erase(list->begin() + static_cast<std::ptrdiff_t>(*index));
                else (*list)[*index] = std::move(value);
                return;
            }
            slot = &(*list)[*index];
        } else {
            if (last) {
                if (value.is_null()) map->erase(key);
                else (*map)[key] = std::move(value);
                return;
            }
            auto it = map->find(key);
            if (it == map->end()) {
                if (value.is_null()) return;
                it = map->emplace(key, Map{}).first;
            }
            slot = &it->second;
        }
        if (slot->is_list()) {
            list = &slot->as_list();
            map = nullptr;
            continue;
        }
        if (!slot->is_map()) {
            if (value.is_null()) return;
            *slot = Map{};
        }
        map = &slot->as_map();
        list = nullptr;
    }
}

void CfnResource::add_override(const std::string& path, Value value) {
    overrides_.push_back({path, detail::split_property_path(path, this->path(), "add_override"), std::move(value)});
}

void CfnResource::add_deletion_override(const std::string& path) { add_override(path, Value()); }

void CfnResource::add_property_override(const std::string& path, Value value) {
    add_override("Properties." + path, std::move(value));
}

void CfnResource::add_property_deletion_override(const std::string& path) {
    add_property_override(path, Value());
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

void CfnResource::add_metadata(const std::string& key, Value value) { metadata_[key] = std::move(value); }

} // namespace leafsynth
