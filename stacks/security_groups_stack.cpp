#include "leafsynth/containermanager/security_groups_stack.hpp"

#include <set>
#include <utility>

#include "leafsynth/aws/ec2.hpp"
#include "leafsynth/containermanager/base_stack.hpp"

namespace leafsynth::containermanager {

namespace ec2 = aws::ec2;

SecurityGroupsStack::SecurityGroupsStack(Construct& scope, const LeafNames& names, const LeafConfig& config,
                                         const BaseStack& base)
    : NestedStack(scope, "SecurityGroups", StackProps{{}, "Security Group Logic for " + names.leaf_stack, {}}) {
    auto& container = make<ec2::SecurityGroup>(
        *this, "SgContainerTraffic",
        ec2::SecurityGroupProps{base.vpc_id(), "(" + names.container_id + "): Traffic for the Container", true,
                                names.leaf_stack + "/sg-container-traffic"});
    container.add_ingress_rule(ec2::tcp_rule(22, "0.0.0.0/0", "Allow SSH traffic IN"));
    // EC2 rejects a group with the same rule twice (e.g. a configured TCP 22, or a port listed twice).
    std::set<std::pair<std::string, int>> seen{{"tcp", 22}};
    for (const auto& port : config.container.ports) {
        std::string protocol(to_string(port.protocol));
        if (!seen.insert({protocol, port.port}).second) continue;
        container.add_ingress_rule(ec2::port_rule(
            protocol, port.port, "0.0.0.0/0",
            "Game port: allow " + protocol + " traffic IN from " + std::to_string(port.port)));
    }

    auto& efs = make<ec2::SecurityGroup>(
        *this, "SgEfsTraffic",
        ec2::SecurityGroupProps{base.vpc_id(), "(" + names.container_id + "): Traffic for the EFS instance", false,
                                names.leaf_stack + "/sg-efs-traffic"});
    efs.add_ingress_from(container, "tcp", 2049, "Allow EFS traffic IN - from container");

    container_sg_id_ = container.group_id();
    efs_sg_id_ = efs.group_id();
}

} // namespace leafsynth::containermanager
