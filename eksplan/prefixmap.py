"""The exact /28 map of a subnet: which aligned blocks prefix delegation can still get.

EC2 assigns a /28 prefix only from a whole, aligned block of 16 addresses that nothing else
uses. A subnet's free-address count says nothing about that (amazon-vpc-cni-k8s#2749: EC2 "does
not provide visibility ... into the fragmentation"), but ``describe-network-interfaces`` lists
every address and prefix in use, so the free blocks can be counted exactly. A block is free when
none of its addresses is

* an interface's private IP (primary or secondary),
* inside a /28 prefix already assigned to an interface (``Ipv4Prefixes``),
* one of the 5 addresses AWS reserves (the first four and the last of the subnet),
* inside a subnet CIDR reservation of type ``explicit`` (kept for manual assignment).

Blocks inside a reservation of type ``prefix`` stay free for prefixes, and only for them: they
are the ones guaranteed. :func:`prefix_reservation` sizes the smallest prefix reservation that
guarantees N more prefixes.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable, Mapping

from .ec2capture import CidrReservation, ObservedEni

__all__ = ["BLOCK", "AWS_RESERVED", "FreeRun", "SubnetPrefixMap", "PrefixReservation", "prefix_map", "prefix_maps",
           "prefix_reservation", "MAP_LEGEND"]

BLOCK = 16
AWS_RESERVED = 5
#: One character per /28 block in :attr:`SubnetPrefixMap.states`, in order of precedence.
MAP_LEGEND = {
    "P": "a /28 prefix is assigned",
    "#": "an interface address is in use",
    "x": "inside an explicit CIDR reservation",
    "R": "holds addresses AWS reserves",
    "r": "free, inside a prefix CIDR reservation",
    ".": "free",
}
_FREE = frozenset(".r")


@dataclass(frozen=True)
class FreeRun:
    """Contiguous free /28 blocks: the first one and how many."""

    first: ipaddress.IPv4Network
    blocks: int

    @property
    def cidrs(self) -> tuple[ipaddress.IPv4Network, ...]:
        """The run as the fewest aligned CIDRs."""
        last = int(self.first.network_address) + self.blocks * BLOCK - 1
        return tuple(ipaddress.summarize_address_range(self.first.network_address, ipaddress.IPv4Address(last)))

    def to_dict(self) -> dict:
        return {"first": str(self.first), "blocks": self.blocks, "cidrs": [str(c) for c in self.cidrs]}


@dataclass(frozen=True)
class SubnetPrefixMap:
    """One subnet's /28 blocks, each free or taken and why, with the counts derived from them."""

    id: str
    cidr: ipaddress.IPv4Network
    availability_zone: str | None
    states: str
    available_addresses: int
    aws_available_addresses: int | None
    interface_addresses: int
    assigned_prefixes: int
    derivation: tuple[str, ...]

    @property
    def blocks(self) -> int:
        return len(self.states)

    def block(self, index: int) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network((int(self.cidr.network_address) + index * BLOCK, 28))

    @property
    def free_blocks(self) -> tuple[ipaddress.IPv4Network, ...]:
        return tuple(self.block(i) for i, s in enumerate(self.states) if s in _FREE)

    @property
    def free_prefixes(self) -> int:
        """Aligned /28 blocks EC2 could assign as prefixes now."""
        return sum(1 for s in self.states if s in _FREE)

    @property
    def reserved_free_prefixes(self) -> int:
        """Free blocks inside prefix reservations: prefixes that no single address can take."""
        return self.states.count("r")

    @property
    def runs(self) -> tuple[FreeRun, ...]:
        out, start = [], None
        for i, s in enumerate(self.states + "#"):
            if s in _FREE and start is None:
                start = i
            elif s not in _FREE and start is not None:
                out.append(FreeRun(self.block(start), i - start))
                start = None
        return tuple(out)

    @property
    def largest_run(self) -> FreeRun | None:
        return max(self.runs, key=lambda r: (r.blocks, -int(r.first.network_address)), default=None)

    def to_dict(self) -> dict:
        largest = self.largest_run
        return {
            "id": self.id, "cidr": str(self.cidr), "availability_zone": self.availability_zone,
            "blocks": self.blocks, "free_prefixes": self.free_prefixes,
            "reserved_free_prefixes": self.reserved_free_prefixes,
            "available_addresses": self.available_addresses,
            "aws_available_addresses": self.aws_available_addresses,
            "interface_addresses": self.interface_addresses, "assigned_prefixes": self.assigned_prefixes,
            "largest_free_run": None if largest is None else largest.to_dict(),
            "free_runs": [r.to_dict() for r in self.runs],
            "map": self.states, "derivation": list(self.derivation),
        }


def prefix_map(subnet_id: str, cidr: ipaddress.IPv4Network | str, enis: Iterable[ObservedEni] = (),
               reservations: Iterable[CidrReservation] = (), *, availability_zone: str | None = None,
               aws_available: int | None = None) -> SubnetPrefixMap:
    """The /28 map of subnet ``subnet_id`` from the interfaces and CIDR reservations in it.

    Interfaces and reservations of other subnets are ignored, and so are addresses outside
    ``cidr``. ``aws_available`` is describe-subnets' ``AvailableIpAddressCount``, shown beside the
    count derived here.
    """
    network = ipaddress.IPv4Network(cidr)
    base, size = int(network.network_address), network.num_addresses
    blocks = size // BLOCK
    singles: set[int] = set()
    prefixes: set[int] = set()
    for eni in enis:
        if eni.subnet_id != subnet_id:
            continue
        singles.update(int(a) - base for a in eni.addresses if a in network)
        prefixes.update((int(p.network_address) - base) // BLOCK for p in eni.prefixes if p.subnet_of(network))
    explicit, reserved_for_prefixes = set(), set()
    mine = [r for r in reservations if r.subnet_id == subnet_id and r.cidr.overlaps(network)]
    for r in mine:
        first = max(int(r.cidr.network_address) - base, 0) // BLOCK
        last = min(int(r.cidr.broadcast_address) - base, size - 1) // BLOCK
        (explicit if r.kind == "explicit" else reserved_for_prefixes).update(range(first, last + 1))
    aws = {0, 1, 2, 3, size - 1}
    used_blocks = {a // BLOCK for a in singles}
    states = []
    for b in range(blocks):
        if b in prefixes:
            states.append("P")
        elif b in used_blocks:
            states.append("#")
        elif b in explicit:
            states.append("x")
        elif b == 0 or b == blocks - 1:
            states.append("R")
        elif b in reserved_for_prefixes:
            states.append("r")
        else:
            states.append(".")
    in_prefixes = {a for a in singles if a // BLOCK in prefixes}
    taken = len((singles - in_prefixes) | aws) + BLOCK * len(prefixes)
    available = size - taken
    text = "".join(states)
    steps = [
        f"{network}: {size:,} addresses in {blocks:,} aligned /28 blocks",
        f"{available:,} addresses available = {size:,} - {AWS_RESERVED} reserved by AWS - "
        f"{len(singles - in_prefixes - aws):,} interface addresses - {len(prefixes):,} prefixes x {BLOCK}",
    ]
    if aws_available is not None and aws_available != available:
        in_reservations = set()
        for r in mine:
            first, last = max(int(r.cidr.network_address) - base, 0), min(int(r.cidr.broadcast_address) - base, size - 1)
            in_reservations.update(range(first, last + 1))
        unused = len(in_reservations - singles - aws - {a for b in prefixes for a in range(b * BLOCK, (b + 1) * BLOCK)})
        why = (f"it also counts the {unused:,} unused addresses of the subnet's CIDR reservations"
               if unused and available - aws_available == unused else
               "the captures were taken at different moments, or list different interfaces")
        steps.append(f"describe-subnets says {aws_available:,} available: {why}")
    counts = {mark: text.count(mark) for mark in MAP_LEGEND}
    taken_parts = [f"{counts[m]:,} {MAP_LEGEND[m]}" for m in "P#xR" if counts[m]]
    free = counts["."] + counts["r"]
    steps.append(f"{free:,} free /28 blocks" + (f" ({counts['r']:,} inside prefix reservations)" if counts["r"] else "")
                 + (f"; taken: {'; '.join(taken_parts)}" if taken_parts else ""))
    if free == 0 and available >= BLOCK:
        steps.append(f"no free /28 although {available:,} addresses are available: single addresses fragment "
                     "every block, and prefix attachment fails with InsufficientCidrBlocks")
    return SubnetPrefixMap(subnet_id, network, availability_zone, text, available, aws_available,
                           len(singles - in_prefixes), len(prefixes), tuple(steps))


def prefix_maps(subnets: Mapping, enis: Iterable[ObservedEni] = (),
                reservations: Iterable[CidrReservation] = ()) -> tuple[SubnetPrefixMap, ...]:
    """A map per subnet of a describe-subnets capture (:class:`eksplan.subnetfile.ObservedSubnet` by id)."""
    enis, reservations = tuple(enis), tuple(reservations)
    return tuple(prefix_map(s.id, s.cidr, enis, reservations, availability_zone=s.availability_zone,
                            aws_available=s.available_ips) for s in subnets.values())


@dataclass(frozen=True)
class PrefixReservation:
    """The smallest prefix CIDR reservation that guarantees ``prefixes`` more prefixes in a subnet."""

    subnet: str
    prefixes: int
    guaranteed_now: int
    cidr: str | None
    free_blocks_inside: int
    command: str | None
    derivation: str

    def to_dict(self) -> dict:
        return {"prefixes": self.prefixes, "guaranteed_now": self.guaranteed_now, "cidr": self.cidr,
                "free_blocks_inside": self.free_blocks_inside, "command": self.command,
                "derivation": self.derivation}


def prefix_reservation(subnet: SubnetPrefixMap, prefixes: int) -> PrefixReservation:
    """The smallest aligned CIDR in ``subnet`` to reserve for prefixes so that ``prefixes`` more are guaranteed.

    Free blocks already inside prefix reservations count toward the guarantee. A candidate may
    not overlap an existing reservation; among candidates of the smallest size that hold enough
    free blocks, the one with the most free blocks wins, then the highest.
    """
    have = subnet.reserved_free_prefixes
    need = prefixes - have
    if need <= 0:
        return PrefixReservation(subnet.id, prefixes, have, None, 0, None,
                                 f"prefix reservations already hold {have:,} free blocks >= {prefixes:,}: none needed")
    states, blocks = subnet.states, subnet.blocks
    free_sum = [0]
    blocked_sum = [0]
    for s in states:
        free_sum.append(free_sum[-1] + (s == "."))
        blocked_sum.append(blocked_sum[-1] + (s in "xr"))
    width = 1
    while width <= blocks:
        best = None
        for start in range(0, blocks - width + 1, width):
            if blocked_sum[start + width] - blocked_sum[start]:
                continue  # overlaps an existing reservation: EC2 refuses it
            free = free_sum[start + width] - free_sum[start]
            if free >= need and (best is None or free >= best[1]):
                best = (start, free)
        if best is not None:
            start, free = best
            prefixlen = 28 - (width.bit_length() - 1)
            cidr = ipaddress.IPv4Network((int(subnet.cidr.network_address) + start * BLOCK, prefixlen))
            command = (f"aws ec2 create-subnet-cidr-reservation --subnet-id {subnet.id} --cidr {cidr} "
                       f"--reservation-type prefix --description 'EKS prefix delegation'")
            held = f" ({have:,} already guaranteed by prefix reservations)" if have else ""
            taken = width - free
            note = f"; its {taken:,} other blocks are in use and stay so" if taken else ""
            return PrefixReservation(subnet.id, prefixes, have, str(cidr), free, command,
                                     f"{need:,} more blocks to guarantee{held}: reserve {cidr} ({width:,} blocks, "
                                     f"{free:,} of them free){note}")
        width *= 2
    return PrefixReservation(subnet.id, prefixes, have, None, 0, None,
                             f"no aligned range of {subnet.cidr} outside existing reservations holds {need:,} free "
                             f"blocks ({subnet.free_prefixes:,} are free in all): add a subnet or free addresses")
