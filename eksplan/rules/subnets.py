"""Findings about subnets: roles, tags, room."""

from __future__ import annotations

from .base import Context, FindingRule, join_names

RUNWAY_MONTHS = 12
ROLE_TAGS = {"public": "kubernetes.io/role/elb", "nodes": "kubernetes.io/role/internal-elb"}


def _shared_cluster_subnets(ctx: Context):
    shared = [s.label for s in ctx.spec.subnets if "cluster" in s.roles and {"nodes", "pods"} & set(s.roles)]
    if shared:
        holds = "holds" if len(shared) == 1 else "hold"
        yield ", ".join(shared), (f"subnet{'s' if len(shared) > 1 else ''} {join_names(shared)} {holds} the control "
                                  "plane's cross-account ENIs and nodes or pods: an upgrade can find no address for "
                                  "new ENIs")
    if ctx.spec.subnets and not ctx.spec.subnets_with("cluster"):
        yield "cluster", ("no dedicated cluster subnets: the control plane's cross-account ENIs compete with "
                          "nodes and pods for addresses")


def _missing_tags(ctx: Context):
    for role, tag in ROLE_TAGS.items():
        lacking = [s.label for s in ctx.spec.subnets
                   if s.tags and role in s.roles and s.tags.get(tag) != "1"]  # no tags given: unknown, not checked
        if lacking:
            plural = len(lacking) > 1
            yield ", ".join(lacking), (f"{role} subnet{'s' if plural else ''} {join_names(lacking)} "
                                       f"lack{'' if plural else 's'} the tag {tag}=1, which the AWS Load Balancer "
                                       f"Controller uses to find {'them' if plural else 'it'}")


def _exhausted(ctx: Context):
    short = [load for load in ctx.analysis.usage.at("max") if load.free is not None and load.free < 0]
    if len(short) == 1:
        load = short[0]
        yield load.label, (f"subnet {load.label} ({load.cidr}) needs {load.consumed:,} addresses at max size "
                           f"but holds {load.size:,}: {-load.free:,} short")
    elif short:
        yield ", ".join(load.label for load in short), (
            f"{len(short)} subnets are short of addresses at max size: " + "; ".join(
                f"{load.label} ({load.cidr}) needs {load.consumed:,} of {load.size:,}, {-load.free:,} short"
                for load in short))
    if ctx.analysis.plan is None or not ctx.analysis.plan.shortfalls:  # else the shortfalls say it
        for item in ctx.analysis.usage.unplaced:
            yield "cluster", item


def _runway(ctx: Context):
    tight = [r for r in ctx.analysis.runways if r.months is not None and r.months < RUNWAY_MONTHS]
    if len(tight) == 1:
        runway = tight[0]
        yield runway.subnet, (f"subnet {runway.subnet} runs out in {runway.months:.0f} months at the planned "
                              f"growth ({runway.derivation}), under the {RUNWAY_MONTHS} eksplan asks for")
    elif tight:
        yield ", ".join(r.subnet for r in tight), (
            f"{len(tight)} subnets run out within {RUNWAY_MONTHS} months at the planned growth: "
            + "; ".join(f"{r.subnet} in {r.months:.0f} ({r.derivation})" for r in tight))


def _plan_shortfall(ctx: Context):
    """One finding per cause, listing every planned subnet it keeps out."""
    if ctx.analysis.plan is None:
        return
    by_cause: dict[str, list] = {}
    for shortfall in ctx.analysis.plan.shortfalls:
        by_cause.setdefault(shortfall.cause, []).append(shortfall)
    for cause, shortfalls in by_cause.items():
        if len(shortfalls) == 1:
            yield f"{shortfalls[0].availability_zone}/{shortfalls[0].role}", shortfalls[0].message
            continue
        zones = sorted({s.availability_zone for s in shortfalls})
        listed = ", ".join(f"{s.availability_zone} {s.role} ({s.needed:,} addresses, a /{s.prefixlen})"
                           for s in sorted(shortfalls, key=lambda s: (s.availability_zone, s.role)))
        yield ", ".join(zones), f"{len(shortfalls)} planned subnets do not fit: {listed}; {cause}"


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
        guide="Subnet Planning — Subnet Tagging Requirements", check=_missing_tags, fixes=("subnet-tags",)),
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
