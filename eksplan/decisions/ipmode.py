"""Decision: secondary IP or prefix delegation, reasoned from both modes' simulated figures.

Each mode is simulated for the whole cluster (ipamd's warm pool per node group, max pods set
where the plan would set it): whether every node group's pods find an address and a place, and
how many subnet addresses the cluster takes at desired size. The chosen mode runs every group's
pods when either mode can; between modes that both can, it takes no more addresses than the
other unless the record says why (keeping the current mode rather than replacing every node
group for a small saving). A change states its cost: which node groups are replaced and what
restarts.
"""

from __future__ import annotations

from ..cniversion import PREFIX_DELEGATION
from ..launchers import LAUNCHER_NAMES
from ..maxpods import prefix_delegation_unsupported_reason
from ..rollup import warm_pool, wasteful
from ..rules.base import Context, DecisionRule, Option, Outcome
from .common import ModeFigures, instance_types, ipv4_pressure, max_pods_per_node, what_if

GUIDE = "Prefix Delegation Mode"
#: A switch of IP mode replaces every node group; below this share of addresses saved, and with
#: IPv4 space not short, the record keeps the current mode and says so.
WORTH_SWITCHING = 0.10

SECONDARY_NAME, PREFIX_NAME = "Secondary IP", "Prefix delegation"
SECONDARY = Option(
    SECONDARY_NAME,
    ("the default; works on every instance type and CNI version",
     "addresses are taken one by one: fine-grained warm pools with WARM_IP_TARGET/MINIMUM_IP_TARGET"),
    ("max pods is bound by ENIs x (addresses per ENI - 1) (m5.large: 27 pod addresses)",
     "each new ENI takes seconds to attach; warm ENIs hold many idle addresses"),
)
PREFIX = Option(
    PREFIX_NAME,
    ("each ENI slot holds a /28: far more pods per node (up to the 110/250 ceiling)",
     "prefixes attach in under a second; usually one ENI per node"),
    ("Nitro or bare-metal instances and VPC CNI >= 1.9.0 only",
     "needs contiguous, aligned /28 blocks: fragmented subnets fail with InsufficientCidrBlocks",
     "addresses come 16 at a time; max pods must be raised where the launcher does not follow the mode"),
)


def _modes(ctx: Context) -> tuple[ModeFigures, ModeFigures]:
    settings = ctx.settings
    secondary = what_if(ctx, "secondary IP", **({"ENABLE_PREFIX_DELEGATION": False} if settings.prefix_delegation else {}))
    prefix_env = {} if settings.prefix_delegation else {"ENABLE_PREFIX_DELEGATION": True}
    if settings.warm_prefix_target == 0:
        prefix_env["WARM_PREFIX_TARGET"] = 1  # 0 is not supported with prefixes
    return secondary, what_if(ctx, "prefix delegation", **prefix_env)


def _replaced(ctx: Context) -> str:
    groups = [g for g in ctx.spec.node_groups if g.os != "windows"]
    names = ", ".join(f"{g.name} ({LAUNCHER_NAMES[ctx.spec.launcher(g)]})" for g in groups)
    return (f"replace node groups {names}: create new ones after aws-node has the new setting, cordon and drain "
            "the old nodes, then delete them (nodes keep the mode they started with; never roll them in place)")


def decide(ctx: Context) -> Outcome:
    spec = ctx.spec
    current = PREFIX_NAME if ctx.settings.prefix_delegation else SECONDARY_NAME
    confirm = ("kubectl get daemonset aws-node -n kube-system -o jsonpath='{.spec.template.spec.containers[0]"
               ".env[?(@.name==\"ENABLE_PREFIX_DELEGATION\")].value}'",
               "kubectl get nodes -o custom-columns=NAME:.metadata.name,MAXPODS:.status.capacity.pods")
    context = (f"Cluster {spec.name} assigns pods VPC IPv4 addresses either one by one (secondary IPs) or in /28 "
               "prefixes; the mode sets what each node can address, its warm pool and how subnets fill.")
    if spec.ipv6:
        return Outcome(
            context="In IPv6 clusters the VPC CNI always runs in prefix mode: each node gets one /80.",
            drivers=("IPv6 cluster",), chosen=PREFIX_NAME,
            because="IPv6 clusters run the VPC CNI in prefix mode only",
            consequences=("no warm-pool tuning: the /80 is assigned when the node starts",),
            confirm=confirm[1:], current=PREFIX_NAME)
    if not spec.node_groups:
        return Outcome(context=context, drivers=("no node groups: Fargate only",),
                       chosen=current, because="the cluster has no node groups: each Fargate pod takes one address in "
                                               "any mode", consequences=("nothing to change",), confirm=confirm,
                       current=current)
    secondary, prefix = _modes(ctx)
    pressure = ipv4_pressure(ctx)
    version = ctx.settings.version
    unsupported = sorted({f"{it.name} ({reason})" for it in instance_types(ctx)
                          if (reason := prefix_delegation_unsupported_reason(it, None))})
    old_cni = version is not None and version < PREFIX_DELEGATION
    drivers = (
        f"pods per node: up to {max_pods_per_node(ctx)}",
        "secondary IP: " + ("every node group's pods fit" if secondary.fits else secondary.shortfall())
        + f"; {secondary.addresses:,} subnet addresses at desired size",
        "prefix delegation: " + ("every node group's pods fit" if prefix.fits else prefix.shortfall())
        + f"; {prefix.addresses:,} subnet addresses at desired size",
        "IPv4 space: " + ("; ".join(pressure.reasons) if pressure.constrained else "enough at max size"),
        f"instance types without prefix support: {', '.join(unsupported) or 'none'}",
        f"VPC CNI: {version or 'unknown'} (prefixes from {PREFIX_DELEGATION})",
    )
    chosen, because = _choose(current, secondary, prefix, pressure.constrained, unsupported)
    figures = prefix if chosen == PREFIX_NAME else secondary
    consequences: list[str] = []
    settings: dict = {}
    if chosen != current:
        consequences.append(_replaced(ctx))
        consequences.append("aws-node restarts on every node with the new setting (a rolling DaemonSet update)")
    if chosen == PREFIX_NAME:
        if not ctx.settings.prefix_delegation:
            settings["ENABLE_PREFIX_DELEGATION"] = "true"
        if ctx.settings.ip_targets_defined:
            consequences.append("WARM_IP_TARGET/MINIMUM_IP_TARGET stay in force: ipamd then ignores WARM_PREFIX_TARGET")
        elif ctx.settings.warm_prefix_target in (None, 0):
            settings["WARM_PREFIX_TARGET"] = "1"
        if old_cni:
            consequences.insert(0, f"upgrade the VPC CNI from {version} to {PREFIX_DELEGATION} or later first, "
                                   "one minor version at a time")
        for risk in figures.analysis.prefix_risks:
            if risk.at_risk:
                consequences.append(f"reserve /28 space in {risk.subnet} before nodes need it (see the "
                                    "prefix-fragmented-subnet finding)")
    else:
        if ctx.settings.prefix_delegation:
            settings["ENABLE_PREFIX_DELEGATION"] = "false"
        held, warm = warm_pool(figures.analysis.groups)
        if (pressure.constrained or wasteful(held, warm)) and not ctx.settings.ip_targets_defined:
            target = max_pods_per_node(ctx) + 2
            settings.update({"WARM_IP_TARGET": "2", "MINIMUM_IP_TARGET": str(target), "WARM_ENI_TARGET": None})
            why = "IPv4 space is short" if pressure.constrained else \
                f"warm pools would hold {warm / held:.0%} of the nodes' pool addresses unused"
            consequences.append(f"keep warm pools small ({why}): WARM_IP_TARGET=2 and MINIMUM_IP_TARGET={target} "
                                "(expected pods + 2); more EC2 API calls, so watch for throttling")
    if (ctx.settings.minimum_ip_target or 0) >= 1 and not (ctx.settings.warm_ip_target or 0) >= 1:
        settings["WARM_IP_TARGET"] = "2"
        consequences.append("set WARM_IP_TARGET=2 beside MINIMUM_IP_TARGET: alone, the minimum keeps no warm address")
    if not consequences:
        consequences.append("nothing to change")
    return Outcome(context=context, drivers=drivers, chosen=chosen, because=because,
                   consequences=tuple(consequences), confirm=confirm, current=current, settings=settings)


def _label(figures: ModeFigures) -> str:
    return SECONDARY_NAME if figures.name == "secondary IP" else PREFIX_NAME


def _choose(current: str, secondary: ModeFigures, prefix: ModeFigures, constrained: bool,
            unsupported: list[str]) -> tuple[str, str]:
    """The mode, and why, from what each mode runs and takes."""
    if unsupported and current == SECONDARY_NAME:
        return SECONDARY_NAME, ("some instance types cannot use prefixes (" + "; ".join(unsupported)
                                + "), and mixing modes in one cluster is not recommended")
    if secondary.fits != prefix.fits:
        chosen = secondary if secondary.fits else prefix
        other = prefix if secondary.fits else secondary
        return _label(chosen), (f"only {chosen.name} runs every node group's pods ({other.name}: {other.shortfall()})")
    if not secondary.fits:
        fewer = min((secondary, prefix), key=lambda m: (sum(m.pending.values()), _label(m) != current))
        name = _label(fewer)
        return name, (f"neither mode runs every node group's pods; {fewer.name} leaves the fewest without a place "
                      f"({fewer.shortfall()}): the instance types or pods per node must change")
    cheaper = secondary if secondary.addresses <= prefix.addresses else prefix
    costlier = prefix if cheaper is secondary else secondary
    cheaper_name = _label(cheaper)
    saving = costlier.addresses - cheaper.addresses
    if cheaper_name == current or saving == 0:
        kept = cheaper if cheaper_name == current else costlier
        return current, (f"both modes run every node group's pods and {kept.name} takes "
                         + (f"fewer subnet addresses ({cheaper.addresses:,} against {costlier.addresses:,})"
                            if saving else f"as many subnet addresses ({cheaper.addresses:,})"))
    share = saving / costlier.addresses
    if share < WORTH_SWITCHING and not constrained:
        return current, (f"both modes run every node group's pods; {cheaper.name} would save {saving:,} "
                         f"addresses ({share:.0%}), not worth replacing every node group while IPv4 space is not short")
    return cheaper_name, (f"both modes run every node group's pods and {cheaper.name} takes fewer subnet "
                          f"addresses ({cheaper.addresses:,} against {costlier.addresses:,})")


RULE = DecisionRule("ip-mode", "IP mode: secondary IP or prefix delegation", GUIDE, (SECONDARY, PREFIX), decide)
