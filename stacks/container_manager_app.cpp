#include "leafsynth/containermanager/container_manager_app.hpp"

#include "leafsynth/containermanager/link_together_stack.hpp"
#include "leafsynth/tags.hpp"

namespace leafsynth::containermanager {

void build_container_manager(App& app, const BaseConfig& base_config, const std::vector<LeafInput>& leaves,
                             const StackContext& context_in, std::size_t jobs) {
    StackContext context = context_in;
    if (context.lambda_dir.empty()) context.lambda_dir = default_lambda_dir();
    const std::string app_id = application_id(context.maturity);

    auto& base = own<BaseStack>(app, base_config, context);
    Tags::of(base).add("ApplicationId", app_id);

    // A leaf's stacks read the base stack and change nothing outside themselves.
    app.build_children_in_parallel(leaves.size(), jobs, [&](std::size_t i) {
        const LeafInput& leaf = leaves[i];
        LeafNames names = leaf_names(context.maturity, leaf.container_id, base_config.domain.name);
        auto& domain = own<DomainStack>(app, names, base, context);
        auto& main = own<LeafStack>(app, names, leaf.config, base, domain, context);
        auto& link = own<LinkTogetherStack>(app, names, leaf.config, domain, main, context);
        // Deployment order Base -> Domain -> Leaf -> LinkTogether, even where no reference implies it.
        domain.add_dependency(base);
        main.add_dependency(domain);
        link.add_dependency(main);
        for (Stack* s : std::initializer_list<Stack*>{&domain, &main, &link}) {
            Tags::of(*s).add("ApplicationId", app_id);
            Tags::of(*s).add("ContainerId", names.container_id);
            Tags::of(*s).add("StackId", names.stack_id);
        }
    });
}

} // namespace leafsynth::containermanager
