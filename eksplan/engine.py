"""Run the rules over a cluster: decisions, findings by severity, and the settings to apply."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import ClusterAnalysis, analyze
from .catalog import Catalog, load_catalog
from .decisions import DECISION_RULES
from .cni import CniConfig
from .rules import FINDING_RULES, SEVERITIES, Context, Decision, Finding
from .spec.model import ClusterSpec

__all__ = ["Evaluation", "evaluate", "evaluate_settings", "worst_severity"]


@dataclass(frozen=True)
class Evaluation:
    analysis: ClusterAnalysis | None
    decisions: tuple[Decision, ...]
    findings: tuple[Finding, ...]

    @property
    def catalog(self) -> Catalog:
        """The instance-type catalog every figure of this evaluation comes from."""
        return self.analysis.catalog

    def by_severity(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {s: [] for s in SEVERITIES}
        for finding in self.findings:
            out[finding.severity].append(finding)
        return out

    def decision(self, decision_id: str) -> Decision | None:
        return next((d for d in self.decisions if d.id == decision_id), None)

    @property
    def worst(self) -> str | None:
        return worst_severity(self.findings)


def worst_severity(findings) -> str | None:
    ranks = [SEVERITIES.index(f.severity) for f in findings]
    return SEVERITIES[min(ranks)] if ranks else None


def _run(ctx: Context) -> tuple[Finding, ...]:
    found = []
    for rule in FINDING_RULES:
        if rule.needs <= ctx.has:
            found.extend(rule.run(ctx))
    return tuple(sorted(found, key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.subject)))


def evaluate(spec_or_analysis: ClusterSpec | ClusterAnalysis, catalog: Catalog | None = None,
             observed: CniConfig | None = None) -> Evaluation:
    """Decisions and findings for one cluster (and a live aws-node's configuration, if given)."""
    if isinstance(spec_or_analysis, ClusterAnalysis):
        analysis = spec_or_analysis
    else:
        analysis = analyze(spec_or_analysis, catalog or load_catalog())
    ctx = Context.for_spec(analysis, observed)
    decisions = tuple(d for rule in DECISION_RULES if (d := rule.run(ctx)) is not None)
    return Evaluation(analysis, decisions, _run(ctx))


def evaluate_settings(settings: CniConfig, catalog: Catalog | None = None) -> tuple[Finding, ...]:
    """Findings that an aws-node configuration alone reveals (no cluster spec)."""
    return _run(Context(catalog or load_catalog(), settings=settings, observed=settings))
