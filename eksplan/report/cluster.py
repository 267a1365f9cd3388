"""One cluster's architecture decision report: objects that display themselves as HTML.

The report notebook holds the headings and prose; each code cell calls one of these methods, whose
result renders as HTML in Jupyter and in the exported page (and as a short text elsewhere).
Markup lives in the template's macros (``templates/report/sections.html.j2``).
"""

from __future__ import annotations

import math
from pathlib import Path

from .. import __version__
from ..catalog import Catalog, load_catalog
from ..config import generate
from ..echo import counted
from ..engine import evaluate
from ..compare import compare
from ..guide import section_url
from ..launchers import LAUNCHER_NAMES
from ..observed import read_observed
from ..rules import SEVERITIES
from ..rules.observed import observed_findings
from ..present import key_figures, plan_document
from ..spec import load_cluster
from ..spec.model import ClusterSpec
from .html import ChartCounter, Html, chart_html, environment
from .verdict import verdict

__all__ = ["ClusterReport", "TITLE_MIMETYPE", "DOCUMENT_MIMETYPE", "ABOUT_PAGE", "INDEX_PAGE"]

#: The header's output carries the page title under this type, for the template's <title>.
TITLE_MIMETYPE = "application/vnd.eksplan.report+json"
#: The report's JSON twin, output by a hidden cell: the runner writes it beside the page.
DOCUMENT_MIMETYPE = "application/vnd.eksplan.document+json"
ABOUT_PAGE = "about.html"
INDEX_PAGE = "index.html"
#: Nodes listed in "Today against the plan": those furthest off the simulation first.
TODAY_NODES = 20


def _per_type(values: dict, none: str = "unknown") -> str:
    """``{"m5.large": 29}`` as ``29``; several instance types as ``m5.large 29, m5.xlarge 58``."""
    shown = {t: none if v is None else str(v) for t, v in values.items()}
    if len(set(shown.values())) == 1:
        return next(iter(shown.values()))
    return ", ".join(f"{t} {v}" for t, v in shown.items()) or "—"


class ClusterReport:
    """The figures, decisions and configuration of one cluster, as displayable sections."""

    def __init__(self, spec: ClusterSpec, source: str = "", catalog: Catalog | None = None, in_fleet: bool = True):
        self.catalog = catalog or load_catalog()
        self.spec = spec
        self.source = source
        self.in_fleet = in_fleet
        self.evaluation = evaluate(spec, self.catalog)
        self.analysis = self.evaluation.analysis
        self.artifacts = generate(self.evaluation)
        #: Today against the plan, when the spec names an observed state (``eksplan discover``).
        self.observed = read_observed(spec.observed) if spec.observed else None
        self.comparison = compare(self.analysis, self.observed) if self.observed else None
        self.observed_findings = observed_findings(self.comparison, self.catalog) if self.comparison else ()
        #: The spec's findings and those on what runs today, most serious first.
        self.all_findings = tuple(sorted(self.evaluation.findings + self.observed_findings,
                                         key=lambda f: SEVERITIES.index(f.severity)))
        self.verdict_data = verdict(self.evaluation, self.artifacts, self.all_findings)
        self._charts = ChartCounter()

    @classmethod
    def load(cls, spec_path: str | Path, cluster_name: str | None = None, in_fleet: bool = True) -> "ClusterReport":
        """The report of one cluster of a spec file (named when the file holds a fleet).

        ``in_fleet``: the page sits beside the fleet's index.html and explanation page.
        """
        catalog = load_catalog()
        return cls(load_cluster(spec_path, cluster_name or None, catalog), Path(spec_path).name, catalog, in_fleet)

    # -- helpers -----------------------------------------------------------------------------
    @property
    def _about(self) -> str | None:
        """The fleet's explanation page, written beside the reports by ``eksplan report``."""
        return ABOUT_PAGE if self.in_fleet else None

    def _chart(self, chart, caption: str) -> str:
        return chart_html(chart, self._charts.next(), caption)

    @staticmethod
    def _markup(text: str):
        from markupsafe import Markup

        return Markup(text)

    # -- sections -------------------------------------------------------------------------------
    def header(self) -> Html:
        """Title block: the cluster, where it runs, a link back to the fleet and to the explanations."""
        html = self._render("header", self.spec, self.source or "(in memory)", f"eksplan {__version__}",
                            self.catalog.provenance(), INDEX_PAGE if self.in_fleet else None, self._about)
        title = f"{self.spec.name} — EKS networking decisions"
        return Html(html, title, {TITLE_MIMETYPE: {"title": title, "cluster": self.spec.name}})

    def verdict(self) -> Html:
        """The first screen: the worst finding, the top actions, the room for pods, today against proposed."""
        v = self.verdict_data
        text = (f"worst: {v.worst} {v.worst_title}" if v.worst else "no finding") + \
               f"; {len(v.actions)} actions; {len(v.changes)} changes"
        return Html(self._render("verdict", v), text)

    def findings(self) -> Html:
        """Every finding, worst first: the spec's and, with an observed state, those on what runs today."""
        seen: set = set()
        by_severity = {severity: [] for severity in SEVERITIES}
        for f in self.all_findings:
            record = f.to_dict()
            record["anchor"] = None if f.rule in seen else f"finding-{f.rule}"
            seen.add(f.rule)
            by_severity[f.severity].append(record)
        names = {a.name for a in self.artifacts}
        html = self._render("findings", by_severity, len(self.all_findings), section_url, artifact_names=names,
                            about_href=self._about)
        return Html(html, "\n".join(f"[{f.severity}] {f.rule}: {f.subject}" for f in self.all_findings)
                    or "no findings")

    def _render(self, macro: str, *args, **variables) -> str:
        template = environment().get_template("report/sections.html.j2")
        module = template.make_module(vars=variables)
        return str(getattr(module, macro)(*args))

    def decisions(self) -> Html:
        records = [d.to_dict() for d in self.evaluation.decisions]
        return Html(self._render("decisions", records, section_url, self._about),
                    "\n".join(f"{d['title']}: {d['chosen']}" for d in records))

    def key_figures(self) -> Html:
        figures = key_figures(self.evaluation)
        lines = [f"{g['name']}: max pods {g['max_pods']} (set by {g['max_pods_set_by']}), "
                 f"{'any number' if g['addressable_pods'] is None else g['addressable_pods']} addressable, "
                 f"{g['pods_needed']} needed, {g['addresses_per_node']} addresses per node"
                 for g in figures["node_groups"]]
        return Html(self._render("key_figures", figures), "\n".join(lines) or "no node groups")

    def figures(self) -> Html:
        """Charts: what each node takes, each subnet's share at min/desired/max, a pod-density what-if, runway."""
        from .. import charts, explore

        a = self.analysis
        parts = []
        if a.groups:
            parts.append(self._chart(charts.node_footprint_chart(explore.node_footprint_rows(a)),
                                     "What one node of each group takes from its subnets: pod addresses, its warm "
                                     "pool, its ENIs' own addresses."))
        parts.append(self._chart(charts.subnet_usage_chart(explore.subnet_usage_rows(a)),
                                 "Each subnet's addresses by what takes them, as a share of the subnet, with the node "
                                 "groups at max size (the buttons pick min or desired; printed: max)."))
        whatif = self._whatif()
        if whatif is not None:
            parts.append(whatif)
        runway = explore.runway_rows(a)
        if runway:
            parts.append(self._chart(charts.runway_chart(runway), "Months until each subnet holding pods is used up "
                                                                  "at the spec's growth."))
        return Html("".join(parts), f"{len(parts)} charts")

    def _whatif(self) -> str | None:
        from .. import charts, explore

        groups = [g for g in self.spec.node_groups if g.os == "linux" and self.spec.launcher(g) != "auto-mode"]
        if not groups:
            return None
        group = max(groups, key=lambda g: g.max_size)
        footprint = next(f for f in self.analysis.groups if f.name == group.name)
        modes = ["IPv6"] if self.spec.ipv6 else [m for m in explore.MODES if m != "IPv6"]
        values = explore.whatif_pods_values(group.pods_per_node)
        rows = explore.consumption_whatif_rows(footprint.instance_type, values, group.max_size, modes,
                                               catalog=self.catalog)
        return self._chart(charts.consumption_whatif_chart(rows, group.pods_per_node),
                           f"What if node group {group.name} ({footprint.instance_type}) ran another pod density: "
                           f"subnet addresses at up to its {group.max_size} nodes, per CNI mode; dashed: some pods "
                           f"cannot run (printed at the spec's {group.pods_per_node} pods per node).")

    def address_space(self) -> Html:
        """Per AZ, the subnets as laid in the VPC's address space, with their room and /28 blocks."""
        from .. import charts, explore

        a = self.analysis
        plan = a.plan
        notes = []
        if plan is not None:
            notes.append({"cls": "", "text": "eksplan laid out the subnets marked planned (pale, dashed outline)."})
            if plan.add_vpc_cidr:
                notes.append({"cls": "", "text": f"Add {plan.add_vpc_cidr} to the VPC as a secondary CIDR for the "
                                                 "pod subnets."})
            for shortfall in plan.shortfalls:
                notes.append({"cls": "eksplan-bad", "text": f"Cannot fit: {shortfall.message}"})
        chart = self._chart(charts.subnet_map_chart(explore.subnet_map_rows(a)),
                            "The VPC's address space, one row per AZ: subnets coloured by role at their place in "
                            "the CIDR (a tick marks each start, so /28s show), free space grey, CIDR reservations "
                            "outlined (dashed: the prefix reservations the plan proposes).")
        html = chart + self._render("address_space", self._az_tables(), notes)
        return Html(html, f"{len(a.slots)} subnets")

    def _az_tables(self) -> list[dict]:
        a = self.analysis
        runway = {r.subnet: r for r in a.runways}
        risks = {r.subnet: r for r in a.prefix_risks}
        planned = {p.name for p in (a.plan.subnets if a.plan else ())}
        #: Free /28 blocks counted exactly from the interfaces, where discovery captured them.
        exact = {c.subnet: c for c in (self.comparison.subnets if self.comparison else ())
                 if c.observed_free_prefixes is not None}
        out = []
        for az in self.spec.availability_zones:
            rows = []
            for load in a.usage.at("max"):
                if load.availability_zone != az:
                    continue
                r, risk = runway.get(load.label), risks.get(load.label)
                months = "—" if r is None or r.months is None else \
                    ("does not run out" if math.isinf(r.months) else f"{r.months:.0f} months")
                blocks = "—" if risk is None else self._blocks(risk, exact.get(load.label))
                rows.append({"label": load.label, "planned": load.label in planned, "role": "/".join(load.roles),
                             "cidr": load.cidr, "size": load.size or 0, "used": load.consumed, "free": load.free or 0,
                             "short": load.free is not None and load.free < 0, "runway": months, "blocks": blocks})
            out.append({"name": az, "subnets": rows})
        return out

    def today(self) -> Html | None:
        """What runs today against the plan; None (the section is left out) without an observed state."""
        c, o = self.comparison, self.observed
        if c is None:
            return None
        nodes = sorted(c.nodes, key=lambda n: (not n.off, -abs(n.difference or 0), n.node))
        shown_nodes = nodes[:TODAY_NODES]
        groups = [{
            "group": g.group, "launcher_name": LAUNCHER_NAMES.get(g.launcher, g.launcher), "nodes": g.nodes,
            "observed": ", ".join(map(str, g.observed_max_pods)) or "unknown",
            "planned": _per_type(g.launcher_max_pods), "addressable": _per_type(g.addressable, "not limited (IPv6)"),
            "off_launcher": g.off_launcher, "above_addressable": g.above_addressable} for g in c.groups]
        subnets = []
        for s in c.subnets:
            record = s.to_dict()
            record["runway"] = ("no growth given" if s.runway_months is None and self.spec.requirements.growth is None
                                else "does not run out" if s.runway_months is None or math.isinf(s.runway_months)
                                else f"{s.runway_months:.0f} months")
            subnets.append(record)
        data = {
            "source": o.source, "cni_version": o.cni_version, "node_count": len(c.nodes), "findings": len(self.observed_findings),
            "groups": groups, "nodes": [{**n.to_dict(), "difference": n.difference} for n in shown_nodes],
            "nodes_left": len(nodes) - len(shown_nodes), "subnets": subnets, "unknown": c.unknown,
            "derivation": [g.derivation for g in c.groups] + [n.derivation for n in shown_nodes]
                          + [s.derivation for s in c.subnets],
        }
        off = sum(n.off for n in c.nodes)
        text = (f"{len(c.nodes)} nodes observed, {off} off the simulation; "
                f"{counted(len(self.observed_findings), 'finding')} on what runs today")
        return Html(self._render("today", data), text)

    @staticmethod
    def _blocks(risk, observed) -> str:
        """The /28 cell: the bounds from address counts, or the exact count where it was observed."""
        if observed is None:
            return (f"needs {risk.prefixes_needed}, {risk.worst_case_free_blocks} to {risk.best_case_free_blocks} free"
                    + (" (at risk)" if risk.at_risk else ""))
        short = observed.prefix_shortfall
        return (f"needs {risk.prefixes_needed}, {observed.observed_free_prefixes} free now and "
                f"{observed.observed_assigned_prefixes or 0} assigned (exact, from the interfaces)"
                + (f" ({short} short)" if short else ""))

    def configuration(self) -> Html:
        return Html(self._render("configuration", self.artifacts), ", ".join(a.name for a in self.artifacts))

    def twin(self) -> Html:
        """The JSON twin as a cell output (``DOCUMENT_MIMETYPE``), so the page and its JSON come from one run."""
        import json

        document = json.loads(json.dumps(self.document(), default=str))
        return Html("", f"the JSON twin of {self.spec.name}", {DOCUMENT_MIMETYPE: document})

    def document(self) -> dict:
        """The report as data (its JSON twin), the first screen included."""
        record = plan_document(self.evaluation, self.artifacts)
        record["verdict"] = self.verdict_data.to_dict()
        if self.comparison is not None:
            record["today"] = {**self.comparison.to_dict(),
                               "findings": [f.to_dict() for f in self.observed_findings]}
        return record
