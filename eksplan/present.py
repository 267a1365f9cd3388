"""One cluster's plan as data (the JSON twin of a report), as terminal text, and as Markdown."""

from __future__ import annotations

import math

from . import __version__
from .config import Artifact, generate
from .engine import Evaluation
from .launchers import LAUNCHER_NAMES

__all__ = ["plan_document", "plan_text", "plan_markdown", "key_figures"]


def _months(value) -> str | None:
    if value is None:
        return None
    return "unlimited" if math.isinf(value) else f"{value:.0f}"


def key_figures(ev: Evaluation) -> dict:
    """The figures a reader needs first: max pods per group, subnet use, tightest runway."""
    a = ev.analysis
    groups = [{
        "name": g.name, "instance_type": g.instance_type, "os": g.os, "launcher": g.launcher,
        "max_pods": g.max_pods, "max_pods_set_by": LAUNCHER_NAMES.get(g.launcher, g.launcher),
        "addressable_pods": g.addressable, "pods_needed": g.pods_needed,
        "branch_enis": g.capacity.branch_enis if g.capacity else 0,
        "pods_per_node": g.node.pods_requested, "pods_pending": g.node.pods_pending,
        "addresses_per_node": g.node.subnet_ips, "warm_per_node": g.node.unused_ips, "enis_per_node": g.node.enis,
        "prefixes_per_node": g.node.prefixes, "nodes": {s: g.total(s) for s in ("min", "desired", "max")},
        "derivation": list(g.derivation) + list(g.kubelet.derivation if g.kubelet else ())
                      + list(g.capacity.derivation if g.capacity else ()) + list(g.node.derivation),
    } for g in a.groups]
    tightest = a.tightest_runway()
    fullest = max((l for l in a.usage.at("max") if l.utilisation is not None), key=lambda l: l.utilisation, default=None)
    return {
        "node_groups": groups,
        "fullest_subnet_at_max": None if fullest is None else {
            "subnet": fullest.label, "utilisation": round(fullest.utilisation, 4), "free": fullest.free},
        "tightest_runway": None if tightest is None else {
            "subnet": tightest.subnet, "months": _months(tightest.months), "why": tightest.derivation},
    }


def plan_document(ev: Evaluation, artifacts: tuple[Artifact, ...] | None = None) -> dict:
    """Everything eksplan says about one cluster, as JSON-ready data."""
    from .cli.subnets_cmd import to_json as subnets_json

    spec = ev.analysis.spec
    artifacts = generate(ev) if artifacts is None else artifacts
    return {
        "cluster": spec.name,
        "description": spec.description,
        "region": spec.region,
        "availability_zones": list(spec.availability_zones),
        "generated_by": f"eksplan {__version__}",
        "catalog": ev.catalog.provenance(),
        "key_figures": key_figures(ev),
        "decisions": [d.to_dict() for d in ev.decisions],
        "findings": [f.to_dict() for f in ev.findings],
        "worst_severity": ev.worst,
        "subnets": subnets_json(ev.analysis, ("min", "desired", "max")),
        "configuration": [{"name": x.name, "kind": x.kind, "description": x.description, "text": x.text}
                          for x in artifacts],
    }


def plan_text(ev: Evaluation) -> str:
    out = [f"{ev.analysis.spec.name}: {len(ev.decisions)} decisions, {len(ev.findings)} findings", ""]
    out.append("Key figures")
    for g in key_figures(ev)["node_groups"]:
        addressable = "any number (IPv6)" if g["addressable_pods"] is None else g["addressable_pods"]
        pending = f", {g['pods_pending']} cannot run" if g["pods_pending"] else ""
        out.append(f"  {g['name']}: {g['instance_type']}, {g['nodes']['min']}-{g['nodes']['max']} nodes; max pods "
                   f"{g['max_pods']} (set by {g['max_pods_set_by']}), {addressable} addressable, "
                   f"{g['pods_needed']} needed{pending}; {g['addresses_per_node']} addresses per node "
                   f"({g['warm_per_node']} warm)")
    tightest = ev.analysis.tightest_runway()
    if tightest is not None:
        out.append(f"  tightest runway: {tightest.subnet}, {_months(tightest.months)} months")
    out.append("")
    out.append("Decisions")
    for d in ev.decisions:
        change = f" (today: {d.current})" if d.changes_current else ""
        out.append(f"  {d.title}: {d.chosen}{change}")
        out.append(f"    chosen because {d.because}")
    out.append("")
    out.append("Findings")
    if not ev.findings:
        out.append("  none")
    for f in ev.findings:
        out.append(f"  [{f.severity}] {f.rule}: {f.message}")
        out.append(f"    fix: {f.remediation}")
    return "\n".join(out) + "\n"


def _list(items) -> list[str]:
    return [f"- {item}" for item in items]


def plan_markdown(ev: Evaluation) -> str:
    spec = ev.analysis.spec
    out = [f"# {spec.name}: EKS networking decisions", ""]
    if spec.description:
        out += [spec.description, ""]
    for d in ev.decisions:
        out += [f"## {d.title}", "", "### Context and problem", "", d.context, "", "### Decision drivers", ""]
        out += _list(d.drivers) + ["", "### Options considered", ""]
        for option in d.options:
            out += [f"**{option.name}**", ""] + _list(f"good: {p}" for p in option.pros) + _list(f"bad: {c}" for c in option.cons) + [""]
        out += ["### Outcome", "", f"{d.chosen}, chosen because {d.because}."]
        if d.changes_current:
            out.append(f"This changes the current setting ({d.current}).")
        out += ["", "### Consequences", ""] + _list(d.consequences)
        out += ["", "### Confirm on a live cluster", "", "```sh"] + list(d.confirm) + ["```", "", f"Guide: {d.guide}", ""]
    out += ["## Findings", ""]
    if not ev.findings:
        out.append("None.")
    for f in ev.findings:
        out += [f"- **{f.severity}** `{f.rule}` ({f.subject}): {f.message}. Fix: {f.remediation}"]
    out.append("")
    out += ["## Configuration", ""]
    for x in generate(ev):
        lang = {"shell": "sh", "yaml": "yaml", "json": "json", "toml": "toml"}[x.kind]
        out += [f"### {x.name}", "", x.description, "", f"```{lang}", x.text.rstrip(), "```", ""]
    return "\n".join(out)
