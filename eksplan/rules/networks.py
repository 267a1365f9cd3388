"""Findings about CIDRs, custom networking and IPv6."""

from __future__ import annotations

import ipaddress

from ..cniversion import IPV6, CniVersion
from .base import Context, FindingRule, join_names

CUSTOM = "Custom Networking"
IPV6_GUIDE = "IPv4 vs IPv6 — IPv6 Operational Considerations"
CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
NETWORK_POLICY = CniVersion(1, 14, 0)


def _custom_ipv6_ready(ctx: Context):
    if ctx.spec.cni.custom_networking and ctx.spec.requirements.ip_family == "either":
        yield "cluster", ("custom networking is configured although the cluster could run IPv6 "
                          "(requirements.ip_family: either), which ends IPv4 exhaustion without ENIConfigs")


def _custom_cgnat_in_use(ctx: Context):
    if not ctx.spec.cni.custom_networking:
        return
    pods = [s for s in ctx.spec.subnets if "pods" in s.roles]
    for used in ctx.spec.requirements.cgnat_in_use:
        hit = [s for s in pods if s.cidr.overlaps(used)]
        if hit:
            plural = len(hit) > 1
            yield ", ".join(s.label for s in hit), (
                f"pod subnet{'s' if plural else ''} {join_names([f'{s.label} ({s.cidr})' for s in hit])} "
                f"overlap{'' if plural else 's'} {used}, CG-NAT space already in use elsewhere: pod traffic to it is "
                "ambiguous")
    if ctx.analysis.plan is not None and ctx.analysis.plan.add_vpc_cidr is None and not pods:
        planned = [p for p in ctx.analysis.plan.subnets if p.role == "pods"]
        if not planned and any(s.role == "pods" for s in ctx.analysis.plan.shortfalls):
            yield "cluster", "no free 100.64.0.0/10 block is left for pod subnets: CG-NAT space is already in use"


def _overlapping(ctx: Context):
    r = ctx.spec.requirements
    for cidr in ctx.spec.vpc.cidrs:
        for kind, ranges in (("on-premises", r.on_prem_cidrs), ("peered", r.peered_cidrs)):
            for other in ranges:
                if cidr.overlaps(other):
                    yield str(cidr), (f"VPC CIDR {cidr} overlaps the {kind} range {other}: traffic between them "
                                      "cannot be routed; custom networking alone does not fix this")


def _ipv6_non_nitro(ctx: Context):
    if not ctx.ipv6:
        return
    for group in ctx.spec.node_groups:
        for it in ctx.types(group):
            if not it.nitro_based:
                yield group.name, (f"node group {group.name} includes {it.name} ({it.hypervisor}); IPv6 clusters "
                                   "need Nitro-based instances")
        if group.os == "windows":
            yield group.name, f"node group {group.name} runs Windows, which EKS IPv6 clusters do not support"


def _dns64(ctx: Context):
    if not ctx.ipv6:
        return
    for subnet in ctx.spec.subnets:
        if subnet.dns64 and ({"nodes", "pods"} & set(subnet.roles)):
            yield subnet.label, (f"DNS64 is on in subnet {subnet.label}, where IPv6 pods run: IPv4-only "
                                 "destinations resolve to NAT64 addresses and traffic pays for the NAT gateway")


def _fargate_ipv4(ctx: Context):
    if not ctx.ipv6 or not ctx.spec.fargate_profiles:
        return
    tight = [load for load in ctx.analysis.usage.at("max")
             if load.fargate_ips and load.free is not None and load.free < load.fargate_ips // 2]
    if tight:
        details = [f"{load.label} is {-load.free:,} short" if load.free < 0 else
                   f"{load.label} has {load.free:,} free beside {load.fargate_ips:,} Fargate pods" for load in tight]
        yield ", ".join(load.label for load in tight), (
            "IPv4 room for Fargate at max size: " + "; ".join(details)
            + ": each Fargate pod needs an IPv4 address in IPv6 clusters too")


def _version_gates(ctx: Context):
    version = ctx.settings.version
    if version is None:
        return
    if ctx.spec.ipv6 and version < IPV6:
        yield "vpc-cni", f"IPv6 needs VPC CNI {IPV6} or later; the cluster runs {version}"
    if ctx.spec.requirements.network_policies and version < NETWORK_POLICY:
        yield "vpc-cni", (f"network policies need VPC CNI {NETWORK_POLICY} or later (its network policy agent); "
                          f"the cluster runs {version}")


RULES = (
    FindingRule(
        id="custom-networking-ipv6-ready", title="Custom networking where IPv6 would do", severity="low",
        rationale=("Custom networking costs ENIConfigs per AZ and one ENI of pod capacity per node; an IPv6 cluster "
                   "removes IPv4 exhaustion without either."),
        remediation="Consider an IPv6 cluster for new clusters (the choice is permanent for a cluster).",
        guide=CUSTOM, check=_custom_ipv6_ready),
    FindingRule(
        id="custom-networking-cgnat-in-use", title="Custom networking in CG-NAT space that is already used",
        severity="high",
        rationale="Pod subnets in 100.64.0.0/10 must not overlap CG-NAT ranges used elsewhere in the network.",
        remediation="Pick an unused 100.64.0.0/10 block, or use IPv6 or an alternate CNI.",
        guide=CUSTOM, check=_custom_cgnat_in_use),
    FindingRule(
        id="overlapping-cidrs", title="VPC CIDR overlaps a connected network", severity="high",
        rationale="Overlapping ranges cannot be routed between; custom networking does not change the node CIDR.",
        remediation="Use a private NAT gateway with a transit gateway for the overlapping ranges, or re-address.",
        guide=CUSTOM, check=_overlapping),
    FindingRule(
        id="ipv6-unsupported-nodes", title="IPv6 cluster with nodes that cannot run it", severity="high",
        rationale="EKS IPv6 clusters need Nitro-based Linux instances.",
        remediation="Use Nitro-based instance types (and Linux) in IPv6 clusters.",
        guide="IPv4 vs IPv6 — Decision Guide", check=_ipv6_non_nitro),
    FindingRule(
        id="dns64-on-pod-subnets", title="DNS64 on subnets with IPv6 pods", severity="medium",
        rationale=("With DNS64, IPv4-only names resolve to synthesized IPv6 addresses and traffic goes through NAT64 "
                   "on the NAT gateway instead of the node's SNAT."),
        remediation="Turn DNS64 off on the subnets where IPv6 pods run.",
        guide="IPv4 vs IPv6 — IPv4 Egress from IPv6 Pods", check=_dns64, fixes=("subnets-dns64-off",)),
    FindingRule(
        id="fargate-ipv4-room", title="Fargate in an IPv6 cluster without IPv4 room", severity="high",
        rationale="Fargate pods take an IPv4 and an IPv6 address; without IPv4 room they cannot be scheduled.",
        remediation="Size the dual-stack subnets that Fargate uses for its IPv4 addresses too.",
        guide=IPV6_GUIDE, check=_fargate_ipv4),
    FindingRule(
        id="cni-version-too-old", title="VPC CNI too old for a required feature", severity="high",
        rationale="IPv6 needs VPC CNI 1.10.0; the network policy agent needs 1.14.0.",
        remediation="Upgrade the VPC CNI, one minor version at a time.",
        guide="VPC CNI Operations — Backup CNI Settings Before Update", check=_version_gates),
)
