"""How long each subnet lasts, and whether prefix delegation will find its /28 blocks.

Runway: with the spec's growth (nodes per month, or percent per month compounding), the months
until a subnet's free addresses are used up. Free addresses are AWS's own count where known
(``available_ips``, e.g. from ``aws ec2 describe-subnets``), else the model's at desired size.

Prefix risk: prefix delegation needs whole, aligned /28 blocks. Single addresses (node and ENI
primaries, load balancers, endpoints...) scattered over a subnet can leave none free even when
many addresses are, and EC2 then answers ``InsufficientCidrBlocks`` (amazon-vpc-cni-k8s#2749).
The remedy upstream recommends is a subnet CIDR reservation of type ``prefix``; eksplan sizes
one for the prefixes the subnet needs at maximum size, with the planning headroom.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import asdict, dataclass

from .planner import prefix_for
from .rollup import Slot, SubnetLoad, footprints, growth_nodes, rollup
from .spec.model import ClusterSpec

__all__ = ["Runway", "PrefixRisk", "runways", "prefix_risks", "BLOCK"]

BLOCK = 16  # addresses in a /28 prefix
EDGE_ROOM = (BLOCK - 4) + (BLOCK - 1)  # free addresses in the first and last block of a subnet


@dataclass(frozen=True)
class Runway:
    subnet: str
    availability_zone: str
    free_now: int
    free_source: str
    per_month: float
    months: float | None
    derivation: str

    def to_dict(self) -> dict:
        record = asdict(self)
        if self.months is not None and math.isinf(self.months):
            record["months"] = None
            record["grows"] = False
        else:
            record["grows"] = self.months is not None
        return record


@dataclass(frozen=True)
class PrefixRisk:
    subnet: str
    availability_zone: str
    cidr: str
    prefixes_needed: int
    blocks: int
    worst_case_free_blocks: int
    best_case_free_blocks: int
    reserved_blocks: int
    at_risk: bool
    recommended_reservation: str | None
    command: str | None
    derivation: tuple[str, ...]

    def to_dict(self) -> dict:
        return asdict(self)


MAX_MONTHS = 1200


def _consumed_after(spec: ClusterSpec, slots: tuple[Slot, ...], months: int, catalog) -> dict[str, int]:
    groups = footprints(spec, catalog, extra_nodes=growth_nodes(spec, months), base="desired")
    return {load.label: load.consumed for load in rollup(spec, slots, groups, scales=("plan",)).at("plan")}


def runways(spec: ClusterSpec, slots: tuple[Slot, ...], desired: tuple[SubnetLoad, ...], catalog=None) -> tuple[Runway, ...]:
    """Whole months each subnet lasts under the spec's growth, from desired size.

    ``months`` is None without growth, infinite when growth never reaches the subnet, else the
    last whole month in which the subnet still has room (0: it is already short).
    """
    growth = spec.requirements.growth
    now = {load.label: load.consumed for load in desired}
    free = {}
    for load in desired:
        if load.available_ips is not None:
            free[load.label] = (load.available_ips, "AWS (available IP count)")
        else:
            free[load.label] = (load.free if load.free is not None else 0, "model at desired size")
    if growth is None:
        return tuple(Runway(l.label, l.availability_zone, free[l.label][0], free[l.label][1], 0.0, None,
                            "no growth given") for l in desired)
    first = _consumed_after(spec, slots, 1, catalog)
    cache = {0: now, 1: first}

    def over(label: str, months: int) -> bool:
        if months not in cache:
            cache[months] = _consumed_after(spec, slots, months, catalog)
        return cache[months][label] - now[label] > free[label][0]

    out = []
    for load in desired:
        label = load.label
        rate = float(first[label] - now[label])
        left, source = free[label]
        if left < 0 or over(label, 0):
            months, text = 0.0, f"already short by {-left:,} addresses"
        elif not over(label, MAX_MONTHS):
            months, text = math.inf, "growth does not reach this subnet" if cache[MAX_MONTHS][label] == now[label] else \
                f"lasts beyond {MAX_MONTHS // 12} years"
        else:
            lo, hi = 0, MAX_MONTHS  # over(lo) is False, over(hi) is True
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if not over(label, mid) else (lo, mid)
            months = float(lo)
            text = f"{left:,} free; growth takes {cache[hi][label] - now[label]:,} addresses by month {hi}"
        out.append(Runway(label, load.availability_zone, left, source, rate, months, text))
    return tuple(out)


def prefix_risks(spec: ClusterSpec, at_max: tuple[SubnetLoad, ...]) -> tuple[PrefixRisk, ...]:
    """For each subnet that holds /28 prefixes: blocks needed at max size against blocks surely free."""
    if not spec.cni.prefix_delegation or spec.ipv6:
        return ()
    subnets = {s.label: s for s in spec.subnets}
    return tuple(_risk(spec, load, load.prefixes, subnets.get(load.label))
                 for load in at_max if load.prefixes and load.cidr is not None)


def _risk(spec: ClusterSpec, load: SubnetLoad, needed: int, subnet) -> PrefixRisk:
    network = ipaddress.IPv4Network(load.cidr)
    blocks = network.num_addresses // BLOCK
    singles = load.eni_primary_ips + load.security_group_ips + load.fargate_ips + load.control_plane_ips + load.extra_eni_ips + load.multus_ips
    reserved = sum(r.num_addresses // BLOCK for r in (subnet.cidr_reservations if subnet else ()))
    if load.available_ips is not None:
        used_now = network.num_addresses - load.aws_reserved - load.available_ips
        worst = max(0, blocks - 2 - used_now)
        best = min(blocks - 2, load.available_ips // BLOCK)
        basis = f"{load.available_ips:,} addresses free now (AWS)"
    else:
        worst = max(0, blocks - 2 - singles)
        # Best case: singles packed first into the two blocks AWS's reserved addresses already
        # break (12 + 15 free addresses), then into as few other blocks as possible.
        best = max(0, blocks - 2 - math.ceil(max(0, singles - EDGE_ROOM) / BLOCK))
        basis = f"{singles:,} single addresses at max size"
    steps = [
        f"{needed:,} /28 prefixes needed at max size; the /{network.prefixlen} holds {blocks:,} blocks",
        f"{basis}: between {worst:,} (each single address in its own block, AWS's reserved addresses in "
        f"the first and last) and {best:,} blocks are free",
    ]
    at_risk = needed > worst and reserved < needed
    recommended = command = None
    if reserved:
        steps.append(f"CIDR reservations of type prefix hold {reserved:,} blocks")
    if needed > best:
        steps.append(f"{needed:,} blocks cannot fit even if every free address were packed into whole blocks")
    if at_risk or not reserved:
        recommended, command, text = _reservation(network, needed, spec.planning.headroom, subnet)
        steps.append(text)
    if at_risk:
        steps.append("at risk: prefix attachment can fail with InsufficientCidrBlocks")
    return PrefixRisk(load.label, load.availability_zone, str(network), needed, blocks, worst, best, reserved,
                      at_risk, recommended, command, tuple(steps))


def _reservation(network: ipaddress.IPv4Network, needed: int, headroom: float, subnet):
    """A prefix-type CIDR reservation at the top of the subnet, with headroom when it fits."""
    for factor in (headroom, 1.0):
        prefixlen = prefix_for(math.ceil(needed * factor) * BLOCK)
        if prefixlen > network.prefixlen:
            size = 2 ** (32 - prefixlen)
            block = ipaddress.IPv4Network((int(network.broadcast_address) - size + 1, prefixlen))
            subnet_id = subnet.id if subnet is not None and subnet.id else "<subnet-id>"
            command = (f"aws ec2 create-subnet-cidr-reservation --subnet-id {subnet_id} --cidr {block} "
                       f"--reservation-type prefix --description 'EKS prefix delegation'")
            why = f"{needed:,} x {factor} headroom" if factor != 1.0 else f"{needed:,}, no headroom left"
            return str(block), command, f"reserve {block} for prefixes ({size // BLOCK:,} blocks for {why})"
    return None, None, (f"a reservation for {needed:,} blocks would take the whole /{network.prefixlen}: "
                        "use a larger subnet, or add pod subnets (custom networking or subnet discovery)")
