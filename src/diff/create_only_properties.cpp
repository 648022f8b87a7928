// A type's create-only properties from its schema: a property marked "replaces" is create-only,
// "may replace" conditionally so; inside property types the paths go on below the property ('*'
// for any item of a list or value of a map), the marked ones below a marked one included.

#include "diff/create_only_properties.hpp"

#include <map>
#include <memory>
#include <mutex>

#include "cfn/schema.hpp"

namespace leafsynth::detail {

namespace {

using cfn::detail::PropertyMap;
using cfn::detail::ResourceSchema;
using cfn::detail::TypeSpec;

void collect(const ResourceSchema& s, const PropertyMap& props, const std::string& prefix, CreateOnlyEntry& out,
             int depth) {
    for (const auto& [name, spec] : props) {
        const std::string path = prefix.empty() ? name : prefix + "." + name;
        // the paths below a create-only property are listed too when marked, so the diff can name
        // the most specific one that changed
        if (spec.replaces) out.always.push_back(path);
        else if (spec.may_replace) out.conditional.push_back(path);
        if (depth > 8) continue; // recursive property types: deeper levels add nothing new
        std::string below = path;
        const TypeSpec* t = &spec.type;
        while (t->kind == TypeSpec::Kind::List || t->kind == TypeSpec::Kind::Map) {
            below += ".*";
            t = &t->items.at(0);
        }
        if (t->kind != TypeSpec::Kind::Struct) continue;
        auto def = s.structs.find(t->struct_name);
        if (def != s.structs.end()) collect(s, def->second, below, out, depth + 1);
    }
}

} // namespace

const CreateOnlyEntry* find_create_only(const std::string& type) {
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<CreateOnlyEntry>, std::less<>> cache;
    std::lock_guard lock(mutex);
    auto it = cache.find(type);
    if (it != cache.end()) return it->second.get();
    const ResourceSchema* s = cfn::detail::find_schema(type);
    std::unique_ptr<CreateOnlyEntry> entry;
    if (s) {
        entry = std::make_unique<CreateOnlyEntry>();
        entry->type = type;
        collect(*s, s->properties, "", *entry, 0);
    }
    return cache.emplace(type, std::move(entry)).first->second.get();
}

} // namespace leafsynth::detail
