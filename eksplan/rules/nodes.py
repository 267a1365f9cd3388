"""Findings about node groups and ipamd's warm pool."""

from __future__ import annotations

from ..maxpods import max_pods
from .base import Context, FindingRule

PD = "Prefix Delegation Mode"
TUNING = "VPC CNI Configuration Tuning"
CUSTOM = "Custom Networking"
WASTE_SHARE = 0.4  # warm addresses above this share of what the cluster's nodes hold


def _dissimilar(ctx: Context):
    for group in ctx.spec.node_groups:
        if len(group.instance_types) < 2:
            continue
        members = ctx.footprint(group.name)
        values = {}
        for it in ctx.types(group):
            values[it.name] = max_pods(it, **ctx.settings.max_pods_options()).value
        if len(set(values.values())) > 1:
            low = min(values, key=values.get)
            high = max(values, key=values.get)
            yield group.name, (f"node group {group.name} mixes instance types with different max pods "
                               f"({', '.join(f'{k} {v}' for k, v in values.items())}); every node runs the lowest, "
                               f"{values[low]} of {low}, so {high} nodes waste {values[high] - values[low]} pod slots "
                               f"(sized on {members.instance_type})")


def _pods_exceed(ctx: Context):
    for footprint in ctx.analysis.groups:
        node = footprint.node
        if node.pods_pending:
            yield footprint.name, (f"node group {footprint.name} expects {node.pods_requested} pods per node on "
                                   f"{node.instance_type}, but only {node.pods + node.security_group_pods} can run: "
                                   f"{node.pending_reason}")


def _custom_networking_max_pods(ctx: Context):
    if not ctx.settings.custom_networking_in_force:
        return
    for group in ctx.spec.node_groups:
        if group.kind == "managed" or group.max_pods is not None or group.os == "windows":
            continue
        it = ctx.catalog.get(ctx.footprint(group.name).instance_type)
        options = ctx.settings.max_pods_options()
        plain = max_pods(it, **{**options, "custom_networking": False})
        custom = max_pods(it, **options)
        if custom.value < plain.value:
            yield group.name, (f"node group {group.name} ({group.kind}) sets no max pods: nodes advertise "
                               f"{plain.value} pods on {it.name}, but with custom networking only {custom.value} "
                               "get addresses; the rest fail with no IP available")


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
    held = warm = 0
    for footprint in ctx.analysis.groups:
        nodes = footprint.total("desired")
        held += nodes * footprint.node.ips
        warm += nodes * footprint.node.unused_ips
    if held and warm / held > WASTE_SHARE and warm >= 32:
        yield "cluster", (f"at desired size the nodes hold {held:,} pod addresses, {warm:,} of them ({warm / held:.0%}) "
                          f"unused in warm pools, above the {WASTE_SHARE:.0%} eksplan tolerates")


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
        id="custom-networking-max-pods", title="Max pods not lowered for custom networking", severity="high",
        rationale=("With custom networking the primary ENI carries no pod addresses; nodes that keep the default "
                   "max pods accept pods they cannot address."),
        remediation="Set max pods to the custom-networking figure (eksplan max-pods --cni-custom-networking-enabled).",
        guide=CUSTOM, check=_custom_networking_max_pods),
    FindingRule(
        id="warm-eni-target-ignored", title="WARM_ENI_TARGET set where ipamd ignores it", severity="low",
        rationale=("ipamd uses WARM_IP_TARGET/MINIMUM_IP_TARGET when either is set, and WARM_PREFIX_TARGET in prefix "
                   "mode; a WARM_ENI_TARGET beside them suggests a pool size that is not the one in force."),
        remediation="Remove WARM_ENI_TARGET, or set it to 0 as the guide suggests when IP targets are used.",
        guide=TUNING, check=_warm_eni_with_targets, needs=frozenset({"settings"})),
    FindingRule(
        id="minimum-ip-target-without-warm", title="MINIMUM_IP_TARGET without WARM_IP_TARGET", severity="high",
        rationale=("MINIMUM_IP_TARGET alone means a warm target of 0: ipamd stops adding addresses once the minimum "
                   "is allocated; some releases refuse to start aws-node with this combination."),
        remediation="Set WARM_IP_TARGET (the guide suggests 2-5) together with MINIMUM_IP_TARGET.",
        guide=TUNING, check=_minimum_without_warm, needs=frozenset({"settings"}),
        references=("amazon-vpc-cni-k8s#3685",)),
    FindingRule(
        id="warm-pool-waste", title="Warm pools hold many unused addresses", severity="medium",
        rationale="Warm ENIs and prefixes take subnet addresses before any pod uses them.",
        remediation="Tune WARM_IP_TARGET/MINIMUM_IP_TARGET (secondary IP) or WARM_IP_TARGET below 16 (prefix mode).",
        guide=TUNING, check=_warm_waste),
)
