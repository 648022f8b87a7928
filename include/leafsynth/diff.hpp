#pragma once
/// @file diff.hpp
/// Comparing CloudFormation templates and cloud assemblies: what `leafsynth diff` reports.
///
/// Values are compared semantically: key order, the YAML short forms (`!Ref X`, `!GetAtt A.B`)
/// against their long forms, numbers against numeric strings and booleans against "true"/"false"
/// (CloudFormation passes both alike), `Fn::GetAtt: "A.B"` against `["A", "B"]`, the string and
/// list forms of IAM `Action`/`Resource`/`Principal` values and their order, the order of
/// `DependsOn`, and an explicit `DeletionPolicy`/`UpdateReplacePolicy` of `Delete` (the default,
/// except for RDS clusters and instances) do not count as changes.
///
/// Replacements are followed: a resource that refers (`Ref`, `Fn::GetAtt`, `Fn::Sub`) to one
/// that will be replaced is reported as updated, or as replaced when the reference is in a
/// create-only property, even when its own text is unchanged; comparing assemblies, also across
/// nested stacks (through the parameters and outputs that carry the changed value).
///
/// This header uses nlohmann::json in its interface (unlike the rest of the public API): a
/// program that includes it needs nlohmann_json on its include path (target
/// `nlohmann_json::nlohmann_json`). It is not part of `leafsynth/leafsynth.hpp`.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "leafsynth/app.hpp"
#include "leafsynth/assembly_manifest.hpp"

namespace leafsynth {

/// Whether something exists only in the new template, only in the old one, or in both but differs.
enum class ChangeKind {
    Added,   ///< Only in the new template.
    Removed, ///< Only in the old template.
    Modified ///< In both, with different values.
};

/// What CloudFormation does to a modified resource when the change is deployed.
enum class Impact {
    None,          ///< Not a modification (the resource is added or removed).
    UpdateInPlace, ///< Updated in place: no create-only property changes.
    MayReplace,    ///< May be replaced: a conditionally create-only property changed, or a create-only one whose values involve intrinsic functions, or the type has no create-only data.
    WillReplace    ///< Will be replaced: the type or a create-only property changes to a different literal value.
};

/// One difference at a path inside a value, e.g. `Properties.LaunchTemplateData.InstanceType`.
struct ValueChange {
    std::string path;          ///< Dotted path from the compared value; list items as `[i]` (index in the new list when both have it).
    ChangeKind kind = ChangeKind::Modified; ///< Added, removed or modified at this path.
    nlohmann::json old_value;  ///< The old value (null when added).
    nlohmann::json new_value;  ///< The new value (null when removed).
};

/// A changed entry of a named-entry section: Parameters, Outputs, Conditions, Mappings, Rules.
struct EntryChange {
    std::string section;              ///< Section name, e.g. `Outputs`.
    std::string name;                 ///< Entry name.
    ChangeKind kind = ChangeKind::Modified; ///< Added, removed or modified.
    std::vector<ValueChange> changes; ///< For a modified entry: what changed inside it (paths relative to the entry).
};

/// A resource added, removed or modified.
struct ResourceChange {
    std::string logical_id;           ///< Logical id.
    ChangeKind kind = ChangeKind::Modified; ///< Added, removed or modified.
    std::string old_type;             ///< Type in the old template (empty when added).
    std::string new_type;             ///< Type in the new template (empty when removed).
    Impact impact = Impact::None;     ///< For a modification: updated in place, may be replaced, will be replaced.
    std::vector<std::string> reasons; ///< Why it may or will be replaced (e.g. `RootDirectory.Path is create-only`).
    std::vector<ValueChange> changes; ///< For a modification: paths relative to the resource (`Properties.X`, `DeletionPolicy`, ...).
    bool stateful = false;            ///< Holds data (EFS file system, hosted zone, log group, bucket, ...) or has a Retain/Snapshot policy.
    std::vector<std::string> hazards; ///< Loud warnings: a stateful resource removed or replaced, a DeletionPolicy/UpdateReplacePolicy that changes.
    /// For an added or removed resource that looks like the other half of a replacement under a
    /// new logical id (same type, most property values equal): the other one's logical id.
    std::string counterpart;
    /// For a modification caused by others: what it refers to whose value changes: resources of
    /// this template that will be replaced (new physical ids), or, comparing assemblies, its
    /// Parameters and nested stacks' outputs (`<Id>.Outputs.<Name>`) fed by a replacement
    /// elsewhere. It is updated, or replaced when the reference is in a create-only property.
    /// Empty when only its own properties changed.
    std::vector<std::string> caused_by;
    /// The type (the new one when there is one).
    const std::string& type() const { return new_type.empty() ? old_type : new_type; }
};

/// An IAM policy statement added or removed (a modified statement is one removed and one added).
struct PolicyStatementChange {
    ChangeKind kind = ChangeKind::Added;  ///< Added or Removed.
    std::string holder;                   ///< Logical id of the resource holding the statement.
    std::string holder_type;              ///< Its type.
    std::string location;                 ///< Where in it: `AssumeRolePolicyDocument`, `Policies[Name]`, `PolicyDocument`, `FileSystemPolicy`, `Permission`, ...
    std::string effect;                   ///< Allow or Deny.
    std::vector<std::string> actions;     ///< Actions (`NotAction` ones prefixed with `NOT `).
    std::vector<std::string> principals;  ///< Principals; for identity policies the roles/users/groups they are attached to.
    std::vector<std::string> resources;   ///< Resources (`NotResource` ones prefixed with `NOT `); intrinsics shown as `${Id}`, `${Id.Attr}`.
    std::string condition;                ///< The Condition block as compact JSON, or empty.
    nlohmann::json statement;             ///< The statement itself (normalized).
    bool widening = false;                ///< Grants more than before: an added Allow or a removed Deny.
    std::vector<std::string> notes;       ///< `wildcard principal`, `wildcard resource`, `wildcard action`.
};

/// A managed policy attached to or detached from a role, user or group (`ManagedPolicyArns`).
struct ManagedPolicyChange {
    ChangeKind kind = ChangeKind::Added; ///< Added (attached) or Removed (detached).
    std::string holder;                 ///< Logical id of the role, user or group.
    std::string policy;                 ///< The policy ARN (intrinsics rendered as `${...}`).
    bool widening = false;              ///< True when attached.
};

/// A security-group rule added or removed, inline or as its own resource.
struct SecurityGroupRuleChange {
    ChangeKind kind = ChangeKind::Added; ///< Added or Removed.
    std::string holder;                 ///< Logical id of the AWS::EC2::SecurityGroup(Ingress|Egress) resource.
    std::string group;                  ///< The group the rule belongs to (`${SecurityGroupId}` or an id).
    std::string direction;              ///< `ingress` or `egress`.
    std::string protocol;               ///< `tcp`, `udp`, `icmp`, `all`, or the number.
    std::string ports;                  ///< `25565`, `1000-2000`, or `all`.
    std::string peer;                   ///< CIDR, security group or prefix list.
    std::string description;            ///< The rule's description, if any.
    nlohmann::json rule;                ///< The rule itself.
    bool widening = false;              ///< True when added.
    std::vector<std::string> notes;     ///< `open to the internet`, `all ports`.
};

/// Everything that changes who can do what: the security section of a diff.
struct SecurityChanges {
    std::vector<PolicyStatementChange> statements;   ///< IAM statements added or removed.
    std::vector<ManagedPolicyChange> managed_policies; ///< Managed policy attachments added or removed.
    std::vector<SecurityGroupRuleChange> rules;      ///< Security-group rules added or removed.
    /// True when nothing changed.
    bool empty() const { return statements.empty() && managed_policies.empty() && rules.empty(); }
    /// The number of widening rows.
    std::size_t widening_count() const;
};

/// The differences between two templates.
struct TemplateDiff {
    std::vector<ValueChange> sections;     ///< Single-value sections (Description, AWSTemplateFormatVersion, Transform, Metadata, ...), paths from the section name.
    std::vector<EntryChange> entries;      ///< Parameters, Outputs, Conditions, Mappings, Rules.
    std::vector<ResourceChange> resources; ///< Resources added, removed, modified (by logical id).
    SecurityChanges security;              ///< IAM statements and security-group rules added or removed.
    /// True when the templates are semantically equal.
    bool empty() const { return sections.empty() && entries.empty() && resources.empty() && security.empty(); }
};

/// Parses a CloudFormation template from JSON or YAML text. YAML short-form tags become their
/// long forms (`!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`,
/// `!Sub s` → `{"Fn::Sub": "s"}`, ...). Throws InputError `origin:line:column: Key.Path: ...`
/// (one problem, on one line) when the text is not UTF-8, not JSON/YAML, nested more than 200
/// levels deep, has a key twice in one mapping, an unknown `!Tag`, YAML aliases that copy more
/// than 100,000 values, or is not a template: the top level not a mapping, an unknown section,
/// Resources/Parameters/Outputs/Conditions/Mappings/Rules/Metadata not mappings, a resource
/// without a Type, a parameter without a Type, an output without a Value.
nlohmann::json parse_template(const std::string& text, const std::string& origin = "template");

/// True when CloudFormation treats the two values alike (see the file comment).
bool values_equal(const nlohmann::json& a, const nlohmann::json& b);

/// Compares two templates section by section. An empty object stands for "no template".
TemplateDiff diff_templates(const nlohmann::json& old_template, const nlohmann::json& new_template);

/// The state of a stack in an assembly comparison.
enum class StackStatus {
    Unchanged, ///< Same template (semantically), nested stacks included.
    Modified,  ///< Different template, or a nested stack differs.
    Added,     ///< Only in the new assembly: entirely new.
    Removed    ///< Only in the old assembly.
};

/// One stack (or nested stack) of a comparison.
struct StackDiff {
    std::string name;              ///< Stack name; for a nested stack, the logical id of its AWS::CloudFormation::Stack resource in the parent.
    std::string region;            ///< Region from the manifest, or empty.
    std::string old_template;      ///< Template file in the old assembly (empty when absent).
    std::string new_template;      ///< Template file in the new assembly (empty when absent).
    StackStatus status = StackStatus::Unchanged; ///< Unchanged, modified, added, removed.
    TemplateDiff diff;             ///< The template differences (nested stacks' TemplateURL left out when resolved).
    std::vector<StackDiff> nested; ///< Nested stacks, by the parent's logical id, in the parent's order.
    std::vector<std::string> notes; ///< E.g. a nested template that could not be found, a failed deployed state.
    std::string deployed_status;   ///< Compared with a deployed stack: its status (`UPDATE_COMPLETE`, ...); else empty.
    /// True when this stack or a nested one differs.
    bool has_differences() const { return status != StackStatus::Unchanged; }
};

/// The comparison of two assemblies (or of two templates, as one stack).
struct AssemblyDiff {
    std::vector<StackDiff> stacks; ///< New assembly's order, then the stacks only in the old one.
    /// True when any stack differs.
    bool has_differences() const;
};

/// Reads the manifest, asset manifests and templates of an output folder (a `leafsynth synth -o`
/// folder or a CDK cloud assembly, nested `assembly-*` folders included, not through symbolic
/// links; CDK's tree.json left out). Throws InputError when `dir` is not a folder, or for a file
/// there that is not a regular file, is over 16 MB, or would take the folder over 256 MB.
AssemblyFiles read_assembly_dir(const std::filesystem::path& dir);

/// The files of an in-memory assembly (assets left out).
AssemblyFiles assembly_files(const Assembly& assembly);
/// The same, moving the files' contents out of `assembly`.
AssemblyFiles assembly_files(Assembly&& assembly);

/// Compares two assemblies: the stacks of each manifest.json (`aws:cloudformation:stack`
/// artifacts; without a manifest, every `*.template.json|yaml` that is not nested) are matched
/// by stack name; nested stacks are found through their parent's `AWS::CloudFormation::Stack`
/// resources (the TemplateURL's hash, the asset manifests, or `aws:asset:path` metadata) and
/// matched by logical id. `old_root` and `new_root` are how the files are named in errors (the
/// folder they were read from, e.g. `before/`). Throws InputError, naming the file (and line and
/// column where there is one), for a template or manifest that cannot be read or is not one, and
/// for nested stacks that nest themselves (a cycle), more than 16 levels deep, or so many times
/// over that comparing them would mean more than 5,000 stacks or 64 MB of templates.
AssemblyDiff diff_assemblies(const AssemblyFiles& old_files, const AssemblyFiles& new_files,
                             const std::string& old_root = {}, const std::string& new_root = {});

/// Compares two template files (JSON or YAML) as one stack named after the new file; nested
/// stacks are looked up in the folder of each file. Throws InputError (as diff_assemblies) when a
/// file is missing, not a regular file (a folder, a FIFO), over 16 MB, or not a template.
AssemblyDiff diff_template_files(const std::filesystem::path& old_file, const std::filesystem::path& new_file);

/// A stack as CloudFormation has it deployed (what diff_deployed compares the app with).
struct DeployedStack {
    std::string name;          ///< Stack name; for a nested stack, its logical id in the parent.
    std::string region;        ///< Region.
    bool exists = false;       ///< False when no such stack is deployed: the app's stack is entirely new.
    std::string stack_id;      ///< The stack's ARN.
    std::string status;        ///< Its status, e.g. `UPDATE_COMPLETE`, `ROLLBACK_COMPLETE`.
    std::string status_reason; ///< Why it is in that status, or empty.
    std::vector<std::pair<std::string, std::string>> parameters; ///< Deployed parameter values as given (for SSM-typed ones, the parameter name).
    std::string template_body; ///< The template it was deployed with (JSON or YAML text).
    std::vector<DeployedStack> nested; ///< Its nested stacks (name = logical id in this stack).
    std::vector<std::string> notes;    ///< E.g. a nested stack that has no physical id.
};

/// Compares the app's assembly (`new_files`) with the deployed stacks: each stack of the
/// manifest with the deployed stack of the same name and region (absent or `exists == false`:
/// entirely new), nested stacks by logical id. A stack that is in a failed, rolled-back or
/// in-progress state gets a note saying so. Throws InputError for a template that cannot be read.
AssemblyDiff diff_deployed(const std::vector<DeployedStack>& deployed, const AssemblyFiles& new_files);

/// True for a stack status that deserves a warning: failed, rolled back, or an operation in progress.
bool is_troubled_status(const std::string& status);

/// Options of render_diff.
struct DiffRenderOptions {
    bool color = false; ///< ANSI colours (added green, removed red, modified yellow, hazards bold red).
};

/// The human-readable report: per stack (nested stacks under their parent) the section,
/// resource and property changes with their classification and hazards, the security tables,
/// and a summary line.
std::string render_diff(const AssemblyDiff& diff, const DiffRenderOptions& options = {});

/// The machine-readable report: `{"differences": bool, "summary": {...}, "stacks": [...]}`.
nlohmann::json diff_to_json(const AssemblyDiff& diff);

/// The name of a change kind: `added`, `removed`, `modified`.
std::string to_string(ChangeKind kind);
/// The name of an impact: `none`, `update`, `may_replace`, `will_replace`.
std::string to_string(Impact impact);
/// The name of a stack status: `unchanged`, `modified`, `added`, `removed`.
std::string to_string(StackStatus status);

} // namespace leafsynth
