"""What ipamd can address on one node: pod addresses, and branch ENIs for pods with security groups.

This is not the kubelet's max pods (the launcher sets that, see :mod:`eksplan.launchers`); it is
the capacity that max pods should not exceed. Three separate limits apply on a real node
(aws/amazon-vpc-cni-k8s @ b52188387f2e and aws/amazon-vpc-resource-controller-k8s @ b8d425119bdb):

* **pod addresses** -- ipamd attaches ENIs on the default network card while
  ``ENIs < MAX_ENI - trunk slot`` (``hasRoomForEni``, ``pkg/ipamd/ipamd.go`` L2591-2621); each holds
  ``IPv4 per ENI - 1`` secondary addresses or as many /28 prefixes. The primary ENI carries none
  with custom networking, or when Enhanced Subnet Discovery excludes its subnet
  (``kubernetes.io/role/cni=0``, VPC CNI >= 1.22.1, ``SetENIExcludedForPodIPs``).
* **the trunk slot** -- with ``ENABLE_POD_ENI`` one ENI slot is kept for the trunk ENI: on every
  instance type before VPC CNI 1.20.4, and since then only where ipamd's copy of the resource
  controller's table says ``IsTrunkingCompatible`` (or does not list the type:
  ``IsTrunkingCompatible`` in ``pkg/awsutils/awsutils.go`` L2034-2041 returns true for unknown types).
* **branch ENIs** -- pods with security groups take no address from ipamd's pool: the resource
  controller gives each a branch ENI and advertises ``BranchInterface`` as the node's
  ``vpc.amazonaws.com/pod-eni`` capacity, for types its table lists as trunking-compatible only
  (``pkg/provider/branch/provider.go`` L261-276, L477-491).

All three count pods against the kubelet's max pods, which nothing lowers for the trunk.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .catalog import InstanceType
from .catalog.branch import BranchTable, load_branch_limits
from .cni import CniConfig
from .cniversion import TRUNK_SLOT_TRUNKING_ONLY
from .maxpods import HOST_NETWORK_PODS, IPS_PER_PREFIX, prefix_delegation_unsupported_reason

__all__ = ["NodeCapacity", "node_capacity", "trunk_slot_reserved"]


@dataclass(frozen=True)
class NodeCapacity:
    """One node's capacity for pods as ipamd and the VPC resource controller see it."""

    instance_type: str
    enis: int
    ip_enis: int
    addresses_per_eni: int
    pod_ips: int | None
    prefixes: bool
    trunk_slot: bool
    branch_enis: int
    primary_excluded: bool
    derivation: tuple[str, ...]

    @property
    def addressable(self) -> int | None:
        """Pods ipamd can give an address, the 2 host-network pods included: ``pod_ips + 2``.

        The max pods at which any mix of pods finds an address. Pods with security groups take
        branch ENIs instead (``branch_enis`` more of them can run, within max pods). None in IPv6,
        where each node's /80 prefix does not limit pods.
        """
        if self.pod_ips is None:
            return None
        return self.pod_ips + HOST_NETWORK_PODS

    def to_dict(self) -> dict:
        record = asdict(self)
        record["addressable"] = self.addressable
        record["derivation"] = list(self.derivation)
        return record


def trunk_slot_reserved(it: InstanceType, cni: CniConfig, table: BranchTable | None = None) -> tuple[bool, str]:
    """Whether ipamd keeps an ENI slot for the trunk ENI on ``it``, and why."""
    if not cni.pod_eni or cni.auto_mode:
        return False, ""
    limits = (table or load_branch_limits()).get(it.name)
    if cni.version is not None and cni.version < TRUNK_SLOT_TRUNKING_ONLY:
        return True, (f"ENABLE_POD_ENI: VPC CNI {cni.version} keeps one ENI slot for the trunk ENI on every "
                      f"instance type (only on trunking-compatible ones from {TRUNK_SLOT_TRUNKING_ONLY})")
    if limits is None:
        return True, (f"ENABLE_POD_ENI: ipamd keeps one ENI slot for the trunk ENI ({it.name} is not in the "
                      "resource controller's table, which ipamd reads as trunking-compatible)")
    if limits.trunking:
        return True, "ENABLE_POD_ENI: one ENI slot is kept for the trunk ENI"
    return False, f"ENABLE_POD_ENI: {it.name} cannot attach a trunk ENI, so no slot is kept for one"


def node_capacity(it: InstanceType, cni: CniConfig, *, primary_excluded: bool = False,
                  table: BranchTable | None = None) -> NodeCapacity:
    """What ipamd can address on one ``it`` node under ``cni``, with the working.

    ``primary_excluded``: the node's subnet is tagged ``kubernetes.io/role/cni=0`` and subnet
    discovery excludes it (VPC CNI >= 1.22.1), or pods take their own subnets (custom networking,
    Auto Mode's pod subnets): the primary ENI carries no pod address.
    """
    table = table or load_branch_limits()
    steps = [f"{it.name}: {it.enis} ENIs on the default card, {it.ipv4_per_eni} IPv4 addresses per ENI"]
    enis = it.enis
    if cni.max_eni and cni.max_eni < enis and not cni.auto_mode:
        steps.append(f"MAX_ENI: min({cni.max_eni}, {enis}) = {cni.max_eni} ENIs")
        enis = cni.max_eni
    trunk, why = trunk_slot_reserved(it, cni, table)
    if why:
        steps.append(why)
    excluded = primary_excluded or cni.custom_networking_in_force
    if excluded:
        reason = ("custom networking" if cni.custom_networking_in_force else
                  "its subnet is excluded from pod addresses")
        steps.append(f"the primary ENI carries no pod addresses ({reason})")
    ip_enis = max(enis - (1 if trunk else 0) - (1 if excluded else 0), 0)
    prefixes = cni.prefix_mode and not cni.ipv6
    if prefixes and not cni.auto_mode:
        fallback = prefix_delegation_unsupported_reason(it, cni.version)
        if fallback:
            steps.append(f"prefix delegation falls back to secondary IPs: {fallback}")
            prefixes = False
    elif prefixes and not it.nitro_based:
        steps.append(f"{it.name} is not Nitro-based: Auto Mode assigns single addresses")
        prefixes = False
    per_eni = (it.ipv4_per_eni - 1) * (IPS_PER_PREFIX if prefixes else 1)
    if cni.ipv6:
        pod_ips = None
        steps.append("IPv6: pods take addresses from the node's /80 prefix, which does not limit them")
    else:
        pod_ips = ip_enis * per_eni
        unit = f"({it.ipv4_per_eni} - 1) x {IPS_PER_PREFIX}" if prefixes else f"({it.ipv4_per_eni} - 1)"
        steps.append(f"pod addresses: {ip_enis} ENIs x {unit} = {pod_ips}")
    branch = 0
    if cni.pod_eni and not cni.auto_mode:
        limits = table.get(it.name)
        if limits is not None and limits.trunking:
            branch = limits.branch_enis
            steps.append(f"branch ENIs (pods with security groups): {branch} ({table.source})")
        else:
            steps.append(f"branch ENIs: 0 ({it.name} is not trunking-compatible in the resource controller's table)")
    if pod_ips is not None:
        steps.append(f"addressable pods: {pod_ips} + {HOST_NETWORK_PODS} host-network = {pod_ips + HOST_NETWORK_PODS}"
                     + (f" (and {branch} pods with security groups on branch ENIs)" if branch else ""))
    return NodeCapacity(it.name, enis, ip_enis, per_eni, pod_ips, prefixes, trunk, branch, excluded, tuple(steps))
