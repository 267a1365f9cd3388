"""The fleet's explanation page: every decision's options, every rule, the fact-check and the data's sources."""

from __future__ import annotations

import re

from markupsafe import escape

from eksplan.decisions import DECISION_RULES
from eksplan.report.about import about_html, data_sources
from eksplan.rules import FINDING_RULES
from eksplan.rules.observed import OBSERVED_RULES


def test_every_anchor_a_report_links_to_is_on_the_page():
    """Reports link to #decision-<id> and #rule-<id>: each exists, once, with the options' pros and cons."""
    html = about_html(generated="2026-01-01 00:00 UTC")
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for rule in DECISION_RULES:
        assert f"decision-{rule.id}" in ids
        for option in rule.options:
            assert all(str(escape(text)) in html for text in (option.name,) + option.pros + option.cons)
    for rule in FINDING_RULES + OBSERVED_RULES:
        assert f"rule-{rule.id}" in ids


def test_no_link_leaves_the_page_but_the_guide():
    """Offline: nothing is fetched; the only external links are the guide's pages."""
    html = about_html()
    assert "<script" not in html and "<link" not in html
    for href in re.findall(r'href="([^"#][^"]*)"', html):
        assert href == "index.html" or href.startswith("https://aws-samples.github.io/sample-apex-skills/"), href


def test_data_sources_name_each_snapshot_and_its_refresh():
    sources = data_sources()
    assert [s["what"].split(" (")[0] for s in sources] == [
        "Instance types", "Trunking and branch ENIs per instance type", "Bottlerocket's max pods per instance type",
        "The VPC CNI add-on's configuration keys and variables"]
    assert sources[1]["source"].startswith("aws/amazon-vpc-resource-controller-k8s pkg/aws/vpc/limits.go @ ")
    assert sources[2]["refresh"].startswith("eksplan instance-types refresh-bottlerocket ")
