"""Altair charts of eksplan's figures (altair is imported when a chart is built).

Data comes from :mod:`eksplan.explore`, inline in each spec. What-ifs in static reports use
Vega-Lite parameters bound to inputs (sliders, radio buttons), which need no kernel.

One visual language in the reports and the explorers: each CNI mode has its colour
(:data:`MODE_COLOURS`), each subnet role its colour (:data:`ROLE_COLOURS`), and a dashed line always
means "some pods cannot run". Counts get whole-number ticks; every chart has a description that
screen readers announce.
"""

from __future__ import annotations

__all__ = [
    "max_pods_chart", "consumption_chart", "node_footprint_chart", "subnet_usage_chart", "runway_chart",
    "subnet_map_chart", "fleet_findings_chart", "consumption_whatif_chart", "fit_chart", "spec_with_data",
    "ROLE_COLOURS", "MODE_COLOURS",
]

ROLE_COLOURS = {"cluster": "#7b3294", "public": "#fdb863", "nodes": "#2c7bb6", "pods": "#1a9641",
                "multus": "#a6611a", "cluster/nodes": "#d7191c"}
MODE_COLOURS = {"secondary IP": "#2c7bb6", "prefix delegation": "#d95f02", "custom networking": "#1b9e77",
                "IPv6": "#7570b3"}
KIND_ORDER = ["pods", "warm pool", "ENI primaries", "trunk and branch ENIs", "other ENIs", "AWS reserved", "free"]
KIND_COLOURS = ["#2c7bb6", "#fdae61", "#abd9e9", "#d7191c", "#a6611a", "#999999", "#f0f0f0"]
SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]
SEVERITY_COLOURS = ["#67001f", "#d6604d", "#f4a582", "#92c5de", "#d1e5f0"]
FITS = ["all pods run", "some pods cannot run"]
WIDTH = 520


def _alt():
    import altair as alt

    return alt


def _count_axis(title: str):
    """An axis for counts: whole-number ticks only."""
    return _alt().Axis(title=title, tickMinStep=1, format="d")


def _modes(domain=None):
    alt = _alt()
    names = list(domain or MODE_COLOURS)
    return alt.Scale(domain=names, range=[MODE_COLOURS[n] for n in names])


def _fits_dash(alt):
    return alt.StrokeDash("fits:N", title=None, scale=alt.Scale(domain=FITS, range=[[1, 0], [6, 4]]),
                          legend=alt.Legend(symbolType="stroke", symbolStrokeColor="#555", symbolStrokeWidth=2,
                                             symbolSize=400))


def max_pods_chart(rows: list[dict]):
    """Max pods per instance type, one bar per mode, coloured by the mode."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("max_pods:Q", axis=_count_axis("max pods per node")),
        y=alt.Y("mode:N", title=None),
        row=alt.Row("instance_type:N", title=None, sort=alt.SortField("vcpus")),
        color=alt.Color("mode:N", title="mode", scale=_modes()),
        tooltip=["instance_type:N", "mode:N", "max_pods:Q", "formula:Q", "limited_by:N"],
    ).properties(width=420, title="Max pods per node by CNI mode",
                 description="Bar chart: max pods per node for each instance type and CNI mode.")


def consumption_chart(rows: list[dict], title: str = "Subnet addresses against node count"):
    """Addresses a node group takes from its subnets as it grows, one line per mode (warm pool shaded)."""
    alt = _alt()
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("nodes:Q", axis=_count_axis("nodes")),
        color=alt.Color("mode:N", title="mode", scale=_modes()),
        tooltip=["mode:N", "nodes:Q", "addresses:Q", "warm:Q", "per_node:Q", "pending:Q"],
    )
    warm = base.mark_area(opacity=0.15).encode(y=alt.Y("warm:Q", axis=_count_axis("subnet addresses")))
    lines = base.mark_line().encode(y="addresses:Q", strokeDash=_fits_dash(alt))
    return (warm + lines).properties(
        width=WIDTH, height=300, title=f"{title} (shaded: the warm, unused part)",
        description="Line chart: subnet addresses against node count per CNI mode; shaded areas show warm addresses.")


def node_footprint_chart(rows: list[dict]):
    """What one node of each group takes from its subnets, stacked by kind."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("addresses:Q", stack="zero", axis=_count_axis("addresses per node")),
        y=alt.Y("group:N", title=None),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=KIND_ORDER, range=KIND_COLOURS)),
        order=alt.Order("rank:Q"),
        tooltip=["group:N", "kind:N", "addresses:Q"],
    ).properties(width=WIDTH, title="Addresses per node, by what takes them",
                 description="Stacked bars: the subnet addresses one node of each group takes, by kind.")


def subnet_usage_chart(rows: list[dict]):
    """Per subnet, its addresses by what takes them as a share of the subnet; buttons pick the scale.

    Shares, not counts: a /25 beside a /16 stays readable. Subnets are labelled by CIDR, AZ and role.
    """
    alt = _alt()
    scale = alt.param(name="scale", value="max",
                      bind=alt.binding_radio(options=["min", "desired", "max"], name="node groups at "))
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("addresses:Q", stack="normalize", axis=alt.Axis(title="share of the subnet's addresses",
                                                                format="%")),
        y=alt.Y("label:N", title=None, sort=alt.SortField("order")),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=KIND_ORDER, range=KIND_COLOURS)),
        order=alt.Order("rank:Q"),
        tooltip=["subnet:N", "label:N", "kind:N", "addresses:Q", "size:Q", "free:Q"],
    ).add_params(scale).transform_filter(alt.datum.scale == scale).properties(
        width=WIDTH, title="What takes each subnet's addresses",
        description="Stacked bars, one per subnet labelled by CIDR, AZ and role: the share of its addresses taken "
                    "by pods, warm pools, ENIs and reserved addresses, at the chosen scale.")


def runway_chart(rows: list[dict], cap: int = 120):
    """Months until each subnet is used up at the spec's growth."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("months:Q", scale=alt.Scale(domain=[0, cap]),
                axis=_count_axis(f"months of runway (capped at {cap})")),
        y=alt.Y("label:N", title=None, sort="x"),
        color=alt.condition(alt.datum.months < 12, alt.value("#d6604d"), alt.value("#4393c3")),
        tooltip=["subnet:N", "label:N", "months:Q", "free_now:Q"],
    ).properties(width=WIDTH, title="Subnet runway at the planned growth",
                 description="Bars: months until each subnet holding pods is used up; red under 12 months.")


def subnet_map_chart(rows: list[dict]):
    """The VPC's address space, one row per AZ: subnets at their place, coloured by role.

    A tick marks where each subnet starts, so that a /28 in a /16 stays visible; planned subnets
    are pale with a dashed outline; CIDR reservations are outlined; labels show CIDRs that fit.
    """
    alt = _alt()
    data = alt.Data(values=rows)
    x = alt.X("start:Q", scale=alt.Scale(nice=False), axis=alt.Axis(title="address offset in the VPC CIDR",
                                                                     format="~s"))
    y = alt.Y("az:N", title=None)
    free = alt.Chart(data).transform_filter(alt.datum.kind == "vpc").mark_rect(
        color="#eef0f3", height={"band": 0.8}).encode(x=x, x2="end:Q", y=y, tooltip=["cidr:N"])
    subnets = alt.Chart(data).transform_filter(alt.datum.kind == "subnet")
    blocks = subnets.mark_rect(stroke="white", strokeWidth=1, height={"band": 0.8}).encode(
        x=x, x2="end:Q", y=y,
        color=alt.Color("role:N", title="role", scale=alt.Scale(domain=list(ROLE_COLOURS),
                                                                range=list(ROLE_COLOURS.values()))),
        opacity=alt.condition(alt.datum.planned, alt.value(0.5), alt.value(1.0)),
        strokeDash=alt.condition(alt.datum.planned, alt.value([4, 2]), alt.value([1, 0])),
        tooltip=["subnet:N", "cidr:N", "az:N", "role:N", "size:Q", "used:N", "planned:N"],
    )
    ticks = subnets.mark_tick(thickness=2, height=22).encode(
        x=x, y=y, color=alt.Color("role:N", legend=None, scale=alt.Scale(domain=list(ROLE_COLOURS),
                                                                         range=list(ROLE_COLOURS.values()))),
        tooltip=["subnet:N", "cidr:N", "role:N", "size:Q"])
    labels = subnets.transform_filter(alt.datum.wide).mark_text(align="left", dx=3, fontSize=10, color="white").encode(
        x=x, y=y, text="cidr:N")
    reservations = alt.Chart(data).transform_filter(alt.datum.kind == "reservation").mark_rect(
        fill=None, stroke="#111", strokeWidth=1.5, height={"band": 0.95}).encode(
        x=x, x2="end:Q", y=y, tooltip=["subnet:N", "cidr:N", "reservation:N"],
        strokeDash=alt.condition(alt.datum.reservation == "CIDR reservation", alt.value([1, 0]), alt.value([3, 2])))
    return alt.layer(free, blocks, ticks, reservations, labels).properties(width=WIDTH).facet(
        row=alt.Row("vpc_cidr:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left"))
    ).resolve_scale(x="independent").properties(
        title="Address space per AZ (grey: free; pale, dashed: planned by eksplan; outlined: CIDR reservations, "
              "dashed when proposed)",
        description="Map of the VPC's address space: one row per availability zone, each subnet drawn at its "
                    "place in its VPC CIDR and coloured by role.")


def fleet_findings_chart(rows: list[dict]):
    """Findings per cluster by severity."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("count:Q", axis=_count_axis("findings")),
        y=alt.Y("cluster:N", title=None, sort=alt.SortField("order")),
        color=alt.Color("severity:N", scale=alt.Scale(domain=SEVERITY_ORDER, range=SEVERITY_COLOURS)),
        order=alt.Order("rank:Q"),
        tooltip=["cluster:N", "severity:N", "count:Q"],
    ).properties(width=WIDTH, title="Findings by severity",
                 description="Stacked bars: each cluster's findings by severity.")


def consumption_whatif_chart(rows: list[dict], pods_per_node: int):
    """Addresses against node count per mode, with a slider for pods per node (works offline).

    The slider moves one pod at a time over every value in the data, the spec's own included.
    """
    alt = _alt()
    values = sorted({r["pods_per_node"] for r in rows}) or [pods_per_node]
    slider = alt.param(name="pods", value=pods_per_node,
                       bind=alt.binding_range(min=min(values), max=max(values), step=1, name="pods per node "))
    modes = sorted({r["mode"] for r in rows}, key=list(MODE_COLOURS).index) if rows else None
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("nodes:Q", axis=_count_axis("nodes")),
        y=alt.Y("addresses:Q", axis=_count_axis("subnet addresses")),
        color=alt.Color("mode:N", title="mode", scale=_modes(modes)),
        tooltip=["mode:N", "pods_per_node:Q", "nodes:Q", "addresses:Q", "per_node:Q", "pending_per_node:Q"],
    )
    # Points in a layer of their own: on a line with points, the dash legend draws no symbol.
    return alt.layer(base.mark_line().encode(strokeDash=_fits_dash(alt)), base.mark_point(filled=True)).add_params(
        slider).transform_filter(alt.datum.pods_per_node == slider).properties(
        width=WIDTH, height=280, title="What if: subnet addresses by pod density and CNI mode",
        description="Line chart with a pods-per-node slider: subnet addresses against node count per CNI mode; "
                    "dashed lines mean some pods cannot run.")


def fit_chart(rows: list[dict]):
    """Nodes each mode's subnets hold for a pod density, pale where the pods do not fit."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("nodes_held:Q", axis=_count_axis("nodes the subnets hold")),
        y=alt.Y("mode:N", title=None),
        color=alt.Color("mode:N", legend=None, scale=_modes()),
        opacity=alt.condition(alt.datum.fits, alt.value(1.0), alt.value(0.35)),
        tooltip=["mode:N", "verdict:N", "nodes_held:Q", "node_subnet_per_node:Q", "pod_subnet_per_node:Q"],
    ).properties(width=WIDTH, title="Will it fit? Nodes the subnets hold per mode (pale: the pods do not fit)",
                 description="Bars: how many nodes each CNI mode's subnets hold; pale bars are modes that cannot "
                             "run the pods per node.")


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
