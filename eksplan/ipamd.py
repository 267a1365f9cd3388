"""Simulate ipamd's warm pool on one node: ENIs, addresses and prefixes it really holds.

The model follows ``pkg/ipamd/ipamd.go`` of aws/amazon-vpc-cni-k8s:

* the pool is "too low" when ``WARM_IP_TARGET``/``MINIMUM_IP_TARGET`` are defined and it is
  short of them (``short = max(WARM_IP_TARGET - available, MINIMUM_IP_TARGET - total)``), or else
  when ``available < WARM_ENI_TARGET x IPs per ENI`` (secondary IP) or
  ``available < WARM_PREFIX_TARGET x 16`` (prefix delegation); ``WARM_ENI_TARGET`` is ignored
  when IP targets are defined and in prefix mode;
* it is never too low once the allocated addresses reach the kubelet's max pods;
* in prefix mode a shortfall of IPs is met in whole /28 prefixes (rounded up); without IP targets
  the number of prefixes to add is ``max(1, WARM_PREFIX_TARGET - free prefixes)``;
* the pool first fills an ENI that has room (never the primary ENI with custom networking), and
  attaches a new ENI only when none has room and ``MAX_ENI`` (minus the trunk ENI of security
  groups for pods) allows;
* a new ENI comes with a full ENI of IPs, or just the shortfall when IP targets are defined.

Pods are added one at a time to an empty node and ipamd reconciles after each, which is how the
VPC CNI documents its tables (``docs/eni-and-ip-target.md``, ``docs/prefix-and-ip-target.md``).
In prefix mode pods fill prefixes in order, as those tables assume. A pod that finds no free
address after ipamd's reconcile stays pending -- what happens with ``MINIMUM_IP_TARGET`` and no
``WARM_IP_TARGET`` once the minimum is used up (amazon-vpc-cni-k8s#3685).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache

from .catalog import Catalog, InstanceType, load_catalog
from .capacity import NodeCapacity, node_capacity
from .cni import CniConfig
from .errors import EksplanError
from .maxpods import HOST_NETWORK_PODS, IPS_PER_PREFIX

__all__ = ["NodeIpUsage", "EniUsage", "simulate_node", "SimulationError"]


class SimulationError(EksplanError):
    """Simulation inputs that ipamd would reject or that make no sense."""


@dataclass(frozen=True)
class EniUsage:
    """One ENI ipamd manages: which subnet it lives in and what it holds."""

    index: int
    subnet: str  # "node" or "pod"
    slots: int  # secondary IPs, or /28 prefixes
    addresses: int  # pod addresses it holds (slots, or 16 x prefixes)
    assigned: int  # addresses held by running pods


@dataclass(frozen=True)
class NodeIpUsage:
    """What one node holds, and takes from its subnets, at a steady pod count."""

    instance_type: str
    settings: str
    pods_requested: int
    pods: int
    pods_pending: int
    pending_reason: str | None
    security_group_pods: int
    max_pods: int
    enis: int
    prefixes: int
    ips: int
    unused_ips: int
    trunk_eni: int
    branch_enis: int
    node_subnet_ips: int
    pod_subnet_ips: int
    subnet_ips: int
    ipv6_prefixes: int
    per_eni: tuple[EniUsage, ...]
    derivation: tuple[str, ...]
    events: tuple[str, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict:
        record = asdict(self)
        record["per_eni"] = [asdict(e) for e in self.per_eni]
        record["derivation"] = list(self.derivation)
        record["events"] = list(self.events)
        return record

    def explain(self) -> str:
        return "\n".join(self.derivation)


class _Pool:
    """ipamd's datastore for one node (mutable, private to one simulation)."""

    def __init__(self, it: InstanceType, s: CniConfig, max_pods: int, capacity: NodeCapacity):
        self.s = s
        self.max_pods = max_pods
        self.prefixes = capacity.prefixes
        self.custom_networking = capacity.primary_excluded
        self.unit = IPS_PER_PREFIX if self.prefixes else 1
        self.slots_per_eni = it.ipv4_per_eni - 1
        # hasRoomForEni: ENIs < MAX_ENI - trunk slot (an excluded primary ENI counts on both sides).
        self.max_enis = capacity.enis - (1 if capacity.trunk_slot else 0)
        # Each ENI: [slots, assigned addresses]. ENI 0 is the primary, attached at boot.
        self.enis: list[list[int]] = [[0, 0]]
        self.events: list[str] = []

    # -- counts ------------------------------------------------------------------------------
    def total(self) -> int:
        return sum(slots for slots, _ in self.enis) * self.unit

    def assigned(self) -> int:
        return sum(used for _, used in self.enis)

    def available(self) -> int:
        return self.total() - self.assigned()

    def free_prefixes(self) -> int:
        """Prefixes with no pod on them (pods fill prefixes in order)."""
        free = 0
        for slots, used in self.enis:
            free += slots - -(-used // IPS_PER_PREFIX)
        return free

    def usable(self, index: int) -> bool:
        return not (index == 0 and self.custom_networking)

    # -- ipamd's decisions -------------------------------------------------------------------
    def short(self) -> int:
        """datastoreTargetState's shortfall, in IPs (secondary) or prefixes (prefix mode)."""
        wit, mit = self.s.warm_ip_target or 0, self.s.minimum_ip_target or 0
        short = max(wit - self.available(), 0)
        short = max(short, mit - self.total())
        if self.prefixes:
            return -(-short // IPS_PER_PREFIX)
        return short

    def too_low(self) -> bool:
        if self.total() >= self.max_pods:
            return False
        if self.s.ip_targets_defined:
            return self.short() > 0
        if self.prefixes:
            target, per = self.s.effective_warm_prefix_target, IPS_PER_PREFIX
        else:
            target, per = self.s.effective_warm_eni_target, self.slots_per_eni
        available = self.available()
        return available < per * target or (target == 0 and available == 0)

    def wanted(self) -> int:
        """Slots ipamd asks for in one call (before capping at the ENI's room)."""
        if self.prefixes:
            if self.s.ip_targets_defined:
                return max(1, self.short())
            return max(1, self.s.effective_warm_prefix_target - self.free_prefixes())
        if self.s.ip_targets_defined:
            return self.short()
        return self.slots_per_eni

    def grow_existing(self) -> bool:
        for index, eni in enumerate(self.enis):
            if self.usable(index) and eni[0] < self.slots_per_eni:
                count = min(self.slots_per_eni - eni[0], self.wanted())
                if count <= 0:
                    return False
                eni[0] += count
                self.events.append(f"add {count} {self._unit_name(count)} to ENI {index}")
                return True
        return False

    def attach_eni(self) -> bool:
        if len(self.enis) >= self.max_enis:
            return False
        count = min(self.wanted(), self.slots_per_eni)
        if count <= 0:
            return False
        self.enis.append([count, 0])
        self.events.append(f"attach ENI {len(self.enis) - 1} with {count} {self._unit_name(count)}")
        return True

    def reconcile(self) -> None:
        for _ in range(4 * self.slots_per_eni * (self.max_enis + 1) + 8):
            if not self.too_low():
                return
            if not (self.grow_existing() or self.attach_eni()):
                return

    def assign_pod(self) -> bool:
        for index, eni in enumerate(self.enis):
            if self.usable(index) and eni[1] < eni[0] * self.unit:
                eni[1] += 1
                return True
        return False

    def _unit_name(self, count: int) -> str:
        if self.prefixes:
            return "prefix" if count == 1 else "prefixes"
        return "secondary IP" if count == 1 else "secondary IPs"


def _pending_reason(pool: _Pool, it: InstanceType, max_pods: int, capacity: NodeCapacity) -> str:
    if capacity.ip_enis < 1:
        return "no ENI is left for pod addresses"
    if pool.total() >= max_pods:
        return f"the pool stops at max pods ({max_pods}) and holds {pool.total()} addresses"
    if pool.s.ip_targets_defined and (pool.s.warm_ip_target or 0) == 0:
        return (
            f"MINIMUM_IP_TARGET={pool.s.minimum_ip_target} without WARM_IP_TARGET keeps no warm address: "
            f"the pool stops at {pool.total()} addresses"
        )
    if len(pool.enis) >= pool.max_enis:
        return f"all {capacity.ip_enis} usable ENIs are full ({capacity.pod_ips} pod addresses)"
    return "no free address"


def _enis(count: int) -> str:
    return f"{count} ENI" if count == 1 else f"{count} ENIs"


def _security_group_pods(it: InstanceType, s: CniConfig, sg_pods: int, max_pods: int, capacity: NodeCapacity,
                         steps: list[str]) -> tuple[int, int, int, str | None]:
    """Pods with security groups that run (each on a branch ENI), those that cannot, the trunk, why."""
    if not sg_pods:
        return 0, 0, (1 if capacity.branch_enis else 0), None
    if not capacity.branch_enis:
        why = ("EKS Auto Mode does not support security groups for pods" if s.auto_mode
               else f"{it.name} cannot attach a trunk ENI")
        steps.append(f"{why}: pods with security groups cannot run on it")
        return 0, sg_pods, 0, f"{why}, so its {sg_pods} pods with security groups cannot run"
    running = min(sg_pods, capacity.branch_enis, max(max_pods - HOST_NETWORK_PODS, 0))
    reason = None
    if running < sg_pods:
        if running == capacity.branch_enis:
            reason = (f"{it.name} takes {capacity.branch_enis} branch ENIs, so {sg_pods - running} of its {sg_pods} "
                      "pods with security groups cannot run")
        else:
            reason = f"max pods {max_pods} leaves room for {running} pods with security groups"
        steps.append(reason)
    return running, sg_pods - running, 1, reason


@lru_cache(maxsize=4096)
def _simulate(it: InstanceType, pods: int, s: CniConfig, max_pods: int, sg_pods: int,
              primary_excluded: bool = False) -> NodeIpUsage:
    steps = [f"{it.name}: {it.enis} ENIs x {it.ipv4_per_eni} IPv4 addresses; {s.describe()}; max pods {max_pods}"]
    capacity = node_capacity(it, s, primary_excluded=primary_excluded)
    requested = pods + sg_pods
    sg_pods, sg_pending, trunk, sg_reason = _security_group_pods(it, s, sg_pods, max_pods, capacity, steps)
    if s.ipv6:
        # One /80 prefix on the primary ENI; the node's own IPv4 address comes from the node subnet.
        placed = min(pods, max(max_pods - HOST_NETWORK_PODS - sg_pods, 0))
        steps.append("IPv6: pods take addresses from the node's /80 prefix; the node keeps 1 IPv4 address")
        node_ips = 1 + trunk + sg_pods
        reason = sg_reason
        if placed < pods:
            reason = f"max pods {max_pods} leaves room for {placed} pods besides the {HOST_NETWORK_PODS} host-network pods"
        return NodeIpUsage(
            instance_type=it.name, settings=s.describe(), pods_requested=requested, pods=placed,
            pods_pending=pods - placed + sg_pending, pending_reason=reason,
            security_group_pods=sg_pods, max_pods=max_pods, enis=1, prefixes=0, ips=0, unused_ips=0,
            trunk_eni=trunk, branch_enis=sg_pods, node_subnet_ips=node_ips, pod_subnet_ips=0,
            subnet_ips=node_ips, ipv6_prefixes=1,
            per_eni=(EniUsage(0, "node", 0, 0, 0),), derivation=tuple(steps),
        )

    pool = _Pool(it, s, max_pods, capacity)
    if capacity.ip_enis < 1:
        steps.append(f"no ENI is left for pod addresses ({s.describe()}): only host-network pods can run")
    pool.reconcile()
    steps.append(
        f"empty node: {_enis(len(pool.enis))}, {pool.total()} pod addresses"
        + (f" in {pool.total() // IPS_PER_PREFIX} prefixes" if pool.prefixes else "")
    )
    kubelet_room = max(max_pods - HOST_NETWORK_PODS - sg_pods, 0)
    placed = 0
    for _ in range(min(pods, kubelet_room)):
        if not pool.assign_pod():
            pool.reconcile()
            if not pool.assign_pod():
                break
        placed += 1
        pool.reconcile()

    pending = pods - placed
    reason = sg_reason
    if pending:
        if placed >= kubelet_room:
            reason = (
                f"max pods {max_pods} leaves room for {kubelet_room} pods besides the "
                f"{HOST_NETWORK_PODS} host-network pods"
                + (f" and {sg_pods} pods with security groups" if sg_pods else "")
            )
        else:
            reason = _pending_reason(pool, it, max_pods, capacity)

    total, used = pool.total(), pool.assigned()
    slots = sum(e[0] for e in pool.enis)
    per_eni = tuple(
        EniUsage(i, "pod" if (pool.custom_networking and i > 0) else "node", e[0], e[0] * pool.unit, e[1])
        for i, e in enumerate(pool.enis)
    )
    # Every ENI has its own primary address in its subnet; pod addresses sit on their ENI's subnet.
    node_ips = sum(1 + e.addresses for e in per_eni if e.subnet == "node")
    pod_ips = sum(1 + e.addresses for e in per_eni if e.subnet == "pod")
    # Trunk and branch ENIs (security groups for pods) live in the pod subnet with custom
    # networking, else in the node subnet; one address each.
    sgp_ips = trunk + sg_pods
    if pool.custom_networking:
        pod_ips += sgp_ips
    else:
        node_ips += sgp_ips
    steps.append(
        f"{placed} pods: {_enis(len(pool.enis))}, {total} pod addresses"
        + (f" ({slots} prefixes)" if pool.prefixes else "")
        + f", {total - used} unused"
    )
    primaries = len(pool.enis)
    extra = f" + {sgp_ips} trunk and branch ENI addresses" if sgp_ips else ""
    steps.append(f"subnet addresses: {total} pod addresses + {primaries} ENI primary addresses{extra} = {node_ips + pod_ips}")
    if pool.custom_networking:
        steps.append(f"  node subnet {node_ips}, pod subnet {pod_ips} (custom networking)")
    if pending or sg_pending:
        steps.append(f"{pending + sg_pending} pods pending: {reason}")
    return NodeIpUsage(
        instance_type=it.name, settings=s.describe(), pods_requested=requested, pods=placed,
        pods_pending=pending + sg_pending, pending_reason=reason, security_group_pods=sg_pods, max_pods=max_pods,
        enis=len(pool.enis), prefixes=slots if pool.prefixes else 0, ips=total,
        unused_ips=total - used, trunk_eni=trunk, branch_enis=sg_pods, node_subnet_ips=node_ips,
        pod_subnet_ips=pod_ips, subnet_ips=node_ips + pod_ips, ipv6_prefixes=0, per_eni=per_eni,
        derivation=tuple(steps), events=tuple(pool.events),
    )


def simulate_node(
    instance: InstanceType | str,
    pods: int,
    cni: CniConfig = CniConfig(),
    *,
    max_pods: int | None = None,
    security_group_pods: int = 0,
    primary_excluded: bool = False,
    catalog: Catalog | None = None,
) -> NodeIpUsage:
    """What one node holds once ``pods`` non-hostNetwork pods run on it.

    ``pods`` excludes pods with security groups (``security_group_pods``), which take branch
    ENIs instead of pool addresses. ``max_pods`` is the kubelet's setting; by default what an EKS
    managed node group sets for this configuration (:func:`eksplan.launchers.launcher_max_pods`).
    ``primary_excluded``: the node's subnet is excluded from pod addresses by subnet discovery.
    """
    it = instance if isinstance(instance, InstanceType) else (catalog or load_catalog()).get(instance)
    if isinstance(pods, bool) or not isinstance(pods, int) or pods < 0:
        raise SimulationError(f"pods: {pods!r} must be a whole number >= 0")
    if security_group_pods < 0:
        raise SimulationError(f"security group pods: {security_group_pods!r} must be >= 0")
    cni.check()
    if cni.prefix_delegation and not cni.ipv6 and not cni.auto_mode:
        from .maxpods import prefix_delegation_unsupported_reason

        if prefix_delegation_unsupported_reason(it, cni.version):
            cni = cni.replace(prefix_delegation=False)
    if max_pods is None:
        from .launchers import launcher_max_pods

        max_pods = launcher_max_pods(it, "auto-mode" if cni.auto_mode else "managed", cni).value
    elif max_pods < 1:
        raise SimulationError(f"max pods: {max_pods!r} must be >= 1")
    return _simulate(it, pods, cni, max_pods, security_group_pods, primary_excluded)
