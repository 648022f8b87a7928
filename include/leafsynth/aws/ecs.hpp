#pragma once
/// @file ecs.hpp
/// ECS on EC2: clusters with capacity-provider associations, Auto Scaling group capacity providers,
/// EC2 task definitions with their containers and EFS volumes, and EC2 services.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "leafsynth/aws/autoscaling.hpp"
#include "leafsynth/aws/iam.hpp"
#include "leafsynth/aws/logs.hpp"

namespace leafsynth::aws::ecs {

/// Options of an AsgCapacityProvider. Every managed feature is off unless asked for.
struct AsgCapacityProviderProps {
    const autoscaling::AutoScalingGroup* auto_scaling_group = nullptr; ///< The group (required).
    bool managed_scaling = false;                 ///< ECS sets the group's desired capacity.
    bool managed_termination_protection = false;  ///< ECS protects instances running tasks from scale-in.
    bool managed_draining = false;                ///< ECS drains instances before the group terminates them.
};

/// A capacity provider backed by an Auto Scaling group (`<id>/<id>`, as CDK names it).
class AsgCapacityProvider : public Construct {
public:
    /// Creates the capacity provider.
    AsgCapacityProvider(Construct& scope, std::string id, AsgCapacityProviderProps props);
    /// The `AWS::ECS::CapacityProvider` resource.
    CfnResource& resource() const { return *resource_; }
    /// Its name (its Ref).
    Value capacity_provider_name() const { return resource_->ref(); }

private:
    CfnResource* resource_;
};

/// One entry of a capacity provider strategy.
struct CapacityProviderStrategyItem {
    Value capacity_provider; ///< Capacity provider name.
    int weight = 1;          ///< Relative share of tasks.
    int base = 0;            ///< Tasks placed here first (written only when > 0).
};

/// Options of a Cluster.
struct ClusterProps {
    Value cluster_name; ///< Name (null: generated).
};

/// An ECS cluster (`<id>/Resource`). Capacity providers added to it are associated through one
/// `AWS::ECS::ClusterCapacityProviderAssociations` (`<id>/<id>`, as CDK names it), whose lists are
/// rendered once, in prepare().
class Cluster : public Construct {
public:
    /// Creates the cluster.
    Cluster(Construct& scope, std::string id, ClusterProps props = {});
    /// The `AWS::ECS::Cluster` resource.
    CfnResource& resource() const { return *resource_; }
    /// The cluster name (its Ref).
    Value cluster_name() const { return resource_->ref(); }
    /// The cluster ARN.
    Value cluster_arn() const { return resource_->get_att("Arn"); }
    /// Associates a capacity provider with the cluster; with `weight` > 0 it joins the cluster's
    /// default strategy. Returns the association resource (services using the provider must depend
    /// on it, so they are deleted before the association is).
    CfnResource& add_capacity_provider(const AsgCapacityProvider& provider, int weight = 1);
    /// The association resource, or nullptr before the first add_capacity_provider.
    CfnResource* capacity_provider_associations() const { return associations_; }
    /// Renders the associations' `CapacityProviders` and `DefaultCapacityProviderStrategy`.
    void prepare() override;

private:
    CfnResource* resource_;
    CfnResource* associations_ = nullptr;
    List providers_;
    List default_strategy_;
};

/// One port mapping of a container.
struct PortMapping {
    int container_port = 0;        ///< Port inside the container.
    int host_port = 0;             ///< Port on the host (bridge networking); 0: dynamic.
    std::string protocol = "tcp";  ///< `tcp` or `udp`.
};

/// One mount point of a container.
struct MountPoint {
    std::string container_path; ///< Where it is mounted in the container.
    std::string source_volume;  ///< The task-definition volume's name.
    bool read_only = false;     ///< Read-only mount.
};

/// A container's log configuration.
struct LogConfiguration {
    std::string log_driver; ///< e.g. `awslogs`.
    Map options;            ///< Driver options.
};

/// The shortest stop timeout ECS accepts for a container (`StopTimeout`), in seconds.
inline constexpr int kMinStopTimeoutSeconds = 2;
/// The longest stop timeout ECS accepts for a container on EC2 (as on Fargate), in seconds.
inline constexpr int kMaxStopTimeoutSeconds = 120;

/// Options of one container of a task definition.
struct ContainerDefinitionProps {
    std::string name;                      ///< Container name (unique in the task definition).
    std::string image;                     ///< Image, e.g. `itzg/minecraft-server`.
    bool essential = true;                 ///< The task stops when this container stops.
    std::optional<int> memory_reservation_mib; ///< Soft memory limit.
    std::optional<int> memory_limit_mib;   ///< Hard memory limit.
    std::vector<std::pair<std::string, std::string>> environment; ///< Environment, in order.
    std::vector<PortMapping> port_mappings; ///< Port mappings.
    std::optional<LogConfiguration> logging; ///< Log configuration.
    /// How long the container is given to exit after SIGTERM before it is killed (`StopTimeout`,
    /// kMinStopTimeoutSeconds to kMaxStopTimeoutSeconds); unset: the ECS agent's default (30 s).
    std::optional<int> stop_timeout_seconds;
};

/// An EFS volume of a task definition.
struct EfsVolume {
    std::string name;                ///< Volume name (letters, digits, `-`, `_`).
    Value file_system_id;            ///< The file system.
    Value access_point_id;           ///< Access point (null: none).
    bool iam_authorization = true;   ///< `AuthorizationConfig.IAM: ENABLED`: the task role's EFS permissions apply.
    bool transit_encryption = true;  ///< `TransitEncryption: ENABLED` (required with IAM authorization or an access point).
};

/// Options of an Ec2TaskDefinition.
struct Ec2TaskDefinitionProps {
    std::string network_mode = "bridge"; ///< `bridge`, `host`, `awsvpc` or `none`.
    std::string family;                  ///< Family (empty: the construct's unique id, as CDK does).
};

/// A task definition for the EC2 launch type (`<id>/Resource`) with its task role
/// (`<id>/TaskRole`) and execution role (`<id>/ExecutionRole`), both trusted by
/// `ecs-tasks.amazonaws.com`. Containers, mount points and volumes are rendered once, in prepare().
class Ec2TaskDefinition : public Construct {
public:
    /// Creates the task definition.
    Ec2TaskDefinition(Construct& scope, std::string id, Ec2TaskDefinitionProps props = {});
    /// The `AWS::ECS::TaskDefinition` resource.
    CfnResource& resource() const { return *resource_; }
    /// The task definition ARN (its Ref).
    Value task_definition_arn() const { return resource_->ref(); }
    /// The role the containers run as.
    iam::Role& task_role() const { return *task_role_; }
    /// The role ECS uses to start the task (pull images, write logs).
    iam::Role& execution_role() const { return *execution_role_; }
    /// Adds a container. Throws ConstructError when the name is taken.
    void add_container(ContainerDefinitionProps props);
    /// Adds an EFS volume. Throws ConstructError when the name is taken.
    void add_efs_volume(const EfsVolume& volume);
    /// Mounts a volume into a container. Throws ConstructError for an unknown container or volume.
    void add_mount_point(const std::string& container_name, const MountPoint& mount_point);
    /// The `awslogs` configuration writing into `log_group` with `stream_prefix`, in the stack's
    /// region; the execution role and the task role get write access to the log group.
    LogConfiguration aws_logs(const logs::LogGroup& log_group, const std::string& stream_prefix);
    /// Renders `ContainerDefinitions` and `Volumes`.
    void prepare() override;

private:
    struct Container {
        ContainerDefinitionProps props;
        std::vector<MountPoint> mount_points;
    };
    CfnResource* resource_;
    iam::Role* task_role_;
    iam::Role* execution_role_;
    std::vector<Container> containers_;
    std::vector<EfsVolume> volumes_;
};

/// Options of an Ec2Service.
struct Ec2ServiceProps {
    const Cluster* cluster = nullptr;       ///< The cluster (required).
    Value task_definition;                  ///< Task definition ARN (required).
    int desired_count = 1;                  ///< DesiredCount.
    std::vector<CapacityProviderStrategyItem> capacity_provider_strategies; ///< Strategy (empty: the cluster's default strategy, else the EC2 launch type).
    /// MinimumHealthyPercent and MaximumPercent of deployments. The defaults (0 / 100) stop the old
    /// task before starting the new one, which a single instance with fixed host ports needs.
    int minimum_healthy_percent = 0;
    int maximum_percent = 100;              ///< See minimum_healthy_percent.
    Value service_name;                     ///< Name (null: generated).
};

/// An ECS service on EC2 (`<id>/Service`, as CDK names it). When the cluster has capacity-provider
/// associations the service depends on them, so on deletion the service goes first.
class Ec2Service : public Construct {
public:
    /// Creates the service.
    Ec2Service(Construct& scope, std::string id, Ec2ServiceProps props);
    /// The `AWS::ECS::Service` resource.
    CfnResource& resource() const { return *resource_; }
    /// The service ARN (its Ref).
    Value service_arn() const { return resource_->ref(); }
    /// The service name.
    Value service_name() const { return resource_->get_att("Name"); }
    /// Adds the dependency on the cluster's capacity-provider associations (which may be made after
    /// the service).
    void prepare() override;

private:
    CfnResource* resource_;
    const Cluster* cluster_;
};

} // namespace leafsynth::aws::ecs
