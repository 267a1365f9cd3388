"""What a rule is, what it produces, and what it reads.

A finding rule is one small pure function beside its metadata (kube-linter's shape): it reads a
:class:`Context` and yields :class:`Finding` values that state the actual against the
required. A decision rule returns one :class:`Decision` in the MADR shape.
"""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

from ..analysis import ClusterAnalysis
from ..catalog import Catalog, InstanceType
from ..cni import CniConfig
from ..spec.model import ClusterSpec, NodeGroupSpec

__all__ = [
    "SEVERITIES", "Finding", "FindingRule", "Option", "Outcome", "Decision", "DecisionRule", "Context", "shell_quote", "join_names",
]

def join_names(names) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def shell_quote(value: str) -> str:
    """``value`` as one shell word, for commands a reader will paste (``shlex.quote``)."""
    return shlex.quote(value)


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
    #: Names of the configuration artifacts that carry this finding's fix, when eksplan generates one.
    fixes: tuple[str, ...] = ()

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
    fixes: tuple[str, ...] = ()

    def run(self, ctx: "Context") -> list[Finding]:
        return [Finding(self.id, self.severity, self.title, subject, message, self.remediation, self.guide,
                        self.references, self.fixes) for subject, message in self.check(ctx)]


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
class Outcome:
    """What a decision rule decides for one cluster: everything of a :class:`Decision` but its metadata."""

    context: str
    drivers: tuple[str, ...]
    chosen: str
    because: str
    consequences: tuple[str, ...]
    confirm: tuple[str, ...]
    current: str | None = None
    settings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionRule:
    """A decision rule: its metadata and options, written once, beside the function that decides."""

    id: str
    title: str
    guide: str
    options: tuple[Option, ...]
    decide: Callable[["Context"], Outcome | None]

    def run(self, ctx: "Context") -> Decision | None:
        outcome = self.decide(ctx)
        if outcome is None:
            return None
        return Decision(self.id, self.title, options=self.options, guide=self.guide, **{
            name: getattr(outcome, name) for name in Outcome.__dataclass_fields__})


@dataclass
class Context:
    """What rules read: the spec and its computed figures, and/or a live aws-node's configuration.

    ``settings`` is the VPC CNI configuration the rules judge (the spec's plan, or a live
    DaemonSet's when there is no spec); ``observed`` is a live DaemonSet's, to compare with.
    """

    catalog: Catalog
    spec: ClusterSpec | None = None
    analysis: ClusterAnalysis | None = None
    settings: CniConfig | None = None
    observed: CniConfig | None = None
    extras: dict = field(default_factory=dict)

    @classmethod
    def for_spec(cls, analysis: ClusterAnalysis, observed: CniConfig | None = None) -> "Context":
        return cls(analysis.catalog, analysis.spec, analysis, analysis.cni, observed)

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
