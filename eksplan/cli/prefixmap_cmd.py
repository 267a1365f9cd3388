"""``eksplan prefix-map``: the aligned /28 blocks really free for prefix delegation, per subnet."""

from __future__ import annotations

import argparse
import json

from ._args import whole_number

#: Blocks per line of the text map, and the most blocks drawn (a /20) before pointing at the JSON.
MAP_WIDTH = 64
MAP_LIMIT = 256


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "prefix-map", help="the exact free /28 blocks per subnet, from EC2 captures",
        description="Count the aligned /28 blocks each subnet can still give prefix delegation, from what "
                    "'aws ec2 describe-subnets', 'describe-network-interfaces' and 'get-subnet-cidr-reservations' "
                    "print (--output json).")
    p.add_argument("--describe-subnets", required=True, metavar="FILE", help="aws ec2 describe-subnets --output json")
    p.add_argument("--network-interfaces", required=True, metavar="FILE",
                   help="aws ec2 describe-network-interfaces --output json")
    p.add_argument("--cidr-reservations", action="append", default=[], metavar="FILE",
                   help="aws ec2 get-subnet-cidr-reservations --subnet-id ID --output json (repeat per subnet)")
    p.add_argument("--subnet", action="append", default=[], metavar="ID", help="only this subnet (repeatable)")
    p.add_argument("--prefixes", type=whole_number(1), metavar="N",
                   help="size the smallest prefix CIDR reservation that guarantees N more prefixes")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def _map_lines(m) -> list[str]:
    if m.blocks > MAP_LIMIT:
        return [f"  map: {m.blocks:,} blocks, not drawn here (--format json has it)"]
    from ..prefixmap import MAP_LEGEND

    legend = ", ".join(f"{mark} {text}" for mark, text in MAP_LEGEND.items())
    out = [f"  map, one character per /28 ({legend}):"]
    for start in range(0, m.blocks, MAP_WIDTH):
        first = str(m.block(start).network_address)
        out.append(f"    {first:<15} {m.states[start:start + MAP_WIDTH]}")
    return out


def render_text(maps, reservations) -> str:
    out = []
    for m in maps:
        aws = "" if m.aws_available_addresses is None else f" (describe-subnets: {m.aws_available_addresses:,})"
        out.append(f"{m.id} ({m.cidr}{', ' + m.availability_zone if m.availability_zone else ''}): "
                   f"{m.free_prefixes:,} free /28 prefixes, {m.available_addresses:,} addresses available{aws}")
        largest = m.largest_run
        out.append("  largest free run: " + ("none" if largest is None else
                                              f"{largest.blocks:,} blocks from {largest.first} "
                                              f"({', '.join(str(c) for c in largest.cidrs)})"))
        out.extend(f"  {line}" for line in m.derivation[1:])
        out.extend(_map_lines(m))
        advice = reservations.get(m.id)
        if advice is not None:
            out.append(f"  reservation for {advice.prefixes:,} more prefixes: {advice.derivation}")
            if advice.command:
                out.append(f"    {advice.command}")
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    from ..ec2capture import (CIDR_RESERVATIONS, NETWORK_INTERFACES, CaptureError, cidr_reservations,
                              network_interfaces, read_json)
    from ..prefixmap import prefix_maps, prefix_reservation
    from ..subnetfile import read_describe_subnets

    subnets = read_describe_subnets(args.describe_subnets)
    enis = network_interfaces(read_json(args.network_interfaces, NETWORK_INTERFACES), args.network_interfaces)
    reservations = []
    for path in args.cidr_reservations:
        reservations.extend(cidr_reservations(read_json(path, CIDR_RESERVATIONS), path))
    unknown = [s for s in args.subnet if s not in subnets]
    if unknown:
        raise CaptureError(f"{args.describe_subnets}: no subnet {unknown[0]!r} "
                           f"(subnets: {', '.join(subnets) or 'none'})")
    if args.subnet:
        subnets = {k: v for k, v in subnets.items() if k in args.subnet}
    maps = prefix_maps(subnets, enis, reservations)
    advice = {m.id: prefix_reservation(m, args.prefixes) for m in maps} if args.prefixes else {}
    if args.format == "json":
        records = []
        for m in maps:
            record = m.to_dict()
            if m.id in advice:
                record["reservation"] = advice[m.id].to_dict()
            records.append(record)
        print(json.dumps({"subnets": records}, indent=2))
    else:
        print(render_text(maps, advice), end="")
    return 0
