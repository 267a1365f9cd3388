"""Today against the plan: the observed state of a cluster beside the figures its spec gives.

Three comparisons, each a frozen value carrying its working:

* per node group (:func:`compare_groups`): the max pods each node's kubelet runs with, against what
  the group's launcher should set under the plan (:func:`eksplan.launchers.group_max_pods`) and
  what ipamd can address (:func:`eksplan.capacity.node_capacity`);
* per node (:func:`compare_nodes`): the addresses its interfaces hold, against what the ipamd
  simulator (:func:`eksplan.ipamd.simulate_node`) predicts for the pods it runs; off when they
  differ by more than one warm step (:func:`warm_step`);
* per subnet (:func:`compare_subnets`): free addresses and free /28 blocks now, against the plan's,
  with the runway from the observed figures at the plan's growth.

A figure that was not observed is None, never filled in.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .analysis import ClusterAnalysis
from .capacity import node_capacity
from .catalog import InstanceType
from .cni import CniConfig
from .echo import counted
from .ipamd import simulate_node
from .launchers import LAUNCHER_NAMES, group_max_pods
from .maxpods import IPS_PER_PREFIX
from .observed import ObservedCluster, ObservedNode
from .rollup import group_cni, primary_excluded

__all__ = ["GroupComparison", "NodeComparison", "SubnetComparison", "Comparison", "compare", "compare_groups",
           "compare_nodes", "compare_subnets", "warm_step"]


@dataclass(frozen=True)
class GroupComparison:
    """One node group: max pods in force on its nodes, what its launcher should set, what ipamd addresses."""

    group: str
    launcher: str
    nodes: int
    #: Distinct kubelet max pods seen on the nodes (empty when unknown).
    observed_max_pods: tuple[int, ...]
    #: Instance type -> the launcher's figure under the plan.
    launcher_max_pods: dict
    #: Instance type -> pods ipamd can address (None in IPv6).
    addressable: dict
    #: Nodes whose max pods is not the launcher's figure, and those above what ipamd can address.
    off_launcher: tuple[str, ...]
    above_addressable: tuple[str, ...]
    derivation: tuple[str, ...]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class NodeComparison:
    """One node: addresses held now against the simulator's prediction for its pods."""

    node: str
    group: str
    instance_type: str
    pods: int | None
    max_pods: int
    observed_addresses: int | None
    predicted_addresses: int | None
    warm_step: int
    off: bool
    derivation: tuple[str, ...]

    @property
    def difference(self) -> int | None:
        if self.observed_addresses is None or self.predicted_addresses is None:
            return None
        return self.observed_addresses - self.predicted_addresses

    def to_dict(self) -> dict:
        record = asdict(self)
        record["difference"] = self.difference
        return record


@dataclass(frozen=True)
class SubnetComparison:
    """One subnet: free addresses and /28 blocks, planned and observed, and runway from what was observed."""

    subnet: str
    cidr: str | None
    availability_zone: str
    planned_free: int | None
    observed_free: int | None
    observed_free_prefixes: int | None
    observed_assigned_prefixes: int | None
    prefixes_needed: int | None
    planned_worst_free_prefixes: int | None
    per_month: float
    runway_months: float | None
    derivation: tuple[str, ...]

    @property
    def prefix_shortfall(self) -> int | None:
        """/28 blocks the plan needs at max size beyond those assigned or free now."""
        if self.prefixes_needed is None or self.observed_free_prefixes is None:
            return None
        return max(0, self.prefixes_needed - self.observed_free_prefixes - (self.observed_assigned_prefixes or 0))

    def to_dict(self) -> dict:
        record = asdict(self)
        record["prefix_shortfall"] = self.prefix_shortfall
        if self.runway_months is not None and math.isinf(self.runway_months):
            record["runway_months"] = None
        return record


@dataclass(frozen=True)
class Comparison:
    cluster: str
    groups: tuple[GroupComparison, ...]
    nodes: tuple[NodeComparison, ...]
    subnets: tuple[SubnetComparison, ...]
    unknown: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"cluster": self.cluster, "groups": [g.to_dict() for g in self.groups],
                "nodes": [n.to_dict() for n in self.nodes], "subnets": [s.to_dict() for s in self.subnets],
                "unknown": list(self.unknown)}


def warm_step(it: InstanceType, cni: CniConfig, prefixes: bool) -> tuple[int, str]:
    """Addresses ipamd adds (or keeps warm) in one step on ``it``, and why: the tolerance of a node comparison.

    The steps are those of ipamd's pool as :mod:`eksplan.ipamd` models it (aws/amazon-vpc-cni-k8s @
    b52188387f2e, ``pkg/ipamd/ipamd.go``): a whole ENI of addresses per ``WARM_ENI_TARGET`` in secondary
    mode, the ``WARM_IP_TARGET`` shortfall when IP targets are set (in whole /28s in prefix mode), and
    ``WARM_PREFIX_TARGET`` prefixes otherwise. One step of difference is what pods starting or ending
    between the capture of the pods and of the interfaces can cause; more is not ipamd's doing.
    """
    if prefixes:
        if cni.ip_targets_defined:
            count = max(1, math.ceil(max(cni.warm_ip_target or 0, 1) / IPS_PER_PREFIX))
            return count * IPS_PER_PREFIX, f"WARM_IP_TARGET met in whole prefixes: {count} x {IPS_PER_PREFIX}"
        count = max(1, cni.effective_warm_prefix_target)
        return count * IPS_PER_PREFIX, f"WARM_PREFIX_TARGET {count} x {IPS_PER_PREFIX}"
    if cni.ip_targets_defined:
        step = max(1, cni.warm_ip_target or 0)
        return step, f"WARM_IP_TARGET {cni.warm_ip_target or 0} (at least 1)"
    count = max(1, cni.effective_warm_eni_target)
    return count * it.ipv4_per_eni, f"WARM_ENI_TARGET {count} x one ENI ({it.ipv4_per_eni} addresses)"


def _groups(analysis: ClusterAnalysis):
    spec = analysis.spec
    for group in spec.node_groups:
        if group.os == "windows":
            continue
        yield group, spec.launcher(group), group_cni(spec, group)


def _node_figures(analysis, group, launcher, cni, instance_type):
    """(launcher's max pods, capacity) of one instance type in ``group`` under the plan."""
    catalog, spec = analysis.catalog, analysis.spec
    kubelet = group_max_pods(list(dict.fromkeys(list(group.instance_types) + [instance_type])), launcher, cni,
                             override=group.max_pods, reserved_enis=spec.karpenter.reserved_enis,
                             custom_ami=group.custom_ami, catalog=catalog)[instance_type]
    excluded, _ = primary_excluded(spec, group, cni)
    return kubelet, node_capacity(catalog.get(instance_type), cni, primary_excluded=excluded), excluded


def compare_groups(analysis: ClusterAnalysis, observed: ObservedCluster) -> tuple[GroupComparison, ...]:
    """Per node group: max pods on its nodes against the launcher's figure and ipamd's capacity."""
    out = []
    for group, launcher, cni in _groups(analysis):
        nodes = [n for n in observed.node_group(group.name) if n.instance_type in analysis.catalog]
        types = sorted({n.instance_type for n in nodes} | set(group.instance_types))
        figures = {t: _node_figures(analysis, group, launcher, cni, t) for t in types}
        kubelet = {t: f[0].value for t, f in figures.items()}
        addressable = {t: f[1].addressable for t, f in figures.items()}
        seen = tuple(sorted({n.max_pods for n in nodes if n.max_pods is not None}))
        off = tuple(n.name for n in nodes if n.max_pods is not None and n.max_pods != kubelet[n.instance_type])
        above = tuple(n.name for n in nodes if n.max_pods is not None and addressable[n.instance_type] is not None
                      and n.max_pods > addressable[n.instance_type])
        steps = [f"node group {group.name}: {counted(len(nodes), 'node')} observed, launched by {LAUNCHER_NAMES[launcher]}"]
        for t in types:
            count = sum(1 for n in nodes if n.instance_type == t)
            values = sorted({n.max_pods for n in nodes if n.instance_type == t and n.max_pods is not None})
            on_nodes = ", ".join(map(str, values)) if values else ("unknown" if count else "no node")
            steps.append(f"{t}: max pods on the nodes {on_nodes}; the launcher should set {kubelet[t]}; ipamd can "
                         f"address {addressable[t] if addressable[t] is not None else 'any number (IPv6)'}")
        out.append(GroupComparison(group.name, launcher, len(nodes), seen, kubelet, addressable, off, above,
                                   tuple(steps)))
    return tuple(out)


def _compare_node(analysis, node: ObservedNode, group, launcher, cni) -> NodeComparison:
    kubelet, capacity, excluded = _node_figures(analysis, group, launcher, cni, node.instance_type)
    it = analysis.catalog.get(node.instance_type)
    max_pods = node.max_pods or kubelet.value
    step, step_why = warm_step(it, cni, capacity.prefixes)
    source = "the kubelet's" if node.max_pods else "the launcher's (not observed)"
    steps = [f"{node.name}: {node.instance_type}, {source} max pods {max_pods}"]
    predicted = None
    if node.pods is not None:
        usage = simulate_node(it, node.pods, cni, max_pods=max_pods, security_group_pods=node.security_group_pods or 0,
                              primary_excluded=excluded, catalog=analysis.catalog)
        predicted = usage.subnet_ips - usage.branch_enis
        steps.append(f"simulated for {node.pods} pods under {cni.describe()}: {counted(usage.enis, 'ENI')}, {predicted} "
                     "addresses on the instance's interfaces")
    else:
        steps.append("pods on the node unknown (no 'kubectl get pods' capture): nothing to simulate")
    held = node.addresses_held
    if held is not None:
        steps.append(f"observed: {counted(node.enis, 'interface')} holding {counted(node.addresses, 'address', 'addresses')}"
                     + (f" and {counted(node.prefixes, '/28 prefix', '/28 prefixes')} = {held}" if node.prefixes else ""))
    off = held is not None and predicted is not None and abs(held - predicted) > step
    if held is not None and predicted is not None:
        steps.append(f"difference {held - predicted:+d} against one warm step of {step} ({step_why})"
                     + (": off the simulation" if off else ""))
    return NodeComparison(node.name, group.name, node.instance_type, node.pods, max_pods, held, predicted, step, off,
                          tuple(steps))


def compare_nodes(analysis: ClusterAnalysis, observed: ObservedCluster) -> tuple[NodeComparison, ...]:
    """Per node of a (Linux) group of the spec: addresses held against the simulator's prediction."""
    out = []
    for group, launcher, cni in _groups(analysis):
        for node in observed.node_group(group.name):
            if node.instance_type in analysis.catalog:
                out.append(_compare_node(analysis, node, group, launcher, cni))
    return tuple(out)


def compare_subnets(analysis: ClusterAnalysis, observed: ObservedCluster) -> tuple[SubnetComparison, ...]:
    """Per subnet of the spec with an id: free addresses and /28 blocks now against the plan, and runway."""
    desired = {load.label: load for load in analysis.usage.at("desired")}
    runways = {r.subnet: r for r in analysis.runways}
    risks = {r.subnet: r for r in analysis.prefix_risks}
    out = []
    for subnet in analysis.spec.subnets:
        state = observed.subnet(subnet.id) if subnet.id else None
        if state is None:
            continue
        load, runway, risk = desired.get(subnet.label), runways.get(subnet.label), risks.get(subnet.label)
        planned = load.free if load is not None else None
        per_month = runway.per_month if runway is not None else 0.0
        steps = [f"{subnet.label} ({subnet.cidr}): {state.available_ips:,} addresses free now (describe-subnets)"
                 + (f"; the plan leaves {planned:,} free at desired size" if planned is not None else "")]
        if state.free_prefixes is not None:
            steps.append(f"{state.free_prefixes:,} aligned /28 blocks free now ({state.assigned_prefixes:,} assigned), "
                         "counted exactly from the interfaces")
        if risk is not None:
            steps.append(f"the plan needs {risk.prefixes_needed:,} /28 prefixes at max size; counting from addresses it "
                         f"expected at least {risk.worst_case_free_blocks:,} free")
        growth = analysis.spec.requirements.growth
        if growth is None or per_month <= 0:
            months = None if growth is None else math.inf
            steps.append("no growth given" if growth is None else "growth takes no address here")
        else:
            months = float(math.floor(state.available_ips / per_month))
            steps.append(f"runway from what is free now: {state.available_ips:,} / {per_month:,.1f} addresses a "
                         f"month = {months:.0f} months")
        out.append(SubnetComparison(
            subnet.label, str(subnet.cidr), subnet.availability_zone, planned, state.available_ips,
            state.free_prefixes, state.assigned_prefixes, risk.prefixes_needed if risk else None,
            risk.worst_case_free_blocks if risk else None, per_month, months, tuple(steps)))
    return tuple(out)


def compare(analysis: ClusterAnalysis, observed: ObservedCluster) -> Comparison:
    """The three comparisons for one cluster."""
    return Comparison(analysis.name, compare_groups(analysis, observed), compare_nodes(analysis, observed),
                      compare_subnets(analysis, observed), tuple(f"{u.what}: {u.why}" for u in observed.unknown))
