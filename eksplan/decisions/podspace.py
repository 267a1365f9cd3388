"""Whether each way of giving pods address space fits: node subnets, custom networking, subnet discovery.

For each option, the node subnets' demand at max size is recomputed from the simulated nodes:
what each node's ENIs leave in the node subnet under that option, plus what is not a node's
(AWS's reserved five, control-plane and declared ENIs, Fargate pods). Custom networking leaves one
address per node there (its primary ENI's); subnet discovery leaves the primary ENI and the pod
addresses it holds, unless the node subnet is tagged ``kubernetes.io/role/cni=0`` (VPC CNI >=
1.22.1), which makes it like custom networking; the node subnets as they are leave every ENI.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..planner import CGNAT
from ..rollup import spread
from ..rules.base import Context


@dataclass(frozen=True)
class Fit:
    """One option's node-subnet demand at max size against the node subnets, and the verdict."""

    option: str
    fits: bool
    detail: str


def _per_node(footprint, option: str) -> int:
    """Addresses one node of a group leaves in its node subnet under ``option``."""
    node = footprint.node
    sgp = node.trunk_eni + node.branch_enis
    if option == "custom":
        return 1
    primary = node.per_eni[0] if node.per_eni else None
    if option == "discovery":
        return 1 + (primary.addresses if primary and primary.subnet == "node" else 0) + sgp
    return node.node_subnet_ips


def node_subnet_fit(ctx: Context, option: str) -> Fit:
    """Whether the existing node subnets hold the cluster at max size under ``option``."""
    a = ctx.analysis
    loads = {load.label: load for load in a.usage.at("max")}
    node_slots = [s for s in a.slots if "nodes" in s.roles and s.size]
    if not node_slots:
        return Fit(option, True, "no node subnet given: eksplan lays them out for this option")
    demand = {s.label: loads[s.label].fargate_ips + loads[s.label].control_plane_ips
              + loads[s.label].extra_eni_ips + loads[s.label].aws_reserved for s in node_slots}
    for footprint in a.groups:
        group = next(g for g in ctx.spec.node_groups if g.name == footprint.name)
        for az, count in footprint.nodes["max"].items():
            slots = [s for s in node_slots if s.availability_zone == az
                     and (not group.subnets or s.id in group.subnets)]
            for label, share in spread(count, [s.label for s in slots]).items() if slots else ():
                demand[label] += share * _per_node(footprint, option)
    short = [(label, need, next(s.size for s in node_slots if s.label == label)) for label, need in demand.items()
             if need > next(s.size for s in node_slots if s.label == label)]
    if short:
        label, need, size = max(short, key=lambda t: t[1] - t[2])
        return Fit(option, False, f"node subnet {label} would need {need:,} of its {size:,} addresses at max size")
    tightest = max(demand, key=lambda label: demand[label] / next(s.size for s in node_slots if s.label == label))
    size = next(s.size for s in node_slots if s.label == tightest)
    return Fit(option, True, f"the fullest node subnet, {tightest}, would use {demand[tightest]:,} of {size:,} "
                             "addresses at max size")


def free_cgnat(ctx: Context) -> list[ipaddress.IPv4Network]:
    """The /16s of 100.64.0.0/10 that neither the CG-NAT ranges in use nor connected networks touch."""
    r = ctx.spec.requirements
    taken = list(r.cgnat_in_use) + list(r.on_prem_cidrs) + list(r.peered_cidrs)
    in_vpc = [c for c in ctx.spec.vpc.cidrs if c.subnet_of(CGNAT)]
    if in_vpc:
        return [c for c in in_vpc if not any(c.overlaps(t) for t in taken)]
    return [block for block in CGNAT.subnets(new_prefix=16) if not any(block.overlaps(t) for t in taken)]
