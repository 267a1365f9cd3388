"""Findings about a cluster as it runs today against its plan (they need an observed state).

They read a :class:`eksplan.compare.Comparison` from ``ctx.extras["comparison"]`` and are kept
out of :data:`eksplan.rules.FINDING_RULES`, which judge a spec alone; :func:`observed_findings`
runs them.
"""

from __future__ import annotations

from ..catalog import Catalog, load_catalog
from ..echo import counted
from ..launchers import LAUNCHER_NAMES, max_pods_setting
from .base import SEVERITIES, Context, Finding, FindingRule, join_names

__all__ = ["OBSERVED_RULES", "SPEC_COUNTERPARTS", "observed_findings"]

#: Observed rules that see on the nodes what a spec rule already says of the plan (same subject):
#: one problem, one action.
SPEC_COUNTERPARTS = {"observed-max-pods-above-addresses": "max-pods-above-addresses"}

PD = "Prefix Delegation Mode"
TUNING = "VPC CNI Configuration Tuning"


def _names(names, limit: int = 4) -> str:
    names = list(names)
    shown = join_names(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _above(ctx: Context):
    comparison = ctx.extras["comparison"]
    for g in comparison.groups:
        if not g.above_addressable:
            continue
        nodes = [n for n in comparison.nodes if n.node in g.above_addressable]
        worst = max(nodes, key=lambda n: n.max_pods - (g.addressable[n.instance_type] or 0))
        can = g.addressable[worst.instance_type]
        fix = max_pods_setting(g.launcher, can)
        yield g.group, (f"node group {g.group}: {counted(len(nodes), 'node')} ({_names(n.node for n in nodes)}) run kubelet max "
                        f"pods {worst.max_pods} on {worst.instance_type}, but ipamd can address {can}: a node packed "
                        f"past {can} pods leaves the rest in ContainerCreating; {fix}")


def _off_launcher(ctx: Context):
    comparison = ctx.extras["comparison"]
    for g in comparison.groups:
        off = [n for n in comparison.nodes if n.node in g.off_launcher and n.node not in g.above_addressable]
        if not off:
            continue
        first = off[0]
        yield g.group, (f"node group {g.group}: {counted(len(off), 'node')} ({_names(n.node for n in off)}) run kubelet max pods "
                        f"{first.max_pods} on {first.instance_type}, but per the plan {LAUNCHER_NAMES[g.launcher]} "
                        f"sets {g.launcher_max_pods[first.instance_type]}: the nodes were launched with settings the "
                        "spec does not hold")


def _addresses_off(ctx: Context):
    comparison = ctx.extras["comparison"]
    for n in comparison.nodes:
        if not n.off:
            continue
        more = "more" if n.difference > 0 else "fewer"
        yield n.node, (f"node {n.node} ({n.instance_type}, {n.pods} pods) holds {n.observed_addresses} "
                       f"{'address' if n.observed_addresses == 1 else 'addresses'}, "
                       f"{abs(n.difference)} {more} than the {n.predicted_addresses} the simulator predicts for its pods, "
                       f"beyond one warm step of {n.warm_step}")


def _prefixes_short(ctx: Context):
    comparison = ctx.extras["comparison"]
    for s in comparison.subnets:
        if not s.prefix_shortfall:
            continue
        yield s.subnet, (f"subnet {s.subnet} ({s.cidr}) has {s.observed_free_prefixes} free /28 blocks and "
                         f"{s.observed_assigned_prefixes} assigned, but the plan needs {s.prefixes_needed} prefixes at "
                         f"max size: {s.prefix_shortfall} short although {s.observed_free:,} addresses are free")


OBSERVED_RULES: tuple[FindingRule, ...] = (
    FindingRule(
        id="observed-max-pods-above-addresses", title="Nodes run a max pods that ipamd cannot address",
        severity="high", guide=TUNING, check=_above,
        rationale="The kubelet admits pods up to its max pods; past what ipamd can address, pods find no IP and "
                  "wait in ContainerCreating. The value on the nodes is what counts, whatever the plan says.",
        remediation="Set max pods where the launcher takes it (EC2NodeClass kubelet.maxPods, nodeadm NodeConfig, "
                    "Bottlerocket settings, a launch template with an AMI ID) to what ipamd can address, and "
                    "replace the nodes.",
        references=("aws/karpenter-provider-aws#6102",)),
    FindingRule(
        id="observed-max-pods-off-plan", title="Nodes run a max pods their launcher would not set under the plan",
        severity="medium", guide=TUNING, check=_off_launcher,
        rationale="When the kubelet's max pods differs from what the launcher computes for the planned CNI settings, "
                  "the nodes were launched under other settings (another CNI mode, an override, an older AMI); "
                  "every figure of the plan assumes the launcher's value.",
        remediation="Bring the spec to what runs (max_pods, launcher, CNI settings) or replace the nodes so that "
                    "the launcher sets the planned value."),
    FindingRule(
        id="observed-addresses-off-simulation", title="A node holds more or fewer addresses than ipamd would",
        severity="medium", guide=TUNING, check=_addresses_off,
        rationale="ipamd keeps a warm pool sized by its settings; a node whose interfaces hold addresses beyond one "
                  "warm step of the simulated pool runs other settings than planned, or leaks ENIs or addresses.",
        remediation="Compare aws-node's settings in force with the plan (eksplan audit), check ipamd's "
                    "introspection (curl localhost:61679/v1/enis on the node) for leaked ENIs, and that the pod "
                    "capture lists every pod.",
        references=("aws/amazon-vpc-cni-k8s#2294",)),
    FindingRule(
        id="observed-prefixes-short", title="A subnet has fewer free /28 blocks than the plan needs",
        severity="high", guide=PD, check=_prefixes_short,
        rationale="Prefixes take whole, aligned /28 blocks; counted from the interfaces in the subnet, the blocks "
                  "free now cannot hold the prefixes the plan needs at max size, whatever the free-address count.",
        remediation="Create a prefix CIDR reservation (eksplan prefix-map --prefixes N sizes it) once addresses "
                    "are freed, or give pods other subnets (custom networking or subnet discovery).",
        references=("aws/amazon-vpc-cni-k8s#2749",)),
)


def observed_findings(comparison, catalog: Catalog | None = None) -> tuple[Finding, ...]:
    """The findings of :data:`OBSERVED_RULES` on one comparison, most serious first."""
    ctx = Context(catalog or load_catalog(), extras={"comparison": comparison})
    found = [f for rule in OBSERVED_RULES for f in rule.run(ctx)]
    return tuple(sorted(found, key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.subject)))
