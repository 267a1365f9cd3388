"""Figures that several decisions weigh, computed once per evaluation."""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import ClusterAnalysis, addresses_at, analyze, with_settings
from ..echo import counted
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
    short = [load for load in a.usage.at("max") if load.free is not None and load.free < 0]
    if short:
        reasons.append(f"{counted(len(short), 'subnet')} {'is' if len(short) == 1 else 'are'} short of addresses at max size")
    tight = [r for r in a.runways if r.months is not None and r.months < RUNWAY_MONTHS]
    if tight:
        worst = min(tight, key=lambda r: r.months)
        reasons.append(f"subnet {worst.subnet} runs out in {worst.months:.0f} months")
    if a.plan is not None and a.plan.shortfalls:
        reasons.append(f"{counted(len(a.plan.shortfalls), 'planned subnet')} {'does' if len(a.plan.shortfalls) == 1 else 'do'} not fit in the VPC")
    return Pressure(bool(reasons), tuple(reasons))


def max_pods_per_node(ctx: Context) -> int:
    return max((g.pods_per_node + g.security_group_pods_per_node for g in ctx.spec.node_groups), default=0)


def instance_types(ctx: Context):
    seen = {}
    for group in ctx.spec.node_groups:
        for it in ctx.types(group):
            seen[it.name] = it
    return list(seen.values())


@dataclass(frozen=True)
class ModeFigures:
    """One what-if design, with max pods set where the plan would set it, and how it fares."""

    name: str
    analysis: ClusterAnalysis
    addresses: int
    pending: dict  # group -> pods per node that cannot run

    @property
    def fits(self) -> bool:
        return not any(self.pending.values())

    def shortfall(self) -> str:
        return "; ".join(f"{group} leaves {n} pods per node without a place" for group, n in self.pending.items() if n)


def what_if(ctx: Context, name: str, **env) -> ModeFigures:
    """The cluster with some aws-node settings changed and max pods set as the plan would: computed once."""
    cache = ctx.extras.setdefault("what-if", {})
    key = tuple(sorted(env.items()))
    if key not in cache:
        cache[key] = _figures(ctx, name, env)
    return cache[key]


def _figures(ctx: Context, name: str, env: dict) -> ModeFigures:
    from ..nodeconfig import max_pods_plans
    from ..rollup import primary_excluded

    spec = with_settings(ctx.spec, **env) if env else ctx.spec
    plans = max_pods_plans(spec, spec.cni, ctx.catalog,
                           excluded_of=lambda group, cni: primary_excluded(spec, group, cni)[0])
    settings = {p.group: p.set_value for p in plans if p.set_value is not None}
    if settings:
        groups = [g.model_copy(update={"max_pods": settings[g.name]}) if g.name in settings else g
                  for g in spec.node_groups]
        spec = spec.model_copy(update={"node_groups": groups})
    analysis = ctx.analysis if spec is ctx.spec else analyze(spec, ctx.catalog)
    pending = {f.name: f.node.pods_pending for f in analysis.groups}
    return ModeFigures(name, analysis, addresses_at(analysis), pending)
