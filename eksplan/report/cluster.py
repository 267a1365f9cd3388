"""One cluster's architecture decision report, section by section (what the report notebook shows)."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..catalog import Catalog, load_catalog
from ..config import generate
from ..engine import evaluate
from ..present import key_figures, plan_document
from ..spec import load_cluster
from ..spec.model import ClusterSpec
from .html import ChartCounter, Html, chart_html, environment

__all__ = ["ClusterReport"]

WHATIF_PODS = (5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 110)


class ClusterReport:
    """The figures, decisions and configuration of one cluster, rendered as HTML sections."""

    def __init__(self, spec: ClusterSpec, source: str = "", catalog: Catalog | None = None):
        self.catalog = catalog or load_catalog()
        self.spec = spec
        self.source = source
        self.evaluation = evaluate(spec, self.catalog)
        self.analysis = self.evaluation.analysis
        self.artifacts = generate(self.evaluation)
        self._charts = ChartCounter()

    @classmethod
    def load(cls, spec_path: str | Path, cluster_name: str | None = None) -> "ClusterReport":
        """The report of one cluster of a spec file (named when the file holds a fleet)."""
        catalog = load_catalog()
        return cls(load_cluster(spec_path, cluster_name or None, catalog), Path(spec_path).name, catalog)

    # -- helpers -----------------------------------------------------------------------------
    def _macro(self, name: str):
        return getattr(environment().get_template("report/sections.html.j2").module, name)

    def _chart(self, chart, caption: str) -> str:
        from markupsafe import Markup

        return Markup(chart_html(chart, self._charts.next(), caption))

    # -- sections ---------------------------------------------------------------------------------
    def header(self) -> Html:
        ev = self.evaluation
        html = self._macro("header")(self.spec, self.source or "(in memory)", f"eksplan {__version__}",
                                     self.catalog.provenance(),
                                     {"decisions": len(ev.decisions), "findings": len(ev.findings)})
        return Html(str(html), f"{self.spec.name}: {len(ev.decisions)} decisions, {len(ev.findings)} findings")

    def key_figures(self) -> Html:
        figures = key_figures(self.evaluation)
        lines = [f"{g['name']}: max pods {g['max_pods']} (set by {g['max_pods_set_by']}), "
                 f"{'any number' if g['addressable_pods'] is None else g['addressable_pods']} addressable, "
                 f"{g['pods_needed']} needed, {g['addresses_per_node']} addresses per node"
                 for g in figures["node_groups"]]
        return Html(str(self._macro("key_figures")(figures, None)), "\n".join(lines) or "no node groups")

    def decisions(self) -> Html:
        records = [d.to_dict() for d in self.evaluation.decisions]
        return Html(str(self._macro("decisions")(records)),
                    "\n".join(f"{d['title']}: {d['chosen']}" for d in records))

    def findings(self) -> Html:
        ev = self.evaluation
        by_severity = {s: [f.to_dict() for f in items] for s, items in ev.by_severity().items()}
        return Html(str(self._macro("findings")(by_severity, len(ev.findings))),
                    "\n".join(f"[{f.severity}] {f.rule}: {f.subject}" for f in ev.findings) or "no findings")

    def figures(self) -> Html:
        from .. import charts, explore

        a = self.analysis
        parts = []
        if a.groups:
            parts.append(self._chart(charts.node_footprint_chart(explore.node_footprint_rows(a)),
                                     "What one node of each group takes: pod addresses, its warm pool, ENI primaries."))
        parts.append(self._chart(charts.subnet_usage_chart(explore.subnet_usage_rows(a)),
                                 "Per subnet at min, desired or max size (pick above the chart)."))
        whatif = self._whatif()
        if whatif is not None:
            parts.append(whatif)
        runway = explore.runway_rows(a)
        if runway:
            parts.append(self._chart(charts.runway_chart(runway), "Months until each subnet is used up at the spec's growth."))
        body = "".join(parts)
        return Html(str(self._macro("section")("figures", "Figures", self._markup(body))),
                    f"{len(parts)} charts")

    def _whatif(self):
        from .. import charts, explore

        groups = [g for g in self.spec.node_groups if g.os == "linux"]
        if not groups:
            return None
        group = max(groups, key=lambda g: g.max_size)
        footprint = next(f for f in self.analysis.groups if f.name == group.name)
        modes = [m for m in explore.MODES if m != "IPv6"] if not self.spec.ipv6 else ["IPv6"]
        rows = explore.consumption_whatif_rows(footprint.instance_type, WHATIF_PODS, group.max_size, modes,
                                               catalog=self.catalog)
        start = min(WHATIF_PODS, key=lambda p: abs(p - group.pods_per_node))
        return self._chart(charts.consumption_whatif_chart(rows, start),
                           f"What if node group {group.name} ({footprint.instance_type}) ran another pod density: "
                           "subnet addresses at up to its max size, per CNI mode (slide to change pods per node).")

    def subnet_map(self) -> Html:
        from .. import charts, explore

        plan = self.analysis.plan
        note = ("eksplan laid these subnets out (pale); " if plan is not None else "") + \
               "each bar is a VPC CIDR's address space, with its subnets placed where they sit."
        if plan is not None and plan.add_vpc_cidr:
            note += f" Add {plan.add_vpc_cidr} to the VPC as a secondary CIDR for the pod subnets."
        body = self._chart(charts.subnet_map_chart(explore.subnet_map_rows(self.analysis)), "")
        rows = self._subnet_table()
        return Html(str(self._macro("section")("subnet-map", "Subnet plan", self._markup(str(body) + rows), note)),
                    f"{len(self.analysis.slots)} subnets")

    def _subnet_table(self) -> str:
        from markupsafe import escape

        plan = self.analysis.plan
        out = ['<table class="eksplan-table"><thead><tr><th>Subnet</th><th>AZ</th><th>Role</th><th>CIDR</th>'
               '<th>Size</th><th>Used at max</th><th>Free at max</th><th>Runway</th></tr></thead><tbody>']
        runway = {r.subnet: r for r in self.analysis.runways}
        for load in self.analysis.usage.at("max"):
            r = runway.get(load.label)
            months = "—" if r is None or r.months is None else ("∞" if r.months == float("inf") else f"{r.months:.0f} months")
            cls = ' class="eksplan-bad"' if load.free is not None and load.free < 0 else ""
            out.append(f"<tr{cls}><td>{escape(load.label)}</td><td>{escape(load.availability_zone)}</td>"
                       f"<td>{escape('/'.join(load.roles))}</td><td>{escape(load.cidr)}</td><td>{load.size:,}</td>"
                       f"<td>{load.consumed:,}</td><td>{load.free:,}</td><td>{months}</td></tr>")
        out.append("</tbody></table>")
        if plan is not None:
            for shortfall in plan.shortfalls:
                out.append(f'<p class="eksplan-bad">Cannot fit: {escape(shortfall.message)}</p>')
        for risk in self.analysis.prefix_risks:
            out.append(f'<p class="{"eksplan-bad" if risk.at_risk else ""}">/28 blocks in {escape(risk.subnet)}: '
                       f"{escape('; '.join(risk.derivation))}</p>")
        return "".join(out)

    @staticmethod
    def _markup(text: str):
        from markupsafe import Markup

        return Markup(text)

    def configuration(self) -> Html:
        return Html(str(self._macro("configuration")(self.artifacts)),
                    ", ".join(a.name for a in self.artifacts))

    def fact_check(self) -> Html:
        from ..factcheck import fact_check

        claims = [c.to_dict() for c in fact_check(self.catalog)]
        return Html(str(self._macro("fact_check")(claims)),
                    "\n".join(f"[{c['verdict']}] {c['id']}" for c in claims))

    def document(self) -> dict:
        """The report as data (its JSON twin)."""
        return plan_document(self.evaluation, self.artifacts)
