"""Figures that several decisions weigh."""

from __future__ import annotations

from dataclasses import dataclass

from ..rules.base import Context

RUNWAY_MONTHS = 12


@dataclass(frozen=True)
class Pressure:
    """How close IPv4 space is to running out, and why."""

    constrained: bool
    reasons: tuple[str, ...]


def ipv4_pressure(ctx: Context) -> Pressure:
    """IPv4 is constrained when a subnet is short at max size, runs out within a year, or cannot be planned."""
    a = ctx.analysis
    reasons = []
    short = [l for l in a.usage.at("max") if l.free is not None and l.free < 0]
    if short:
        reasons.append(f"{len(short)} subnet(s) are short of addresses at max size")
    tight = [r for r in a.runways if r.months is not None and r.months < RUNWAY_MONTHS]
    if tight:
        worst = min(tight, key=lambda r: r.months)
        reasons.append(f"subnet {worst.subnet} runs out in {worst.months:.0f} months")
    if a.plan is not None and a.plan.shortfalls:
        reasons.append(f"{len(a.plan.shortfalls)} planned subnet(s) do not fit in the VPC")
    return Pressure(bool(reasons), tuple(reasons))


def max_pods_per_node(ctx: Context) -> int:
    return max((g.pods_per_node + g.security_group_pods_per_node for g in ctx.spec.node_groups), default=0)


def instance_types(ctx: Context):
    seen = {}
    for group in ctx.spec.node_groups:
        for it in ctx.types(group):
            seen[it.name] = it
    return list(seen.values())


def cluster(ctx: Context) -> str:
    return ctx.spec.name
