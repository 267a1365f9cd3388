"""Findings about subnets: roles, tags, room."""

from __future__ import annotations

from .base import Context, FindingRule

RUNWAY_MONTHS = 12
ROLE_TAGS = {"public": "kubernetes.io/role/elb", "nodes": "kubernetes.io/role/internal-elb"}


def _shared_cluster_subnets(ctx: Context):
    for subnet in ctx.spec.subnets:
        if "cluster" in subnet.roles and {"nodes", "pods"} & set(subnet.roles):
            yield subnet.label, (f"subnet {subnet.label} holds the control plane's cross-account ENIs and "
                                 "nodes or pods: an upgrade can find no address for new ENIs")
    if ctx.spec.subnets and not ctx.spec.subnets_with("cluster"):
        yield "cluster", ("no dedicated cluster subnets: the control plane's cross-account ENIs compete with "
                          "nodes and pods for addresses")


def _missing_tags(ctx: Context):
    for subnet in ctx.spec.subnets:
        if not subnet.tags:
            continue  # tags unknown: nothing to check
        for role, tag in ROLE_TAGS.items():
            if role in subnet.roles and subnet.tags.get(tag) != "1":
                yield subnet.label, (f"{role} subnet {subnet.label} lacks the tag {tag}=1, which the AWS Load "
                                     "Balancer Controller uses to find it")


def _exhausted(ctx: Context):
    for load in ctx.analysis.usage.at("max"):
        if load.free is not None and load.free < 0:
            yield load.label, (f"subnet {load.label} ({load.cidr}) needs {load.consumed:,} addresses at max size "
                               f"but holds {load.size:,}: {-load.free:,} short")
    if ctx.analysis.plan is None or not ctx.analysis.plan.shortfalls:  # else the shortfalls say it
        for item in ctx.analysis.usage.unplaced:
            yield "cluster", item


def _runway(ctx: Context):
    for runway in ctx.analysis.runways:
        if runway.months is not None and runway.months < RUNWAY_MONTHS:
            yield runway.subnet, (f"subnet {runway.subnet} runs out in {runway.months:.0f} months at the planned "
                                  f"growth ({runway.derivation}), under the {RUNWAY_MONTHS} eksplan asks for")


def _plan_shortfall(ctx: Context):
    if ctx.analysis.plan is not None:
        for shortfall in ctx.analysis.plan.shortfalls:
            yield f"{shortfall.availability_zone}/{shortfall.role}", shortfall.message


RULES = (
    FindingRule(
        id="cluster-subnets-shared", title="Control-plane ENIs share subnets with nodes", severity="medium",
        rationale=("EKS places up to 4 cross-account ENIs in the cluster subnets and more during upgrades; if nodes "
                   "use those subnets, an upgrade can fail for lack of addresses."),
        remediation="Give the cluster dedicated /28 subnets, one per AZ.",
        guide="Subnet Planning — Recommended Subnet Architecture", check=_shared_cluster_subnets),
    FindingRule(
        id="missing-subnet-tags", title="Subnet without its load-balancer role tag", severity="medium",
        rationale="The AWS Load Balancer Controller finds subnets by kubernetes.io/role/elb and internal-elb tags.",
        remediation="Tag public subnets kubernetes.io/role/elb=1 and private ones kubernetes.io/role/internal-elb=1.",
        guide="Subnet Planning — Subnet Tagging Requirements", check=_missing_tags),
    FindingRule(
        id="subnet-exhausted", title="Subnet too small at maximum size", severity="high",
        rationale="When a subnet runs out, ipamd cannot attach addresses and new pods and nodes fail.",
        remediation="Enlarge the subnet (new subnets, a secondary CIDR) or reduce warm pools and pod density.",
        guide="IP Exhaustion Strategies", check=_exhausted),
    FindingRule(
        id="subnet-runway-short", title="Subnet runs out within a year", severity="medium",
        rationale="At the planned growth the subnet's free addresses are gone within the year.",
        remediation="Plan more address space now: a secondary CIDR, prefix delegation or IPv6.",
        guide="IP Exhaustion Strategies", check=_runway),
    FindingRule(
        id="subnet-plan-shortfall", title="Planned subnet does not fit in the VPC", severity="high",
        rationale="The subnet the cluster needs is larger than any free block of the VPC CIDRs.",
        remediation="Add a secondary VPC CIDR, reduce headroom or node counts, or use IPv6.",
        guide="Subnet Planning — Recommended Subnet Architecture", check=_plan_shortfall),
)
