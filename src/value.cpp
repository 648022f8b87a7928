#include "leafsynth/value.hpp"

namespace leafsynth {

bool operator==(const Value& a, const Value& b) {
    if (a.storage().index() != b.storage().index()) return false;
    if (a.is_intrinsic()) {
        const Intrinsic& x = a.as_intrinsic();
        const Intrinsic& y = b.as_intrinsic();
        return x.kind == y.kind && x.target == y.target && x.condition == y.condition && x.name == y.name &&
               x.args == y.args;
    }
    return a.storage() == b.storage();
}

bool is_unresolved(const Value& v) {
    if (v.is_intrinsic()) return true;
    if (v.is_list()) {
        for (const auto& e : v.as_list())
            if (is_unresolved(e)) return true;
    }
    if (v.is_map()) {
        for (const auto& [k, e] : v.as_map())
            if (is_unresolved(e)) return true;
    }
    return false;
}

} // namespace leafsynth
