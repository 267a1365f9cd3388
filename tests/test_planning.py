"""Cluster roll-up, subnet planner, runway and prefix-mode risk."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import HealthCheck, given, settings

from eksplan.analysis import analyze
from eksplan.planner import Allocator, plan_subnets, prefix_for
from eksplan.spec import ClusterSpec, load_cluster

from .conftest import ROOT
from .strategies import planner_specs


def spec(**overrides) -> ClusterSpec:
    data = {
        "name": "t",
        "region": "us-east-1",
        "availability_zones": ["us-east-1a"],
        "vpc": {"cidrs": ["10.0.0.0/16"]},
        "subnets": [
            {"id": "s-cluster", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/28", "role": "cluster"},
            {"id": "s-nodes", "availability_zone": "us-east-1a", "cidr": "10.0.1.0/24", "role": "nodes"},
        ],
        "node_groups": [{"name": "ng", "instance_types": ["m5.large"], "min_size": 1, "desired_size": 2,
                         "max_size": 4, "pods_per_node": 9}],
        "vpc_cni": {"version": "1.18.3"},
    }
    data.update(overrides)
    return ClusterSpec.model_validate(data)


def test_rollup_counts_every_consumer():
    """Per subnet: pods, warm pool, ENI primaries, control plane, Fargate, extra ENIs and AWS's 5."""
    s = spec(fargate_profiles=[{"name": "fg", "pods": 7}],
             requirements={"extra_enis": [{"role": "nodes", "count": 3, "description": "endpoints"}]})
    a = analyze(s)
    nodes = a.usage.subnet("s-nodes", "desired")
    # m5.large with 9 pods: ENI 0 full (9), ENI 1 attached warm (9): 18 pod addresses + 2 primaries.
    assert (nodes.nodes, nodes.pod_ips_in_use, nodes.warm_ips, nodes.eni_primary_ips) == (2, 18, 18, 4)
    assert (nodes.fargate_ips, nodes.extra_eni_ips, nodes.control_plane_ips) == (7, 3, 0)
    assert nodes.consumed == 18 + 18 + 4 + 7 + 3 + 5 and nodes.free == 256 - 55
    cluster = a.usage.subnet("s-cluster", "desired")
    assert (cluster.control_plane_ips, cluster.consumed, cluster.free) == (4, 9, 7)
    assert a.usage.subnet("s-nodes", "max").nodes == 4


def test_control_plane_enis_spread_over_cluster_subnets():
    """EKS's 4 cross-account ENIs go to the cluster subnets, 2 each over 2 AZs."""
    a = analyze(load_cluster(ROOT / "examples" / "claims-sgp.yaml"))
    loads = [l for l in a.usage.at("desired") if "cluster" in l.roles]
    assert [l.control_plane_ips for l in loads] == [2, 2]


def test_runway_in_whole_months():
    """2 nodes a month at 20 addresses each against 211 free: month 5 is the last with room."""
    s = spec(requirements={"growth": {"nodes_per_month": 2}})
    runway = next(r for r in analyze(s).runways if r.subnet == "s-nodes")
    assert (runway.free_now, runway.per_month, runway.months) == (211, 40.0, 5.0)
    assert runway.derivation == "211 free; growth takes 240 addresses by month 6"


def test_runway_uses_aws_available_count():
    """When AWS's available count is known it replaces the model's free addresses."""
    s = spec(requirements={"growth": {"nodes_per_month": 2}})
    subnets = [dict(x.model_dump(mode="json", by_alias=True), role=list(x.roles)) for x in s.subnets]
    subnets[1]["available_ips"] = 100
    for sub in subnets:
        sub.pop("roles", None)
    s2 = spec(subnets=subnets, requirements={"growth": {"nodes_per_month": 2}})
    runway = next(r for r in analyze(s2).runways if r.subnet == "s-nodes")
    assert (runway.free_now, runway.free_source, runway.months) == (100, "AWS (available IP count)", 2.0)


def test_prefix_risk_and_reservation():
    """Prefix mode on a /22: 4 nodes x 2 prefixes = 8 blocks of 64; a /24 reservation is proposed."""
    s = spec(subnets=[{"id": "s-nodes", "availability_zone": "us-east-1a", "cidr": "10.0.4.0/22", "role": "nodes"}],
             vpc_cni={"version": "1.18.3", "settings": {"ENABLE_PREFIX_DELEGATION": True}})
    (risk,) = analyze(s).prefix_risks
    # 9 pods: one full prefix and one warm prefix per node; 4 nodes at max size.
    assert (risk.prefixes_needed, risk.blocks) == (8, 64)
    # singles at max: 4 ENI primaries + 4 control-plane ENIs (no cluster subnet) = 8
    assert (risk.worst_case_free_blocks, risk.best_case_free_blocks, risk.at_risk) == (54, 62, False)
    assert risk.recommended_reservation == "10.0.7.0/24"  # 8 x 1.5 = 12 blocks = 192 addresses -> a /24
    assert risk.command == ("aws ec2 create-subnet-cidr-reservation --subnet-id s-nodes --cidr 10.0.7.0/24 "
                            "--reservation-type prefix --description 'EKS prefix delegation'")


def test_prefix_risk_when_subnet_is_fragmented():
    """Few free addresses scattered: prefixes needed beyond the worst case are a risk."""
    a = analyze(load_cluster(ROOT / "examples" / "payments-prod.yaml"))
    risky = {r.subnet: r for r in a.prefix_risks}
    c = risky["subnet-0a1c000000000a003"]
    # 20 services nodes x 5 prefixes + 13 batch nodes x 8: Karpenter gives c6i.4xlarge max pods 234, so the
    # pool keeps its warm prefix past 105 pods (7 prefixes for the pods + 1 warm).
    assert c.at_risk and c.prefixes_needed == 20 * 5 + 13 * 8
    assert c.best_case_free_blocks == 4406 // 16


def test_dev_sandbox_plan():
    """The planner lays out the guide's four roles per AZ, sized and tagged."""
    plan = analyze(load_cluster(ROOT / "examples" / "dev-sandbox.yaml")).plan
    layout = [(p.name, p.cidr) for p in plan.subnets]
    assert layout == [
        ("dev-sandbox-nodes-us-east-1a", "10.20.0.0/23"),
        ("dev-sandbox-nodes-us-east-1b", "10.20.2.0/23"),
        ("dev-sandbox-public-us-east-1a", "10.20.4.0/24"),
        ("dev-sandbox-public-us-east-1b", "10.20.5.0/24"),
        ("dev-sandbox-cluster-us-east-1a", "10.20.6.0/28"),
        ("dev-sandbox-cluster-us-east-1b", "10.20.6.16/28"),
    ]
    nodes = plan.subnets[0]
    assert nodes.tags == {"Name": "dev-sandbox-nodes-us-east-1a", "kubernetes.io/cluster/dev-sandbox": "shared",
                          "kubernetes.io/role/internal-elb": "1"}
    assert plan.subnets[2].tags["kubernetes.io/role/elb"] == "1"
    # 4 nodes + 6 of growth (0.25 a month over 24 months) spread over 2 AZs: 5 nodes x 36 addresses.
    assert nodes.derivation == "180 addresses x 1.5 headroom + 5 reserved = 275 -> /23 (512)"


def test_plan_says_what_is_missing():
    """When a subnet cannot fit, the plan names the AZ, the need and the largest free block."""
    s = spec(subnets=[], vpc={"cidrs": ["10.0.0.0/20"]},
             node_groups=[{"name": "ng", "instance_types": ["m5.large"], "min_size": 1, "max_size": 300,
                           "pods_per_node": 27}])
    plan = plan_subnets(s)
    assert [x.message for x in plan.shortfalls] == [
        "us-east-1a needs 13,505 addresses for its nodes subnet (a /18); "
        "the largest free block in 10.0.0.0/20 is a /20 = 4,096"]


def test_plan_avoids_on_prem_and_existing():
    """Planned blocks never overlap declared on-prem CIDRs or existing subnets."""
    s = spec(subnets=[{"id": "s-x", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/17", "role": "public"}],
             plan_subnets=True, requirements={"on_prem_cidrs": ["10.0.128.0/18"]})
    plan = plan_subnets(s)
    blocks = [ipaddress.ip_network(p.cidr) for p in plan.subnets]
    assert all(not b.overlaps(ipaddress.ip_network("10.0.0.0/17")) for b in blocks)
    assert all(not b.overlaps(ipaddress.ip_network("10.0.128.0/18")) for b in blocks)
    assert {p.role for p in plan.subnets} == {"cluster", "nodes"}  # the public subnet exists


def test_custom_networking_plan_adds_a_cgnat_cidr():
    """Custom networking without a pod CIDR: the plan proposes a 100.64.0.0/10 block to add."""
    s = spec(subnets=[], vpc_cni={"version": "1.18.3", "settings": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": True}},
             requirements={"cgnat_in_use": ["100.64.0.0/16"]})
    plan = plan_subnets(s)
    assert plan.add_vpc_cidr == "100.65.0.0/16"
    pods = [p for p in plan.subnets if p.role == "pods"]
    assert pods and all(ipaddress.ip_network(p.cidr).subnet_of(ipaddress.ip_network("100.65.0.0/16")) for p in pods)


@pytest.mark.parametrize("addresses, prefix", [(1, 28), (16, 28), (17, 27), (256, 24), (257, 23), (9800, 18), (10**6, 16)])
def test_prefix_for(addresses, prefix):
    """Blocks are the smallest power of two that holds the addresses, between /16 and /28."""
    assert prefix_for(addresses) == prefix


def test_allocator_best_fit():
    """The allocator cuts the smallest free block that fits."""
    pool = Allocator([ipaddress.ip_network("10.0.0.0/22")], [ipaddress.ip_network("10.0.0.0/24")])
    assert str(pool.take(25)) == "10.0.1.0/25"
    assert str(pool.take(24)) == "10.0.2.0/24"
    assert str(pool.take(26)) == "10.0.1.128/26"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planner_specs())
def test_planner_properties(s):
    """Planned subnets never overlap each other, existing or declared CIDRs, and stay in the VPC."""
    plan = plan_subnets(s)
    blocks = [ipaddress.ip_network(p.cidr) for p in plan.subnets]
    vpc = list(s.vpc.cidrs) + ([ipaddress.ip_network(plan.add_vpc_cidr)] if plan.add_vpc_cidr else [])
    for i, b in enumerate(blocks):
        assert any(b.subnet_of(c) for c in vpc)
        assert all(not b.overlaps(other) for other in blocks[i + 1:])
        assert all(not b.overlaps(x) for x in s.requirements.on_prem_cidrs)
        assert all(not b.overlaps(x.cidr) for x in s.subnets)
        assert b.num_addresses >= plan.subnets[i].needed
    planned = {(p.availability_zone, p.role) for p in plan.subnets}
    missing = {(x.availability_zone, x.role) for x in plan.shortfalls}
    assert not planned & missing


def test_tightest_runway_ignores_subnets_growth_never_reaches():
    """Without a subnet that runs out, there is no tightest runway to report."""
    a = analyze(spec(node_groups=[], requirements={"growth": {"nodes_per_month": 2}}))
    assert all(r.months == float("inf") for r in a.runways)
    assert a.tightest_runway() is None
