"""ipamd's warm pool on one node: the VPC CNI's published tables, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from eksplan.cni import CniConfig, CniSettingError
from eksplan.ipamd import SimulationError, simulate_node

from .strategies import instance_types, ipamd_settings

ENI = "docs/eni-and-ip-target.md"
PREFIX = "docs/prefix-and-ip-target.md"

# (source row, instance, settings, pods, ENIs, allocated pod addresses, prefixes, unused)
PUBLISHED = [
    (ENI, "t3.small", CniConfig(), 0, 1, 3, 0, 3),
    (ENI, "t3.small", CniConfig(), 5, 3, 9, 0, 4),
    (ENI, "t3.small", CniConfig(), 9, 3, 9, 0, 0),
    (ENI, "t3.small", CniConfig(warm_ip_target=1, minimum_ip_target=1), 0, 1, 1, 0, 1),
    (ENI, "t3.small", CniConfig(warm_ip_target=1, minimum_ip_target=1), 5, 2, 6, 0, 1),
    (ENI, "t3.small", CniConfig(warm_ip_target=1, minimum_ip_target=1), 9, 3, 9, 0, 0),
    (ENI, "t3.small", CniConfig(warm_ip_target=2, minimum_ip_target=5), 0, 2, 5, 0, 5),
    (ENI, "t3.small", CniConfig(warm_ip_target=2, minimum_ip_target=5), 5, 3, 7, 0, 2),
    (ENI, "t3.small", CniConfig(warm_ip_target=2, minimum_ip_target=5), 9, 3, 9, 0, 0),
    (ENI, "p3dn.24xlarge", CniConfig(), 0, 1, 49, 0, 49),
    (ENI, "p3dn.24xlarge", CniConfig(), 3, 2, 98, 0, 95),
    (ENI, "p3dn.24xlarge", CniConfig(), 95, 3, 147, 0, 52),
    (ENI, "p3dn.24xlarge", CniConfig(warm_ip_target=5, minimum_ip_target=10), 0, 1, 10, 0, 10),
    (ENI, "p3dn.24xlarge", CniConfig(warm_ip_target=5, minimum_ip_target=10), 7, 1, 12, 0, 5),
    (ENI, "p3dn.24xlarge", CniConfig(warm_ip_target=5, minimum_ip_target=10), 15, 1, 20, 0, 5),
    (ENI, "p3dn.24xlarge", CniConfig(warm_ip_target=5, minimum_ip_target=10), 45, 2, 50, 0, 5),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True), 0, 1, 16, 1, 16),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True), 5, 1, 32, 2, 27),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True), 16, 1, 32, 2, 16),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True), 17, 1, 48, 3, 31),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True), 58, 2, 80, 5, 22),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True, warm_ip_target=1, minimum_ip_target=1), 0, 1, 16, 1, 16),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True, warm_ip_target=1, minimum_ip_target=1), 5, 1, 16, 1, 11),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True, warm_ip_target=1, minimum_ip_target=1), 17, 1, 32, 2, 15),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True, warm_ip_target=1, minimum_ip_target=1), 58, 2, 64, 4, 6),
    # The doc's row "t3.small, WARM_IP_TARGET 7, MINIMUM_IP_TARGET 20, 0 pods" says 1 attached
    # prefix and 16 unused IPs but also "0,0" pods per prefix and 2 prefixes per ENI. ipamd's
    # datastoreTargetState asks for ceil(20 / 16) = 2 prefixes: 32 addresses, all unused.
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True, warm_ip_target=7, minimum_ip_target=20), 0, 1, 32, 2, 32),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True, warm_ip_target=7, minimum_ip_target=20), 5, 1, 32, 2, 27),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True, warm_ip_target=7, minimum_ip_target=20), 17, 1, 32, 2, 15),
    (PREFIX, "t3.small", CniConfig(prefix_delegation=True, warm_ip_target=7, minimum_ip_target=20), 58, 2, 80, 5, 22),
    # The doc's p3dn.24xlarge prefix rows list a second and third ENI with no prefix ("2,0",
    # "7,0,0", "4,0"). ipamd attaches an ENI only when no attached ENI has room for a prefix
    # (increaseDatastorePool: tryAssignCidrs first), and one p3dn ENI holds 49 prefixes: one ENI.
    # Prefix and unused-IP counts agree with the doc.
    (PREFIX, "p3dn.24xlarge", CniConfig(prefix_delegation=True), 0, 1, 16, 1, 16),
    (PREFIX, "p3dn.24xlarge", CniConfig(prefix_delegation=True), 3, 1, 32, 2, 29),
    (PREFIX, "p3dn.24xlarge", CniConfig(prefix_delegation=True), 95, 1, 112, 7, 17),
    (PREFIX, "p3dn.24xlarge", CniConfig(prefix_delegation=True, warm_ip_target=5, minimum_ip_target=10), 0, 1, 16, 1, 16),
    (PREFIX, "p3dn.24xlarge", CniConfig(prefix_delegation=True, warm_ip_target=5, minimum_ip_target=10), 7, 1, 16, 1, 9),
    (PREFIX, "p3dn.24xlarge", CniConfig(prefix_delegation=True, warm_ip_target=5, minimum_ip_target=10), 15, 1, 32, 2, 17),
    (PREFIX, "p3dn.24xlarge", CniConfig(prefix_delegation=True, warm_ip_target=5, minimum_ip_target=10), 45, 1, 64, 4, 19),
]


@pytest.mark.parametrize(
    "source, instance, settings, pods, enis, ips, prefixes, unused",
    [pytest.param(*row, id=f"{row[0].split('/')[-1]}:{row[1]}:{row[2].describe()}:{row[3]}pods") for row in PUBLISHED],
)
def test_published_tables(source, instance, settings, pods, enis, ips, prefixes, unused):
    """ENIs, pod addresses, prefixes and unused addresses as the VPC CNI documents them."""
    result = simulate_node(instance, pods, settings, max_pods=110)
    assert (result.enis, result.ips, result.prefixes, result.unused_ips) == (enis, ips, prefixes, unused)
    assert result.pods == pods and result.pods_pending == 0


def test_guide_warm_pool_example():
    """The guide: three c5.large nodes with two CoreDNS pods in all use 50 addresses, 43 of them warm."""
    nodes = [simulate_node("c5.large", pods) for pods in (1, 1, 0)]
    assert sum(n.subnet_ips for n in nodes) == 50
    assert sum(n.unused_ips for n in nodes) == 43
    assert [n.subnet_ips for n in nodes] == [20, 20, 10]


def test_subnet_addresses_count_eni_primaries():
    """Each ENI's own primary address is taken from the subnet, beside the pod addresses."""
    result = simulate_node("m5.large", 9)  # 2 ENIs x 9 secondary IPs: one full, one warm
    assert (result.enis, result.ips, result.subnet_ips) == (2, 18, 20)
    assert result.derivation[-1] == "subnet addresses: 18 pod addresses + 2 ENI primary addresses = 20"


def test_custom_networking_splits_node_and_pod_subnets():
    """With custom networking the node subnet keeps only the primary ENI's address."""
    result = simulate_node("m5.large", 10, CniConfig(custom_networking=True))
    assert (result.node_subnet_ips, result.pod_subnet_ips) == (1, 20)
    assert [e.subnet for e in result.per_eni] == ["node", "pod", "pod"]


def test_security_groups_for_pods_take_trunk_and_branch_addresses():
    """A trunk ENI and one branch ENI per pod with security groups, one address each."""
    result = simulate_node("m5.xlarge", 20, CniConfig(pod_eni=True), security_group_pods=6)
    assert (result.trunk_eni, result.branch_enis) == (1, 6)
    assert result.subnet_ips == 42 + 3 + 1 + 6
    assert result.enis == 3  # the trunk took the fourth ENI slot


def test_no_trunk_on_t_family():
    """t3 types cannot attach a trunk ENI: their pods with security groups stay pending."""
    result = simulate_node("t3.large", 10, CniConfig(pod_eni=True), security_group_pods=2)
    assert (result.trunk_eni, result.pods_pending) == (0, 2)
    assert result.pending_reason == "t3.large cannot attach a trunk ENI, so its 2 pods with security groups cannot run"


def test_ipv6_node_takes_one_ipv4_address():
    """IPv6: pods use the node's /80; the node subnet gives one IPv4 address per node."""
    result = simulate_node("m5.large", 50, CniConfig(ipv6=True))
    assert (result.subnet_ips, result.ipv6_prefixes, result.ips) == (1, 1, 0)


def test_minimum_ip_target_without_warm_ip_target_stops_the_pool():
    """MINIMUM_IP_TARGET alone means no warm address: pods past the minimum stay pending."""
    result = simulate_node("m5.large", 12, CniConfig(minimum_ip_target=10))
    assert (result.pods, result.pods_pending, result.ips) == (10, 2, 10)
    assert result.pending_reason == (
        "MINIMUM_IP_TARGET=10 without WARM_IP_TARGET keeps no warm address: the pool stops at 10 addresses"
    )


def test_pool_stops_at_max_pods():
    """The pool stops growing once allocated addresses reach max pods (ipamd reads the kubelet's)."""
    result = simulate_node("m5.large", 200, CniConfig(prefix_delegation=True))
    assert (result.max_pods, result.pods, result.prefixes, result.ips) == (110, 108, 7, 112)
    assert result.pending_reason == "max pods 110 leaves room for 108 pods besides the 2 host-network pods"


def test_max_eni_caps_the_pool():
    """MAX_ENI caps the ENIs the pool attaches."""
    result = simulate_node("m5.large", 20, CniConfig(max_eni=2), max_pods=110)
    assert (result.enis, result.pods, result.pods_pending) == (2, 18, 2)
    assert result.pending_reason == "all 2 usable ENIs are full (18 pod addresses)"


def test_prefix_mode_falls_back_on_xen():
    """On a Xen instance prefix delegation falls back to secondary IPs, as ipamd does."""
    result = simulate_node("m4.large", 5, CniConfig(prefix_delegation=True))
    assert result.prefixes == 0 and result.settings.startswith("secondary IP")


@pytest.mark.parametrize(
    "settings, message",
    [
        (CniConfig(prefix_delegation=True, warm_prefix_target=0),
         "WARM_PREFIX_TARGET: 0 is not supported with prefix delegation (set it to 1 or more, or set WARM_IP_TARGET/MINIMUM_IP_TARGET)"),
        (CniConfig(warm_ip_target=-1), "WARM_IP_TARGET: -1 must be >= 0"),
        (CniConfig(max_eni=0), "MAX_ENI: 0 must be >= 1 (ipamd ignores 0 and below)"),
        (CniConfig(custom_networking=True, ipv6=True), "custom networking is not supported in IPv6 clusters"),
    ],
)
def test_invalid_settings(settings, message):
    """Settings ipamd would not run with are rejected with a clear message."""
    with pytest.raises(CniSettingError) as caught:
        simulate_node("m5.large", 1, settings)
    assert str(caught.value) == message


@given(instance_types(), ipamd_settings(), st.integers(0, 120), st.integers(0, 120))
def test_more_pods_never_take_fewer_addresses(it, settings, a, b):
    """Adding pods never lowers the addresses or ENIs a node holds."""
    low, high = sorted((a, b))
    try:
        first = simulate_node(it, low, settings, max_pods=250)
    except SimulationError:
        return
    second = simulate_node(it, high, settings, max_pods=250)
    assert second.subnet_ips >= first.subnet_ips and second.enis >= first.enis


@given(instance_types(), ipamd_settings(), st.integers(0, 300))
def test_pool_invariants(it, settings, pods):
    """Unused >= 0, nothing beyond ENI capacity, and the subnet split adds up."""
    try:
        r = simulate_node(it, pods, settings)
    except SimulationError:
        return
    assert r.unused_ips >= 0 and r.pods + r.pods_pending == pods
    assert r.enis <= it.enis
    unit = 16 if r.prefixes else 1
    for eni in r.per_eni:
        assert eni.slots <= it.ipv4_per_eni - 1 and eni.assigned <= eni.slots * unit
    assert r.subnet_ips == r.node_subnet_ips + r.pod_subnet_ips
    assert r.ips == sum(e.addresses for e in r.per_eni)
