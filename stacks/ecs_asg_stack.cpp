#include "leafsynth/containermanager/ecs_asg_stack.hpp"

#include "leafsynth/aws/autoscaling.hpp"
#include "leafsynth/aws/ec2.hpp"
#include "leafsynth/aws/ecs.hpp"
#include "leafsynth/containermanager/base_stack.hpp"
#include "leafsynth/containermanager/container_stack.hpp"
#include "leafsynth/containermanager/security_groups_stack.hpp"
#include "leafsynth/containermanager/volumes_stack.hpp"

namespace leafsynth::containermanager {

namespace autoscaling = aws::autoscaling;
namespace ec2 = aws::ec2;
namespace ecs = aws::ecs;
namespace iam = aws::iam;

namespace {

/// How long a terminating instance waits for the state-change Lambda to complete the lifecycle
/// action (or record a heartbeat). The Lambda completes it once the instance's task has stopped,
/// well within this; if it fails, the termination goes on (DefaultResult CONTINUE) after this long,
/// so a broken hook never keeps an instance running.
constexpr int kTerminationHeartbeatSeconds = 300;

/// The user data: mount every file system through its host access point, set the ECS agent's
/// options, and join the cluster.
ec2::UserData user_data(const VolumesStack& volumes, const ecs::Cluster& cluster) {
    ec2::UserData data;
    for (const auto& fs : volumes.file_systems()) {
        const std::string mount = "/mnt/efs/" + fs.name;
        data.add_command("mkdir -p \"" + mount + "\"");
        data.add_command(List{"echo \"", fs.file_system_id, ":/ " + mount + " efs defaults,tls,iam,_netdev,accesspoint=",
                              fs.host_access_point_id, " 0 0\" >> /etc/fstab"});
    }
    if (!volumes.file_systems().empty()) data.add_command("mount -a -t efs,nfs4 defaults");
    for (const char* setting : {"ECS_DISABLE_PRIVILEGED=true", "ECS_SELINUX_CAPABLE=true", "ECS_APPARMOR_CAPABLE=true",
                                "ECS_DISABLE_IMAGE_CLEANUP=true"})
        data.add_command(std::string("echo \"") + setting + "\" >> /etc/ecs/ecs.config");
    data.add_command(List{"echo ECS_CLUSTER=", cluster.cluster_name(), " >> /etc/ecs/ecs.config"});
    return data;
}

} // namespace

EcsAsgStack::EcsAsgStack(Construct& scope, const LeafNames& names, const LeafConfig& config, const BaseStack& base,
                         const SecurityGroupsStack& security_groups, const ContainerStack& container,
                         const VolumesStack& volumes, const Value& leaf_topic_arn)
    : NestedStack(scope, "EcsAsg", StackProps{{}, "Ec2Service Logic for " + names.leaf_stack, {}}) {
    auto& cluster = make<ecs::Cluster>(*this, "EcsCluster", ecs::ClusterProps{names.leaf_stack + "-ecs-cluster"});

    // The instance (the container's host): ECS agent permissions, and root on every file system so
    // the user data can mount them.
    auto& role = make<iam::Role>(*this, "Ec2ExecutionRole",
                                 iam::RoleProps{"ec2.amazonaws.com", "The instance's permissions (HOST of the container)",
                                                {"service-role/AmazonEC2ContainerServiceforEC2Role"}});
    for (const auto& fs : volumes.file_systems()) {
        iam::PolicyStatement s;
        s.actions = {"elasticfilesystem:ClientMount", "elasticfilesystem:ClientRootAccess",
                     "elasticfilesystem:ClientWrite"};
        s.resources = {fs.file_system_arn};
        s.conditions = Map{{"Bool", Map{{"elasticfilesystem:AccessedViaMountTarget", "true"}}}};
        role.add_to_policy(s);
    }

    ec2::LaunchTemplateProps lt;
    lt.instance_type = config.ec2.instance_type;
    lt.image_id = ec2::ssm_dynamic_reference(ec2::kEcsAmazonLinux2023AmiParameter);
    lt.security_group_ids = List{security_groups.container_security_group_id()};
    lt.key_name = base.key_pair_name();
    lt.role = &role;
    lt.user_data = user_data(volumes, cluster);
    lt.require_imdsv2 = true;
    lt.detailed_monitoring = true;
    lt.instance_name_tag = path() + "/LaunchTemplate";
    auto& launch_template = make<ec2::LaunchTemplate>(*this, "LaunchTemplate", std::move(lt));

    autoscaling::AutoScalingGroupProps asg_props;
    asg_props.launch_template = &launch_template;
    for (const auto& subnet : base.public_subnet_ids()) asg_props.subnet_ids.push_back(subnet);
    asg_props.min_size = 0;
    asg_props.max_size = 1;
    // No desired capacity: the start-system Lambda and the watchdog own it; a stack update must not reset it.
    asg_props.desired_capacity = std::nullopt;
    asg_props.new_instances_protected_from_scale_in = false;
    const std::vector<std::string> errors{autoscaling::kLaunchError, autoscaling::kTerminateError};
    asg_props.notifications = {{base.notify_topic().arn(), errors}, {leaf_topic_arn, errors}};
    asg_props.group_metrics = {"GroupInServiceInstances"};
    auto& asg = make<autoscaling::AutoScalingGroup>(*this, "Asg", std::move(asg_props));

    // Announces the termination (EventBridge `EC2 Instance-terminate Lifecycle Action`); the
    // AsgStateChangeHook Lambda resets DNS and the service, drains the instance, and completes the
    // action once no task is left on it.
    autoscaling::LifecycleHookProps hook_props;
    hook_props.transition = "autoscaling:EC2_INSTANCE_TERMINATING";
    hook_props.heartbeat_timeout_seconds = kTerminationHeartbeatSeconds;
    hook_props.default_result = "CONTINUE";
    auto& hook = asg.add_lifecycle_hook("LifecycleHookTerminating", std::move(hook_props));

    auto& provider = make<ecs::AsgCapacityProvider>(*this, "AsgCapacityProvider",
                                                    ecs::AsgCapacityProviderProps{&asg, false, false, false});
    cluster.add_capacity_provider(provider, 1);

    ecs::Ec2ServiceProps service_props;
    service_props.cluster = &cluster;
    service_props.task_definition = container.task_definition_arn();
    service_props.desired_count = 0;
    service_props.capacity_provider_strategies = {{provider.capacity_provider_name(), 1, 0}};
    auto& service = make<ecs::Ec2Service>(*this, "Ec2Service", std::move(service_props));

    handles_.cluster_name = cluster.cluster_name();
    handles_.cluster_arn = cluster.cluster_arn();
    handles_.asg_name = asg.group_name();
    handles_.capacity_provider_name = provider.capacity_provider_name();
    handles_.service_name = service.service_name();
    handles_.service_arn = service.service_arn();
    handles_.lifecycle_hook_name = hook.hook_name();
    handles_.lifecycle_heartbeat_seconds = kTerminationHeartbeatSeconds;
}

} // namespace leafsynth::containermanager
