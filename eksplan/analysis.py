"""Everything eksplan computes for one cluster, in one value the CLI, notebooks and reports share."""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Catalog, load_catalog
from .cni import CniConfig
from .planner import SubnetPlan, plan_subnets
from .rollup import ClusterUsage, GroupFootprint, Slot, footprints, rollup, slots_from_spec
from .runway import PrefixRisk, Runway, prefix_risks, runways
from .spec.model import ClusterSpec

__all__ = ["ClusterAnalysis", "analyze", "with_settings", "addresses_at"]


@dataclass(frozen=True)
class ClusterAnalysis:
    """One cluster's figures, with the instance-type catalog they were computed from."""

    spec: ClusterSpec
    catalog: Catalog
    groups: tuple[GroupFootprint, ...]
    plan: SubnetPlan | None
    slots: tuple[Slot, ...]
    usage: ClusterUsage
    runways: tuple[Runway, ...]
    prefix_risks: tuple[PrefixRisk, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def cni(self) -> CniConfig:
        """The VPC CNI configuration the figures assume."""
        return self.spec.cni

    def tightest_runway(self) -> Runway | None:
        """The subnet that runs out first (None when no growth is given or none runs out)."""
        timed = [r for r in self.runways if r.months is not None and r.months != float("inf")]
        return min(timed, key=lambda r: (r.months, r.subnet), default=None)


def analyze(spec: ClusterSpec, catalog: Catalog | None = None) -> ClusterAnalysis:
    """Footprints, the subnet plan (if eksplan lays subnets out), usage, runway and prefix risk."""
    catalog = catalog or load_catalog()
    groups = footprints(spec, catalog)
    plan = plan_subnets(spec, catalog) if spec.planned else None
    slots = slots_from_spec(spec) + (plan.slots() if plan else ())
    usage = rollup(spec, slots, groups)
    return ClusterAnalysis(
        spec=spec,
        catalog=catalog,
        groups=groups,
        plan=plan,
        slots=slots,
        usage=usage,
        runways=runways(spec, slots, usage.at("desired"), catalog),
        prefix_risks=prefix_risks(_with_planned(spec, plan), usage.at("max")),
    )


def with_settings(spec: ClusterSpec, **env) -> ClusterSpec:
    """The spec with some aws-node settings changed (None removes one): for what-if figures."""
    given = spec.vpc_cni.settings.given()
    for name, value in env.items():
        if value is None:
            given.pop(name, None)
        else:
            given[name] = value
    cni = spec.vpc_cni.model_copy(update={"settings": type(spec.vpc_cni.settings).model_validate(given)})
    return spec.model_copy(update={"vpc_cni": cni})


def addresses_at(analysis: ClusterAnalysis, scale: str = "desired") -> int:
    """Addresses the cluster's node and pod subnets give up at a scale (AWS's reserved ones excluded)."""
    return sum(load.consumed - load.aws_reserved for load in analysis.usage.at(scale)
               if {"nodes", "pods"} & set(load.roles))


def _with_planned(spec: ClusterSpec, plan: SubnetPlan | None) -> ClusterSpec:
    """The spec with the planned subnets added, so that per-subnet checks see them."""
    if not plan or not plan.subnets:
        return spec
    from .spec.model import SubnetSpec

    extra = [SubnetSpec(availability_zone=p.availability_zone, cidr=p.cidr, role=p.role, tags=p.tags)
             for p in plan.subnets]
    return spec.model_copy(update={"subnets": list(spec.subnets) + extra})
