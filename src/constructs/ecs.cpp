#include "leafsynth/aws/ecs.hpp"

#include <algorithm>

#include "leafsynth/errors.hpp"
#include "leafsynth/fn.hpp"
#include "leafsynth/logical_id.hpp"
#include "leafsynth/stack.hpp"

namespace leafsynth::aws::ecs {

namespace {

const char* enabled(bool on) { return on ? "ENABLED" : "DISABLED"; }

// aws-cdk-lib's Names.uniqueId: the logical-id rule applied to the whole path below the App.
std::string unique_id(const Construct& construct) {
    std::vector<std::string> components;
    for (const Construct* c : construct.scopes())
        if (c->parent()) components.push_back(c->id());
    return make_unique_id(components);
}

Value strategy_value(const CapacityProviderStrategyItem& item) {
    Map m{{"CapacityProvider", item.capacity_provider}, {"Weight", item.weight}};
    if (item.base > 0) m["Base"] = item.base;
    return m;
}

} // namespace

AsgCapacityProvider::AsgCapacityProvider(Construct& scope, std::string id, AsgCapacityProviderProps props)
    : Construct(scope, std::move(id)) {
    if (!props.auto_scaling_group)
        throw ConstructError("'" + path() + "': a capacity provider needs an Auto Scaling group");
    // The group's name is accepted where its ARN is asked for (and is what CDK passes).
    Map provider{{"AutoScalingGroupArn", props.auto_scaling_group->group_name()},
                 {"ManagedDraining", enabled(props.managed_draining)},
                 {"ManagedScaling", Map{{"Status", enabled(props.managed_scaling)}}},
                 {"ManagedTerminationProtection", enabled(props.managed_termination_protection)}};
    resource_ = &make<CfnResource>(*this, this->id(), "AWS::ECS::CapacityProvider",
                                   Map{{"AutoScalingGroupProvider", std::move(provider)}});
}

Cluster::Cluster(Construct& scope, std::string id, ClusterProps props) : Construct(scope, std::move(id)) {
    Map properties;
    if (!props.cluster_name.is_null()) properties["ClusterName"] = props.cluster_name;
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::ECS::Cluster", std::move(properties));
}

CfnResource& Cluster::add_capacity_provider(const AsgCapacityProvider& provider, int weight) {
    if (!associations_) {
        // Its Ref to the cluster orders it after the cluster (and before it on deletion).
        associations_ = &make<CfnResource>(*this, id(), "AWS::ECS::ClusterCapacityProviderAssociations",
                                           Map{{"Cluster", cluster_name()}});
    }
    providers_.push_back(provider.capacity_provider_name());
    if (weight > 0) default_strategy_.push_back(strategy_value({provider.capacity_provider_name(), weight, 0}));
    return *associations_;
}

void Cluster::prepare() {
    if (associations_)
        associations_->render_properties(
            {{"CapacityProviders", providers_}, {"DefaultCapacityProviderStrategy", default_strategy_}});
}

Ec2TaskDefinition::Ec2TaskDefinition(Construct& scope, std::string id, Ec2TaskDefinitionProps props)
    : Construct(scope, std::move(id)) {
    task_role_ = &make<iam::Role>(*this, "TaskRole", iam::RoleProps{"ecs-tasks.amazonaws.com", {}, {}});
    execution_role_ = &make<iam::Role>(*this, "ExecutionRole", iam::RoleProps{"ecs-tasks.amazonaws.com", {}, {}});
    std::string family = props.family.empty() ? unique_id(*this) : props.family;
    resource_ = &make<CfnResource>(*this, "Resource", "AWS::ECS::TaskDefinition",
                                   Map{{"ExecutionRoleArn", execution_role_->arn()},
                                       {"Family", family},
                                       {"NetworkMode", props.network_mode},
                                       {"RequiresCompatibilities", List{"EC2"}},
                                       {"TaskRoleArn", task_role_->arn()}});
}

void Ec2TaskDefinition::add_container(ContainerDefinitionProps props) {
    for (const auto& c : containers_)
        if (c.props.name == props.name)
            throw ConstructError("'" + path() + "': a container named '" + props.name + "' already exists");
    if (props.stop_timeout_seconds &&
        (*props.stop_timeout_seconds < kMinStopTimeoutSeconds || *props.stop_timeout_seconds > kMaxStopTimeoutSeconds))
        throw ConstructError("'" + path() + "': container '" + props.name + "': stop timeout " +
                             std::to_string(*props.stop_timeout_seconds) + " s is outside what ECS accepts; use " +
                             std::to_string(kMinStopTimeoutSeconds) + " to " + std::to_string(kMaxStopTimeoutSeconds));
    containers_.push_back(Container{std::move(props), {}});
}

void Ec2TaskDefinition::add_efs_volume(const EfsVolume& volume) {
    for (const auto& v : volumes_)
        if (v.name == volume.name)
            throw ConstructError("'" + path() + "': a volume named '" + volume.name + "' already exists");
    volumes_.push_back(volume);
}

void Ec2TaskDefinition::add_mount_point(const std::string& container_name, const MountPoint& mount_point) {
    auto c = std::find_if(containers_.begin(), containers_.end(),
                          [&](const Container& x) { return x.props.name == container_name; });
    if (c == containers_.end())
        throw ConstructError("'" + path() + "': no container named '" + container_name + "'");
    bool known = std::any_of(volumes_.begin(), volumes_.end(),
                             [&](const EfsVolume& v) { return v.name == mount_point.source_volume; });
    if (!known) throw ConstructError("'" + path() + "': no volume named '" + mount_point.source_volume + "'");
    c->mount_points.push_back(mount_point);
}

LogConfiguration Ec2TaskDefinition::aws_logs(const logs::LogGroup& log_group, const std::string& stream_prefix) {
    log_group.grant_write(*execution_role_);
    log_group.grant_write(*task_role_);
    return LogConfiguration{"awslogs",
                            Map{{"awslogs-group", log_group.name()},
                                {"awslogs-region", Aws::region()},
                                {"awslogs-stream-prefix", stream_prefix}}};
}

void Ec2TaskDefinition::prepare() {
    List definitions;
    for (const auto& c : containers_) {
        const auto& p = c.props;
        Map d{{"Essential", p.essential}, {"Image", p.image}, {"Name", p.name}};
        if (p.memory_reservation_mib) d["MemoryReservation"] = *p.memory_reservation_mib;
        if (p.memory_limit_mib) d["Memory"] = *p.memory_limit_mib;
        if (!p.environment.empty()) {
            List env;
            for (const auto& [name, value] : p.environment) env.push_back(Map{{"Name", name}, {"Value", value}});
            d["Environment"] = env;
        }
        if (!p.port_mappings.empty()) {
            List ports;
            for (const auto& m : p.port_mappings)
                ports.push_back(Map{{"ContainerPort", m.container_port}, {"HostPort", m.host_port}, {"Protocol", m.protocol}});
            d["PortMappings"] = ports;
        }
        if (!c.mount_points.empty()) {
            List mounts;
            for (const auto& m : c.mount_points)
                mounts.push_back(Map{{"ContainerPath", m.container_path},
                                     {"ReadOnly", m.read_only},
                                     {"SourceVolume", m.source_volume}});
            d["MountPoints"] = mounts;
        }
        if (p.stop_timeout_seconds) d["StopTimeout"] = *p.stop_timeout_seconds;
        if (p.logging) d["LogConfiguration"] = Map{{"LogDriver", p.logging->log_driver}, {"Options", p.logging->options}};
        definitions.push_back(std::move(d));
    }
    List volumes;
    for (const auto& v : volumes_) {
        Map efs{{"FilesystemId", v.file_system_id}, {"TransitEncryption", enabled(v.transit_encryption)}};
        Map auth;
        if (!v.access_point_id.is_null()) auth["AccessPointId"] = v.access_point_id;
        if (v.iam_authorization) auth["IAM"] = "ENABLED";
        if (!auth.empty()) efs["AuthorizationConfig"] = auth;
        volumes.push_back(Map{{"EFSVolumeConfiguration", std::move(efs)}, {"Name", v.name}});
    }
    Map rendered;
    if (!definitions.empty()) rendered["ContainerDefinitions"] = std::move(definitions);
    if (!volumes.empty()) rendered["Volumes"] = std::move(volumes);
    resource_->render_properties(std::move(rendered));
}

Ec2Service::Ec2Service(Construct& scope, std::string id, Ec2ServiceProps props)
    : Construct(scope, std::move(id)), cluster_(props.cluster) {
    if (!cluster_) throw ConstructError("'" + path() + "': a service needs a cluster");
    Map properties{
        {"Cluster", cluster_->cluster_name()},
        {"DeploymentConfiguration",
         Map{{"MaximumPercent", props.maximum_percent}, {"MinimumHealthyPercent", props.minimum_healthy_percent}}},
        {"DesiredCount", props.desired_count},
        {"EnableECSManagedTags", false},
        {"SchedulingStrategy", "REPLICA"},
        {"TaskDefinition", props.task_definition}};
    // Without a strategy ECS uses the cluster's default strategy, or else the EC2 launch type.
    if (!props.capacity_provider_strategies.empty()) {
        List strategy;
        for (const auto& item : props.capacity_provider_strategies) strategy.push_back(strategy_value(item));
        properties["CapacityProviderStrategy"] = strategy;
    }
    if (!props.service_name.is_null()) properties["ServiceName"] = props.service_name;
    resource_ = &make<CfnResource>(*this, "Service", "AWS::ECS::Service", std::move(properties));
}

void Ec2Service::prepare() {
    // Deleted before the association, which ECS refuses to remove while a service uses the provider.
    CfnResource* associations = cluster_->capacity_provider_associations();
    if (associations && &associations->stack() == &resource_->stack()) resource_->add_depends_on(*associations);
}

} // namespace leafsynth::aws::ecs
