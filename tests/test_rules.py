"""The rules: every one complete and tested both ways; the decisions for the examples."""

from __future__ import annotations

import pytest

from eksplan.catalog import load_catalog
from eksplan.decisions import DECISION_RULES
from eksplan.engine import evaluate
from eksplan.cni import CniConfig
from eksplan.rules import FINDING_RULES, SEVERITIES
from eksplan.spec import ClusterSpec, load_fleet

from .conftest import ROOT
from .rule_cases import CASES, MESSAGES, spec as base_spec

GUIDE_SECTIONS = (ROOT.parent / "shared" / "guide" / "eks-networking-vpc-cni.txt")


def findings_of(case):
    data, observed = case()
    cluster = ClusterSpec.model_validate(data)
    live = CniConfig.from_env(observed, cluster.vpc_cni.version, source="daemonset") if observed else None
    return evaluate(cluster, observed=live).findings


def test_base_case_is_silent():
    """The cases' base cluster triggers no finding at all."""
    assert [f.rule for f in findings_of(lambda: (base_spec(), None))] == []


@pytest.mark.parametrize("rule", FINDING_RULES, ids=lambda r: r.id)
def test_rule_is_complete(rule):
    """Every rule has its metadata, a guide section and both a fires_ and a silent_ case."""
    assert rule.id and rule.title and rule.rationale and rule.remediation and rule.guide
    assert rule.severity in SEVERITIES
    assert rule.id in CASES, f"no fires_/silent_ cases for {rule.id}"


def test_rule_ids_are_unique():
    """Rule ids are unique."""
    ids = [r.id for r in FINDING_RULES] + [r.id for r in DECISION_RULES]
    assert len(ids) == len(set(ids))


def test_guide_sections_exist():
    """Each guide section a rule cites is a heading of the guide (when the guide is at hand)."""
    if not GUIDE_SECTIONS.exists():
        pytest.skip("the guide is not beside the project")
    text = GUIDE_SECTIONS.read_text()
    for rule in list(FINDING_RULES) + list(DECISION_RULES):
        for part in rule.guide.split(" — "):
            assert part in text, f"{rule.id}: {part!r} is not a section of the guide"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_fires_with_its_exact_message(rule_id):
    """fires_<rule>: the rule's findings say exactly what they are expected to say."""
    fires, _ = CASES[rule_id]
    assert tuple(f.message for f in findings_of(fires) if f.rule == rule_id) == MESSAGES[rule_id]


def test_every_rule_has_its_messages():
    assert set(MESSAGES) == set(CASES) == {r.id for r in FINDING_RULES}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_fires(rule_id):
    """fires_<rule>: the rule reports on its case."""
    fires, _ = CASES[rule_id]
    assert rule_id in {f.rule for f in findings_of(fires)}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_silent(rule_id):
    """silent_<rule>: the rule says nothing on its counter-case."""
    _, silent = CASES[rule_id]
    assert rule_id not in {f.rule for f in findings_of(silent)}


def test_finding_states_actual_against_required():
    """Findings quote the actual value and the limit it breaks."""
    fires, _ = CASES["max-pods-not-raised"]
    (finding,) = [f for f in findings_of(fires) if f.rule == "max-pods-not-raised"]
    assert finding.message == (
        "node group ng needs 72 pods per node on m5.xlarge (with the 2 host-network pods), but Karpenter gives the "
        "kubelet max pods 58 though ipamd can address 896 pods: 14 stay Pending; set spec.kubelet.maxPods: 110 in "
        "the NodePool's EC2NodeClass")
    assert finding.references == ("karpenter-provider-aws#8210", "karpenter-provider-aws#6102", "amazon-eks-ami#2045")


EXPECTED_DECISIONS = {
    "dev-sandbox": {"ip-family": "IPv4", "ip-mode": "Secondary IP", "pod-networking": "Pods in the node subnets",
                    "endpoint-access": "public", "cni-operations": "EKS managed add-on"},
    "payments-prod": {"ip-family": "IPv4", "ip-mode": "Prefix delegation",
                      "pod-networking": "Pods in the node subnets", "endpoint-access": "public and private",
                      "cni-operations": "EKS managed add-on"},
    "retail-constrained": {"ip-family": "IPv4", "ip-mode": "Secondary IP",
                           "pod-networking": "Custom networking (ENIConfig per AZ, pods in 100.64.0.0/10)",
                           "endpoint-access": "private", "cni-operations": "EKS managed add-on"},
    "analytics-ipv6": {"ip-family": "IPv6", "ip-mode": "Prefix delegation", "pod-networking": "Pods in the node subnets",
                       "endpoint-access": "public and private", "cni-operations": "EKS managed add-on"},
    "claims-sgp": {"ip-family": "IPv4", "ip-mode": "Secondary IP", "pod-networking": "Pods in the node subnets",
                   "sgp-enforcing-mode": "standard", "endpoint-access": "private", "cni-operations": "EKS managed add-on"},
    "telco-upf": {"ip-family": "IPv4", "ip-mode": "Secondary IP", "pod-networking": "Pods in the node subnets",
                  "multus": "thick plugin v4.2.0 or later", "endpoint-access": "private",
                  "cni-operations": "EKS managed add-on"},
}


@pytest.fixture(scope="module")
def example_evaluations():
    return {c.name: evaluate(c.spec) for c in load_fleet([ROOT / "examples"]).clusters}


@pytest.mark.parametrize("cluster", sorted(EXPECTED_DECISIONS))
def test_example_decisions(example_evaluations, cluster):
    """The decisions eksplan takes for each example cluster."""
    ev = example_evaluations[cluster]
    assert {d.id: d.chosen for d in ev.decisions} == EXPECTED_DECISIONS[cluster]


def test_decisions_are_madr_complete(example_evaluations):
    """Each decision has context, drivers, options with pros and cons, outcome, consequences and a check."""
    for ev in example_evaluations.values():
        for d in ev.decisions:
            assert d.context and d.drivers and d.consequences and d.confirm and d.guide
            assert d.chosen in [o.name for o in d.options]
            assert all(o.pros and o.cons for o in d.options)
            assert d.outcome.startswith(f"{d.chosen}, chosen because ")


def test_ip_mode_weighs_both_modes(example_evaluations):
    """The IP-mode record states the addresses each mode would take."""
    d = example_evaluations["dev-sandbox"].decision("ip-mode")
    assert any(line.startswith("secondary IP: every node group's pods fit; ") and line.endswith(" subnet addresses at desired size")
               for line in d.drivers)
    assert any(line.startswith("prefix delegation: every node group's pods fit; ") for line in d.drivers)


def test_settings_only_rules_on_a_daemonset():
    """Rules that need only aws-node settings run without a spec."""
    from eksplan.engine import evaluate_settings

    found = evaluate_settings(CniConfig.from_env({"MINIMUM_IP_TARGET": "10", "WARM_ENI_TARGET": "1"}), load_catalog())
    assert {f.rule for f in found} == {"minimum-ip-target-without-warm", "warm-eni-target-ignored"}


def test_fargate_only_cluster():
    """A cluster without node groups gets decisions that say so, and no node-group figures."""
    data = base_spec(node_groups=[], fargate_profiles=[{"name": "fp", "pods": 30}])
    ev = evaluate(ClusterSpec.model_validate(data))
    assert ev.decision("ip-mode").because == "the cluster has no node groups: each Fargate pod takes one address in any mode"
    assert ev.analysis.groups == ()


@pytest.mark.parametrize("rule_id", sorted(r.id for r in FINDING_RULES if r.fixes))
def test_a_finding_with_fixes_comes_with_its_configuration(rule_id):
    """Where a rule names the configuration that fixes it, its firing case generates that configuration."""
    from eksplan.config import generate
    from eksplan.engine import evaluate

    fires, _ = CASES[rule_id]
    data, observed = fires()
    cluster = ClusterSpec.model_validate(data)
    live = CniConfig.from_env(observed, cluster.vpc_cni.version, source="daemonset") if observed else None
    rule = next(r for r in FINDING_RULES if r.id == rule_id)
    names = {a.name for a in generate(evaluate(cluster, observed=live))}
    assert names & set(rule.fixes), f"{rule_id}: none of {rule.fixes} among the generated {sorted(names)}"
