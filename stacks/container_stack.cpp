#include "leafsynth/containermanager/container_stack.hpp"

#include "leafsynth/aws/ecs.hpp"
#include "leafsynth/aws/logs.hpp"

namespace leafsynth::containermanager {

namespace ecs = aws::ecs;

/// The constructs add_efs_volume needs.
struct ContainerStack::Parts {
    ecs::Ec2TaskDefinition* task_definition = nullptr; ///< `TaskDefinition`.
    std::string container_name;                        ///< `<Alpha>`.
};

ContainerStack::ContainerStack(Construct& scope, const LeafNames& names, const LeafConfig& config)
    : NestedStack(scope, "Container", StackProps{{}, "Container Logic for " + names.leaf_stack, {}}),
      parts_(std::make_shared<Parts>()) {
    auto& task_definition = make<ecs::Ec2TaskDefinition>(*this, "TaskDefinition", ecs::Ec2TaskDefinitionProps{"bridge", {}});
    auto& log_group = make<aws::logs::LogGroup>(
        *this, "ContainerLogGroup",
        aws::logs::LogGroupProps{"/aws/ec2/" + names.leaf_stack + "/Container/ContainerLogs", 7, RemovalPolicy::Destroy});

    ecs::ContainerDefinitionProps container;
    container.name = names.alpha;
    container.image = config.container.image;
    container.essential = true;
    container.memory_reservation_mib = 2048;
    // Time to save after SIGTERM; the termination hook keeps the instance until the task has stopped.
    container.stop_timeout_seconds = config.container.stop_timeout_seconds;
    for (const auto& variable : config.container.environment)
        container.environment.emplace_back(variable.name, variable.value);
    for (const auto& port : config.container.ports)
        container.port_mappings.push_back(ecs::PortMapping{port.port, port.port, std::string(to_string(port.protocol))});
    container.logging = task_definition.aws_logs(log_group, "ContainerLogs");
    task_definition.add_container(std::move(container));

    parts_->task_definition = &task_definition;
    parts_->container_name = names.alpha;
}

Value ContainerStack::task_definition_arn() const { return parts_->task_definition->task_definition_arn(); }

aws::iam::Role& ContainerStack::task_role() const { return parts_->task_definition->task_role(); }

void ContainerStack::add_efs_volume(const std::string& volume_name, const Value& file_system_id,
                                    const Value& access_point_id, const std::string& container_path, bool read_only) {
    parts_->task_definition->add_efs_volume(ecs::EfsVolume{volume_name, file_system_id, access_point_id, true, true});
    parts_->task_definition->add_mount_point(parts_->container_name,
                                             ecs::MountPoint{container_path, volume_name, read_only});
}

} // namespace leafsynth::containermanager
