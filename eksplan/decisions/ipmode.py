"""Decision: secondary IP or prefix delegation, and the warm-pool settings that go with it."""

from __future__ import annotations

from ..analysis import addresses_at, analyze, with_settings
from ..cniversion import PREFIX_DELEGATION
from ..maxpods import prefix_delegation_unsupported_reason
from ..rules.base import Context, Decision, DecisionRule, Option
from .common import instance_types, ipv4_pressure, max_pods_per_node

GUIDE = "Prefix Delegation Mode"
DENSITY = 30  # pods per node above which the guide recommends prefixes

SECONDARY = Option(
    "Secondary IP",
    ("the default; works on every instance type and CNI version",
     "addresses are taken one by one: fine-grained warm pools with WARM_IP_TARGET/MINIMUM_IP_TARGET"),
    ("max pods is bound by ENIs x addresses per ENI (29 on m5.large)",
     "each new ENI takes seconds to attach; warm ENIs hold many idle addresses"),
)
PREFIX = Option(
    "Prefix delegation",
    ("each ENI slot holds a /28: far more pods per node (up to the 110/250 ceiling)",
     "prefixes attach in under a second; usually one ENI per node"),
    ("Nitro or bare-metal instances and VPC CNI >= 1.9.0 only",
     "needs contiguous, aligned /28 blocks: fragmented subnets fail with InsufficientCidrBlocks",
     "addresses come 16 at a time; max pods must be raised on nodes; never mix modes in a cluster"),
)


def _figures(ctx: Context) -> tuple[int, int]:
    """Addresses at desired size in secondary-IP and in prefix mode."""
    spec = ctx.spec
    secondary = spec if not ctx.settings.prefix_delegation else with_settings(spec, ENABLE_PREFIX_DELEGATION=False)
    warm_prefix = ctx.settings.effective_warm_prefix_target or 1
    prefix = spec if ctx.settings.prefix_delegation else with_settings(
        spec, ENABLE_PREFIX_DELEGATION=True, WARM_PREFIX_TARGET=warm_prefix)  # 0 would not run with prefixes
    return addresses_at(analyze(secondary, ctx.catalog)), addresses_at(analyze(prefix, ctx.catalog))


def decide(ctx: Context) -> Decision:
    spec = ctx.spec
    current = "Prefix delegation" if ctx.settings.prefix_delegation else "Secondary IP"
    confirm = ("kubectl get daemonset aws-node -n kube-system -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name==\"ENABLE_PREFIX_DELEGATION\")].value}'",
               "kubectl get nodes -o custom-columns=NAME:.metadata.name,MAXPODS:.status.capacity.pods")
    if spec.ipv6:
        return Decision(
            id="ip-mode", title="IP mode: secondary IP or prefix delegation",
            context="In IPv6 clusters the VPC CNI always runs in prefix mode: each node gets one /80.",
            drivers=("IPv6 cluster",), options=(PREFIX,), chosen="Prefix delegation",
            because="IPv6 clusters run the VPC CNI in prefix mode only",
            consequences=("no warm-pool tuning; max pods follows EKS's default (the prefix formula capped at 110/250)",),
            confirm=confirm, guide="IPv4 vs IPv6 — Decision Guide", current="Prefix delegation",
            settings={"ENABLE_PREFIX_DELEGATION": "true"})
    density = max_pods_per_node(ctx)
    pressure = ipv4_pressure(ctx)
    version = ctx.settings.version
    unsupported = [f"{it.name}: {reason}" for it in instance_types(ctx)
                   if (reason := prefix_delegation_unsupported_reason(it, None))]
    old_cni = version is not None and version < PREFIX_DELEGATION
    at_risk = [r for r in ctx.analysis.prefix_risks if r.at_risk]
    secondary_addresses, prefix_addresses = _figures(ctx)
    drivers = (
        f"pods per node: up to {density} (the guide recommends prefixes above {DENSITY})",
        "IPv4 space: " + ("; ".join(pressure.reasons) if pressure.constrained else "enough at max size"),
        f"instance types without prefix support: {', '.join(unsupported) or 'none'}",
        f"VPC CNI: {version or 'unknown'} (prefixes from {PREFIX_DELEGATION})",
        f"addresses at desired size: {secondary_addresses:,} with secondary IPs, {prefix_addresses:,} with prefixes",
        f"subnets at risk of /28 fragmentation: {len(at_risk)}",
    )
    if not spec.node_groups:
        chosen, because = "Secondary IP", "the cluster has no node groups: each Fargate pod takes one address in any mode"
    elif unsupported:
        chosen, because = "Secondary IP", "some instance types cannot use prefixes (" + "; ".join(unsupported) + ")"
    elif density > DENSITY:
        chosen, because = "Prefix delegation", (f"nodes run up to {density} pods, beyond what secondary IPs address "
                                                "on most instance sizes")
    elif pressure.constrained and prefix_addresses < secondary_addresses:
        chosen, because = "Prefix delegation", (f"IPv4 space is short and prefixes take fewer addresses here "
                                                f"({prefix_addresses:,} against {secondary_addresses:,})")
    else:
        chosen, because = "Secondary IP", (f"nodes run at most {density} pods, which secondary IPs address, and "
                                           "addresses can be kept tight one by one")
    if chosen == "Prefix delegation":
        settings = {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}
        consequences = [
            "create new node groups for the change (never roll existing nodes in place); never mix modes",
            "set max pods on nodes whose tooling uses the secondary-IP table (self-managed, Karpenter)",
            "keep WARM_PREFIX_TARGET=1; use WARM_IP_TARGET below 16 only to save addresses",
        ]
        if old_cni:
            consequences.insert(0, f"upgrade the VPC CNI from {version} to {PREFIX_DELEGATION} or later first, one minor at a time")
        for risk in at_risk:
            consequences.append(f"reserve /28 space in {risk.subnet}: " + (risk.command or risk.derivation[-1]))
    else:
        settings = {"ENABLE_PREFIX_DELEGATION": "false"}
        if pressure.constrained:
            target = density + 2
            settings.update({"WARM_IP_TARGET": "2", "MINIMUM_IP_TARGET": str(target), "WARM_ENI_TARGET": None})
            consequences = [f"keep warm pools small: WARM_IP_TARGET=2 and MINIMUM_IP_TARGET={target} (expected pods + 2)",
                            "more EC2 API calls: watch for throttling on large clusters"]
        else:
            consequences = ["the default WARM_ENI_TARGET=1 keeps a whole ENI of addresses warm per node"]
    return Decision(
        id="ip-mode", title="IP mode: secondary IP or prefix delegation",
        context=(f"Cluster {spec.name} assigns pods VPC IPv4 addresses either one by one (secondary IPs) or in /28 "
                 "prefixes; the mode sets max pods, warm pools and how subnets fill."),
        drivers=drivers, options=(SECONDARY, PREFIX), chosen=chosen, because=because,
        consequences=tuple(consequences), confirm=confirm, guide=GUIDE, current=current, settings=settings,
    )


RULE = DecisionRule("ip-mode", "IP mode: secondary IP or prefix delegation", GUIDE, decide)
