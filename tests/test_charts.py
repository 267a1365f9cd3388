"""Chart builders, through their Vega-Lite specs; the data behind them."""

from __future__ import annotations

import json

import pytest

from eksplan import charts, explore
from eksplan.analysis import analyze
from eksplan.spec import load_cluster

from .conftest import ROOT


@pytest.fixture(scope="module")
def retail():
    return analyze(load_cluster(ROOT / "examples" / "retail-constrained.yaml"))


def values(chart) -> list[dict]:
    spec = chart.to_dict()
    data = spec.get("data") or next(layer["data"] for layer in spec.get("layer", []) if "data" in layer)
    return data["values"]


def test_max_pods_chart_carries_the_figures():
    """The max-pods chart shows each type's value per mode, in the mode's colour (the limit in the tooltip)."""
    chart = charts.max_pods_chart(explore.max_pods_rows(["m5.large"], cni_version="1.9.0"))
    spec = chart.to_dict()
    by_mode = {r["mode"]: (r["max_pods"], r["limited_by"]) for r in values(chart)}
    assert by_mode == {"secondary IP": (29, "eni-ips"), "prefix delegation": (110, "ceiling"),
                       "custom networking": (20, "eni-ips"), "IPv6": (110, "ceiling")}
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["color"]["field"] == "mode"
    assert spec["encoding"]["color"]["scale"]["range"][:2] == [charts.MODE_COLOURS["secondary IP"],
                                                               charts.MODE_COLOURS["prefix delegation"]]


def test_consumption_rows_follow_the_simulator():
    """Addresses against nodes: m5.large with 9 pods takes 20 addresses per node (secondary IP)."""
    rows = explore.consumption_rows("m5.large", 9, 10, modes=["secondary IP"], step=5)
    assert [(r["nodes"], r["addresses"], r["warm"]) for r in rows] == [(0, 0, 0), (5, 100, 45), (10, 200, 90)]
    spec = charts.consumption_chart(rows).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line"]  # warm shaded, not dashed
    assert spec["layer"][1]["encoding"]["strokeDash"]["field"] == "fits"  # dashed means some pods cannot run


def test_whatif_chart_is_a_vega_lite_slider():
    """The what-if chart binds pods per node to a slider, one pod at a time, the spec's value included."""
    values = explore.whatif_pods_values(58)
    assert 58 in values and values[:2] == [1, 2] and values[-1] == 110
    rows = explore.consumption_whatif_rows("m5.large", (10, 20), 30, modes=["secondary IP", "prefix delegation"])
    spec = charts.consumption_whatif_chart(rows, 20).to_dict()
    (param,) = spec["params"]
    assert param["bind"] == {"input": "range", "min": 10, "max": 20, "step": 1, "name": "pods per node "}
    assert spec["transform"] == [{"filter": "(datum.pods_per_node === pods)"}]
    point = next(r for r in rows if r == {**r, "pods_per_node": 20, "mode": "secondary IP", "nodes": 30})
    assert point["per_node"] == 30 and point["fits"] == "all pods run"  # 3 ENIs x 9 + 3 primaries


def test_subnet_usage_chart_offers_each_scale(retail):
    """Subnet usage carries min, desired and max, picked by a radio button, stacked in a fixed order."""
    spec = charts.subnet_usage_chart(explore.subnet_usage_rows(retail)).to_dict()
    assert spec["params"][0]["bind"]["options"] == ["min", "desired", "max"]
    assert spec["encoding"]["order"] == {"field": "rank", "type": "quantitative"}
    pods = [r for r in spec["data"]["values"] if r["subnet"] == "subnet-0b2d000000000d001" and r["scale"] == "max"]
    assert {r["kind"]: r["addresses"] for r in pods}["pods"] == 400


def test_subnet_map_places_subnets_in_their_cidr(retail):
    """Each subnet sits at its offset in its VPC CIDR, on its AZ's row; each CIDR's free space comes first."""
    rows = explore.subnet_map_rows(retail)
    assert [(r["kind"], r["cidr"], r["az"]) for r in rows[:2]] == [("vpc", "10.8.0.0/22", "us-west-2a"),
                                                                  ("vpc", "10.8.0.0/22", "us-west-2b")]
    pod = next(r for r in rows if r["cidr"] == "100.64.64.0/18")
    assert (pod["vpc_cidr"], pod["start"], pod["end"], pod["role"], pod["az"]) == ("100.64.0.0/16", 16384, 32768,
                                                                                  "pods", "us-west-2b")
    spec = charts.subnet_map_chart(rows).to_dict()
    assert spec["facet"]["row"]["field"] == "vpc_cidr" and spec["resolve"]["scale"]["x"] == "independent"


def test_runway_chart_skips_subnets_growth_never_reaches(retail):
    """Runway rows exist only for subnets that growth consumes."""
    rows = explore.runway_rows(retail)
    assert {r["subnet"] for r in rows} == {f"subnet-0b2d000000000{k}00{i}" for k in "ad" for i in (1, 2, 3)}
    assert charts.runway_chart(rows).to_dict()["mark"]["type"] == "bar"


def test_specs_reference_nothing_to_fetch(retail):
    """Chart data is inline: no URL to load in any spec."""
    specs = [charts.subnet_map_chart(explore.subnet_map_rows(retail)).to_dict(),
             charts.node_footprint_chart(explore.node_footprint_rows(retail)).to_dict()]
    for spec in specs:
        text = json.dumps({k: v for k, v in spec.items() if k != "$schema"})
        assert "http" not in text and '"url"' not in text


def test_spec_with_data_is_the_chart_with_new_rows():
    """Swapping rows into the cached template gives the spec a freshly built chart would have."""
    rows = explore.consumption_rows("m5.large", 20, 12, step=4)
    built = charts.consumption_chart(rows).to_dict(validate=False)
    datasets = built.pop("datasets", None)
    if datasets:
        built["data"] = {"values": next(iter(datasets.values()))}
    assert charts.spec_with_data(charts.consumption_chart, rows) == built
