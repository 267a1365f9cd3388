"""A report sets what runs today against the plan when the spec names an observed state."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pytest
import yaml

from eksplan.cli.main import main
from eksplan.observed import write_observed
from eksplan.report import ClusterReport
from eksplan.spec import load_cluster

from .test_compare import NODE, SPEC, SUBNET, observed


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture
def spec_file(tmp_path):
    """The comparison tests' cluster, its one node running max pods 110 where ipamd addresses 29."""
    write_observed(observed(replace(NODE, max_pods=110, addresses=41)), tmp_path / "today.observed.json")
    (tmp_path / "today.yaml").write_text(yaml.safe_dump({**SPEC, "observed": "today.observed.json"}))
    return tmp_path / "today.yaml"


def test_today_section_sets_the_nodes_against_the_plan(spec_file):
    report = ClusterReport.load(spec_file)
    text = _text(report.today().html)
    assert "ng Karpenter 1 110 (1 off the plan) 29 29 (1 node above)" in text
    assert "n1 ng m5.large 20 41 30 10 off: 11 more" in text
    assert "s-nodes (10.0.0.0/20) us-east-1a" in text
    assert "2 findings from this comparison are listed with the others above" in text


def test_observed_findings_join_the_verdict_and_the_findings(spec_file):
    """What runs today can be the worst problem: it leads the first screen, once."""
    report = ClusterReport.load(spec_file)
    v = report.verdict_data
    assert (v.worst, v.worst_rule) == ("high", "observed-max-pods-above-addresses")
    assert v.actions[0].rule == "observed-max-pods-above-addresses"
    findings = _text(report.findings().html)
    assert "run kubelet max pods 110 on m5.large, but ipamd can address 29" in findings
    document = report.document()
    assert [f["rule"] for f in document["today"]["findings"]] == [
        "observed-max-pods-above-addresses", "observed-addresses-off-simulation"]
    assert document["today"]["nodes"][0]["difference"] == 11


def test_one_problem_one_action(tmp_path):
    """Spec and nodes both at max pods 110: the spec's finding carries the action, the observed one adds none."""
    data = {**SPEC, "observed": "today.observed.json",
            "node_groups": [{**SPEC["node_groups"][0], "max_pods": 110}]}
    write_observed(observed(replace(NODE, max_pods=110)), tmp_path / "today.observed.json")
    (tmp_path / "today.yaml").write_text(yaml.safe_dump(data))
    report = ClusterReport.load(tmp_path / "today.yaml")
    rules = {f.rule for f in report.all_findings}
    assert {"max-pods-above-addresses", "observed-max-pods-above-addresses"} <= rules
    actions = [a.rule for a in report.verdict_data.actions]
    assert "max-pods-above-addresses" in actions and "observed-max-pods-above-addresses" not in actions
    action = next(a for a in report.verdict_data.actions if a.rule == "max-pods-above-addresses")
    assert (action.artifact, action.command) == ("max-pods-karpenter", None)


def test_without_an_observed_state_the_section_is_left_out():
    from .conftest import ROOT

    report = ClusterReport.load(ROOT / "examples" / "dev-sandbox.yaml")
    assert report.today() is None and "today" not in report.document()


@pytest.mark.slow
def test_rendered_report_has_the_section_only_with_an_observed_state(spec_file, tmp_path, capsys):
    """Through the fleet runner: the observed state travels with the spec; a cluster without one has no section."""
    from .conftest import ROOT

    (spec_file.parent / "dev-sandbox.yaml").write_text((ROOT / "examples" / "dev-sandbox.yaml").read_text())
    assert main(["report", str(spec_file.parent), "-o", str(tmp_path / "out")]) == 0
    today = (tmp_path / "out" / "today.html").read_text()
    assert 'id="Today-against-the-plan"' in today and "off: 11 more" in today
    assert "Today against the plan" not in (tmp_path / "out" / "dev-sandbox.html").read_text()


def test_address_space_counts_free_blocks_exactly_where_observed(tmp_path):
    """With the interfaces captured, the /28 column gives the exact free blocks, not the bounds from counts."""
    import copy

    data = copy.deepcopy(SPEC)  # as test_compare's prefix case: 40 nodes of 100 pods, 7 prefixes each
    data["vpc_cni"]["settings"] = {"ENABLE_PREFIX_DELEGATION": True}
    data["node_groups"][0].update(pods_per_node=100, max_size=40, launcher="managed")
    write_observed(observed(subnet=replace(SUBNET, free_prefixes=3)), tmp_path / "today.observed.json")
    (tmp_path / "today.yaml").write_text(yaml.safe_dump({**data, "observed": "today.observed.json"}))
    text = _text(ClusterReport.load(tmp_path / "today.yaml").address_space().html)
    assert "needs 280, 3 free now and 0 assigned (exact, from the interfaces) (277 short)" in text
