"""Roll a cluster's nodes, pods and other interfaces up into addresses per subnet.

For each node group, one node is simulated with :func:`eksplan.ipamd.simulate_node` (ENI by
ENI, so the node and pod subnets of custom networking are told apart) and multiplied by its
node count in each AZ, at the group's minimum, desired and maximum size. Added to that: Fargate
pods (one address each; in IPv6 clusters an IPv4 address each too), the EKS control plane's
cross-account ENIs in the cluster subnets, the extra ENIs the spec declares (load balancers,
NAT gateways, endpoints) and the 5 addresses AWS reserves in every subnet.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .catalog import Catalog, load_catalog
from .cni import CniConfig
from .ipamd import NodeIpUsage, simulate_node
from .capacity import NodeCapacity, node_capacity
from .cniversion import SUBNET_DISCOVERY_EXCLUSION
from .launchers import LAUNCHER_NAMES, LauncherMaxPods, group_max_pods
from .maxpods import HOST_NETWORK_PODS
from .spec.model import ClusterSpec, NodeGroupSpec, SubnetSpec

__all__ = [
    "SCALES", "AWS_RESERVED", "CONTROL_PLANE_ENIS", "CONTROL_PLANE_UPGRADE_ENIS",
    "Slot", "GroupFootprint", "SubnetLoad", "ClusterUsage",
    "footprints", "spread", "rollup", "slots_from_spec",
]

SCALES = ("min", "desired", "max")
AWS_RESERVED = 5
#: The tag subnet discovery reads (aws/amazon-vpc-cni-k8s pkg/awsutils/awsutils.go L80).
CNI_ROLE_TAG = "kubernetes.io/role/cni"
#: Cluster-scoped subnet tags of subnet discovery (VPC CNI >= 1.22.1, ``clusterTagKeyPrefix``).
CLUSTER_TAG_PREFIX = "cni.networking.k8s.aws/cluster/"
CONTROL_PLANE_ENIS = 4
CONTROL_PLANE_UPGRADE_ENIS = 4
#: Windows pods are served by the VPC resource controller from the primary ENI only, with its
#: default warm settings (warm-ip-target 1, minimum-ip-target 3).
WINDOWS_SETTINGS = CniConfig(warm_ip_target=1, minimum_ip_target=3, max_eni=1, source="VPC resource controller (Windows)")


@dataclass(frozen=True)
class Slot:
    """A subnet, existing or yet to be planned, as the roll-up sees it."""

    label: str
    availability_zone: str
    roles: tuple[str, ...]
    size: int | None = None
    cidr: str | None = None
    id: str | None = None
    available_ips: int | None = None
    tags: tuple[tuple[str, str], ...] = ()

    def tag(self, key: str) -> str | None:
        return dict(self.tags).get(key)


def slots_from_spec(spec: ClusterSpec) -> tuple[Slot, ...]:
    return tuple(_slot(s) for s in spec.subnets)


def _slot(s: SubnetSpec) -> Slot:
    return Slot(s.label, s.availability_zone, tuple(s.roles), s.size, str(s.cidr), s.id, s.available_ips,
                tuple(sorted(s.tags.items())))


@dataclass(frozen=True)
class GroupFootprint:
    """One node group: the node it is sized on, its three max-pods figures, and its node counts.

    The three figures, for the instance type the group is sized on: ``max_pods``, what its
    launcher gives the kubelet (:mod:`eksplan.launchers`); ``addressable``, the pods ipamd and the
    resource controller can give an address (:mod:`eksplan.capacity`; None in IPv6); and
    ``pods_needed``, the pods each node is to run, the two host-network pods included.
    """

    name: str
    instance_type: str
    os: str
    max_pods: int
    node: NodeIpUsage
    nodes: dict  # scale -> {az: count}
    derivation: tuple[str, ...]
    launcher: str = "managed"
    kubelet: LauncherMaxPods | None = None
    capacity: NodeCapacity | None = None
    members: tuple[NodeIpUsage, ...] = ()
    kubelet_vcpus: int = 0

    def total(self, scale: str) -> int:
        return sum(self.nodes[scale].values())

    @property
    def addressable(self) -> int | None:
        return None if self.capacity is None else self.capacity.addressable

    @property
    def pods_needed(self) -> int:
        return self.node.pods_requested + HOST_NETWORK_PODS


#: Unused warm-pool addresses above this share of the nodes' pool addresses are waste worth tuning.
WARM_WASTE_SHARE = 0.4
WARM_WASTE_MIN = 32


def warm_pool(groups, scale: str = "desired") -> tuple[int, int]:
    """Pool addresses the nodes hold at ``scale``, and how many of them no pod uses."""
    held = warm = 0
    for footprint in groups:
        nodes = footprint.total(scale)
        held += nodes * footprint.node.ips
        warm += nodes * footprint.node.unused_ips
    return held, warm


def wasteful(held: int, warm: int) -> bool:
    return bool(held) and warm / held > WARM_WASTE_SHARE and warm >= WARM_WASTE_MIN


def spread(count: int, zones: tuple[str, ...] | list[str]) -> dict[str, int]:
    """Spread ``count`` nodes over ``zones`` as evenly as possible (the first zones get the rest)."""
    base, rest = divmod(count, len(zones))
    return {az: base + (1 if i < rest else 0) for i, az in enumerate(zones)}


def _group_zones(spec: ClusterSpec, group: NodeGroupSpec) -> tuple[str, ...]:
    if group.availability_zones:
        return tuple(group.availability_zones)
    if group.subnets:
        by_id = {s.id: s.availability_zone for s in spec.subnets}
        return tuple(dict.fromkeys(by_id[i] for i in group.subnets if i in by_id)) or tuple(spec.availability_zones)
    return tuple(spec.availability_zones)


def group_cni(spec: ClusterSpec, group: NodeGroupSpec) -> CniConfig:
    """The VPC CNI a group's nodes run: the cluster's aws-node, or Auto Mode's own."""
    if spec.launcher(group) == "auto-mode":
        return CniConfig(ipv6=spec.ipv6, auto_mode=True, source="EKS Auto Mode")
    return spec.cni


def primary_excluded(spec: ClusterSpec, group: NodeGroupSpec, cni: CniConfig) -> tuple[bool, str | None]:
    """Whether the group's nodes give their primary ENI no pod address, and why.

    Custom networking always; Auto Mode when the AZs have pod subnets (its NodeClass's
    ``podSubnetSelectorTerms``); subnet discovery (VPC CNI >= 1.22.1) when a node subnet is tagged
    ``kubernetes.io/role/cni=0`` (``IsSubnetExcluded``, pkg/awsutils/awsutils.go L2578-2608).
    """
    if cni.custom_networking_in_force:
        return True, "custom networking"
    zones = _group_zones(spec, group)
    if cni.auto_mode:
        if not cni.ipv6 and all(spec.subnets_with("pods", az) for az in zones):
            return True, "Auto Mode places pods in the pod subnets (podSubnetSelectorTerms)"
        return False, None
    if cni.ipv6 or not cni.effective_subnet_discovery:
        return False, None
    if cni.version is not None and cni.version < SUBNET_DISCOVERY_EXCLUSION:
        return False, None
    node_subnets = [s for s in spec.subnets if (s.id in group.subnets if group.subnets else
                                                "nodes" in s.roles and s.availability_zone in zones)]
    tagged = [s for s in node_subnets if s.tags.get(CNI_ROLE_TAG) == "0"]
    if tagged:
        return True, (f"subnet discovery excludes node subnet {tagged[0].label} "
                      f"({CNI_ROLE_TAG}=0) from pod addresses")
    return False, None


def _group_node(spec: ClusterSpec, group: NodeGroupSpec, catalog: Catalog):
    steps: list[str] = []
    if group.os == "windows":
        usages = []
        for name in group.instance_types:
            it = catalog.get(name)
            limit = group.max_pods or it.ipv4_per_eni - 1
            usages.append(simulate_node(it, group.pods_per_node, WINDOWS_SETTINGS,
                                        max_pods=limit + HOST_NETWORK_PODS, catalog=catalog))
        steps.append("Windows nodes: the VPC resource controller assigns secondary IPs of the primary ENI only")
        chosen = max(usages, key=lambda u: (u.subnet_ips, u.instance_type))
        return chosen, chosen.max_pods - HOST_NETWORK_PODS, steps, None, None, tuple(usages)
    launcher = spec.launcher(group)
    cni = group_cni(spec, group)
    excluded, why = primary_excluded(spec, group, cni)
    kubelet = group_max_pods(group.instance_types, launcher, cni, override=group.max_pods,
                             reserved_enis=spec.karpenter.reserved_enis, custom_ami=group.custom_ami, catalog=catalog)
    usages = [
        simulate_node(catalog.get(name), group.pods_per_node, cni, max_pods=kubelet[name].value,
                      security_group_pods=group.security_group_pods_per_node, primary_excluded=excluded,
                      catalog=catalog)
        for name in group.instance_types
    ]
    chosen = max(usages, key=lambda u: (u.subnet_ips, u.instance_type))
    if why and why != "custom networking":
        steps.append(f"the primary ENI carries no pod addresses: {why}")
    if len(usages) > 1:
        steps.append(
            f"sized on {chosen.instance_type}, the type that takes the most subnet addresses "
            f"({chosen.subnet_ips} per node)"
        )
    member = kubelet[chosen.instance_type]
    steps.append(f"kubelet max pods {member.value}, set by {LAUNCHER_NAMES[launcher]}")
    capacity = node_capacity(catalog.get(chosen.instance_type), cni, primary_excluded=excluded)
    return chosen, member.value, steps, member, capacity, tuple(usages)


def footprints(spec: ClusterSpec, catalog: Catalog | None = None, extra_nodes: dict | None = None,
               base: str = "max") -> tuple[GroupFootprint, ...]:
    """Every node group's simulated node and node counts per AZ at min, desired and max size.

    ``extra_nodes`` (group name -> count) adds a ``"plan"`` scale: the ``base`` scale plus those
    nodes (max size plus growth for the planner, desired size plus growth for runway).
    """
    catalog = catalog or load_catalog()
    out = []
    for group in spec.node_groups:
        node, limit, steps, kubelet, capacity, members = _group_node(spec, group, catalog)
        zones = _group_zones(spec, group)
        counts = {"min": group.min_size, "desired": group.desired, "max": group.max_size}
        if extra_nodes is not None:
            counts["plan"] = counts[base] + extra_nodes.get(group.name, 0)
        nodes = {scale: spread(n, zones) for scale, n in counts.items()}
        steps.insert(0, f"node group {group.name}: {group.pods_per_node} pods per node on {', '.join(group.instance_types)}")
        steps.append(f"per node: {node.subnet_ips} subnet addresses ({node.node_subnet_ips} node subnet, {node.pod_subnet_ips} pod subnet)")
        out.append(GroupFootprint(group.name, node.instance_type, group.os, limit, node, nodes, tuple(steps),
                                  spec.launcher(group), kubelet, capacity, members,
                                  catalog.get(node.instance_type).vcpus))
    return tuple(out)


@dataclass
class SubnetLoad:
    """Addresses one subnet gives up at one scale, by what takes them."""

    label: str
    availability_zone: str
    roles: tuple[str, ...]
    size: int | None
    cidr: str | None
    scale: str
    nodes: int = 0
    pods: int = 0
    pod_ips_in_use: int = 0
    warm_ips: int = 0
    eni_primary_ips: int = 0
    security_group_ips: int = 0
    fargate_ips: int = 0
    control_plane_ips: int = 0
    extra_eni_ips: int = 0
    multus_ips: int = 0
    prefixes: int = 0
    aws_reserved: int = AWS_RESERVED
    available_ips: int | None = None
    contributions: list = field(default_factory=list)

    @property
    def used(self) -> int:
        """Addresses held by something that works (everything but the warm pool)."""
        return (self.pod_ips_in_use + self.eni_primary_ips + self.security_group_ips + self.fargate_ips
                + self.control_plane_ips + self.extra_eni_ips + self.multus_ips + self.aws_reserved)

    @property
    def consumed(self) -> int:
        return self.used + self.warm_ips

    @property
    def demand(self) -> int:
        """Addresses needed, AWS's reserved five included."""
        return self.consumed

    @property
    def free(self) -> int | None:
        return None if self.size is None else self.size - self.consumed

    @property
    def utilisation(self) -> float | None:
        return None if not self.size else self.consumed / self.size

    def to_dict(self) -> dict:
        record = asdict(self)
        record.update(used=self.used, consumed=self.consumed, free=self.free, utilisation=self.utilisation)
        return record


@dataclass(frozen=True)
class ClusterUsage:
    """Per scale, the load of every subnet, and what found no subnet."""

    cluster: str
    loads: dict  # scale -> tuple[SubnetLoad, ...]
    groups: tuple[GroupFootprint, ...]
    unplaced: tuple[str, ...]

    def at(self, scale: str) -> tuple[SubnetLoad, ...]:
        return self.loads[scale]

    def subnet(self, label: str, scale: str) -> SubnetLoad:
        return next(load for load in self.loads[scale] if load.label == label)


def _add_node(load: SubnetLoad, node: NodeIpUsage, subnet: str, count: int, group: str, custom_networking: bool) -> None:
    if count == 0:
        return
    enis = [e for e in node.per_eni if e.subnet == subnet]
    load.eni_primary_ips += count * len(enis)
    load.pod_ips_in_use += count * sum(e.assigned for e in enis)
    load.warm_ips += count * sum(e.addresses - e.assigned for e in enis)
    if node.prefixes:
        load.prefixes += count * sum(e.slots for e in enis)
    sgp_subnet = "pod" if custom_networking else "node"
    if subnet == sgp_subnet:
        load.security_group_ips += count * (node.trunk_eni + node.branch_enis)
    if subnet == "node":
        load.nodes += count
        load.pods += count * (node.pods + node.security_group_pods)
    taken = count * (len(enis) + sum(e.addresses for e in enis)) + (count * (node.trunk_eni + node.branch_enis) if subnet == sgp_subnet else 0)
    load.contributions.append(f"{group}: {count} nodes x {taken // count} = {taken}")


def rollup(spec: ClusterSpec, slots: tuple[Slot, ...], groups: tuple[GroupFootprint, ...],
           scales: tuple[str, ...] = SCALES) -> ClusterUsage:
    """Addresses per subnet at each scale, from the node groups' footprints and the rest."""
    unplaced: list[str] = []
    loads = {}
    for scale in scales:
        by_label = {s.label: SubnetLoad(s.label, s.availability_zone, s.roles, s.size, s.cidr, scale,
                                        available_ips=s.available_ips) for s in slots}
        _place_groups(spec, slots, groups, scale, by_label, unplaced)
        _place_multus(spec, slots, groups, scale, by_label, unplaced)
        _place_fargate(spec, slots, by_label, unplaced)
        _place_control_plane(slots, by_label, unplaced)
        _place_extra(spec, slots, by_label, unplaced)
        loads[scale] = tuple(by_label.values())
    return ClusterUsage(spec.name, loads, groups, tuple(dict.fromkeys(unplaced)))


def _first(slots, role: str, az: str, ids=None) -> list[Slot]:
    return [s for s in slots if s.availability_zone == az and (role in s.roles if ids is None else s.id in ids)]


def discovery_candidates(spec: ClusterSpec, slots, az: str, node_slot: Slot) -> list[Slot]:
    """The subnets subnet discovery may put a node's secondary ENIs in, as ipamd chooses them.

    Same AZ; a subnet tagged ``kubernetes.io/role/cni`` with any value but ``"0"`` (from VPC CNI
    1.22.1; before, any value), and the node's own subnet unless it is tagged ``"0"``; with
    ``CLUSTER_NAME`` set on aws-node, a subnet carrying ``cni.networking.k8s.aws/cluster/*`` tags
    only if one names this cluster (``isSubnetValidForENICreation``, pkg/awsutils/awsutils.go
    L1260-1308 @ b52188387f2e). Empty when no other subnet qualifies (all stay in the node's).
    """
    cni = spec.cni
    if not cni.effective_subnet_discovery or cni.custom_networking_in_force or cni.ipv6:
        return []
    current = cni.version is None or cni.version >= SUBNET_DISCOVERY_EXCLUSION
    cluster = cni.get("CLUSTER_NAME")

    def valid(slot: Slot) -> bool:
        value = slot.tag(CNI_ROLE_TAG)
        if value is None:
            return slot.label == node_slot.label
        if current and value == "0":
            return False
        if current and cluster:
            scoped = [k for k, _ in slot.tags if k.startswith(CLUSTER_TAG_PREFIX)]
            return not scoped or f"{CLUSTER_TAG_PREFIX}{cluster}" in scoped
        return True

    found = [s for s in slots if s.availability_zone == az and valid(s)]
    return found if any(s.label != node_slot.label for s in found) else []


def _free(load: SubnetLoad) -> int:
    return (load.size or 0) - load.consumed


def _place_discovered(by_label, node: NodeIpUsage, count: int, candidates: list[Slot], group: str) -> None:
    """Each node's secondary ENIs, one at a time, in the candidate with the most free addresses (ipamd's order)."""
    placed: dict[str, list[int]] = {}
    secondary = [e for e in node.per_eni if e.index > 0]
    for _ in range(count):
        for eni in secondary:
            target = max(candidates, key=lambda s: (_free(by_label[s.label]), -candidates.index(s)))
            load = by_label[target.label]
            load.eni_primary_ips += 1
            load.pod_ips_in_use += eni.assigned
            load.warm_ips += eni.addresses - eni.assigned
            load.prefixes += eni.slots if node.prefixes else 0
            placed.setdefault(target.label, [0, 0])
            placed[target.label][0] += 1
            placed[target.label][1] += 1 + eni.addresses
    for label, (enis, taken) in placed.items():
        by_label[label].contributions.append(f"{group}: {enis} secondary ENIs by subnet discovery = {taken}")


def _place_groups(spec, slots, groups, scale, by_label, unplaced) -> None:
    custom = spec.cni.custom_networking_in_force
    for footprint in groups:
        group = next(g for g in spec.node_groups if g.name == footprint.name)
        cni = group_cni(spec, group)
        excluded, _ = primary_excluded(spec, group, cni) if group.os != "windows" else (False, None)
        for az, count in footprint.nodes[scale].items():
            node_slots = _first(slots, "nodes", az, set(group.subnets) if group.subnets else None)
            if not node_slots:
                if count:
                    unplaced.append(f"node group {group.name}: no node subnet in {az}")
                continue
            for slot, share in spread(count, [s.label for s in node_slots]).items():
                candidates = [] if cni.auto_mode or group.os == "windows" else \
                    discovery_candidates(spec, slots, az, by_label_slot(slots, slot))
                if candidates and not excluded:
                    node_only = _without_secondary(footprint.node)
                    _add_node(by_label[slot], node_only, "node", share, group.name, custom)
                    _place_discovered(by_label, footprint.node, share, candidates, group.name)
                else:
                    _add_node(by_label[slot], footprint.node, "node", share, group.name, custom)
                if excluded and candidates and footprint.node.pod_subnet_ips:
                    _place_discovered(by_label, footprint.node, share, candidates, group.name)
            if excluded and footprint.node.pod_subnet_ips and (custom or cni.auto_mode):
                pod_slots = _first(slots, "pods", az)
                if pod_slots:
                    _add_node(by_label[pod_slots[0].label], footprint.node, "pod", count, group.name, custom)
                elif count:
                    unplaced.append(f"node group {group.name}: no pod subnet in {az} (custom networking)")
            elif excluded and count and not any(
                    discovery_candidates(spec, slots, az, s) for s in node_slots):
                unplaced.append(f"node group {group.name}: no subnet tagged {CNI_ROLE_TAG} for its pods in {az}")


def by_label_slot(slots, label: str) -> Slot:
    return next(s for s in slots if s.label == label)


def _without_secondary(node: NodeIpUsage) -> NodeIpUsage:
    """The node with only its primary ENI (the rest are placed by subnet discovery)."""
    from dataclasses import replace

    return replace(node, per_eni=tuple(e for e in node.per_eni if e.index == 0))


def _place_multus(spec, slots, groups, scale, by_label, unplaced) -> None:
    """Each node of a Multus group: one more ENI in its AZ's multus subnet, and an address per Multus pod."""
    multus = spec.requirements.multus
    if multus is None or not multus.pods_per_node:
        return
    for footprint in groups:
        if not multus.attaches(footprint.name):
            continue
        per_node = 1 + multus.pods_per_node
        for az, count in footprint.nodes[scale].items():
            targets = _first(slots, "multus", az)
            if not targets:
                if count:
                    unplaced.append(f"node group {footprint.name}: no multus subnet in {az}")
                continue
            load = by_label[targets[0].label]
            load.multus_ips += count * per_node
            load.contributions.append(f"{footprint.name}: {count} nodes x ({multus.interface} ENI + "
                                      f"{multus.pods_per_node} Multus pods) = {count * per_node}")


def _place_fargate(spec, slots, by_label, unplaced) -> None:
    for profile in spec.fargate_profiles:
        zones = tuple(profile.availability_zones or spec.availability_zones)
        for az, pods in spread(profile.pods, zones).items():
            targets = _first(slots, "nodes", az)
            if not targets:
                if pods:
                    unplaced.append(f"Fargate profile {profile.name}: no private subnet in {az}")
                continue
            load = by_label[targets[0].label]
            load.fargate_ips += pods
            load.contributions.append(f"Fargate {profile.name}: {pods} pods x 1")


def _place_control_plane(slots, by_label, unplaced) -> None:
    targets = [s for s in slots if "cluster" in s.roles]
    if not targets:
        targets = [next(s for s in slots if s.availability_zone == az and "nodes" in s.roles)
                   for az in dict.fromkeys(s.availability_zone for s in slots if "nodes" in s.roles)]
    if not targets:
        unplaced.append("EKS control plane ENIs: no cluster or node subnet")
        return
    targets = sorted(targets, key=lambda s: (s.availability_zone, s.label))
    for i in range(CONTROL_PLANE_ENIS):
        load = by_label[targets[i % len(targets)].label]
        load.control_plane_ips += 1
    for s in targets:
        n = by_label[s.label].control_plane_ips
        by_label[s.label].contributions.append(f"EKS control plane: {n} cross-account ENIs")


def _place_extra(spec, slots, by_label, unplaced) -> None:
    for extra in spec.requirements.extra_enis:
        what = extra.description or "extra ENIs"
        if extra.subnet is not None:
            targets = [s for s in slots if s.id == extra.subnet]
        else:
            zones = [extra.availability_zone] if extra.availability_zone else spec.availability_zones
            targets = []
            for az in zones:
                found = _first(slots, extra.role, az)
                if found:
                    targets.append(found[0])
                else:
                    unplaced.append(f"{what}: no {extra.role} subnet in {az}")
        for slot in targets:
            by_label[slot.label].extra_eni_ips += extra.count
            by_label[slot.label].contributions.append(f"{what}: {extra.count}")


def growth_nodes(spec: ClusterSpec, months: float) -> dict[str, int]:
    """Nodes each group adds in ``months`` of the spec's growth, shared by max size."""
    growth = spec.requirements.growth
    if growth is None or months <= 0 or not spec.node_groups:
        return {g.name: 0 for g in spec.node_groups}
    total_max = sum(g.max_size for g in spec.node_groups) or 1
    out = {}
    for g in spec.node_groups:
        if growth.nodes_per_month is not None:
            out[g.name] = math.ceil(growth.nodes_per_month * months * g.max_size / total_max)
        else:
            out[g.name] = math.ceil(g.max_size * ((1 + growth.percent_per_month / 100) ** months - 1))
    return out
