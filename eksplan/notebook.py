"""Widgets for the explorer notebooks: controls wired to eksplan's calculators and charts.

The recomputation behind each widget is a plain function of :mod:`eksplan.explore`; this module
only builds ipywidgets and altair's ``JupyterChart`` (drawn offline, with no CDN) around it.
"""

from __future__ import annotations

from .catalog import load_catalog

__all__ = ["setup", "table", "max_pods_explorer", "ip_consumption_explorer", "fit_verdicts", "decisions_explorer",
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


def fit_verdicts(rows: list[dict], pods_per_node: int, nodes: int, instance_type: str, where: str) -> str:
    """The explorer's answer as HTML: one line per mode, the modes that cannot run the pods marked as such."""
    from html import escape

    fits = [r["mode"] for r in rows if r["fits"] and r["nodes_held"] >= nodes]
    head = (f"<p><b>{escape(', '.join(fits) or 'No mode')}</b> "
            f"{'runs' if len(fits) == 1 or not fits else 'run'} {nodes:,} nodes of {pods_per_node} pods "
            f"on {escape(instance_type)} in {escape(where)}.</p>")
    items = []
    for r in rows:
        extra = []
        if r["fits"]:
            extra.append(f"{r['node_subnet_per_node']} node-subnet addresses per node"
                         + (f", {r['pod_subnet_per_node']} in a separate pod subnet" if r["pod_subnet_per_node"]
                            else ""))
            if r["runway_months"] is not None:
                extra.append(f"runway {r['runway_months']:.0f} months")
            if r["prefix_risk"]:
                risk = r["prefix_risk"]
                extra.append(f"/28 blocks: needs {risk['needed']:,}, {risk['surely_free']:,} surely free"
                             + (" (at risk)" if risk["at_risk"] else ""))
        mark = "✓" if r["fits"] and r["nodes_held"] >= nodes else "✗"
        items.append(f"<li>{mark} <b>{escape(r['mode'])}</b>: {escape(r['verdict'])}"
                     + (f" ({escape('; '.join(extra))})" if extra else "") + "</li>")
    return head + f"<ul>{''.join(items)}</ul>"


def ip_consumption_explorer(instance_type: str = "m5.large", pods_per_node: int = 20, nodes: int = 30,
                            cidr: str = "10.0.0.0/22", describe_subnets: str = "", subnet_id: str = ""):
    """Will it fit? Instance type, pods per node, nodes and a subnet (CIDR or a describe-subnets capture).

    Per mode: whether a node can run the pods at all, the addresses it takes from the node subnet and
    from a pod subnet, how many nodes the subnet holds, runway at a growth rate, the /28 risk, and a
    one-line verdict; every ipamd warm setting has a control.
    """
    import ipywidgets as w

    from . import charts, explore

    catalog = load_catalog()
    itype = w.Combobox(value=instance_type, options=sorted(catalog.types), description="instance", ensure_option=True)
    pods = w.IntSlider(value=pods_per_node, min=1, max=250, description="pods/node")
    count = w.IntSlider(value=nodes, min=1, max=1000, description="nodes")
    network = w.Text(value=cidr, description="subnet CIDR")
    capture = w.Text(value=describe_subnets, description="capture", placeholder="describe-subnets JSON (optional)")
    subnet = w.Text(value=subnet_id, description="subnet id", placeholder="with a capture")
    growth = w.FloatText(value=0.0, description="nodes/month")
    warm_eni = w.IntSlider(value=1, min=0, max=3, description="WARM_ENI")
    warm_ip = w.IntSlider(value=0, min=0, max=30, description="WARM_IP")
    minimum_ip = w.IntSlider(value=0, min=0, max=60, description="MINIMUM_IP")
    warm_prefix = w.IntSlider(value=1, min=1, max=4, description="WARM_PREFIX")
    verdict = w.HTML()

    def warm() -> dict:
        return {"warm_eni_target": warm_eni.value, "warm_ip_target": warm_ip.value,
                "minimum_ip_target": minimum_ip.value, "warm_prefix_target": warm_prefix.value}

    def subnet_figures() -> tuple[str, int | None, str]:
        if capture.value.strip():
            from .subnetfile import read_describe_subnets

            observed = read_describe_subnets(capture.value.strip())
            chosen = observed.get(subnet.value.strip()) or next(iter(observed.values()))
            return str(chosen.cidr), chosen.available_ips, f"{chosen.id} ({chosen.cidr})"
        return network.value.strip(), None, network.value.strip()

    fit_view = _chart_widget(charts.fit_chart([]))
    lines_view = _chart_widget(charts.consumption_chart([]))

    def update(_=None):
        if itype.value not in catalog:
            return
        try:
            block, available, where = subnet_figures()
            rows = explore.fit_rows(itype.value, pods.value, count.value, block, available, warm=warm(),
                                    nodes_per_month=growth.value or 0.0, catalog=catalog)
        except (ValueError, OSError) as exc:
            verdict.value = f"<p><b>Cannot compute:</b> {exc}</p>"
            return
        verdict.value = fit_verdicts(rows, pods.value, count.value, itype.value, where)
        fit_view.spec = charts.spec_with_data(charts.fit_chart, rows)
        lines = explore.consumption_rows(itype.value, pods.value, count.value, warm=warm(),
                                         step=max(1, count.value // 50), catalog=catalog)
        lines_view.spec = charts.spec_with_data(charts.consumption_chart, lines)

    for control in (itype, pods, count, network, capture, subnet, growth, warm_eni, warm_ip, minimum_ip, warm_prefix):
        control.observe(update, names="value")
    update()
    return w.VBox([w.HBox([w.VBox([itype, pods, count, growth]), w.VBox([network, capture, subnet]),
                           w.VBox([warm_eni, warm_ip, minimum_ip, warm_prefix])]), verdict, fit_view, lines_view])


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
