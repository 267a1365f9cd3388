"""Altair charts of eksplan's figures (altair is imported when a chart is built).

Data comes from :mod:`eksplan.explore`, inline in each spec. What-ifs in static reports use
Vega-Lite parameters bound to inputs (sliders, radio buttons), which need no kernel.
"""

from __future__ import annotations

__all__ = [
    "max_pods_chart", "consumption_chart", "node_footprint_chart", "subnet_usage_chart", "runway_chart",
    "subnet_map_chart", "fleet_findings_chart", "consumption_whatif_chart", "spec_with_data", "ROLE_COLOURS",
]

ROLE_COLOURS = {"VPC": "#eeeeee", "cluster": "#7b3294", "public": "#fdb863", "nodes": "#2c7bb6",
                "pods": "#1a9641", "multus": "#a6611a", "cluster/nodes": "#d7191c"}
KIND_ORDER = ["pods", "warm pool", "ENI primaries", "trunk and branch ENIs", "other ENIs", "AWS reserved", "free"]
KIND_COLOURS = ["#2c7bb6", "#fdae61", "#abd9e9", "#d7191c", "#a6611a", "#999999", "#f0f0f0"]
SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]
SEVERITY_COLOURS = ["#67001f", "#d6604d", "#f4a582", "#92c5de", "#d1e5f0"]


def _alt():
    import altair as alt

    return alt


def max_pods_chart(rows: list[dict]):
    """Max pods per instance type, one bar per mode, coloured by the limit that won."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("max_pods:Q", title="max pods per node"),
        y=alt.Y("mode:N", title=None),
        row=alt.Row("instance_type:N", title=None, sort=alt.SortField("vcpus")),
        color=alt.Color("limited_by:N", title="limited by",
                        scale=alt.Scale(domain=["eni-ips", "eni-prefixes", "ceiling", "ipv6-default"])),
        tooltip=["instance_type:N", "mode:N", "max_pods:Q", "formula:Q", "limited_by:N"],
    ).properties(width=420, title="Max pods per node by CNI mode")


def consumption_chart(rows: list[dict], title: str = "Subnet addresses against node count"):
    """Addresses a node group takes from its subnets as it grows, one line per mode."""
    alt = _alt()
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("nodes:Q", title="nodes"),
        color=alt.Color("mode:N", title="mode"),
        tooltip=["mode:N", "nodes:Q", "addresses:Q", "warm:Q", "per_node:Q"],
    )
    lines = base.mark_line().encode(y=alt.Y("addresses:Q", title="subnet addresses"))
    warm = base.mark_line(strokeDash=[4, 3], opacity=0.7).encode(y="warm:Q")
    return (lines + warm).properties(width=520, height=300, title=f"{title} (dashed: warm, unused)")


def node_footprint_chart(rows: list[dict]):
    """What one node of each group takes from its subnets, stacked by kind."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("addresses:Q", title="addresses per node", stack="zero"),
        y=alt.Y("group:N", title=None),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=KIND_ORDER, range=KIND_COLOURS)),
        order=alt.Order("rank:Q"),
        tooltip=["group:N", "kind:N", "addresses:Q"],
    ).properties(width=520, title="Addresses per node, by what takes them")


def subnet_usage_chart(rows: list[dict]):
    """Per subnet, addresses by what takes them; a radio button picks min, desired or max size."""
    alt = _alt()
    scale = alt.param(name="scale", value="max",
                      bind=alt.binding_radio(options=["min", "desired", "max"], name="node groups at "))
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("addresses:Q", title="addresses", stack="zero"),
        y=alt.Y("subnet:N", title=None),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=KIND_ORDER, range=KIND_COLOURS)),
        order=alt.Order("rank:Q"),
        tooltip=["subnet:N", "kind:N", "addresses:Q", "size:Q", "free:Q"],
    ).add_params(scale).transform_filter(alt.datum.scale == scale).properties(
        width=520, title="Addresses per subnet")


def runway_chart(rows: list[dict], cap: int = 120):
    """Months until each subnet is used up at the spec's growth."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("months:Q", title=f"months of runway (capped at {cap})", scale=alt.Scale(domain=[0, cap])),
        y=alt.Y("subnet:N", title=None, sort="x"),
        color=alt.condition(alt.datum.months < 12, alt.value("#d6604d"), alt.value("#4393c3")),
        tooltip=["subnet:N", "months:Q", "free_now:Q"],
    ).properties(width=520, title="Subnet runway at the planned growth")


def subnet_map_chart(rows: list[dict]):
    """The address space of each VPC CIDR with its subnets laid on it, coloured by role."""
    alt = _alt()
    base = alt.Chart(alt.Data(values=rows))
    bars = base.mark_bar(height=22, stroke="white", strokeWidth=0.5).encode(
        x=alt.X("start:Q", title="address offset in the CIDR", scale=alt.Scale(nice=False)),
        x2="end:Q",
        color=alt.Color("role:N", title="role", scale=alt.Scale(domain=list(ROLE_COLOURS), range=list(ROLE_COLOURS.values()))),
        opacity=alt.condition(alt.datum.planned, alt.value(0.65), alt.value(1.0)),
        tooltip=["subnet:N", "cidr:N", "role:N", "az:N", "size:Q", "utilisation:Q", "planned:N"],
    ).properties(width=620, height=30)
    return bars.facet(row=alt.Row("vpc_cidr:N", title=None)).resolve_scale(x="independent").properties(
        title="Subnet map (pale: planned by eksplan)")


def fleet_findings_chart(rows: list[dict]):
    """Findings per cluster by severity."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("count:Q", title="findings"),
        y=alt.Y("cluster:N", title=None),
        color=alt.Color("severity:N", scale=alt.Scale(domain=SEVERITY_ORDER, range=SEVERITY_COLOURS)),
        order=alt.Order("rank:Q"),
        tooltip=["cluster:N", "severity:N", "count:Q"],
    ).properties(width=520, title="Findings by severity")


def consumption_whatif_chart(rows: list[dict], pods_per_node: int):
    """Addresses against node count per mode, with a slider for pods per node (works offline)."""
    alt = _alt()
    values = sorted({r["pods_per_node"] for r in rows})
    slider = alt.param(name="pods", value=pods_per_node,
                       bind=alt.binding_range(min=min(values), max=max(values), step=5, name="pods per node "))
    return alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=alt.X("nodes:Q", title="nodes"),
        y=alt.Y("addresses:Q", title="subnet addresses"),
        color=alt.Color("mode:N", title="mode"),
        strokeDash=alt.StrokeDash("fits:N", title=None, scale=alt.Scale(domain=["all pods run", "some pods cannot run"],
                                                                         range=[[1, 0], [5, 4]])),
        tooltip=["mode:N", "pods_per_node:Q", "nodes:Q", "addresses:Q", "per_node:Q", "pending_per_node:Q"],
    ).add_params(slider).transform_filter(alt.datum.pods_per_node == slider).properties(
        width=520, height=280, title="What if: subnet addresses by pod density and CNI mode")


def spec_with_data(builder, rows: list[dict], *args) -> dict:
    """The Vega-Lite spec of ``builder(rows, *args)``, built from a cached template.

    Building an altair chart and validating it costs tens of milliseconds; an explorer that
    only changes the data swaps the rows into the spec it built once.
    """
    import copy

    spec = copy.deepcopy(_template(builder, args))
    spec.pop("datasets", None)
    spec["data"] = {"values": rows}
    return spec


_TEMPLATES: dict = {}


def _template(builder, args: tuple) -> dict:
    key = (builder.__name__, args)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = builder([], *args).to_dict(validate=False)
    return _TEMPLATES[key]
