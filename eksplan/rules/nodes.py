"""Findings about node groups and ipamd's warm pool."""

from __future__ import annotations

from ..launchers import LAUNCHER_NAMES, launcher_max_pods, max_pods_setting
from ..maxpods import HOST_NETWORK_PODS, recommended_ceiling
from ..nodeconfig import max_pods_gap
from ..rollup import WARM_WASTE_SHARE, warm_pool, wasteful
from .base import Context, FindingRule

PD = "Prefix Delegation Mode"
TUNING = "VPC CNI Configuration Tuning"
CUSTOM = "Custom Networking"


def recommended_max_pods(footprint) -> int:
    """The max pods a group's nodes should run: what ipamd can address, within AWS's 110/250 ceiling."""
    vcpus = footprint.kubelet_vcpus
    ceiling = recommended_ceiling(vcpus)
    return ceiling if footprint.addressable is None else min(footprint.addressable, ceiling)


def _linux_groups(ctx: Context):
    for footprint in ctx.analysis.groups:
        if footprint.os != "windows" and footprint.kubelet is not None:
            yield footprint, next(g for g in ctx.spec.node_groups if g.name == footprint.name)


def _dissimilar(ctx: Context):
    for footprint, group in _linux_groups(ctx):
        if len(group.instance_types) < 2 or footprint.launcher != "managed" or group.custom_ami:
            continue
        values = {m.instance_type: m.max_pods for m in footprint.members}
        own = {m.instance_type: launcher_max_pods(ctx.catalog.get(m.instance_type), "managed", ctx.settings).value
               for m in footprint.members}
        if len(set(own.values())) > 1:
            low = min(own, key=own.get)
            high = max(own, key=own.get)
            yield group.name, (f"managed node group {group.name} mixes instance types with different max pods "
                               f"({', '.join(f'{k} {v}' for k, v in own.items())}); EKS gives every node the lowest, "
                               f"{values[low]} of {low}, so {high} nodes leave {own[high] - values[low]} pod slots unused")


def _gap(footprint, group) -> str | None:
    """How the group's kubelet max pods misses its nodes (see :func:`eksplan.nodeconfig.max_pods_gap`)."""
    sg = group.security_group_pods_per_node
    return max_pods_gap(footprint.max_pods, footprint.addressable, recommended_ceiling(footprint.kubelet_vcpus),
                        footprint.pods_needed, group.pods_per_node + HOST_NETWORK_PODS,
                        not sg or sg <= footprint.capacity.branch_enis)


def _pods_exceed(ctx: Context):
    """Pods that no max-pods setting can make room for: the node cannot address them."""
    for footprint, group in _linux_groups(ctx):
        node = footprint.node
        if not node.pods_pending or _gap(footprint, group) == "held-back":
            continue
        if node.pods == group.pods_per_node:
            continue  # only pods with security groups wait: the sgp-* findings name why
        yield footprint.name, (f"node group {footprint.name} expects {node.pods_requested} pods per node on "
                               f"{node.instance_type}, but only {node.pods + node.security_group_pods} can run: "
                               f"{node.pending_reason}")


def _max_pods_above_addresses(ctx: Context):
    """The launcher lets the kubelet admit more pods than ipamd can address."""
    for footprint, group in _linux_groups(ctx):
        capacity, kubelet = footprint.capacity, footprint.kubelet
        if _gap(footprint, group) != "above":
            continue
        fix = max_pods_setting(footprint.launcher, recommended_max_pods(footprint), group.custom_ami)
        yield group.name, (
            f"node group {group.name} ({LAUNCHER_NAMES[footprint.launcher]}) gives the kubelet max pods "
            f"{footprint.max_pods} on {footprint.instance_type}, but ipamd can address {footprint.addressable} "
            f"({capacity.pod_ips} pod addresses + {HOST_NETWORK_PODS} host-network pods): a node packed past "
            f"{footprint.addressable} pods leaves the rest in ContainerCreating with no address; {fix}"
        )


def _max_pods_not_raised(ctx: Context):
    """Pods the node could address stay Pending because the launcher's max pods is lower."""
    for footprint, group in _linux_groups(ctx):
        needed, kubelet = footprint.pods_needed, footprint.max_pods
        addressable = footprint.addressable
        if _gap(footprint, group) != "held-back":
            continue
        can = "any number of" if addressable is None else f"{addressable - HOST_NETWORK_PODS}"
        fix = max_pods_setting(footprint.launcher, recommended_max_pods(footprint), group.custom_ami)
        yield group.name, (
            f"node group {group.name} needs {needed} pods per node on {footprint.instance_type} (with the "
            f"{HOST_NETWORK_PODS} host-network pods), but {LAUNCHER_NAMES[footprint.launcher]} gives the kubelet "
            f"max pods {kubelet} though ipamd can address {can} pods: {needed - kubelet} stay Pending; {fix}"
        )


def _warm_eni_with_targets(ctx: Context):
    s = ctx.settings
    if s.warm_eni_target is not None and s.ip_targets_defined:
        yield "vpc-cni", (f"WARM_ENI_TARGET={s.warm_eni_target} is set together with WARM_IP_TARGET/"
                          "MINIMUM_IP_TARGET, which take precedence: ipamd ignores it")
    elif s.warm_eni_target is not None and s.prefix_delegation:
        yield "vpc-cni", (f"WARM_ENI_TARGET={s.warm_eni_target} is set with prefix delegation, where "
                          "ipamd uses WARM_PREFIX_TARGET instead: it is ignored")


def _minimum_without_warm(ctx: Context):
    s = ctx.settings
    if (s.minimum_ip_target or 0) >= 1 and not (s.warm_ip_target or 0) >= 1:
        yield "vpc-cni", (f"MINIMUM_IP_TARGET={s.minimum_ip_target} without WARM_IP_TARGET: ipamd keeps no "
                          "warm address, so once a node's minimum is used, new pods wait with no IP available")


def _warm_waste(ctx: Context):
    held, warm = warm_pool(ctx.analysis.groups)
    if wasteful(held, warm):
        yield "cluster", (f"at desired size the nodes hold {held:,} pod addresses, {warm:,} of them ({warm / held:.0%}) "
                          f"unused in warm pools, above the {WARM_WASTE_SHARE:.0%} eksplan tolerates")


RULES = (
    FindingRule(
        id="dissimilar-instance-types", title="Instance types with different max pods in one node group",
        severity="medium",
        rationale="A node group runs one max-pods setting, the lowest of its types; larger types waste capacity.",
        remediation="Group instance types with the same ENI and address limits (or the same max pods).",
        guide=PD, check=_dissimilar),
    FindingRule(
        id="pods-exceed-node-capacity", title="More pods per node than the node can address", severity="high",
        rationale="Pods past max pods are not scheduled; pods past the addresses ipamd can hold stay in ContainerCreating.",
        remediation="Use larger instance types, prefix delegation, or fewer pods per node.",
        guide="Mode Decision Matrix", check=_pods_exceed),
    FindingRule(
        id="max-pods-above-addresses", title="Max pods above what ipamd can address", severity="high",
        rationale=("The kubelet's max pods comes from the node's launcher, which may not know the VPC CNI's "
                   "settings: with custom networking, subnet discovery's excluded subnets, MAX_ENI or the trunk "
                   "ENI of security groups for pods, the node admits pods it cannot give an address."),
        remediation="Set max pods to what ipamd can address, where the node's launcher takes it.",
        guide=CUSTOM, check=_max_pods_above_addresses,
        references=("karpenter-provider-aws#6353", "amazon-vpc-cni-k8s#3250"), fixes=("max-pods-nodeadm", "max-pods-managed", "max-pods-karpenter", "max-pods-bottlerocket")),
    FindingRule(
        id="max-pods-not-raised", title="Max pods below what the pods need and ipamd can address",
        severity="medium",
        rationale=("Karpenter, nodeadm and Bottlerocket set max pods from the secondary-IP formula whatever the VPC "
                   "CNI runs (prefix delegation, IPv6); pods the node could address are never scheduled on it."),
        remediation="Set max pods explicitly where the node's launcher takes it.",
        guide=PD, check=_max_pods_not_raised,
        references=("karpenter-provider-aws#8210", "karpenter-provider-aws#6102", "amazon-eks-ami#2045"), fixes=("max-pods-nodeadm", "max-pods-managed", "max-pods-karpenter", "max-pods-bottlerocket")),
    FindingRule(
        id="warm-eni-target-ignored", title="WARM_ENI_TARGET set where ipamd ignores it", severity="low",
        rationale=("ipamd uses WARM_IP_TARGET/MINIMUM_IP_TARGET when either is set, and WARM_PREFIX_TARGET in prefix "
                   "mode; a WARM_ENI_TARGET beside them suggests a pool size that is not the one in force."),
        remediation="Remove WARM_ENI_TARGET, or set it to 0 as the guide suggests when IP targets are used.",
        guide=TUNING, check=_warm_eni_with_targets, needs=frozenset({"settings"}), fixes=("vpc-cni-configuration", "aws-node-set-env", "aws-node-probes")),
    FindingRule(
        id="minimum-ip-target-without-warm", title="MINIMUM_IP_TARGET without WARM_IP_TARGET", severity="high",
        rationale=("MINIMUM_IP_TARGET alone means a warm target of 0: ipamd stops adding addresses once the minimum "
                   "is allocated; some releases refuse to start aws-node with this combination."),
        remediation="Set WARM_IP_TARGET (the guide suggests 2-5) together with MINIMUM_IP_TARGET.",
        guide=TUNING, check=_minimum_without_warm, needs=frozenset({"settings"}),
        references=("amazon-vpc-cni-k8s#3685",), fixes=("vpc-cni-configuration", "aws-node-set-env", "aws-node-probes")),
    FindingRule(
        id="warm-pool-waste", title="Warm pools hold many unused addresses", severity="medium",
        rationale="Warm ENIs and prefixes take subnet addresses before any pod uses them.",
        remediation="Tune WARM_IP_TARGET/MINIMUM_IP_TARGET (secondary IP) or WARM_IP_TARGET below 16 (prefix mode).",
        guide=TUNING, check=_warm_waste, fixes=("vpc-cni-configuration", "aws-node-set-env", "aws-node-probes")),
)
