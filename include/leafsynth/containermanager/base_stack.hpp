#pragma once
/// @file base_stack.hpp
/// `<AppId>-BaseStack` (main region): the VPC, SSH key pair, notify topic and root hosted zone that
/// every leaf shares, with exports kept even while no leaf uses them.

#include <memory>
#include <vector>

#include "leafsynth/aws/sns.hpp"
#include "leafsynth/containermanager/context.hpp"
#include "leafsynth/stack.hpp"

namespace leafsynth::containermanager {

/// The shared Base stack.
class BaseStack : public Stack {
public:
    /// Creates `<AppId>-BaseStack` under `scope` (the App) in the context's main region.
    BaseStack(Construct& scope, const BaseConfig& config, const StackContext& context);

    /// The config it was made from.
    const BaseConfig& config() const { return config_; }
    /// The VPC id.
    Value vpc_id() const;
    /// The public subnet ids, one per AZ.
    std::vector<Value> public_subnet_ids() const;
    /// The SSH key pair's name (`<BaseStackName>-SshKey`).
    Value key_pair_name() const;
    /// The notify topic.
    aws::sns::Topic& notify_topic() const;
    /// The root hosted zone id: the configured one, or the zone this stack creates.
    Value root_hosted_zone_id() const;

private:
    struct Parts;
    BaseConfig config_;
    std::shared_ptr<Parts> parts_;
};

} // namespace leafsynth::containermanager
