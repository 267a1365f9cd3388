"""The fleet index's triage: one row per report, worst first, and the fleet's totals.

Everything comes from each report's JSON twin (its ``verdict`` above all), so the index says
what the reports say: the worst finding (observed ones included), whether action is needed,
what the plan changes against today, and the room left in the subnets that hold pods.
"""

from __future__ import annotations

__all__ = ["summary_of", "triage_key", "fleet_totals"]


def summary_of(document: dict) -> dict:
    """The index row of one report (from its JSON twin)."""
    verdict = document["verdict"]
    decisions = {d["id"]: d for d in document["decisions"]}

    def chosen(decision_id: str) -> str | None:
        d = decisions.get(decision_id)
        return None if d is None else d["chosen"]

    changed = [{"title": d["title"], "today": d["current"], "proposed": d["chosen"]}
               for d in document["decisions"] if d.get("changes_current")]
    worst = None
    if verdict["worst"]:
        worst = {"severity": verdict["worst"], "title": verdict["worst_title"], "rule": verdict["worst_rule"],
                 "message": next((f["message"] for f in _findings(document) if f["rule"] == verdict["worst_rule"]),
                                 verdict["worst_title"])}
    return {
        "ip_family": chosen("ip-family"), "ip_mode": chosen("ip-mode"), "pod_networking": chosen("pod-networking"),
        "worst": worst, "counts": {s: n for s, n in verdict["counts"].items() if n},
        "findings": sum(verdict["counts"].values()), "action_needed": verdict["action_needed"],
        "actions": [a["what"] for a in verdict["actions"]],
        "changes": len(verdict["changes"]), "changed_decisions": changed,
        "fullest": verdict["fullest"], "runway": verdict["tightest"],
        "observed": "today" in document,
    }


def _findings(document: dict) -> list[dict]:
    return document["findings"] + document.get("today", {}).get("findings", [])


def triage_key(row: dict) -> tuple:
    """Worst severity first (no finding last), then the shortest runway, then the name."""
    from ..rules import SEVERITIES

    summary = row.get("summary") or {}
    worst = summary.get("worst")
    rank = SEVERITIES.index(worst["severity"]) if worst else len(SEVERITIES)
    runway = summary.get("runway") or {}
    months = runway.get("months")
    return rank, months if months is not None else float("inf"), row.get("name", "")


def fleet_totals(summaries: list[dict]) -> dict:
    """Clusters needing action, findings per severity, clusters whose plan changes today's design."""
    from ..rules import SEVERITIES

    counts = {s: 0 for s in SEVERITIES}
    for summary in summaries:
        for severity, n in summary["counts"].items():
            counts[severity] += n
    return {"clusters": len(summaries), "action_needed": sum(s["action_needed"] for s in summaries),
            "changes": sum(1 for s in summaries if s["changes"]), "counts": {s: n for s, n in counts.items() if n},
            "observed": sum(s["observed"] for s in summaries)}
