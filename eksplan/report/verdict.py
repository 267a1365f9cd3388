"""What a report says on its first screen: the worst finding, the top actions, the room left, what changes.

Plain data from an evaluation and its configuration, so that the report, the index and the JSON
twin say the same thing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from ..config import Artifact, aws_node_env
from ..engine import Evaluation
from ..rules import SEVERITIES, Finding
from ..rules.observed import SPEC_COUNTERPARTS

__all__ = ["Action", "Room", "Change", "Verdict", "verdict", "POD_ROLES"]

#: Subnets that hold pods: their room is what a reader needs first (never the control plane's /28s).
POD_ROLES = {"nodes", "pods"}
TOP_ACTIONS = 3


@dataclass(frozen=True)
class Action:
    severity: str
    title: str
    rule: str
    what: str
    artifact: str | None = None
    command: str | None = None


@dataclass(frozen=True)
class Room:
    """A pod-holding subnet at max size and its runway."""

    subnet: str
    cidr: str
    availability_zone: str
    roles: str
    used: float
    free: int
    months: float | None

    @property
    def months_text(self) -> str:
        if self.months is None:
            return "no growth given"
        return "does not run out" if math.isinf(self.months) else f"{self.months:.0f} months"


@dataclass(frozen=True)
class Change:
    what: str
    today: str
    proposed: str


@dataclass(frozen=True)
class Verdict:
    worst: str | None
    worst_title: str | None
    worst_rule: str | None
    counts: dict
    actions: tuple[Action, ...]
    fullest: Room | None
    tightest: Room | None
    changes: tuple[Change, ...] = field(default=())

    @property
    def action_needed(self) -> bool:
        return self.worst in ("critical", "high")

    def to_dict(self) -> dict:
        record = asdict(self)
        record["action_needed"] = self.action_needed
        return record


def _first_command(artifact: Artifact) -> str | None:
    """The first command of a shell artifact; None for YAML, JSON or TOML (the link leads to it)."""
    if artifact.kind != "shell":
        return None
    return next((line for line in artifact.text.splitlines() if line.strip() and not line.startswith("#")), None)


def _actions(findings: tuple[Finding, ...], artifacts: tuple[Artifact, ...]) -> tuple[Action, ...]:
    by_name = {a.name: a for a in artifacts}
    out, seen = [], set()
    subjects = {(f.rule, f.subject) for f in findings}
    for finding in findings:  # already ordered by severity
        # One action per problem: an observed finding whose spec counterpart fired on the same subject adds none.
        counterpart = (SPEC_COUNTERPARTS.get(finding.rule), finding.subject)
        if finding.rule in seen or counterpart in subjects or finding.severity not in ("critical", "high", "medium"):
            continue
        seen.add(finding.rule)
        artifact = next((by_name[n] for n in finding.fixes if n in by_name), None)
        out.append(Action(finding.severity, finding.title, finding.rule, finding.remediation,
                          artifact.name if artifact else None, _first_command(artifact) if artifact else None))
        if len(out) == TOP_ACTIONS:
            break
    return tuple(out)


def _rooms(ev: Evaluation) -> list[Room]:
    a = ev.analysis
    runway = {r.subnet: r.months for r in a.runways}
    return [Room(load.label, load.cidr or "", load.availability_zone, "/".join(load.roles), load.utilisation or 0.0,
                 load.free, runway.get(load.label))
            for load in a.usage.at("max") if POD_ROLES & set(load.roles) and load.size]


def _changes(ev: Evaluation, artifacts: tuple[Artifact, ...]) -> tuple[Change, ...]:
    out = [Change(d.title, d.current or "—", d.chosen) for d in ev.decisions if d.changes_current]
    plans = next((a.content for a in artifacts if a.name == "max-pods"), [])
    out += [Change(f"max pods of node group {p['group']}", str(p["launcher_value"]), str(p["set_value"]))
            for p in plans if p["set_value"] is not None]
    env, removed = aws_node_env(ev)
    today = ev.analysis.cni.env_dict
    for name in sorted(set(env) | set(removed)):
        before, after = today.get(name), env.get(name)
        if before != after:
            out.append(Change(f"aws-node {name}", before or "unset", after or "removed"))
    return tuple(out)


def verdict(ev: Evaluation, artifacts: tuple[Artifact, ...], findings: tuple[Finding, ...] | None = None) -> Verdict:
    """The first screen's answer for one cluster.

    ``findings``: what to judge, most serious first; default the evaluation's (a report adds
    those on what runs today).
    """
    findings = ev.findings if findings is None else findings
    counts = {s: 0 for s in SEVERITIES}
    for finding in findings:
        counts[finding.severity] += 1
    worst = findings[0] if findings else None
    rooms = _rooms(ev)
    fullest = max(rooms, key=lambda r: (r.used, r.subnet), default=None)
    timed = [r for r in rooms if r.months is not None]
    tightest = min(timed, key=lambda r: (r.months, r.subnet), default=None)
    return Verdict(worst.severity if worst else None, worst.title if worst else None, worst.rule if worst else None,
                   counts, _actions(findings, artifacts), fullest, tightest, _changes(ev, artifacts))
