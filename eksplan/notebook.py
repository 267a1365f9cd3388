"""Widgets for the explorer notebooks: controls wired to eksplan's calculators and charts.

The recomputation behind each widget is a plain function of :mod:`eksplan.explore`; this module
only builds ipywidgets and altair's ``JupyterChart`` (drawn offline, with no CDN) around it.
"""

from __future__ import annotations

from .catalog import load_catalog

__all__ = ["setup", "table", "max_pods_explorer", "ip_consumption_explorer", "decisions_explorer",
           "decision_summary", "requirements_variant"]


def setup() -> None:
    """Draw altair charts in JupyterLab without internet: JupyterChart with Vega inlined."""
    import altair as alt

    alt.JupyterChart.enable_offline()


def table(rows: list[dict], columns: list[str] | None = None):
    """Rows as a pandas DataFrame (what notebooks display as a table)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    return frame[columns] if columns else frame


def _chart_widget(chart):
    import altair as alt

    return alt.JupyterChart(chart)


def max_pods_explorer(families=("m5", "c6i", "t3"), cni_version: str = "1.18.3"):
    """Pick instance families, CNI version and ceiling: max pods per mode and the limit that won."""
    import ipywidgets as w

    from . import charts, explore

    catalog = load_catalog()
    all_families = sorted({t.family for t in catalog})
    pick = w.SelectMultiple(options=all_families, value=tuple(families), description="families", rows=8)
    version = w.Text(value=cni_version, description="CNI version")
    allowed = w.Checkbox(value=False, description="show max allowed (no 110/250 ceiling)")
    out = w.Output()

    def rows():
        types = [t for f in pick.value for t in catalog.family(f)][:40]
        return explore.max_pods_rows(types, cni_version=version.value or None, show_max_allowed=allowed.value)

    view = _chart_widget(charts.max_pods_chart(rows()))

    def update(_=None):
        try:
            data = rows()
        except ValueError as exc:
            out.clear_output()
            with out:
                print(exc)
            return
        view.spec = charts.spec_with_data(charts.max_pods_chart, data)
        out.clear_output()
        with out:
            from IPython.display import display
            display(table(data).pivot(index="instance_type", columns="mode", values="max_pods"))

    for control in (pick, version, allowed):
        control.observe(update, names="value")
    update()
    return w.VBox([w.HBox([pick, w.VBox([version, allowed])]), view, out])


def ip_consumption_explorer(instance_type: str = "m5.large", pods_per_node: int = 20, max_nodes: int = 30,
                            subnet_addresses: int = 1024):
    """Nodes, pods per node and warm targets: subnet addresses against node count, per CNI mode."""
    import ipywidgets as w

    from . import charts, explore

    catalog = load_catalog()
    itype = w.Combobox(value=instance_type, options=sorted(catalog.types), description="instance", ensure_option=True)
    pods = w.IntSlider(value=pods_per_node, min=1, max=250, description="pods/node")
    nodes = w.IntSlider(value=max_nodes, min=1, max=500, description="nodes")
    warm_eni = w.IntSlider(value=1, min=0, max=3, description="WARM_ENI")
    warm_ip = w.IntSlider(value=0, min=0, max=30, description="WARM_IP")
    minimum_ip = w.IntSlider(value=0, min=0, max=60, description="MINIMUM_IP")
    subnet = w.IntText(value=subnet_addresses, description="subnet size")
    summary = w.HTML()

    def rows():
        warm = {"warm_eni_target": warm_eni.value, "warm_ip_target": warm_ip.value,
                "minimum_ip_target": minimum_ip.value}
        return explore.consumption_rows(itype.value, pods.value, nodes.value, warm=warm,
                                        step=max(1, nodes.value // 50), catalog=catalog)

    view = _chart_widget(charts.consumption_chart(rows()))

    def update(_=None):
        if itype.value not in catalog:
            return
        data = rows()
        view.spec = charts.spec_with_data(charts.consumption_chart, data)
        last = {r["mode"]: r for r in data if r["nodes"] == max(x["nodes"] for x in data)}
        usable = max(subnet.value - 5, 0)
        items = "".join(
            f"<li><b>{mode}</b>: {r['addresses']:,} addresses at {r['nodes']} nodes "
            f"({r['per_node']} per node, {r['warm']:,} warm); a {subnet.value:,}-address subnet holds "
            f"{usable // r['per_node'] if r['per_node'] else 0:,} nodes</li>"
            for mode, r in last.items())
        summary.value = f"<ul>{items}</ul>"

    for control in (itype, pods, nodes, warm_eni, warm_ip, minimum_ip, subnet):
        control.observe(update, names="value")
    update()
    return w.VBox([w.HBox([w.VBox([itype, pods, nodes, subnet]), w.VBox([warm_eni, warm_ip, minimum_ip])]), view, summary])


def requirements_variant(spec, **requirements):
    """The spec with some requirements changed (for what-ifs)."""
    changed = spec.requirements.model_copy(update=requirements)
    return spec.model_copy(update={"requirements": changed})


def decision_summary(spec_path: str, cluster_name: str | None = None, **requirements):
    """Decisions and findings of a cluster (with changed requirements) as one table."""
    from .engine import evaluate
    from .spec import load_cluster

    spec = requirements_variant(load_cluster(spec_path, cluster_name), **requirements)
    ev = evaluate(spec)
    rows = [{"kind": "decision", "what": d.title, "outcome": d.chosen} for d in ev.decisions]
    rows += [{"kind": f"finding ({f.severity})", "what": f.rule, "outcome": f.message} for f in ev.findings]
    return table(rows)


def decisions_explorer(spec_path: str, cluster_name: str | None = None):
    """Toggle requirements: decisions and findings update as you go."""
    import html

    import ipywidgets as w

    from .engine import evaluate
    from .spec import load_cluster

    spec = load_cluster(spec_path, cluster_name)
    r = spec.requirements
    family = w.ToggleButtons(options=["ipv4", "ipv6", "either"], value=r.ip_family, description="IP family")
    sgp = w.Checkbox(value=r.security_groups_for_pods, description="security groups for pods")
    nodelocal = w.Checkbox(value=r.nodelocal_dnscache, description="NodeLocal DNSCache")
    policies = w.Checkbox(value=r.network_policies, description="network policies")
    etp = w.Checkbox(value=r.external_traffic_policy_local, description="externalTrafficPolicy: Local")
    endpoint = w.ToggleButtons(options=["public", "public-private", "private"], value=r.endpoint_access,
                               description="endpoint")
    result = w.HTML()

    def update(_=None):
        variant = requirements_variant(spec, ip_family=family.value, security_groups_for_pods=sgp.value,
                                       nodelocal_dnscache=nodelocal.value, network_policies=policies.value,
                                       external_traffic_policy_local=etp.value, endpoint_access=endpoint.value)
        ev = evaluate(variant)
        decisions = "".join(f"<li><b>{html.escape(d.title)}</b>: {html.escape(d.chosen)} "
                            f"<i>(chosen because {html.escape(d.because)})</i></li>" for d in ev.decisions)
        findings = "".join(f"<li>[{f.severity}] <code>{f.rule}</code>: {html.escape(f.message)}</li>"
                           for f in ev.findings) or "<li>none</li>"
        result.value = f"<h4>Decisions</h4><ul>{decisions}</ul><h4>Findings</h4><ul>{findings}</ul>"

    for control in (family, sgp, nodelocal, policies, etp, endpoint):
        control.observe(update, names="value")
    update()
    return w.VBox([family, w.HBox([sgp, nodelocal]), w.HBox([policies, etp]), endpoint, result])
