"""Lay out a cluster's subnets: the networking guide's layout, sized from the simulated demand.

Per AZ: a dedicated /28 cluster subnet for the control plane's cross-account ENIs, a public
subnet (load balancers, NAT gateways), a private node subnet, and with custom networking a pod
subnet in a secondary CIDR from 100.64.0.0/10. Each is sized for the node groups at their
maximum size plus the spec's growth over the planning horizon, times the headroom factor, plus
AWS's 5 reserved addresses, then rounded up to a CIDR block.

Blocks are cut from the VPC CIDRs with the standard library's ``ipaddress``, largest first and
best fit, never overlapping existing subnets, CIDR reservations or the declared on-premises,
peered and CG-NAT ranges. When a block cannot be found the plan says exactly what is missing.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field

from .catalog import Catalog
from .rollup import AWS_RESERVED, CONTROL_PLANE_ENIS, CONTROL_PLANE_UPGRADE_ENIS, Slot, footprints, growth_nodes, rollup, slots_from_spec
from .spec.model import ClusterSpec

__all__ = ["PlannedSubnet", "Shortfall", "SubnetPlan", "plan_subnets", "prefix_for", "subnet_tags", "Allocator"]

CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
ROLE_ORDER = ("nodes", "pods", "multus", "public", "cluster")
MIN_PREFIX, MAX_PREFIX = 16, 28


@dataclass(frozen=True)
class PlannedSubnet:
    name: str
    availability_zone: str
    role: str
    cidr: str
    needed: int
    ipv6_cidr: str | None
    tags: dict
    derivation: str

    @property
    def size(self) -> int:
        return ipaddress.IPv4Network(self.cidr).num_addresses


@dataclass(frozen=True)
class Shortfall:
    """A subnet the planner could not place, and what stands in its way."""

    availability_zone: str
    role: str
    needed: int
    message: str
    prefixlen: int = 0
    cause: str = ""


@dataclass(frozen=True)
class SubnetPlan:
    cluster: str
    subnets: tuple[PlannedSubnet, ...]
    shortfalls: tuple[Shortfall, ...]
    add_vpc_cidr: str | None
    derivation: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.shortfalls

    def slots(self) -> tuple[Slot, ...]:
        return tuple(Slot(s.name, s.availability_zone, (s.role,), s.size, s.cidr) for s in self.subnets)


def prefix_for(addresses: int) -> int:
    """The longest prefix whose block holds ``addresses`` (between /16 and /28)."""
    bits = max(4, math.ceil(math.log2(max(addresses, 1))))
    return max(MIN_PREFIX, min(MAX_PREFIX, 32 - bits))


def subnet_tags(cluster: str, role: str) -> dict[str, str]:
    """The tags EKS and the AWS Load Balancer Controller look for."""
    tags = {"Name": "", f"kubernetes.io/cluster/{cluster}": "shared"}
    if role == "public":
        tags["kubernetes.io/role/elb"] = "1"
    elif role == "nodes":
        tags["kubernetes.io/role/internal-elb"] = "1"
    return tags


class Allocator:
    """Best-fit allocation of CIDR blocks from a set of free networks."""

    def __init__(self, pools, excluded):
        free: list[ipaddress.IPv4Network] = []
        for pool in pools:
            free.extend(self._minus(pool, excluded))
        self.free = sorted(set(free), key=lambda n: (n.network_address, n.prefixlen))

    @staticmethod
    def _minus(block, excluded):
        pieces = [block]
        for hole in excluded:
            nxt = []
            for piece in pieces:
                if not piece.overlaps(hole):
                    nxt.append(piece)
                elif hole.supernet_of(piece):
                    continue
                else:
                    nxt.extend(piece.address_exclude(hole))
            pieces = nxt
        return pieces

    def largest(self) -> ipaddress.IPv4Network | None:
        return min(self.free, key=lambda n: (n.prefixlen, n.network_address), default=None)

    def take(self, prefixlen: int) -> ipaddress.IPv4Network | None:
        fits = [n for n in self.free if n.prefixlen <= prefixlen]
        if not fits:
            return None
        block = max(fits, key=lambda n: (n.prefixlen, -int(n.network_address)))
        self.free.remove(block)
        chosen = next(block.subnets(new_prefix=prefixlen))
        self.free.extend(block.address_exclude(chosen) if block != chosen else [])
        self.free.sort(key=lambda n: (n.network_address, n.prefixlen))
        return chosen


def _needed(role: str, demand: int, spec: ClusterSpec) -> tuple[int, str]:
    headroom = spec.planning.headroom
    if role == "cluster":
        need = AWS_RESERVED + CONTROL_PLANE_ENIS + CONTROL_PLANE_UPGRADE_ENIS
        return max(need, 16), f"/28 per the guide (5 reserved + {CONTROL_PLANE_ENIS} control-plane ENIs + {CONTROL_PLANE_UPGRADE_ENIS} during upgrades)"
    body = demand - AWS_RESERVED
    need = math.ceil(body * headroom) + AWS_RESERVED
    text = f"{body:,} addresses x {headroom} headroom + {AWS_RESERVED} reserved = {need:,}"
    if role == "public" and need < spec.planning.public_subnet_addresses:
        return spec.planning.public_subnet_addresses, text + f"; at least {spec.planning.public_subnet_addresses}"
    return need, text


def _missing_roles(spec: ClusterSpec) -> list[tuple[str, str]]:
    roles = ["cluster", "public", "nodes"]
    if spec.cni.custom_networking_in_force:
        roles.append("pods")
    if spec.requirements.multus is not None and spec.requirements.multus.pods_per_node:
        roles.append("multus")
    return [(az, role) for az in spec.availability_zones for role in roles if not spec.subnets_with(role, az)]


def _pod_pool(spec: ClusterSpec, excluded) -> tuple[list, str | None]:
    if spec.planning.pod_cidr is not None:
        return [spec.planning.pod_cidr], None
    in_cgnat = [c for c in spec.vpc.cidrs[1:] if c.subnet_of(CGNAT)]
    if in_cgnat:
        return in_cgnat, None
    taken = list(spec.vpc.cidrs) + list(excluded)
    for candidate in CGNAT.subnets(new_prefix=16):
        if not any(candidate.overlaps(t) for t in taken):
            return [candidate], str(candidate)
    return [], None


def plan_subnets(spec: ClusterSpec, catalog: Catalog | None = None) -> SubnetPlan:
    """Subnets for every AZ and role the spec lacks, sized and placed in the VPC."""
    months = spec.planning.horizon_months
    extra = growth_nodes(spec, months)
    groups = footprints(spec, catalog, extra_nodes=extra)
    wanted = _missing_roles(spec)
    virtual = tuple(Slot(f"{spec.name}-{role}-{az}", az, (role,)) for az, role in wanted)
    usage = rollup(spec, slots_from_spec(spec) + virtual, groups, scales=("plan",))
    demand = {load.label: load.demand for load in usage.at("plan")}

    r = spec.requirements
    excluded = [s.cidr for s in spec.subnets] + [c for s in spec.subnets for c in s.cidr_reservations]
    excluded += list(r.on_prem_cidrs) + list(r.peered_cidrs)
    named = ([(s.cidr, f"subnet {s.label}") for s in spec.subnets]
             + [(c, f"a CIDR reservation of {s.label}") for s in spec.subnets for c in s.cidr_reservations]
             + [(c, f"on-premises range {c}") for c in r.on_prem_cidrs]
             + [(c, f"peered range {c}") for c in r.peered_cidrs]
             + [(c, f"CG-NAT range in use {c}") for c in r.cgnat_in_use])
    main_pools = [c for c in spec.vpc.cidrs if not c.subnet_of(CGNAT)] or list(spec.vpc.cidrs)
    pod_pools, add_cidr = [], None
    if any(role == "pods" for _, role in wanted):
        pod_pools, add_cidr = _pod_pool(spec, excluded + list(r.cgnat_in_use))
    allocators = {
        "main": Allocator(main_pools, excluded),
        "pods": Allocator(pod_pools, excluded + list(r.cgnat_in_use)),
    }
    steps = [f"sized for max nodes plus {months} months of growth: " + ", ".join(
        f"{g.name} {g.total('plan')} nodes" for g in groups) if groups else "no node groups"]
    if add_cidr:
        steps.append(f"custom networking needs a pod CIDR: add {add_cidr} to the VPC as a secondary CIDR")

    requests = []
    for slot in virtual:
        role = slot.roles[0]
        need, text = _needed(role, demand[slot.label], spec)
        requests.append((prefix_for(need), ROLE_ORDER.index(role), slot, need, text))
    requests.sort(key=lambda r: (r[0], r[1], r[2].availability_zone))

    planned, shortfalls = [], []
    for prefixlen, _, slot, need, text in requests:
        role = slot.roles[0]
        pool = allocators["pods" if role == "pods" else "main"]
        block = pool.take(prefixlen)
        if block is None:
            shortfalls.append(_shortfall(slot, role, need, prefixlen, pool, pod_pools if role == "pods" else main_pools,
                                         named))
            continue
        tags = subnet_tags(spec.name, role)
        tags["Name"] = slot.label
        planned.append(PlannedSubnet(slot.label, slot.availability_zone, role, str(block), need, None, tags,
                                     f"{text} -> /{prefixlen} ({block.num_addresses:,})"))
    planned = _with_ipv6(spec, planned)
    planned.sort(key=lambda p: (ROLE_ORDER.index(p.role), p.availability_zone))
    return SubnetPlan(spec.name, tuple(planned), tuple(shortfalls), add_cidr, tuple(steps))


def _covered_by(pool, named) -> list[str]:
    """What takes ``pool``'s space: the exclusions that overlap it, largest first."""
    hits = sorted((net for net in named if net[0].overlaps(pool)), key=lambda n: (n[0].prefixlen, str(n[0])))
    return [label if not net.supernet_of(pool) or net == pool else f"{label}, which contains it"
            for net, label in hits]


def _shortfall(slot, role, need, prefixlen, pool: Allocator, pools, named=()) -> Shortfall:
    where = ", ".join(str(p) for p in pools) or "no CIDR"
    largest = pool.largest()
    if not pools:
        tail = "no CIDR is left to plan it in (100.64.0.0/10 is used elsewhere)" if role == "pods" else "the VPC has no CIDR"
    elif largest is None:
        causes = [f"{p} is taken by " + (" and ".join(_covered_by(p, named)[:3]) or "subnets already planned")
                  for p in pools]
        tail = "; ".join(causes)
    else:
        tail = f"the largest free block in {where} is a /{largest.prefixlen} = {largest.num_addresses:,}"
    message = f"{slot.availability_zone} needs {need:,} addresses for its {role} subnet (a /{prefixlen}); {tail}"
    return Shortfall(slot.availability_zone, role, need, message, prefixlen, tail)


def _with_ipv6(spec: ClusterSpec, planned: list[PlannedSubnet]) -> list[PlannedSubnet]:
    if spec.vpc.ipv6_cidr is None:
        return planned
    used = {s.ipv6_cidr for s in spec.subnets if s.ipv6_cidr is not None}
    free = (n for n in spec.vpc.ipv6_cidr.subnets(new_prefix=64) if n not in used)
    out = []
    for p in sorted(planned, key=lambda p: (ROLE_ORDER.index(p.role), p.availability_zone)):
        out.append(PlannedSubnet(p.name, p.availability_zone, p.role, p.cidr, p.needed, str(next(free)), p.tags, p.derivation))
    return out
