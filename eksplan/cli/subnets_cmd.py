"""``eksplan subnets``: the subnet layout, addresses per subnet, runway and prefix risk."""

from __future__ import annotations

import argparse
import json
import math

from .._table import render_rows

USAGE_COLUMNS = ("subnet", "az", "roles", "cidr", "size", "nodes", "pods", "in_use", "warm", "eni_primary",
                 "other", "consumed", "free", "util")


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("subnets", help="subnet layout, addresses per subnet, runway and prefix risk",
                            description="Lay out (or check) a cluster's subnets and show what each subnet gives up.")
    p.add_argument("spec", metavar="FILE")
    p.add_argument("--cluster", metavar="NAME", help="the cluster, when the file holds several")
    p.add_argument("--scale", choices=("min", "desired", "max", "all"), default="all")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--catalog", metavar="PATH")
    p.set_defaults(run=run)


def usage_rows(loads) -> list[dict]:
    rows = []
    for load in loads:
        other = load.security_group_ips + load.fargate_ips + load.control_plane_ips + load.extra_eni_ips + load.multus_ips
        rows.append({
            "subnet": load.label, "az": load.availability_zone, "roles": list(load.roles), "cidr": load.cidr,
            "size": load.size, "nodes": load.nodes, "pods": load.pods, "in_use": load.pod_ips_in_use,
            "warm": load.warm_ips, "eni_primary": load.eni_primary_ips, "other": other,
            "consumed": load.consumed, "free": load.free,
            "util": None if load.utilisation is None else f"{load.utilisation:.0%}",
        })
    return rows


def _months(value) -> str:
    if value is None:
        return "no growth given"
    if math.isinf(value):
        return "not consumed by growth"
    return f"{value:.0f} months"


def render_text(analysis, scales) -> str:
    out = []
    spec = analysis.spec
    if analysis.plan is not None:
        plan = analysis.plan
        out.append(f"Planned subnets for {spec.name}")
        out.extend(f"  {line}" for line in plan.derivation)
        rows = [{"name": s.name, "az": s.availability_zone, "role": s.role, "cidr": s.cidr, "ipv6": s.ipv6_cidr,
                 "sizing": s.derivation} for s in plan.subnets]
        out.append(render_rows(rows, ("name", "az", "role", "cidr", "ipv6", "sizing"), "text"))
        for shortfall in plan.shortfalls:
            out.append(f"  cannot fit: {shortfall.message}")
    for scale in scales:
        out.append(f"Addresses per subnet at {scale} size")
        out.append(render_rows(usage_rows(analysis.usage.at(scale)), USAGE_COLUMNS, "text"))
    for item in analysis.usage.unplaced:
        out.append(f"  unplaced: {item}")
    out.append("Runway")
    out.append(render_rows([{"subnet": r.subnet, "free_now": r.free_now, "source": r.free_source,
                             "runway": _months(r.months), "why": r.derivation} for r in analysis.runways],
                           ("subnet", "free_now", "source", "runway", "why"), "text"))
    if analysis.prefix_risks:
        out.append("Prefix delegation: contiguous /28 blocks")
        for risk in analysis.prefix_risks:
            flag = "AT RISK" if risk.at_risk else "ok"
            out.append(f"  {risk.subnet} ({risk.cidr}): {flag}")
            out.extend(f"    {line}" for line in risk.derivation)
            if risk.command:
                out.append(f"    {risk.command}")
    return "\n".join(out).rstrip() + "\n"


def to_json(analysis, scales) -> dict:
    plan = analysis.plan
    return {
        "cluster": analysis.name,
        "plan": None if plan is None else {
            "subnets": [{**vars(s), "size": s.size} for s in plan.subnets],
            "shortfalls": [vars(s) for s in plan.shortfalls],
            "add_vpc_cidr": plan.add_vpc_cidr,
            "derivation": list(plan.derivation),
        },
        "usage": {scale: [load.to_dict() for load in analysis.usage.at(scale)] for scale in scales},
        "unplaced": list(analysis.usage.unplaced),
        "runway": [r.to_dict() for r in analysis.runways],
        "prefix_risks": [r.to_dict() for r in analysis.prefix_risks],
    }


def run(args: argparse.Namespace) -> int:
    from ..analysis import analyze
    from ..catalog import load_catalog
    from ..spec import load_cluster

    catalog = load_catalog(args.catalog)
    spec = load_cluster(args.spec, args.cluster, catalog)
    analysis = analyze(spec, catalog)
    scales = ("min", "desired", "max") if args.scale == "all" else (args.scale,)
    if args.format == "json":
        print(json.dumps(to_json(analysis, scales), indent=2, default=str))
    else:
        print(render_text(analysis, scales), end="")
    return 0
