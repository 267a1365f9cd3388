"""Findings about running the VPC CNI."""

from __future__ import annotations

from .base import Context, FindingRule

BUSY_PODS = 60  # pods per node above which aws-node's default probe timeout is tight


def _node_role(ctx: Context):
    if ctx.spec.auto_mode:
        return
    if ctx.spec.vpc_cni.iam == "node-role":
        extra = " (and IPv6 needs a custom policy: AmazonEKS_CNI_Policy covers IPv4 only)" if ctx.ipv6 else ""
        yield "vpc-cni", ("the VPC CNI uses the node IAM role: every pod on the node can use the CNI's EC2 "
                          f"permissions{extra}")


def _custom_ami(ctx: Context):
    for group in ctx.spec.node_groups:
        if group.custom_ami:
            yield group.name, (f"node group {group.name} uses a custom AMI: the iptables FORWARD policy must be "
                               "ACCEPT (many distributions default to DROP, which breaks pod networking)")


def _probe_timeout(ctx: Context):
    busy = [g for g in ctx.spec.node_groups if g.pods_per_node >= BUSY_PODS]
    if busy and ctx.spec.vpc_cni.probe_timeout_seconds <= 10:
        names = ", ".join(f"{g.name} ({g.pods_per_node} pods)" for g in busy)
        yield "aws-node", (f"busy nodes in {names} keep aws-node's probe timeout at "
                           f"{ctx.spec.vpc_cni.probe_timeout_seconds} s; under load probes fail and pods stick in "
                           "ContainerCreating")


def _self_managed(ctx: Context):
    if not ctx.spec.vpc_cni.managed_addon and not ctx.spec.auto_mode:
        yield "vpc-cni", ("the VPC CNI is self-managed: no validated versions, no drift correction, upgrades by hand")


def _auto_mode_unsupported(ctx: Context):
    """What an Auto Mode node group is asked to do that EKS Auto Mode does not offer."""
    auto = [g for g in ctx.spec.node_groups if ctx.spec.launcher(g) == "auto-mode"]
    for group in auto:
        if group.security_group_pods_per_node:
            yield group.name, (f"node group {group.name} runs on EKS Auto Mode, which does not support security groups "
                               f"for pods, yet schedules {group.security_group_pods_per_node} pods with security "
                               "groups per node (a NodeClass's podSecurityGroupSelectorTerms gives all its pods one "
                               "set instead)")
    if auto and len(auto) == len(ctx.spec.node_groups):
        ignored = sorted(ctx.spec.vpc_cni.settings.given())
        if ignored:
            yield "vpc-cni", (f"every node group runs on EKS Auto Mode, which runs its own VPC CNI: aws-node settings "
                              f"{', '.join(ignored)} have no effect there")


RULES = (
    FindingRule(
        id="auto-mode-unsupported", title="Features EKS Auto Mode does not offer", severity="high",
        rationale=("EKS Auto Mode runs its own VPC CNI: no security groups for pods, no ENIConfig custom networking, "
                   "no warm-pool or prefix settings; pod subnets and pod security groups come from its NodeClass."),
        remediation=("Run these pods on a managed node group or Karpenter with the VPC CNI add-on, or use the "
                     "NodeClass's podSubnetSelectorTerms and podSecurityGroupSelectorTerms."),
        guide="VPC CNI Operations — Use Managed Add-On", check=_auto_mode_unsupported,
        references=("EKS user guide: automode/auto-networking",)),
    FindingRule(
        id="cni-policy-on-node-role", title="VPC CNI permissions on the node role", severity="medium",
        rationale="The CNI's EC2 permissions on the node role are available to every pod that can reach IMDS.",
        remediation=("Give aws-node a dedicated role with AmazonEKS_CNI_Policy through IRSA or Pod Identity, then "
                     "remove the policy from the node role."),
        guide="VPC CNI Operations — Use Separate IAM Role for CNI", check=_node_role, fixes=("vpc-cni-update-addon",)),
    FindingRule(
        id="custom-ami-iptables-forward", title="Custom AMI: iptables FORWARD policy", severity="medium",
        rationale="The VPC CNI needs the FORWARD chain to accept pod traffic; custom images often drop it.",
        remediation="Set the iptables FORWARD policy to ACCEPT in the image or kubelet unit.",
        guide="VPC CNI Operations — IPTables Forward Policy (Custom AMIs)", check=_custom_ami),
    FindingRule(
        id="aws-node-probe-timeout", title="Default aws-node probe timeout on busy nodes", severity="low",
        rationale="On busy nodes aws-node's liveness and readiness probes can time out at the default 10 s.",
        remediation="Raise the probe timeouts (e.g. to 30 s) and check aws-node's CPU request.",
        guide="VPC CNI Operations — Handle Liveness/Readiness Probe Failures", check=_probe_timeout, fixes=("vpc-cni-configuration", "aws-node-set-env", "aws-node-probes")),
    FindingRule(
        id="cni-self-managed", title="Self-managed VPC CNI", severity="low",
        rationale="The managed add-on brings validated versions, drift correction and simpler upgrades.",
        remediation="Adopt the EKS managed add-on (keeping the settings in its configurationValues).",
        guide="VPC CNI Operations — Use Managed Add-On", check=_self_managed, fixes=("vpc-cni-create-addon",)),
)
