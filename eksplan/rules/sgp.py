"""Findings about security groups for pods."""

from __future__ import annotations

from ..catalog.branch import load_branch_limits
from ..cniversion import TRUNK_SLOT_TRUNKING_ONLY
from .base import Context, FindingRule, join_names

MODES = "Security Groups for Pods — Enforcing Modes"
OPS = "Security Groups for Pods — Operational Requirements"


def _sgp_groups(ctx: Context):
    """Node groups that run pods with security groups."""
    return [g for g in ctx.spec.node_groups if g.security_group_pods_per_node > 0]


def _sgp_wanted(ctx: Context) -> bool:
    return ctx.spec.requirements.security_groups_for_pods or ctx.spec.cni.pod_eni or bool(_sgp_groups(ctx))


def _windows(ctx: Context):
    for group in _sgp_groups(ctx):
        if group.os == "windows":
            yield group.name, f"node group {group.name} runs Windows, where security groups for pods are not supported"


def _no_trunking(ctx: Context):
    table = load_branch_limits()
    for group in _sgp_groups(ctx):
        for it in ctx.types(group):
            limits = table.get(it.name)
            if limits is None or not limits.trunking:
                why = ("is not trunking-compatible in the VPC resource controller's table" if limits is not None
                       else "is not in the VPC resource controller's table, which attaches trunk ENIs to listed types only")
                yield group.name, (f"node group {group.name} schedules {group.security_group_pods_per_node} pods with "
                                   f"security groups per node on {it.name}, which {why}: it gets no trunk ENI and "
                                   "those pods stay Pending")


def _branch_enis(ctx: Context):
    """Pods with security groups past the branch ENIs the instance type takes."""
    table = load_branch_limits()
    for group in _sgp_groups(ctx):
        for it in ctx.types(group):
            limits = table.get(it.name)
            wanted = group.security_group_pods_per_node
            if limits is not None and limits.trunking and wanted > limits.branch_enis:
                yield group.name, (f"node group {group.name} schedules {wanted} pods with security groups per node on "
                                   f"{it.name}, which takes {limits.branch_enis} branch ENIs "
                                   f"(vpc.amazonaws.com/pod-eni): {wanted - limits.branch_enis} of them "
                                   f"stay{'s' if wanted - limits.branch_enis == 1 else ''} Pending")


def _trunk_slot_wasted(ctx: Context):
    """Before VPC CNI 1.20.4 ipamd keeps a trunk slot even where no trunk can ever attach."""
    version = ctx.settings.version
    if not ctx.settings.pod_eni or version is None or version >= TRUNK_SLOT_TRUNKING_ONLY:
        return
    table = load_branch_limits()
    for group in ctx.spec.node_groups:
        for it in ctx.types(group):
            limits = table.get(it.name)
            if limits is not None and not limits.trunking:
                yield group.name, (f"ENABLE_POD_ENI is true and VPC CNI {version} keeps one ENI slot for a trunk ENI on "
                                   f"every instance type: node group {group.name}'s {it.name} can never attach one, so "
                                   f"its pods lose {it.ipv4_per_eni - 1} addresses per node (VPC CNI "
                                   f"{TRUNK_SLOT_TRUNKING_ONLY} keeps the slot only on trunking-compatible types)")
                break


def _strict_conflicts(ctx: Context):
    if not _sgp_wanted(ctx) or ctx.spec.cni.effective_enforcing_mode != "strict":
        return
    r = ctx.spec.requirements
    for needed, name in ((r.nodelocal_dnscache, "NodeLocal DNSCache"), (r.network_policies, "network policies"),
                         (r.external_traffic_policy_local, "externalTrafficPolicy: Local")):
        if needed:
            yield "vpc-cni", (f"POD_SECURITY_GROUP_ENFORCING_MODE is strict but the cluster uses {name}, "
                              "which needs standard mode")


def _grace_zero(ctx: Context):
    if _sgp_wanted(ctx) and ctx.spec.requirements.termination_grace_period_seconds == 0:
        yield "pods", ("pods with security groups use terminationGracePeriodSeconds 0: the CNI does not clean up "
                       "their network and branch ENIs are not reclaimed")


def _external_snat(ctx: Context):
    if _sgp_groups(ctx) and not ctx.spec.cni.external_snat:
        yield "vpc-cni", ("pods with security groups get no source NAT, but AWS_VPC_K8S_CNI_EXTERNALSNAT is not "
                          "true: their traffic leaves the VPC only through a NAT gateway from private subnets")


def _public_subnets(ctx: Context):
    for group in _sgp_groups(ctx):
        subnets = [s for s in ctx.spec.subnets if s.id in (group.subnets or ())]
        public = [s.label for s in subnets if "public" in s.roles]
        if public:
            yield group.name, (f"node group {group.name} runs pods with security groups in public "
                               f"subnet{'s' if len(public) > 1 else ''} {join_names(public)}: they get no public "
                               "address and no source NAT")


RULES = (
    FindingRule(
        id="sgp-windows", title="Security groups for pods on Windows nodes", severity="high",
        rationale="Branch ENIs (security groups for pods) are not supported on Windows nodes.",
        remediation="Run pods that need security groups on Linux node groups.",
        guide=OPS, check=_windows),
    FindingRule(
        id="sgp-no-trunking", title="Security groups for pods on instance types without trunking", severity="high",
        rationale=("Pods with security groups need a trunk ENI; t-family and non-Nitro types cannot attach one, so "
                   "those pods stay pending (and ipamd still keeps an ENI slot free for the trunk)."),
        remediation=("Use trunking-compatible instance types (most Nitro types outside the t family: m5, c5, r5, m6g...) "
                     "for these pods."),
        guide=OPS, check=_no_trunking),
    FindingRule(
        id="sgp-branch-enis-exceeded", title="More pods with security groups than branch ENIs", severity="high",
        rationale=("Each pod with security groups takes a branch ENI of the node's trunk ENI; the VPC resource "
                   "controller advertises a fixed number per instance type as vpc.amazonaws.com/pod-eni, and pods "
                   "past it are not scheduled."),
        remediation="Spread these pods over more nodes, or use an instance type that takes more branch ENIs.",
        guide=OPS, check=_branch_enis, references=("amazon-vpc-resource-controller-k8s pkg/aws/vpc/limits.go",)),
    FindingRule(
        id="sgp-trunk-slot-wasted", title="A trunk ENI slot kept on types that cannot attach one", severity="medium",
        rationale=("Before VPC CNI 1.20.4, ENABLE_POD_ENI made ipamd keep one ENI slot for the trunk ENI on every "
                   "instance type, so types that can never attach one lose an ENI of pod addresses."),
        remediation="Upgrade the VPC CNI to 1.20.4 or later (one minor version at a time).",
        guide=OPS, check=_trunk_slot_wasted, references=("amazon-vpc-cni-k8s#3250",)),
    FindingRule(
        id="sgp-strict-mode-conflict", title="Strict enforcing mode with features that need standard",
        severity="high",
        rationale=("In strict mode only the branch ENI's security groups apply and all pod traffic leaves the node "
                   "through the VPC, which breaks NodeLocal DNSCache, network policies and externalTrafficPolicy: Local."),
        remediation="Set POD_SECURITY_GROUP_ENFORCING_MODE=standard.",
        guide=MODES, check=_strict_conflicts, fixes=("vpc-cni-configuration", "aws-node-set-env", "aws-node-probes")),
    FindingRule(
        id="sgp-termination-grace-zero", title="Pods with security groups and no termination grace period",
        severity="medium",
        rationale="With terminationGracePeriodSeconds 0 the CNI does not tear the pod network down and branch ENIs leak.",
        remediation="Keep a non-zero terminationGracePeriodSeconds (the default 30 s is fine).",
        guide=OPS, check=_grace_zero),
    FindingRule(
        id="sgp-without-external-snat", title="Security groups for pods without external SNAT", severity="medium",
        rationale="Source NAT is disabled for pods with security groups; they need private subnets with a NAT gateway.",
        remediation="Run these pods in private subnets with a NAT gateway and set AWS_VPC_K8S_CNI_EXTERNALSNAT=true.",
        guide=OPS, check=_external_snat, fixes=("vpc-cni-configuration", "aws-node-set-env", "aws-node-probes")),
    FindingRule(
        id="sgp-public-subnets", title="Pods with security groups in public subnets", severity="high",
        rationale="Branch ENIs get no public address and no SNAT, so such pods cannot reach the internet from a public subnet.",
        remediation="Place node groups with such pods in private subnets behind a NAT gateway.",
        guide=OPS, check=_public_subnets),
)
