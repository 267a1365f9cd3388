"""Checks that relate several parts of a cluster spec; each returns (field path, message) pairs."""

from __future__ import annotations

import math
import sys
from typing import Iterator

from ..catalog import Catalog, load_catalog
from ..echo import shown
from .model import ClusterSpec

__all__ = ["check_cluster"]

Problem = tuple[tuple, str]


def _zones(spec: ClusterSpec) -> Iterator[Problem]:
    seen = set()
    for i, az in enumerate(spec.availability_zones):
        if not az.startswith(spec.region) or len(az) != len(spec.region) + 1:
            yield ("availability_zones", i), f"{shown(az)} is not in region {shown(spec.region)}"
        if az in seen:
            yield ("availability_zones", i), f"{shown(az)} is listed twice"
        seen.add(az)


def _in_cluster_zones(spec: ClusterSpec, az: str) -> str | None:
    if az in spec.availability_zones:
        return None
    return f"{shown(az)} is not one of the cluster's availability zones ({', '.join(spec.availability_zones)})"


def _vpc(spec: ClusterSpec) -> Iterator[Problem]:
    cidrs = spec.vpc.cidrs
    for i, a in enumerate(cidrs):
        for j in range(i):
            if a.overlaps(cidrs[j]):
                yield ("vpc", "cidrs", i), f"'{a}' overlaps vpc.cidrs[{j}] ('{cidrs[j]}')"
        if not 16 <= a.prefixlen <= 28:
            yield ("vpc", "cidrs", i), f"'{a}' is a /{a.prefixlen}; a VPC CIDR must be between /16 and /28"


def _subnets(spec: ClusterSpec) -> Iterator[Problem]:
    ids: dict[str, int] = {}
    for i, subnet in enumerate(spec.subnets):
        if subnet.id is not None:
            if subnet.id in ids:
                yield ("subnets", i, "id"), f"{shown(subnet.id)} is already subnets[{ids[subnet.id]}]"
            ids.setdefault(subnet.id, i)
        problem = _in_cluster_zones(spec, subnet.availability_zone)
        if problem:
            yield ("subnets", i, "availability_zone"), problem
        if not any(subnet.cidr.subnet_of(c) for c in spec.vpc.cidrs):
            vpc = ", ".join(str(c) for c in spec.vpc.cidrs)
            yield ("subnets", i, "cidr"), f"'{subnet.cidr}' is outside the VPC CIDRs ({vpc})"
        if not 16 <= subnet.cidr.prefixlen <= 28:
            yield ("subnets", i, "cidr"), f"'{subnet.cidr}' is a /{subnet.cidr.prefixlen}; a subnet must be between /16 and /28"
        for j in range(i):
            other = spec.subnets[j]
            if subnet.cidr.overlaps(other.cidr):
                yield ("subnets", i, "cidr"), f"'{subnet.cidr}' overlaps subnets[{j}] ('{other.cidr}')"
        if subnet.available_ips is not None and subnet.available_ips > subnet.size - 5:
            yield ("subnets", i, "available_ips"), (
                f"{subnet.available_ips} is more than a /{subnet.cidr.prefixlen} can offer "
                f"({subnet.size} addresses - 5 reserved by AWS = {subnet.size - 5})"
            )
        for k, reservation in enumerate(subnet.cidr_reservations):
            if not reservation.subnet_of(subnet.cidr):
                yield ("subnets", i, "cidr_reservations", k), f"'{reservation}' is outside the subnet ('{subnet.cidr}')"
        if subnet.ipv6_cidr is not None and subnet.ipv6_cidr.prefixlen != 64:
            yield ("subnets", i, "ipv6_cidr"), f"'{subnet.ipv6_cidr}' must be a /64 (AWS subnets take a /64)"


def _node_groups(spec: ClusterSpec) -> Iterator[Problem]:
    names: dict[str, int] = {}
    subnet_ids = {s.id for s in spec.subnets if s.id}
    for i, group in enumerate(spec.node_groups):
        if group.name in names:
            yield ("node_groups", i, "name"), f"{shown(group.name)} is already node_groups[{names[group.name]}]"
        names.setdefault(group.name, i)
        if group.min_size > group.max_size:
            yield ("node_groups", i, "min_size"), f"{group.min_size} is greater than max_size ({group.max_size})"
        if group.desired_size is not None and not group.min_size <= group.desired_size <= group.max_size:
            yield ("node_groups", i, "desired_size"), (
                f"{group.desired_size} is outside min_size..max_size ({group.min_size}..{group.max_size})"
            )
        for k, az in enumerate(group.availability_zones or ()):
            problem = _in_cluster_zones(spec, az)
            if problem:
                yield ("node_groups", i, "availability_zones", k), problem
        for k, subnet in enumerate(group.subnets or ()):
            if subnet not in subnet_ids:
                yield ("node_groups", i, "subnets", k), f"{shown(subnet)} is not a subnet id of this cluster's subnets"
        if group.security_group_pods_per_node and not spec.cni.pod_eni:
            yield ("node_groups", i, "security_group_pods_per_node"), (
                f"{group.security_group_pods_per_node} pods with security groups need "
                "vpc_cni.settings.ENABLE_POD_ENI: true"
            )


def _launchers(spec: ClusterSpec, catalog: Catalog) -> Iterator[Problem]:
    """Launchers that cannot run a group as described, and CNI features eksplan does not model."""
    for i, group in enumerate(spec.node_groups):
        launcher = spec.launcher(group)
        where = ("node_groups", i, "launcher")
        if launcher == "auto-mode":
            if not spec.auto_mode:
                yield where, "'auto-mode' needs auto_mode: true on the cluster"
            if group.max_pods is not None:
                yield ("node_groups", i, "max_pods"), (
                    f"{group.max_pods}: EKS Auto Mode has no max-pods setting (it caps nodes at 110); remove it")
        if group.os == "windows" and launcher in ("nodeadm", "bottlerocket", "auto-mode"):
            yield where, f"{launcher!r} launches Linux nodes only; Windows nodes run in a managed node group or Karpenter"
    if spec.cni.multi_nic:
        multi = sorted({name for group in spec.node_groups for name in group.instance_types
                        if name in catalog and catalog.get(name).network_cards > 1})
        if multi:
            yield ("vpc_cni", "settings", "ENABLE_MULTI_NIC"), (
                f"true on instance types with several network cards ({', '.join(multi)}): eksplan does not model "
                "ipamd's per-card pools (cards above 0 run WARM_IP_TARGET=1, MINIMUM_IP_TARGET=1 whatever is set); "
                "plan without it, or on single-card types where it changes nothing")


def _fargate(spec: ClusterSpec) -> Iterator[Problem]:
    names: dict[str, int] = {}
    for i, profile in enumerate(spec.fargate_profiles):
        if profile.name in names:
            yield ("fargate_profiles", i, "name"), f"{shown(profile.name)} is already fargate_profiles[{names[profile.name]}]"
        names.setdefault(profile.name, i)
        for k, az in enumerate(profile.availability_zones or ()):
            problem = _in_cluster_zones(spec, az)
            if problem:
                yield ("fargate_profiles", i, "availability_zones", k), problem


def _cni(spec: ClusterSpec) -> Iterator[Problem]:
    s = spec.vpc_cni.settings
    where = ("vpc_cni", "settings")
    ip_targets = (s.WARM_IP_TARGET or 0) >= 1 or (s.MINIMUM_IP_TARGET or 0) >= 1
    if spec.cni.prefix_delegation:
        if s.WARM_PREFIX_TARGET == 0 and not ip_targets:
            yield where + ("WARM_PREFIX_TARGET",), (
                "0 is not supported with prefix delegation (ipamd would keep no warm prefix); "
                "set 1 or more, or set WARM_IP_TARGET/MINIMUM_IP_TARGET"
            )
        if s.WARM_IP_TARGET == 0 and s.MINIMUM_IP_TARGET == 0:
            yield where + ("WARM_IP_TARGET",), (
                "WARM_IP_TARGET and MINIMUM_IP_TARGET both 0 are not supported with prefix delegation"
            )
    if spec.cni.custom_networking_in_force and s.MAX_ENI == 1:
        yield where + ("MAX_ENI",), ("1 leaves no ENI for pod addresses with custom networking (the primary ENI "
                                     "carries none); set 2 or more")
    if spec.ipv6 and spec.cni.custom_networking:
        yield where + ("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",), "custom networking is not supported in IPv6 clusters"
    if s.ENABLE_IPv6 and s.ENABLE_IPv4:
        yield where + ("ENABLE_IPv4",), "ENABLE_IPv4 and ENABLE_IPv6 cannot both be true (a cluster is IPv4 or IPv6)"
    if spec.requirements.ip_family == "ipv4" and s.ENABLE_IPv6:
        yield where + ("ENABLE_IPv6",), "true, but requirements.ip_family is 'ipv4'"


def _requirements(spec: ClusterSpec) -> Iterator[Problem]:
    r = spec.requirements
    ids = {s.id for s in spec.subnets if s.id}
    for i, extra in enumerate(r.extra_enis):
        if extra.subnet is not None and extra.subnet not in ids:
            yield ("requirements", "extra_enis", i, "subnet"), f"{shown(extra.subnet)} is not a subnet id of this cluster's subnets"
        if extra.availability_zone is not None:
            problem = _in_cluster_zones(spec, extra.availability_zone)
            if problem:
                yield ("requirements", "extra_enis", i, "availability_zone"), problem
    if r.multus is not None:
        from ..multus import parse_multus_version

        try:
            parse_multus_version(r.multus.version)
        except ValueError as exc:
            yield ("requirements", "multus", "version"), str(exc)
        names = {g.name for g in spec.node_groups}
        for i, name in enumerate(r.multus.node_groups or ()):
            if name not in names:
                yield ("requirements", "multus", "node_groups", i), f"{shown(name)} is not a node group of this cluster"
    pod_cidr = spec.planning.pod_cidr
    if pod_cidr is not None and not any(pod_cidr.subnet_of(c) for c in spec.vpc.cidrs):
        vpc = ", ".join(str(c) for c in spec.vpc.cidrs)
        yield ("planning", "pod_cidr"), f"'{pod_cidr}' is not inside the VPC CIDRs ({vpc}); add it as a secondary VPC CIDR"


def _vpc_ipv6(spec: ClusterSpec) -> Iterator[Problem]:
    """A VPC's IPv6 block is a /56 from Amazon, or /44 to /60 in steps of /4 from IPAM (Amazon VPC User Guide)."""
    block = spec.vpc.ipv6_cidr
    if block is not None and not (44 <= block.prefixlen <= 60 and block.prefixlen % 4 == 0):
        yield ("vpc", "ipv6_cidr"), (f"'{block}' is a /{block.prefixlen}; a VPC's IPv6 CIDR is a /56 (Amazon-provided) "
                                     "or a /44 to /60 in steps of /4 (from an IPAM pool)")


def _growth(spec: ClusterSpec) -> Iterator[Problem]:
    """Growth that the later stages can compute: node counts stay finite as far as runway looks ahead."""
    from ..rollup import growth_nodes
    from ..runway import MAX_MONTHS

    growth = spec.requirements.growth
    if growth is None or not spec.node_groups:
        return
    try:
        growth_nodes(spec, MAX_MONTHS)
    except OverflowError:
        field = "nodes_per_month" if growth.nodes_per_month is not None else "percent_per_month"
        most = _most_growth(spec, field, MAX_MONTHS)
        hint = f"; at most {_rounded_down(most)} for these node groups" if most is not None else ""
        yield ("requirements", "growth", field), (
            f"{getattr(growth, field):g} cannot be computed: over {MAX_MONTHS:,} months (as far as runway looks "
            f"ahead) the node count grows beyond the range of a floating-point number{hint}")


def _rounded_down(value: int) -> str:
    """``value`` for a message: in full up to a million, else three digits rounded down (``4.99e+304``)."""
    if value < 10**6:
        return f"{value:,}"
    exponent = len(str(value)) - 1
    return f"{value // 10 ** (exponent - 2) / 100:.2f}e+{exponent}"


def _most_growth(spec: ClusterSpec, field: str, months: int) -> int | None:
    """The largest whole growth rate ``field`` can take in ``spec`` and still be computed."""
    from ..rollup import growth_nodes

    largest = max(g.max_size for g in spec.node_groups) or 1
    if field == "nodes_per_month":
        bound = sys.float_info.max / (months * largest)
    else:
        bound = 100 * ((sys.float_info.max / largest) ** (1 / months) - 1)
    for candidate in (math.floor(bound), math.floor(bound * 0.99)):
        try:
            growth_nodes(spec.model_copy(update={"requirements": spec.requirements.model_copy(update={
                "growth": spec.requirements.growth.model_copy(update={field: float(candidate)})})}), months)
            return candidate
        except OverflowError:
            continue
    return None


def _layout(spec: ClusterSpec) -> Iterator[Problem]:
    """Existing subnets must serve the cluster: nodes somewhere, pod subnets with custom networking."""
    if spec.planned or not spec.node_groups:
        return
    for i, group in enumerate(spec.node_groups):
        for az in group.availability_zones or spec.availability_zones:
            if not spec.subnets_with("nodes", az) and not group.subnets:
                yield ("node_groups", i, "availability_zones"), f"no subnet with role 'nodes' in {az}"
            if spec.cni.custom_networking and not spec.ipv6 and not spec.subnets_with("pods", az):
                yield ("subnets",), f"custom networking needs a subnet with role 'pods' in {az} (for its ENIConfig)"
            multus = spec.requirements.multus
            if multus and multus.pods_per_node and multus.attaches(group.name) and not spec.subnets_with("multus", az):
                yield ("subnets",), (f"Multus pods of node group {group.name} need a subnet with role 'multus' in {az} "
                                     f"(for the nodes' {multus.interface} ENIs)")


#: Each check and the top-level fields it reads: when some fields of a spec are invalid, the
#: checks that need only valid fields still run, so that one pass reports every error.
CHECKS = (
    (_zones, {"region", "availability_zones"}),
    (_vpc, {"vpc"}),
    (_vpc_ipv6, {"vpc"}),
    (_subnets, {"region", "availability_zones", "vpc", "subnets"}),
    (_node_groups, {"availability_zones", "subnets", "node_groups", "vpc_cni"}),
    (_launchers, {"auto_mode", "node_groups", "vpc_cni"}),
    (_fargate, {"availability_zones", "fargate_profiles"}),
    (_cni, {"vpc_cni", "requirements"}),
    (_requirements, {"availability_zones", "subnets", "requirements", "planning", "vpc"}),
    (_growth, {"node_groups", "requirements"}),
    (_layout, {"availability_zones", "subnets", "plan_subnets", "node_groups", "vpc_cni", "requirements"}),
)


def check_cluster(spec: ClusterSpec, valid_fields: set[str] | None = None,
                  catalog: Catalog | None = None) -> list[Problem]:
    """Every cross-field problem of one cluster (empty when the spec is consistent).

    ``valid_fields`` limits the checks to those that read only these top-level fields (for a
    spec built from the valid part of a document); None runs them all.
    """
    problems: list[Problem] = []
    catalog = catalog or load_catalog()
    for check, needs in CHECKS:
        if valid_fields is not None and not needs <= valid_fields:
            continue
        found = check(spec, catalog) if check is _launchers else check(spec)
        for problem in found:
            if problem not in problems:
                problems.append(problem)
    return problems
