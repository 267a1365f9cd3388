"""Findings about the IP mode: prefix delegation, max pods and the warm pool."""

from __future__ import annotations

from ..cniversion import PREFIX_DELEGATION
from ..maxpods import max_pods, prefix_delegation_unsupported_reason
from .base import Context, FindingRule

PD = "Prefix Delegation Mode"
TUNING = "VPC CNI Configuration Tuning"


def _pd_fragmented(ctx: Context):
    risks = [r for r in ctx.analysis.prefix_risks if r.at_risk]
    if not risks:
        return
    def detail(r, covered: str = "") -> str:
        return (f"{r.subnet} ({r.cidr}) needs {r.prefixes_needed} contiguous /28 blocks at max size, but only "
                f"{r.worst_case_free_blocks} are surely free (at best {r.best_case_free_blocks}){covered}"
                + (f"; reserve {r.recommended_reservation} once no address in it is in use"
                   if r.recommended_reservation else ""))

    if len(risks) == 1:
        yield risks[0].subnet, "subnet " + detail(risks[0], " and no prefix CIDR reservation covers them")
    else:
        yield ", ".join(r.subnet for r in risks), (
            f"{len(risks)} subnets lack the /28 blocks prefixes need and no prefix CIDR reservation covers them: "
            + "; ".join(detail(r) for r in risks))


def _prefix_users(ctx: Context) -> tuple[list[str], list[str]]:
    """Node groups' instance types that use prefixes, and those that fall back (with why), when PD is requested."""
    version = ctx.settings.version
    using, falling = [], []
    for group in ctx.spec.node_groups:
        if ctx.spec.launcher(group) == "auto-mode":
            continue
        if group.os == "windows":
            falling.append(f"node group {group.name} runs Windows, which prefix delegation does not cover")
            continue
        for it in ctx.types(group):
            reason = prefix_delegation_unsupported_reason(it, version)
            if reason:
                falling.append(f"node group {group.name}'s {it.name}: {reason}")
            else:
                using.append(f"{group.name}'s {it.name}")
    return using, falling


def _prefix_requested(ctx: Context) -> bool:
    s = ctx.settings
    return bool(s.prefix_delegation) and not ctx.ipv6 and not (s.version is not None and s.version < PREFIX_DELEGATION)


def _mixed_modes(ctx: Context):
    if not _prefix_requested(ctx):
        return
    using, falling = _prefix_users(ctx)
    if using and falling:
        yield "cluster", (f"prefix delegation is on, and {', '.join(using)} use prefixes, but "
                          + "; ".join(falling) + ": those nodes keep secondary IPs")


def _prefix_without_effect(ctx: Context):
    if not _prefix_requested(ctx):
        return
    using, falling = _prefix_users(ctx)
    if falling and not using:
        yield "vpc-cni", ("ENABLE_PREFIX_DELEGATION is true but no node of the cluster can use prefixes ("
                          + "; ".join(falling) + "): every node keeps secondary IPs")


def _pd_old_cni(ctx: Context):
    s = ctx.settings
    if s.prefix_delegation and s.version is not None and s.version < PREFIX_DELEGATION:
        yield "vpc-cni", (f"ENABLE_PREFIX_DELEGATION is true but the VPC CNI is {s.version}; prefix delegation "
                          f"needs {PREFIX_DELEGATION} or later, so nodes keep secondary IPs")


def _pd_downgrade(ctx: Context):
    s = ctx.settings
    if s.prefix_delegation and s.version is not None and s.version.minor_line == (1, 9):
        yield "vpc-cni", (f"prefix delegation runs on VPC CNI {s.version}; one minor version back (1.8) has no "
                          "prefix support, and nodes that hold prefixes must then be replaced")


def _switch_by_rolling(ctx: Context):
    live, planned = ctx.observed, ctx.settings
    if live is None or planned is None or live is planned:
        return
    if bool(live.prefix_delegation) != bool(planned.prefix_delegation):
        now = "prefix delegation" if live.prefix_delegation else "secondary IP"
        then = "prefix delegation" if planned.prefix_delegation else "secondary IP"
        yield "aws-node", (f"the running aws-node uses {now} and the plan {then}: existing nodes keep their "
                           f"addresses in {now} mode; rolling them in place mixes modes")


def _warm_prefix_zero(ctx: Context):
    s = ctx.settings
    if s.warm_prefix_target == 0 and not s.ip_targets_defined:
        if s.prefix_delegation:
            yield "vpc-cni", ("WARM_PREFIX_TARGET is 0 with prefix delegation and no IP target: unsupported upstream "
                              "(aws-node refuses to start, or pods wait for every prefix)")
        else:
            yield "vpc-cni", ("WARM_PREFIX_TARGET is 0: it has no effect without prefix delegation and would be "
                              "rejected once prefix delegation is enabled")


RULES = (
    FindingRule(
        id="prefix-fragmented-subnet", title="Prefix delegation on a subnet without enough contiguous /28 blocks",
        severity="high",
        rationale=("Prefixes are whole, aligned /28 blocks. Single addresses scattered over a subnet can leave "
                   "none free; EC2 then fails prefix attachment with InsufficientCidrBlocks and pods stay pending."),
        remediation=("Create a subnet CIDR reservation of type prefix sized for the prefixes needed, or move pods to "
                     "larger or dedicated subnets."),
        guide=PD, check=_pd_fragmented, references=("amazon-vpc-cni-k8s#2749",), fixes=("prefix-cidr-reservations",)),
    FindingRule(
        id="mixed-ip-modes", title="Secondary-IP and prefix nodes mixed in one cluster", severity="medium",
        rationale=("Prefix delegation applies only where ipamd supports it; other nodes silently keep secondary "
                   "IPs, so max pods, warm pools and subnet sizing differ from node to node."),
        remediation="Run only Nitro (or bare-metal) Linux instance types in a prefix-mode cluster, or keep secondary IP everywhere.",
        guide=PD, check=_mixed_modes),
    FindingRule(
        id="prefix-delegation-without-effect", title="Prefix delegation on nodes that cannot use it", severity="medium",
        rationale=("ipamd uses prefixes only on Nitro (and, from VPC CNI 1.11.0, bare-metal) Linux nodes; elsewhere "
                   "ENABLE_PREFIX_DELEGATION changes nothing, and max pods and subnet sizing planned for prefixes are wrong."),
        remediation="Use Nitro instance types for prefix delegation, or leave it off and size for secondary IPs.",
        guide=PD, check=_prefix_without_effect),
    FindingRule(
        id="prefix-delegation-old-cni", title="Prefix delegation enabled on a CNI without it", severity="high",
        rationale="ENABLE_PREFIX_DELEGATION arrived in VPC CNI 1.9.0; older releases ignore it.",
        remediation="Upgrade the VPC CNI to 1.9.0 or later, one minor version at a time, before enabling prefixes.",
        guide=PD, check=_pd_old_cni, needs=frozenset({"settings"})),
    FindingRule(
        id="prefix-delegation-downgrade-trap", title="Prefix delegation one step from a release without it",
        severity="medium",
        rationale=("After prefixes are enabled, downgrading the CNI below 1.9.0 leaves nodes holding prefixes the old "
                   "ipamd cannot manage; the nodes must be deleted and recreated."),
        remediation="Upgrade past 1.9 and never roll the CNI back below 1.9.0; replace nodes if a rollback happened.",
        guide=PD, check=_pd_downgrade, needs=frozenset({"settings"})),
    FindingRule(
        id="switch-modes-by-rolling", title="IP mode switched on running nodes", severity="high",
        rationale=("Nodes keep the mode they started with; switching ENABLE_PREFIX_DELEGATION and rolling nodes in "
                   "place leaves a mix of modes and max pods during and after the change."),
        remediation="Create new node groups with the new mode, cordon and drain the old ones, then delete them.",
        guide=PD, check=_switch_by_rolling, needs=frozenset({"settings", "observed"})),
    FindingRule(
        id="warm-prefix-target-zero", title="WARM_PREFIX_TARGET set to 0", severity="medium",
        rationale=("With prefix delegation, 0 warm prefixes and no IP targets is unsupported: every new pod waits "
                   "for a prefix (or a new ENI) to be attached."),
        remediation="Leave WARM_PREFIX_TARGET at 1, or use WARM_IP_TARGET/MINIMUM_IP_TARGET for finer control.",
        guide=TUNING, check=_warm_prefix_zero, needs=frozenset({"settings"}), references=("amazon-vpc-cni-k8s#1568",), fixes=("vpc-cni-configuration", "aws-node-set-env", "aws-node-probes")),
)
