"""Max pods per node in every VPC CNI mode, with the working shown.

The formulas are AWS's own:

* secondary IP (the default): ``ENIs x (IPv4 per ENI - 1) + 2`` -- each ENI's primary address
  is not given to pods, and two host-network pods (aws-node, kube-proxy) need no address. This is
  how the VPC CNI generates ``eni-max-pods.txt`` and how nodeadm computes max pods.
* prefix delegation: ``ENIs x ((IPv4 per ENI - 1) x 16) + 2`` -- each secondary slot holds a /28.
* the recommended ceiling of ``max-pods-calculator.sh``: 110 pods on instances with up to 30
  vCPUs, 250 above (``--show-max-allowed`` drops it).

``ENIs`` are those of the default network card, after ``MAX_ENI``, minus the primary ENI with
custom networking, minus reserved ENIs (the trunk ENI of security groups for pods).

Where support differs from ``max-pods-calculator.sh``: the script grants prefix delegation to
Nitro instances only, while ipamd also enables it on bare-metal instances from CNI 1.11.0; this
module follows ipamd and records the difference in the derivation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from .catalog import Catalog, InstanceType, load_catalog
from .cniversion import (
    IPV6,
    PREFIX_DELEGATION,
    PREFIX_DELEGATION_BARE_METAL,
    CniVersion,
    parse_cni_version,
)
from .errors import MaxPodsError

__all__ = [
    "MaxPods",
    "NodeGroupMaxPods",
    "max_pods",
    "node_group_max_pods",
    "max_pods_table",
    "kube_reserved_memory_mib",
    "prefix_delegation_unsupported_reason",
    "recommended_ceiling",
    "check_max_eni",
    "SCENARIOS",
    "SECONDARY_IP",
    "PREFIX_DELEGATION_MODE",
    "IPV6_MODE",
]

SECONDARY_IP = "secondary-ip"
PREFIX_DELEGATION_MODE = "prefix-delegation"
IPV6_MODE = "ipv6"

IPS_PER_PREFIX = 16
HOST_NETWORK_PODS = 2
CEILING_LOW_CPU = 110
CEILING_HIGH_CPU = 250
HIGH_CPU_ABOVE = 30
KUBE_RESERVED_MIB_PER_POD = 11
KUBE_RESERVED_MIB_BASE = 255

#: The named what-ifs of the full table: keyword arguments of :func:`max_pods`.
SCENARIOS: dict[str, dict] = {
    "secondary-ip": {},
    "prefix-delegation": {"prefix_delegation": True},
    "custom-networking": {"custom_networking": True},
    "ipv6": {"ip_family": "ipv6"},
}


@dataclass(frozen=True)
class MaxPods:
    """Max pods for one instance type under one CNI configuration, and how it was reached.

    ``limited_by`` names the limit that won: ``eni-ips`` or ``eni-prefixes`` (the address
    formula), ``ceiling`` (110/250), or ``ipv6-default`` (IPv6: EKS's default, not an address
    limit).
    """

    instance_type: str
    value: int
    mode: str
    limited_by: str
    formula_value: int
    ceiling: int | None
    enis_for_pods: int
    ipv4_per_eni: int
    vcpus: int
    cni_version: str | None
    custom_networking: bool
    fallback: str | None
    addresses_limit_pods: bool
    kube_reserved_memory_mib: int
    derivation: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def explain(self) -> str:
        """The derivation and notes, one step per line."""
        return "\n".join(self.derivation + tuple(f"note: {note}" for note in self.notes))

    def to_dict(self) -> dict:
        record = asdict(self)
        record["derivation"] = list(self.derivation)
        record["notes"] = list(self.notes)
        return record


@dataclass(frozen=True)
class NodeGroupMaxPods:
    """Max pods of a node group: one kubelet setting for all its instance types, so the lowest."""

    value: int
    limiting_instance_type: str
    members: tuple[MaxPods, ...]
    derivation: tuple[str, ...]

    def explain(self) -> str:
        return "\n".join(self.derivation)


def kube_reserved_memory_mib(max_pods: int) -> int:
    """Memory the EKS AMI and nodeadm reserve for the kubelet: ``11 MiB x max pods + 255 MiB``."""
    return KUBE_RESERVED_MIB_PER_POD * max_pods + KUBE_RESERVED_MIB_BASE


def recommended_ceiling(vcpus: int) -> int:
    """max-pods-calculator.sh's ceiling: 110 up to 30 vCPUs, 250 above."""
    return CEILING_HIGH_CPU if vcpus > HIGH_CPU_ABOVE else CEILING_LOW_CPU


def prefix_delegation_unsupported_reason(
    instance: InstanceType, cni_version: CniVersion | None
) -> str | None:
    """Why ipamd would not use prefixes on ``instance`` with ``cni_version``; None if it would."""
    if instance.nitro:
        if cni_version is not None and cni_version < PREFIX_DELEGATION:
            return f"prefix delegation needs VPC CNI >= {PREFIX_DELEGATION} (got {cni_version})"
        return None
    if instance.bare_metal:
        if cni_version is not None and cni_version < PREFIX_DELEGATION_BARE_METAL:
            return (
                f"prefix delegation on bare-metal instances needs VPC CNI >= "
                f"{PREFIX_DELEGATION_BARE_METAL} (got {cni_version})"
            )
        return None
    return (
        f"{instance.name} runs on the {instance.hypervisor} hypervisor; prefix delegation needs "
        "a Nitro or bare-metal instance"
    )


def _resolve(instance: InstanceType | str, catalog: Catalog | None) -> InstanceType:
    if isinstance(instance, InstanceType):
        return instance
    return (catalog or load_catalog()).get(instance)


def check_max_eni(value: object) -> int:
    """``value`` as a MAX_ENI setting: a whole number >= 1 (ipamd ignores 0 and below)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MaxPodsError(
            f"{value!r} is not a valid MAX_ENI (expected a whole number >= 1; ipamd ignores 0 and below)"
        )
    return value


def _check_options(max_eni: int | None, reserved_enis: int, ip_family: str, custom_networking: bool) -> None:
    if max_eni is not None:
        check_max_eni(max_eni)
    if isinstance(reserved_enis, bool) or not isinstance(reserved_enis, int) or reserved_enis < 0:
        raise MaxPodsError(f"reserved ENIs: {reserved_enis!r} is not a valid count (expected >= 0)")
    if ip_family not in ("ipv4", "ipv6"):
        raise MaxPodsError(f"IP family: {ip_family!r} must be 'ipv4' or 'ipv6'")
    if ip_family == "ipv6" and custom_networking:
        raise MaxPodsError("custom networking is not supported in IPv6 clusters (pods use the node's /80 prefix)")


def _usable_enis(
    it: InstanceType, max_eni: int | None, custom_networking: bool, reserved: int, steps: list[str]
) -> int:
    enis = it.enis
    if it.network_cards > 1:
        steps.append(
            f"{it.name} has {it.total_enis} ENIs on {it.network_cards} network cards; "
            f"the VPC CNI uses the {it.enis} of the default card"
        )
    if max_eni is not None and max_eni < enis:
        steps.append(f"MAX_ENI: min({max_eni}, {enis}) = {max_eni} ENIs")
        enis = max_eni
    if custom_networking:
        steps.append(f"custom networking: the primary ENI carries no pod addresses: {enis} - 1 = {enis - 1} ENIs for pods")
        enis -= 1
    if reserved:
        steps.append(f"reserved ENIs (trunk ENI for security groups for pods, others): {enis} - {reserved} = {enis - reserved}")
        enis -= reserved
    return max(enis, 0)


def max_pods(
    instance: InstanceType | str,
    *,
    cni_version: str | CniVersion | None = None,
    prefix_delegation: bool = False,
    custom_networking: bool = False,
    max_eni: int | None = None,
    security_groups_for_pods: bool = False,
    reserved_enis: int = 0,
    ip_family: str = "ipv4",
    show_max_allowed: bool = False,
    catalog: Catalog | None = None,
) -> MaxPods:
    """Max pods for one instance type, as EKS would set it, with the derivation.

    Parameters
    ----------
    instance
        A catalog entry or an instance type name (looked up in ``catalog``, default the bundled one).
    cni_version
        VPC CNI version; None assumes a current release (every feature available).
    prefix_delegation
        ``ENABLE_PREFIX_DELEGATION=true``; falls back to secondary IP where ipamd would, and says why.
    custom_networking
        ``AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true``: the primary ENI takes no pod addresses.
    max_eni
        ``MAX_ENI``: the ENIs ipamd may use (>= 1).
    security_groups_for_pods
        ``ENABLE_POD_ENI=true``: the trunk ENI takes one ENI slot (like Karpenter's ``RESERVED_ENIS=1``).
    reserved_enis
        Further ENI slots kept from ipamd (e.g. ENIs attached by other software).
    ip_family
        ``"ipv6"``: addresses do not limit pods; EKS still sets the prefix formula capped at 110/250.
    show_max_allowed
        Drop the 110/250 ceiling, as ``max-pods-calculator.sh --show-max-allowed`` does.
    """
    it = _resolve(instance, catalog)
    _check_options(max_eni, reserved_enis, ip_family, custom_networking)
    version = parse_cni_version(cni_version) if cni_version is not None else None
    platform = "bare metal" if it.bare_metal else f"{it.hypervisor} hypervisor"
    steps = [f"{it.name}: {it.enis} ENIs, {it.ipv4_per_eni} IPv4 addresses per ENI, {it.vcpus} vCPUs, {platform}"]
    notes: list[str] = []
    if version is None:
        notes.append("no CNI version given: assuming a current release")
    reserved = reserved_enis + (1 if security_groups_for_pods else 0)
    enis = _usable_enis(it, max_eni, custom_networking, reserved, steps)
    if enis == 0:
        notes.append("no ENI is left for pod addresses: only host-network pods can run")

    fallback = None
    if ip_family == "ipv6":
        mode = IPV6_MODE
        use_prefixes = True
        if not it.nitro_based:
            notes.append(f"IPv6 clusters need Nitro-based instances; {it.name} runs on {it.hypervisor}")
        if version is not None and version < IPV6:
            notes.append(f"IPv6 needs VPC CNI >= {IPV6} (got {version})")
    elif prefix_delegation:
        fallback = prefix_delegation_unsupported_reason(it, version)
        use_prefixes = fallback is None
        mode = PREFIX_DELEGATION_MODE if use_prefixes else SECONDARY_IP
        if fallback:
            steps.append(f"prefix delegation requested but {fallback}: falling back to secondary IP")
        elif it.bare_metal and not it.nitro:
            notes.append(
                "max-pods-calculator.sh grants prefix delegation to Nitro only and would print the "
                "secondary-IP figure for this bare-metal type; ipamd uses prefixes here"
            )
    else:
        mode = SECONDARY_IP
        use_prefixes = False

    per_eni = it.ipv4_per_eni - 1
    if use_prefixes:
        formula = enis * (per_eni * IPS_PER_PREFIX) + HOST_NETWORK_PODS
        label = "IPv6 (EKS uses the prefix formula)" if mode == IPV6_MODE else "prefix delegation"
        steps.append(f"{label}: {enis} x (({it.ipv4_per_eni} - 1) x {IPS_PER_PREFIX}) + {HOST_NETWORK_PODS} = {formula}")
        formula_limit = "ipv6-default" if mode == IPV6_MODE else "eni-prefixes"
    else:
        formula = enis * per_eni + HOST_NETWORK_PODS
        steps.append(f"secondary IP: {enis} x ({it.ipv4_per_eni} - 1) + {HOST_NETWORK_PODS} = {formula}")
        formula_limit = "eni-ips"
    if mode == IPV6_MODE:
        notes.append(
            "addresses do not limit pods in IPv6: each node gets a /80 prefix; the figure is the "
            "max pods EKS's node tooling sets, not an address limit"
        )

    if show_max_allowed:
        ceiling = None
        value, limited_by = formula, formula_limit
        steps.append(f"max allowed (no recommended ceiling): {value}")
    else:
        ceiling = recommended_ceiling(it.vcpus)
        comparison = ">" if it.vcpus > HIGH_CPU_ABOVE else "<="
        steps.append(f"recommended ceiling: {it.vcpus} vCPUs {comparison} {HIGH_CPU_ABOVE} -> {ceiling}")
        value = min(formula, ceiling)
        limited_by = "ceiling" if formula > ceiling else formula_limit
        steps.append(f"max pods = min({formula}, {ceiling}) = {value}")
    reserved_mib = kube_reserved_memory_mib(value)
    steps.append(
        f"kubelet memory reservation: {KUBE_RESERVED_MIB_PER_POD} MiB x {value} + "
        f"{KUBE_RESERVED_MIB_BASE} MiB = {reserved_mib} MiB"
    )
    if security_groups_for_pods:
        notes.append("pods with security groups (branch ENIs) still count toward max pods")
    return MaxPods(
        instance_type=it.name,
        value=value,
        mode=mode,
        limited_by=limited_by,
        formula_value=formula,
        ceiling=ceiling,
        enis_for_pods=enis,
        ipv4_per_eni=it.ipv4_per_eni,
        vcpus=it.vcpus,
        cni_version=str(version) if version else None,
        custom_networking=custom_networking,
        fallback=fallback,
        addresses_limit_pods=mode != IPV6_MODE,
        kube_reserved_memory_mib=reserved_mib,
        derivation=tuple(steps),
        notes=tuple(notes),
    )


def node_group_max_pods(
    instances: Sequence[InstanceType | str], *, catalog: Catalog | None = None, **options
) -> NodeGroupMaxPods:
    """Max pods of a node group: the lowest over its instance types (one kubelet setting for all)."""
    if not instances:
        raise MaxPodsError("a node group needs at least one instance type")
    members = tuple(max_pods(i, catalog=catalog, **options) for i in instances)
    lowest = min(members, key=lambda m: (m.value, m.instance_type))
    steps = [f"{m.instance_type}: {m.value}" for m in members]
    if len(members) > 1:
        values = ", ".join(str(m.value) for m in members)
        steps.append(f"node group max pods = min({values}) = {lowest.value} (set by {lowest.instance_type})")
    else:
        steps.append(f"node group max pods = {lowest.value}")
    return NodeGroupMaxPods(lowest.value, lowest.instance_type, members, tuple(steps))


def max_pods_table(
    instances: Iterable[InstanceType] | None = None,
    scenarios: Iterable[str] = tuple(SCENARIOS),
    **options,
) -> list[MaxPods]:
    """Max pods for every instance type (default: the bundled catalog) under each named scenario."""
    types = list(instances if instances is not None else load_catalog())
    rows = []
    for name in scenarios:
        try:
            scenario = SCENARIOS[name]
        except KeyError:
            raise MaxPodsError(f"{name!r} is not a scenario (expected one of {', '.join(SCENARIOS)})") from None
        rows.extend(max_pods(it, **{**options, **scenario}) for it in types)
    return rows
