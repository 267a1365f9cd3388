"""Max pods per node: AWS's published figures, every mode, and the derivation."""

from __future__ import annotations

import pytest
from hypothesis import given

from eksplan import MaxPodsError, UnknownInstanceType, CniVersionError
from eksplan.maxpods import (
    kube_reserved_memory_mib,
    max_pods,
    max_pods_table,
    node_group_max_pods,
    SCENARIOS,
)

from .strategies import cni_options, instance_types


# Published figures. "eks-ami" = amazon-eks-ami test/cases/max-pods-*.sh and the calculator's
# README; "eks-guide" = EKS user guide, "Amazon VPC CNI: prefix delegation / custom networking".
PUBLISHED = [
    pytest.param("m5.8xlarge", dict(cni_version="1.11.2"), 234, id="eks-ami:m5.8xlarge-cni-1.11.2"),
    pytest.param("m5.8xlarge", dict(cni_version="1.11.2", prefix_delegation=True), 250,
                 id="eks-ami:m5.8xlarge-cni-1.11.2-prefix"),
    pytest.param("c6in.32xlarge", dict(cni_version="1.11.2", show_max_allowed=True), 394,
                 id="eks-ami:c6in.32xlarge-show-max-allowed-default-card"),
    pytest.param("m4.xlarge", dict(cni_version="1.7.5"), 58, id="eks-ami:m4.xlarge-cni-1.7.5"),
    pytest.param("m5.large", dict(cni_version="1.9.0-eksbuild.1"), 29, id="eks-guide:m5.large"),
    pytest.param("m5.large", dict(cni_version="1.9.0-eksbuild.1", custom_networking=True), 20,
                 id="eks-guide:m5.large-custom-networking"),
    pytest.param("m5.large", dict(cni_version="1.9.0-eksbuild.1", prefix_delegation=True), 110,
                 id="eks-guide:m5.large-prefix"),
    # The guide's own custom-networking + prefix example: (3 - 1) x ((10 - 1) x 16) + 2 = 290.
    pytest.param("m5.large", dict(custom_networking=True, prefix_delegation=True, show_max_allowed=True), 290,
                 id="guide:m5.large-custom-networking-prefix-max-allowed"),
    # The guide's wrong "(ENIs x IPs per ENI) - 1" would give 59 on m5.xlarge; AWS's table says 58.
    pytest.param("m5.xlarge", dict(), 58, id="eni-max-pods.txt:m5.xlarge"),
]


@pytest.mark.parametrize("instance, options, expected", PUBLISHED)
def test_published_figures(instance, options, expected):
    """Max pods equals the figure AWS publishes for the same type and settings."""
    assert max_pods(instance, **options).value == expected


def test_derivation_shows_the_numbers():
    """The derivation fills the formula in with the instance's own numbers."""
    result = max_pods("m5.large", cni_version="1.9.0", custom_networking=True)
    assert result.derivation == (
        "m5.large: 3 ENIs, 10 IPv4 addresses per ENI, 2 vCPUs, nitro hypervisor",
        "custom networking: the primary ENI carries no pod addresses: 3 - 1 = 2 ENIs for pods",
        "secondary IP: 2 x (10 - 1) + 2 = 20",
        "recommended ceiling: 2 vCPUs <= 30 -> 110",
        "max pods = min(20, 110) = 20",
        "kubelet memory reservation: 11 MiB x 20 + 255 MiB = 475 MiB",
    )
    assert (result.mode, result.limited_by, result.formula_value, result.ceiling) == ("secondary-ip", "eni-ips", 20, 110)


def test_ceiling_wins_in_prefix_mode():
    """In prefix mode the 110/250 ceiling, not the addresses, usually limits pods."""
    result = max_pods("m5.large", prefix_delegation=True)
    assert (result.value, result.limited_by, result.formula_value) == (110, "ceiling", 434)


def test_high_cpu_ceiling_is_250():
    """Instances above 30 vCPUs get the 250 ceiling; 30 vCPUs or fewer get 110."""
    assert max_pods("m5.8xlarge", prefix_delegation=True).ceiling == 250  # 32 vCPUs
    assert max_pods("m5.4xlarge", prefix_delegation=True).ceiling == 110  # 16 vCPUs


def test_default_network_card_only(catalog):
    """Multi-card types count only the default card's ENIs (c6in.32xlarge: 8 of 16)."""
    it = catalog["c6in.32xlarge"]
    assert (it.enis, it.total_enis, it.network_cards) == (8, 16, 2)
    result = max_pods(it, show_max_allowed=True)
    assert result.enis_for_pods == 8
    assert "c6in.32xlarge has 16 ENIs on 2 network cards; the VPC CNI uses the 8 of the default card" in result.derivation


@pytest.mark.parametrize(
    "instance, version, expected_mode, reason",
    [
        ("m5.large", "1.8.0", "secondary-ip", "prefix delegation needs VPC CNI >= 1.9.0 (got 1.8.0)"),
        ("m5.large", "1.9.0", "prefix-delegation", None),
        ("m4.xlarge", "1.18.0", "secondary-ip",
         "m4.xlarge runs on the xen hypervisor; prefix delegation needs a Nitro or bare-metal instance"),
        ("c5.metal", "1.10.0", "secondary-ip",
         "prefix delegation on bare-metal instances needs VPC CNI >= 1.11.0 (got 1.10.0)"),
        ("c5.metal", "1.11.0", "prefix-delegation", None),
    ],
)
def test_prefix_delegation_support(instance, version, expected_mode, reason):
    """Prefixes need Nitro with CNI >= 1.9.0 or bare metal with >= 1.11.0; otherwise fall back and say why."""
    result = max_pods(instance, cni_version=version, prefix_delegation=True, show_max_allowed=True)
    assert (result.mode, result.fallback) == (expected_mode, reason)
    if reason:
        assert f"prefix delegation requested but {reason}: falling back to secondary IP" in result.derivation


def test_bare_metal_prefix_note_names_the_calculator_difference():
    """On bare metal eksplan follows ipamd, and says max-pods-calculator.sh would not."""
    result = max_pods("c5.metal", cni_version="1.11.0", prefix_delegation=True, show_max_allowed=True)
    assert result.value == 15 * (49 * 16) + 2
    assert any("max-pods-calculator.sh grants prefix delegation to Nitro only" in n for n in result.notes)


@pytest.mark.parametrize("max_eni, expected", [(1, 11), (2, 20), (3, 29), (9, 29)])
def test_max_eni_caps_enis(max_eni, expected):
    """MAX_ENI limits ENIs to min(MAX_ENI, ENIs): m5.large has 3."""
    assert max_pods("m5.large", max_eni=max_eni).value == expected


def test_security_groups_for_pods_reserve_the_trunk_eni():
    """The trunk ENI takes one slot: m5.large drops from 29 to 2 x 9 + 2 = 20."""
    result = max_pods("m5.large", security_groups_for_pods=True)
    assert result.value == 20
    assert "pods with security groups (branch ENIs) still count toward max pods" in result.notes
    assert max_pods("m5.large", reserved_enis=1).value == 20
    assert max_pods("m5.large", reserved_enis=1, security_groups_for_pods=True).value == 11


def test_no_eni_left_leaves_host_network_pods():
    """When reservations take every ENI, only the two host-network pods remain."""
    result = max_pods("m5.large", max_eni=1, custom_networking=True)
    assert (result.enis_for_pods, result.value) == (0, 2)
    assert "no ENI is left for pod addresses: only host-network pods can run" in result.notes


def test_ipv6_is_not_an_address_limit():
    """IPv6: EKS's figure is the prefix formula capped at 110/250, and addresses do not limit pods."""
    result = max_pods("m5.large", ip_family="ipv6")
    assert (result.value, result.mode, result.addresses_limit_pods) == (110, "ipv6", False)
    small = max_pods("t3.nano", ip_family="ipv6")  # 2 x ((2 - 1) x 16) + 2
    assert (small.value, small.limited_by) == (34, "ipv6-default")
    # The guide's "IPv6 max pods = 434" is the IPv4 prefix figure for m5.large, not an IPv6 limit.
    assert max_pods("m5.large", ip_family="ipv6", show_max_allowed=True).value == 434


def test_ipv6_needs_nitro_note():
    """IPv6 on a Xen instance is flagged in the notes."""
    result = max_pods("m4.xlarge", ip_family="ipv6")
    assert "IPv6 clusters need Nitro-based instances; m4.xlarge runs on xen" in result.notes


def test_kubelet_memory_reservation():
    """Raising max pods raises the kubelet reservation: 11 MiB x max pods + 255 MiB."""
    assert kube_reserved_memory_mib(29) == 574
    assert kube_reserved_memory_mib(110) == 1465
    assert max_pods("m5.large", prefix_delegation=True).kube_reserved_memory_mib == 1465


def test_node_group_takes_the_lowest():
    """A node group runs one max-pods setting: the lowest of its instance types."""
    group = node_group_max_pods(["m5.large", "t3.medium", "m5.xlarge"])
    assert (group.value, group.limiting_instance_type) == (17, "t3.medium")
    assert group.derivation[-1] == "node group max pods = min(29, 17, 58) = 17 (set by t3.medium)"


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: max_pods("m5.lrage"), UnknownInstanceType,
         "'m5.lrage' is not a known instance type (did you mean 'm5.large'?)"),
        (lambda: max_pods("m5.large", cni_version="1.x"), CniVersionError,
         "'1.x' is not a VPC CNI version (expected MAJOR.MINOR[.PATCH], e.g. 1.18.3 or v1.18.3-eksbuild.1)"),
        (lambda: max_pods("m5.large", max_eni=-1), MaxPodsError,
         "-1 is not a valid MAX_ENI (expected a whole number >= 1; ipamd ignores 0 and below)"),
        (lambda: max_pods("m5.large", reserved_enis=-2), MaxPodsError,
         "reserved ENIs: -2 is not a valid count (expected >= 0)"),
        (lambda: max_pods("m5.large", ip_family="ipv5"), MaxPodsError,
         "IP family: 'ipv5' must be 'ipv4' or 'ipv6'"),
        (lambda: max_pods("m5.large", ip_family="ipv6", custom_networking=True), MaxPodsError,
         "custom networking is not supported in IPv6 clusters (pods use the node's /80 prefix)"),
        (lambda: node_group_max_pods([]), MaxPodsError, "a node group needs at least one instance type"),
        (lambda: max_pods_table(scenarios=["turbo"]), MaxPodsError,
         "'turbo' is not a scenario (expected one of secondary-ip, prefix-delegation, custom-networking, ipv6)"),
    ],
)
def test_errors(call, error, message):
    """Bad arguments fail with a message that quotes the value and the rule."""
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_table_covers_every_type_and_scenario(catalog):
    """The full table has one row per instance type and scenario."""
    rows = max_pods_table()
    assert len(rows) == len(catalog) * len(SCENARIOS)


@given(instance_types(), cni_options())
def test_max_pods_properties(it, options):
    """Max pods is at least the 2 host-network pods, at most the ceiling, and never beats the formula."""
    result = max_pods(it, **options)
    assert 2 <= result.value <= result.formula_value
    if result.ceiling is not None:
        assert result.value <= result.ceiling
    assert result.kube_reserved_memory_mib == 11 * result.value + 255
    assert result.derivation[-2].endswith(f"= {result.value}") or result.derivation[-2].endswith(f": {result.value}")


@given(instance_types())
def test_prefix_mode_never_lowers_max_pods(it):
    """Enabling prefixes never lowers max pods, and custom networking never raises it."""
    base = max_pods(it, show_max_allowed=True).value
    assert max_pods(it, prefix_delegation=True, show_max_allowed=True).value >= base
    assert max_pods(it, custom_networking=True, show_max_allowed=True).value <= base
