"""What a rule is, what it produces, and what it reads.

A finding rule is one small pure function beside its metadata (kube-linter's shape): it reads a
:class:`Context` and yields :class:`Finding` values that state the actual against the
required. A decision rule returns one :class:`Decision` in the MADR shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

from ..analysis import ClusterAnalysis
from ..catalog import Catalog, InstanceType
from ..cniversion import CniVersion, parse_cni_version
from ..spec.model import ClusterSpec, NodeGroupSpec

__all__ = [
    "SEVERITIES", "Finding", "FindingRule", "Option", "Decision", "DecisionRule", "Context", "Settings",
]

#: From most to least serious.
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class Finding:
    """One risk in one place: what is, against what is required, and what to do."""

    rule: str
    severity: str
    title: str
    subject: str
    message: str
    remediation: str
    guide: str
    references: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FindingRule:
    """A finding rule: metadata beside the check that applies it."""

    id: str
    title: str
    severity: str
    rationale: str
    remediation: str
    guide: str
    check: Callable[["Context"], Iterable[tuple[str, str]]]
    references: tuple[str, ...] = ()
    needs: frozenset = frozenset({"spec"})

    def run(self, ctx: "Context") -> list[Finding]:
        return [Finding(self.id, self.severity, self.title, subject, message, self.remediation, self.guide,
                        self.references) for subject, message in self.check(ctx)]


@dataclass(frozen=True)
class Option:
    name: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """An architecture decision record (MADR): context, drivers, options, outcome, consequences."""

    id: str
    title: str
    context: str
    drivers: tuple[str, ...]
    options: tuple[Option, ...]
    chosen: str
    because: str
    consequences: tuple[str, ...]
    confirm: tuple[str, ...]
    guide: str
    current: str | None = None
    #: aws-node settings the outcome asks for (env name -> value), for the generated configuration.
    settings: dict = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return f"{self.chosen}, chosen because {self.because}"

    @property
    def changes_current(self) -> bool:
        return self.current is not None and self.current != self.chosen

    def to_dict(self) -> dict:
        record = asdict(self)
        record["outcome"] = self.outcome
        record["changes_current"] = self.changes_current
        return record


@dataclass(frozen=True)
class DecisionRule:
    id: str
    title: str
    guide: str
    decide: Callable[["Context"], Decision | None]


@dataclass(frozen=True)
class Settings:
    """aws-node settings in force, from the spec or from a live DaemonSet, by their env names."""

    values: dict
    version: CniVersion | None
    source: str

    def get(self, name: str, default=None):
        return self.values.get(name, default)

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return bool(value)

    def number(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or isinstance(value, bool):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    @property
    def prefix_delegation(self) -> bool:
        return self.flag("ENABLE_PREFIX_DELEGATION")

    @property
    def ip_targets(self) -> bool:
        return (self.number("WARM_IP_TARGET") or 0) >= 1 or (self.number("MINIMUM_IP_TARGET") or 0) >= 1


@dataclass
class Context:
    """What rules read: the spec and its computed figures, and/or a live aws-node's settings."""

    catalog: Catalog
    spec: ClusterSpec | None = None
    analysis: ClusterAnalysis | None = None
    settings: Settings | None = None
    observed: Settings | None = None
    extras: dict = field(default_factory=dict)

    @classmethod
    def for_spec(cls, analysis: ClusterAnalysis, catalog: Catalog, observed: Settings | None = None) -> "Context":
        spec = analysis.spec
        cni = spec.vpc_cni
        settings = Settings(cni.settings.given(), parse_cni_version(cni.version), "spec")
        return cls(catalog, spec, analysis, settings, observed)

    @property
    def has(self) -> frozenset:
        out = set()
        if self.spec is not None:
            out.add("spec")
        if self.settings is not None:
            out.add("settings")
        if self.observed is not None:
            out.add("observed")
        return frozenset(out)

    # -- helpers shared by rules ---------------------------------------------------------------
    def types(self, group: NodeGroupSpec) -> list[InstanceType]:
        return [self.catalog.get(name) for name in group.instance_types]

    def footprint(self, group_name: str):
        return next(g for g in self.analysis.groups if g.name == group_name)

    @property
    def ipv6(self) -> bool:
        return self.spec is not None and self.spec.ipv6
