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
from .maxpods import max_pods

__all__ = [
    "MODES", "max_pods_rows", "consumption_rows", "node_footprint_rows", "subnet_usage_rows",
    "runway_rows", "subnet_map_rows", "mode_settings", "consumption_whatif_rows",
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
        for nodes in range(0, max_nodes + 1, step):
            rows.append({"mode": mode, "nodes": nodes, "addresses": nodes * node.subnet_ips,
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


def subnet_usage_rows(analysis, scales: Sequence[str] = ("min", "desired", "max")) -> list[dict]:
    """Per subnet and scale, addresses by what takes them, and what is left."""
    rows = []
    for scale in scales:
        for load in analysis.usage.at(scale):
            parts = (("pods", load.pod_ips_in_use), ("warm pool", load.warm_ips), ("ENI primaries", load.eni_primary_ips),
                     ("other ENIs", load.security_group_ips + load.fargate_ips + load.control_plane_ips + load.extra_eni_ips
                                      + load.multus_ips),
                     ("AWS reserved", load.aws_reserved))
            for rank, (kind, value) in enumerate(parts):
                rows.append({"scale": scale, "subnet": load.label, "kind": kind, "addresses": value, "rank": rank,
                             "size": load.size or 0, "free": load.free if load.free is not None else 0})
            if load.free is not None and load.free > 0:
                rows.append({"scale": scale, "subnet": load.label, "kind": "free", "addresses": load.free,
                             "rank": len(parts), "size": load.size, "free": load.free})
    return rows


def runway_rows(analysis, cap: int = 120) -> list[dict]:
    """Months each subnet lasts (capped for display), where growth is given."""
    rows = []
    for r in analysis.runways:
        if r.months is None or r.months == float("inf"):
            continue  # no growth given, or growth never reaches this subnet
        months = cap if r.months == float("inf") or r.months > cap else r.months
        rows.append({"subnet": r.subnet, "months": months, "capped": months == cap and r.months != months,
                     "free_now": r.free_now})
    return rows


def subnet_map_rows(analysis) -> list[dict]:
    """Each subnet as a span of its VPC CIDR's address space (offsets from the CIDR's start)."""
    spec = analysis.spec
    cidrs = list(spec.vpc.cidrs)
    if analysis.plan is not None and analysis.plan.add_vpc_cidr:
        cidrs.append(ipaddress.IPv4Network(analysis.plan.add_vpc_cidr))
    loads = {l.label: l for l in analysis.usage.at("max")}
    # The VPC's own bars first, so that its subnets are drawn over them.
    rows = [{"vpc_cidr": str(cidr), "subnet": "VPC", "cidr": str(cidr), "role": "VPC", "az": "", "start": 0,
             "end": cidr.num_addresses, "size": cidr.num_addresses, "planned": False, "utilisation": None}
            for cidr in cidrs]
    for slot in analysis.slots:
        net = ipaddress.IPv4Network(slot.cidr)
        parent = next((c for c in cidrs if net.subnet_of(c)), None)
        if parent is None:
            continue
        start = int(net.network_address) - int(parent.network_address)
        load = loads.get(slot.label)
        rows.append({"vpc_cidr": str(parent), "subnet": slot.label, "cidr": str(net), "role": "/".join(slot.roles),
                     "az": slot.availability_zone, "start": start, "end": start + net.num_addresses,
                     "size": net.num_addresses, "planned": slot.id is None and analysis.plan is not None,
                     "utilisation": round(load.utilisation, 3) if load and load.utilisation is not None else None})
    return rows


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
                             "fits": "all pods run" if not node.pods_pending else "some pods cannot run"})
    return rows
