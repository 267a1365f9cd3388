"""The data behind the charts and explorers: plain rows from the calculators, no plotting.

Each function returns a list of dicts (one per chart datum), cheap enough to recompute on every
widget change.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Sequence

from .catalog import Catalog, InstanceType, load_catalog
from .cni import CniConfig
from .ipamd import SimulationError, simulate_node
from .cniversion import parse_cni_version
from .maxpods import HOST_NETWORK_PODS, IPS_PER_PREFIX, max_pods, recommended_ceiling

FITS = ("all pods run", "some pods cannot run")
AWS_RESERVED = 5

__all__ = [
    "MODES", "max_pods_rows", "consumption_rows", "node_footprint_rows", "subnet_usage_rows",
    "runway_rows", "subnet_map_rows", "mode_settings", "consumption_whatif_rows", "whatif_pods_values",
    "fit_rows", "subnet_label",
]

#: What-if modes of the explorers: name -> the VPC CNI configuration of that mode.
MODES = {
    "secondary IP": CniConfig(),
    "prefix delegation": CniConfig(prefix_delegation=True),
    "custom networking": CniConfig(custom_networking=True),
    "IPv6": CniConfig(ipv6=True),
}


def mode_settings(mode: str, warm_eni_target: int = 1, warm_ip_target: int | None = None,
                  minimum_ip_target: int | None = None, warm_prefix_target: int = 1) -> CniConfig:
    """The configuration of a what-if mode with the explorer's warm targets."""
    return MODES[mode].replace(
        warm_eni_target=warm_eni_target, warm_ip_target=warm_ip_target or None,
        minimum_ip_target=minimum_ip_target or None, warm_prefix_target=max(warm_prefix_target, 1),
    )


def max_pods_rows(types: Iterable[InstanceType | str], modes: Sequence[str] = tuple(MODES),
                  cni_version: str | None = None, show_max_allowed: bool = False,
                  catalog: Catalog | None = None) -> list[dict]:
    """Max pods per instance type and mode, with the limit that won."""
    catalog = catalog or load_catalog()
    rows = []
    for t in types:
        it = t if isinstance(t, InstanceType) else catalog.get(t)
        for mode in modes:
            options = MODES[mode].replace(version=parse_cni_version(cni_version) if cni_version else None)
            r = max_pods(it, show_max_allowed=show_max_allowed, **options.max_pods_options())
            rows.append({"instance_type": it.name, "mode": mode, "max_pods": r.value, "limited_by": r.limited_by,
                         "formula": r.formula_value, "vcpus": it.vcpus})
    return rows


def consumption_rows(instance_type: str, pods_per_node: int, max_nodes: int, modes: Sequence[str] = tuple(MODES),
                     warm: dict | None = None, step: int = 1, catalog: Catalog | None = None) -> list[dict]:
    """Subnet addresses against node count, per mode: the node subnet (and pod subnet) a group takes."""
    catalog = catalog or load_catalog()
    it = catalog.get(instance_type)
    rows = []
    for mode in modes:
        try:
            node = simulate_node(it, pods_per_node, mode_settings(mode, **(warm or {})), catalog=catalog)
        except SimulationError:
            continue
        fits = FITS[0] if not node.pods_pending else FITS[1]
        for nodes in range(0, max_nodes + 1, step):
            rows.append({"mode": mode, "fits": fits, "nodes": nodes, "addresses": nodes * node.subnet_ips,
                         "warm": nodes * node.unused_ips, "pods": nodes * node.pods,
                         "pending": nodes * node.pods_pending, "per_node": node.subnet_ips})
    return rows


def node_footprint_rows(analysis) -> list[dict]:
    """Per node group, what one node takes from its subnets, by kind."""
    rows = []
    for g in analysis.groups:
        n = g.node
        in_use = sum(e.assigned for e in n.per_eni)
        for rank, (kind, value) in enumerate((("pods", in_use), ("warm pool", n.unused_ips), ("ENI primaries", n.enis),
                                              ("trunk and branch ENIs", n.trunk_eni + n.branch_enis))):
            rows.append({"group": f"{g.name} ({g.instance_type})", "kind": kind, "addresses": value, "rank": rank})
    return rows


def subnet_label(load) -> str:
    """A subnet as a reader knows it: CIDR, AZ and role (its id is in the tooltip)."""
    return f"{load.cidr} · {load.availability_zone} · {'/'.join(load.roles)}"


def subnet_usage_rows(analysis, scales: Sequence[str] = ("min", "desired", "max")) -> list[dict]:
    """Per subnet and scale, addresses by what takes them, and what is left."""
    rows = []
    for scale in scales:
        for order, load in enumerate(analysis.usage.at(scale)):
            base = {"scale": scale, "subnet": load.label, "label": subnet_label(load), "order": order,
                    "size": load.size or 0, "free": load.free if load.free is not None else 0}
            parts = (("pods", load.pod_ips_in_use), ("warm pool", load.warm_ips), ("ENI primaries", load.eni_primary_ips),
                     ("other ENIs", load.security_group_ips + load.fargate_ips + load.control_plane_ips + load.extra_eni_ips
                                      + load.multus_ips),
                     ("AWS reserved", load.aws_reserved))
            for rank, (kind, value) in enumerate(parts):
                rows.append({**base, "kind": kind, "addresses": value, "rank": rank})
            if load.free is not None and load.free > 0:
                rows.append({**base, "kind": "free", "addresses": load.free, "rank": len(parts)})
    return rows


def runway_rows(analysis, cap: int = 120) -> list[dict]:
    """Months each subnet holding pods lasts (capped for display), where growth is given."""
    loads = {load.label: load for load in analysis.usage.at("desired")}
    rows = []
    for r in analysis.runways:
        if r.months is None or r.months == float("inf"):
            continue  # no growth given, or growth never reaches this subnet
        load = loads.get(r.subnet)
        if load is not None and not {"nodes", "pods"} & set(load.roles):
            continue
        months = cap if r.months > cap else r.months
        rows.append({"subnet": r.subnet, "label": subnet_label(load) if load else r.subnet, "months": months,
                     "capped": months == cap and r.months != months, "free_now": r.free_now})
    return rows


def subnet_map_rows(analysis) -> list[dict]:
    """Each subnet (and CIDR reservation) as a span of its VPC CIDR's address space, on its AZ's row."""
    spec = analysis.spec
    cidrs = list(spec.vpc.cidrs)
    if analysis.plan is not None and analysis.plan.add_vpc_cidr:
        cidrs.append(ipaddress.IPv4Network(analysis.plan.add_vpc_cidr))
    loads = {load.label: load for load in analysis.usage.at("max")}
    reservations = {s.label: s.cidr_reservations for s in spec.subnets}
    proposed = {r.subnet: r.recommended_reservation for r in analysis.prefix_risks
                if r.at_risk and r.recommended_reservation}
    planned = {p.name for p in (analysis.plan.subnets if analysis.plan else ())}
    zones = sorted({slot.availability_zone for slot in analysis.slots}) or list(spec.availability_zones)
    # The whole of each VPC CIDR on every AZ's row: what no subnet covers is free.
    rows = [{"kind": "vpc", "vpc_cidr": str(cidr), "subnet": "free", "cidr": str(cidr), "az": az, "start": 0,
             "end": cidr.num_addresses} for cidr in cidrs for az in zones]
    for slot in analysis.slots:
        net = ipaddress.IPv4Network(slot.cidr)
        parent = next((c for c in cidrs if net.subnet_of(c)), None)
        if parent is None:
            continue
        start = int(net.network_address) - int(parent.network_address)
        load = loads.get(slot.label)
        used = f"{load.utilisation:.0%}" if load and load.utilisation is not None else "—"
        rows.append({"kind": "subnet", "vpc_cidr": str(parent), "subnet": slot.label, "cidr": str(net),
                     "role": "/".join(slot.roles), "az": slot.availability_zone, "start": start,
                     "end": start + net.num_addresses, "size": net.num_addresses, "used": used,
                     "planned": slot.label in planned, "wide": net.num_addresses * 12 >= parent.num_addresses})
        blocks = [(b, "CIDR reservation") for b in reservations.get(slot.label, ())]
        if slot.label in proposed:
            blocks.append((ipaddress.IPv4Network(proposed[slot.label]), "proposed prefix reservation"))
        for block, what in blocks:
            begin = int(block.network_address) - int(parent.network_address)
            rows.append({"kind": "reservation", "vpc_cidr": str(parent), "subnet": slot.label, "cidr": str(block),
                         "az": slot.availability_zone, "start": begin, "end": begin + block.num_addresses,
                         "reservation": what})
    return rows


def whatif_pods_values(spec_pods: int, top: int = 110) -> list[int]:
    """Pods-per-node values for a what-if slider: one pod at a time, the spec's value included."""
    return list(range(1, max(top, spec_pods) + 1))


def consumption_whatif_rows(instance_type: str, pods_values: Sequence[int], max_nodes: int,
                            modes: Sequence[str] = tuple(MODES), catalog: Catalog | None = None) -> list[dict]:
    """For each pod density and mode, the addresses from 0 to ``max_nodes`` nodes (two points a line)."""
    catalog = catalog or load_catalog()
    it = catalog.get(instance_type)
    rows = []
    for pods in pods_values:
        for mode in modes:
            try:
                node = simulate_node(it, pods, mode_settings(mode), catalog=catalog)
            except SimulationError:
                continue
            for nodes in (0, max_nodes):
                rows.append({"pods_per_node": pods, "mode": mode, "nodes": nodes,
                             "addresses": nodes * node.subnet_ips, "per_node": node.subnet_ips,
                             "pending_per_node": node.pods_pending,
                             "fits": FITS[0] if not node.pods_pending else FITS[1]})
    return rows


def _mode_max_pods(it: InstanceType, cni: CniConfig) -> int:
    """What a node of this mode should run: what ipamd addresses, within AWS's 110/250 ceiling."""
    from .capacity import node_capacity

    capacity = node_capacity(it, cni)
    ceiling = recommended_ceiling(it.vcpus)
    return ceiling if capacity.addressable is None else min(capacity.addressable, ceiling)


def fit_rows(instance_type: str, pods_per_node: int, nodes: int, cidr: str | ipaddress.IPv4Network,
             available_ips: int | None = None, modes: Sequence[str] = ("secondary IP", "prefix delegation",
                                                                         "custom networking"),
             warm: dict | None = None, nodes_per_month: float = 0.0,
             catalog: Catalog | None = None) -> list[dict]:
    """Will ``nodes`` nodes of ``pods_per_node`` pods fit in ``cidr``, per mode? With the working.

    For each mode: whether a node can run the pods at all (max pods set to what ipamd addresses,
    within the 110/250 ceiling), the addresses one node takes from the node subnet and from a pod
    subnet (custom networking puts pods in a separate subnet, not in ``cidr``), how many nodes the
    subnet holds, the months of runway at ``nodes_per_month``, and the /28 risk in prefix mode.
    ``available_ips`` (from ``describe-subnets``) replaces the subnet's size minus AWS's five.
    """
    catalog = catalog or load_catalog()
    it = catalog.get(instance_type)
    network = ipaddress.IPv4Network(cidr, strict=True) if not isinstance(cidr, ipaddress.IPv4Network) else cidr
    room = available_ips if available_ips is not None else network.num_addresses - AWS_RESERVED
    rows = []
    for mode in modes:
        cni = mode_settings(mode, **(warm or {}))
        limit = _mode_max_pods(it, cni)
        node = simulate_node(it, pods_per_node, cni, max_pods=limit, catalog=catalog)
        fits = not node.pods_pending
        per_node = node.node_subnet_ips
        held = room // per_node if per_node else 0
        if fits:
            verdict = (f"fits: the subnet holds {held:,} nodes" if held >= nodes else
                       f"the pods fit on a node, but the subnet holds {held:,} of the {nodes:,} nodes")
        else:
            verdict = f"cannot run {pods_per_node} pods per node: at most {limit - HOST_NETWORK_PODS} ({node.pending_reason})"
        months = None
        if fits and nodes_per_month > 0:
            months = max(0, (held - nodes) // nodes_per_month) if held >= nodes else 0
        risk = None
        if node.prefixes:
            blocks = network.num_addresses // IPS_PER_PREFIX
            singles = nodes * node.enis
            worst = max(0, blocks - 2 - singles)
            needed = nodes * sum(e.slots for e in node.per_eni if e.subnet == "node")
            risk = {"needed": needed, "surely_free": worst, "at_risk": needed > worst}
        rows.append({"mode": mode, "fits": fits, "max_pods": limit, "verdict": verdict,
                     "node_subnet_per_node": per_node, "pod_subnet_per_node": node.pod_subnet_ips,
                     "nodes_held": held if fits else 0, "room": room, "runway_months": months,
                     "prefix_risk": risk, "warm_per_node": node.unused_ips, "enis_per_node": node.enis})
    return rows
