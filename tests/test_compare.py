"""Today against the plan: comparisons and the findings on observed state, each rule tested both ways."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from eksplan.analysis import analyze
from eksplan.compare import compare
from eksplan.observed import ObservedCluster, ObservedNode, ObservedSubnetState, read_observed, write_observed
from eksplan.rules import SEVERITIES
from eksplan.rules.observed import OBSERVED_RULES, observed_findings
from eksplan.spec import ClusterSpec

SPEC = {
    "name": "today", "region": "us-east-1", "availability_zones": ["us-east-1a"],
    "vpc": {"cidrs": ["10.0.0.0/16"]},
    "subnets": [{"id": "s-nodes", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/20", "role": "nodes"}],
    "node_groups": [{"name": "ng", "instance_types": ["m5.large"], "min_size": 1, "desired_size": 2, "max_size": 4,
                     "pods_per_node": 20, "launcher": "karpenter"}],
    "vpc_cni": {"version": "1.19.2"},
    "requirements": {"growth": {"nodes_per_month": 1}},
}
#: m5.large, 20 pods, WARM_ENI_TARGET=1: 3 ENIs x 9 secondary IPs + 3 primaries = 30 addresses; Karpenter's
#: max pods 3 x (10 - 1) + 2 = 29, which is also what ipamd addresses.
NODE = ObservedNode("n1", "i-1", "m5.large", "us-east-1a", "s-nodes", "ng", "karpenter",
                    "node label karpenter.sh/nodepool=ng", max_pods=29, pods=20, security_group_pods=0, enis=3,
                    addresses=30, prefixes=0)
SUBNET = ObservedSubnetState("s-nodes", "10.0.0.0/20", "us-east-1a", 4000, 250, 250, 36, 0)


def observed(node=NODE, subnet=SUBNET):
    return ObservedCluster("today", "us-east-1", "test", "1.19.2", {}, "test", True, (node,), (subnet,))


def spec(**settings):
    data = copy.deepcopy(SPEC)
    if settings:
        data["vpc_cni"]["settings"] = settings
        data["node_groups"][0].update(pods_per_node=100, max_size=40, launcher="managed")
    return ClusterSpec.model_validate(data)


CASES = {
    "observed-max-pods-above-addresses": (
        lambda: (spec(), observed(replace(NODE, max_pods=110))), lambda: (spec(), observed()),
        ("node group ng: 1 node (n1) run kubelet max pods 110 on m5.large, but ipamd can address 29: a node packed "
         "past 29 pods leaves the rest in ContainerCreating; set spec.kubelet.maxPods: 29 in the NodePool's "
         "EC2NodeClass",)),
    "observed-max-pods-off-plan": (
        lambda: (spec(), observed(replace(NODE, max_pods=20))), lambda: (spec(), observed()),
        ("node group ng: 1 node (n1) run kubelet max pods 20 on m5.large, but per the plan Karpenter sets 29: the "
         "nodes were launched with settings the spec does not hold",)),
    "observed-addresses-off-simulation": (
        lambda: (spec(), observed(replace(NODE, addresses=41))), lambda: (spec(), observed(replace(NODE, addresses=40))),
        ("node n1 (m5.large, 20 pods) holds 41 addresses, 11 more than the 30 the simulator predicts for its pods, "
         "beyond one warm step of 10",)),
    # 40 nodes at max size x 7 prefixes (100 pods in 7 /28s; the 12 spare addresses are the warm prefix's room).
    "observed-prefixes-short": (
        lambda: (spec(ENABLE_PREFIX_DELEGATION=True), observed(subnet=replace(SUBNET, free_prefixes=3))),
        lambda: (spec(ENABLE_PREFIX_DELEGATION=True), observed(subnet=replace(SUBNET, free_prefixes=250,
                                                                               assigned_prefixes=30))),
        ("subnet s-nodes (10.0.0.0/20) has 3 free /28 blocks and 0 assigned, but the plan needs 280 prefixes at max "
         "size: 277 short although 4,000 addresses are free",)),
}


def findings(case):
    cluster, state = case()
    return observed_findings(compare(analyze(cluster), state))


@pytest.mark.parametrize("rule", OBSERVED_RULES, ids=lambda r: r.id)
def test_rule_is_complete(rule):
    """Every observed-state rule has its metadata and a fires_/silent_ case."""
    assert rule.id and rule.title and rule.rationale and rule.remediation and rule.guide
    assert rule.severity in SEVERITIES and rule.id in CASES


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_fires_with_its_exact_message(rule_id):
    """fires_<rule>: the rule says exactly what it is expected to say."""
    fires, _, messages = CASES[rule_id]
    assert tuple(f.message for f in findings(fires) if f.rule == rule_id) == messages


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_silent(rule_id):
    """silent_<rule>: the rule says nothing on its counter-case."""
    _, silent, _ = CASES[rule_id]
    assert rule_id not in {f.rule for f in findings(silent)}


def test_comparison_figures():
    """The three comparisons carry the plan's and the observed figures side by side."""
    c = compare(analyze(spec()), observed())
    group, node, subnet = c.groups[0], c.nodes[0], c.subnets[0]
    assert (group.observed_max_pods, group.launcher_max_pods, group.addressable) == ((29,), {"m5.large": 29},
                                                                                     {"m5.large": 29})
    assert (node.observed_addresses, node.predicted_addresses, node.warm_step, node.off) == (30, 30, 10, False)
    # 1 node a month x 30 addresses; 4,000 free now -> 133 months.
    assert (subnet.observed_free, subnet.per_month, subnet.runway_months) == (4000, 30.0, 133.0)
    assert c.to_dict()["subnets"][0]["prefix_shortfall"] is None


def test_unknown_stays_unknown():
    """Without pods or addresses observed, nothing is simulated or compared."""
    c = compare(analyze(spec()), observed(replace(NODE, pods=None, addresses=None, enis=None)))
    assert (c.nodes[0].predicted_addresses, c.nodes[0].observed_addresses, c.nodes[0].off) == (None, None, False)


def test_observed_state_round_trips(tmp_path):
    """The observed state reads back as it was written."""
    state = observed()
    write_observed(state, tmp_path / "o.json")
    assert read_observed(tmp_path / "o.json") == state


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["nodes"][0].update(max_pods="29"), "nodes[0].max_pods: '29' is not a whole number"),
    (lambda d: d["nodes"][0].update(pods=True), "nodes[0].pods: true is not a whole number"),
    (lambda d: d["nodes"][0].update(addresses=-1),
     "nodes[0].addresses: -1: input should be greater than or equal to 0"),
    (lambda d: d["subnets"][0].update(colour="red"), "subnets[0].colour: unknown key"),
    (lambda d: d["nodes"][0].pop("name"), "nodes[0].name: required, but missing"),
    (lambda d: d.update(nodes={}), "nodes: {}: input should be a valid array"),
    (lambda d: d.update(schema="other/1"),
     "not an observed state written by 'eksplan discover' (expected \"schema\": \"eksplan-observed/1\")"),
])
def test_a_hand_edited_observed_state_is_refused_at_its_place(tmp_path, edit, message):
    """The observed state is input too: a wrong type, an unknown key or a missing field names its place."""
    from eksplan.ec2capture import CaptureError

    path = write_observed(observed(), tmp_path / "today.observed.json")
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(CaptureError) as raised:
        read_observed(path)
    assert str(raised.value) == f"{path}: {message}"
