"""The cluster spec: one pydantic model per part, every unknown key rejected.

Structure and single values are checked here; checks that relate several parts (subnets inside
the VPC, AZs of the region...) live in :mod:`eksplan.spec.checks`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ..catalog import load_catalog
from ..cni import CniConfig
from ..echo import shown
from .cni import VpcCniSpec
from .types import AZ_PATTERN, REGION_PATTERN, IPv4Cidr, IPv6Cidr

__all__ = [
    "ClusterSpec",
    "VpcSpec",
    "SubnetSpec",
    "NodeGroupSpec",
    "FargateProfileSpec",
    "Requirements",
    "ApiClient",
    "MultusSpec",
    "GrowthSpec",
    "ExtraEnis",
    "KarpenterSpec",
    "PlanningSpec",
    "ROLES",
]

ROLES = ("cluster", "public", "nodes", "pods", "multus")
Role = Literal["cluster", "public", "nodes", "pods", "multus"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True, allow_inf_nan=False)


def _known_instance_type(value: str, info: ValidationInfo) -> str:
    catalog = (info.context or {}).get("catalog") or load_catalog()
    return catalog.get(value).name


def _availability_zone(value: str) -> str:
    if not AZ_PATTERN.fullmatch(value):
        raise ValueError(f"{shown(value)} is not an availability zone name (expected e.g. 'us-east-1a')")
    return value


def _region(value: str) -> str:
    if not REGION_PATTERN.fullmatch(value):
        raise ValueError(f"{shown(value)} is not an AWS region name (expected e.g. 'us-east-1')")
    return value


def _kubernetes_version(value: str) -> str:
    if not re.fullmatch(r"1\.\d{1,2}", value):
        raise ValueError(f"{shown(value)} is not a Kubernetes minor version (expected e.g. '1.31')")
    return value


InstanceTypeName = Annotated[str, AfterValidator(_known_instance_type)]
Launcher = Literal["managed", "nodeadm", "karpenter", "auto-mode", "bottlerocket"]
Region = Annotated[str, AfterValidator(_region)]
KubernetesVersion = Annotated[str, AfterValidator(_kubernetes_version)]
AvailabilityZone = Annotated[str, AfterValidator(_availability_zone)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class VpcSpec(_Strict):
    """The cluster's VPC: its IPv4 CIDRs (the first is the primary) and optional IPv6 CIDR."""

    cidrs: list[IPv4Cidr] = Field(min_length=1, max_length=50)
    ipv6_cidr: IPv6Cidr | None = None

    @property
    def primary(self):
        return self.cidrs[0]


class SubnetSpec(_Strict):
    """An existing subnet and what it is for."""

    id: str | None = None
    availability_zone: AvailabilityZone
    cidr: IPv4Cidr
    roles: tuple[Role, ...] = Field(min_length=1, alias="role")
    available_ips: int | None = Field(default=None, ge=0)
    ipv6_cidr: IPv6Cidr | None = None
    dns64: bool = False
    tags: dict[str, str] = {}
    cidr_reservations: list[IPv4Cidr] = []

    @field_validator("roles", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        if isinstance(value, str):
            return (value,)
        return tuple(value) if isinstance(value, list) else value

    @property
    def size(self) -> int:
        return self.cidr.num_addresses

    @property
    def label(self) -> str:
        return self.id or f"{self.cidr} ({self.availability_zone})"


#: What ``kind`` (before ``launcher``) becomes; ``self-managed`` names no launcher and is refused.
_KIND_TO_LAUNCHER = {"managed": "managed", "karpenter": "karpenter"}


class NodeGroupSpec(_Strict):
    """A node group (managed, self-managed or a Karpenter NodePool) and the pods it runs.

    ``launcher`` is what starts its nodes and so sets the kubelet's max pods (see
    :mod:`eksplan.launchers`); ``max_pods`` is the value set explicitly where that launcher takes
    one (Karpenter's EC2NodeClass ``spec.kubelet.maxPods``, nodeadm's ``kubelet.config.maxPods``,
    Bottlerocket's ``settings.kubernetes.max-pods``, a managed node group's launch template).
    """

    name: Name
    instance_types: list[InstanceTypeName] = Field(min_length=1)
    min_size: int = Field(ge=0)
    desired_size: int | None = Field(default=None, ge=0)
    max_size: int = Field(ge=1)
    availability_zones: list[AvailabilityZone] | None = None
    subnets: list[str] | None = None
    pods_per_node: int = Field(ge=0)
    security_group_pods_per_node: int = Field(default=0, ge=0)
    os: Literal["linux", "windows"] = "linux"
    custom_ami: bool = False
    launcher: Launcher | None = None
    max_pods: int | None = Field(default=None, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _kind_is_launcher(cls, data):
        """``kind`` was renamed ``launcher``: managed and karpenter carry over, self-managed must say which."""
        if not isinstance(data, dict) or "kind" not in data:
            return data
        data = dict(data)
        kind = data.pop("kind")
        if "launcher" in data:
            raise ValueError("give launcher only ('kind' is its former name)")
        if not isinstance(kind, str) or (kind not in _KIND_TO_LAUNCHER and kind != "self-managed"):
            raise ValueError(f"kind: {shown(kind)} is not a node group kind: write launcher: managed, nodeadm, "
                             "karpenter, auto-mode or bottlerocket ('kind' is its former name)")
        if kind not in _KIND_TO_LAUNCHER:
            raise ValueError(
                f"kind: {shown(kind)} is no longer accepted: write launcher: nodeadm (self-managed AL2023) or "
                "launcher: bottlerocket (self-managed Bottlerocket); the launcher sets the node's max pods"
            )
        data["launcher"] = _KIND_TO_LAUNCHER[kind]
        return data

    @property
    def desired(self) -> int:
        return self.desired_size if self.desired_size is not None else self.min_size


class FargateProfileSpec(_Strict):
    """A Fargate profile: each pod is a micro-VM with its own address in the profile's subnets."""

    name: Name
    pods: int = Field(ge=0)
    availability_zones: list[AvailabilityZone] | None = None


class MultusSpec(_Strict):
    """Multus CNI for secondary pod interfaces (ipvlan on a second ENI per node, whereabouts IPAM).

    Each node of ``node_groups`` (default: every group) attaches one more ENI, ``interface``, in
    its AZ's subnet with role ``multus``; each of its ``pods_per_node`` Multus pods takes one
    address there, assigned to that ENI (EC2 delivers only to addresses an ENI holds).
    ``secondary_cidrs`` are the networks those interfaces reach (for the node security group).
    """

    version: str
    plugin: Literal["thick", "thin"]
    secondary_cidrs: list[IPv4Cidr] = []
    interface: str = "eth1"
    pods_per_node: int = Field(default=0, ge=0, le=1000)
    node_groups: list[Name] | None = None

    def attaches(self, group_name: str) -> bool:
        return self.node_groups is None or group_name in self.node_groups


class GrowthSpec(_Strict):
    """Expected growth of the node count: absolute or relative, per month."""

    nodes_per_month: float | None = Field(default=None, ge=0)
    percent_per_month: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.nodes_per_month is None) == (self.percent_per_month is None):
            raise ValueError("give exactly one of nodes_per_month or percent_per_month")
        return self


class ExtraEnis(_Strict):
    """Network interfaces other than the cluster's own: load balancers, NAT gateways, endpoints."""

    count: int = Field(ge=1)
    description: str = ""
    subnet: str | None = None
    role: Role | None = None
    availability_zone: AvailabilityZone | None = None

    @model_validator(mode="after")
    def _where(self):
        if (self.subnet is None) == (self.role is None):
            raise ValueError("give exactly one of subnet (an id) or role (then per availability zone)")
        return self


class ApiClient(_Strict):
    """Something that must reach the cluster's Kubernetes API besides its nodes: CI/CD, operators, tools."""

    name: Name
    #: Where it connects from: the internet, an on-premises network, a peered VPC, or this VPC.
    network: Literal["internet", "on-prem", "peered", "vpc"]
    cidrs: list[IPv4Cidr] = []


class Requirements(_Strict):
    """What the cluster must support, and the constraints it lives with."""

    ip_family: Literal["ipv4", "ipv6", "either"] = "ipv4"
    security_groups_for_pods: bool = False
    termination_grace_period_seconds: int = Field(default=30, ge=0)
    nodelocal_dnscache: bool = False
    network_policies: bool = False
    external_traffic_policy_local: bool = False
    multus: MultusSpec | None = None
    on_prem_cidrs: list[IPv4Cidr] = []
    peered_cidrs: list[IPv4Cidr] = []
    cgnat_in_use: list[IPv4Cidr] = []
    growth: GrowthSpec | None = None
    endpoint_access: Literal["public", "public-private", "private"] = "public"
    public_endpoint_cidrs: list[IPv4Cidr] = []
    api_clients: list[ApiClient] = []
    extra_enis: list[ExtraEnis] = []


class KarpenterSpec(_Strict):
    """The cluster's Karpenter controller settings that change max pods."""

    #: ``settings.reservedENIs`` in its Helm chart (``RESERVED_ENIS``): ENIs kept out of max pods.
    reserved_enis: int = Field(default=0, ge=0, le=64)


class PlanningSpec(_Strict):
    """How the subnet planner sizes what it lays out."""

    headroom: float = Field(default=1.5, ge=1.0, le=10.0)
    horizon_months: int = Field(default=24, ge=0, le=120)
    pod_cidr: IPv4Cidr | None = None
    public_subnet_addresses: int = Field(default=256, ge=16)


class ClusterSpec(_Strict):
    """One EKS cluster, as an architect describes it."""

    name: Name
    description: str = ""
    region: Region
    availability_zones: list[AvailabilityZone] = Field(min_length=1)
    kubernetes_version: KubernetesVersion | None = None
    auto_mode: bool = False
    vpc: VpcSpec
    subnets: list[SubnetSpec] = []
    plan_subnets: bool | None = None
    node_groups: list[NodeGroupSpec] = []
    fargate_profiles: list[FargateProfileSpec] = []
    vpc_cni: VpcCniSpec
    karpenter: KarpenterSpec = KarpenterSpec()
    requirements: Requirements = Requirements()
    planning: PlanningSpec = PlanningSpec()
    #: A capture of ``aws ec2 describe-subnets --output json`` (path relative to the spec file)
    #: that supplies each subnet's available addresses and tags.
    describe_subnets: str | None = None
    #: The observed state ``eksplan discover`` wrote beside the spec (``<cluster>.observed.json``, path
    #: relative to the spec file): nodes, addresses and free /28 blocks today, to compare with the plan.
    observed: str | None = None

    # -- conveniences used by the calculators ---------------------------------------------------
    @property
    def planned(self) -> bool:
        """True when eksplan lays the subnets out (no subnets given, or asked to)."""
        return self.plan_subnets if self.plan_subnets is not None else not self.subnets

    def launcher(self, group: NodeGroupSpec) -> str:
        """What launches ``group``'s nodes: as given, else Auto Mode in Auto Mode clusters, else managed."""
        return group.launcher or ("auto-mode" if self.auto_mode else "managed")

    @property
    def ipv6(self) -> bool:
        return self.requirements.ip_family == "ipv6" or bool(self.vpc_cni.settings.ENABLE_IPv6)

    @property
    def cni(self) -> CniConfig:
        """The VPC CNI configuration this spec plans: what every calculation reads.

        Built on each access (not cached): ``model_copy`` would carry a cached value over to a
        copy whose settings differ.
        """
        return CniConfig.from_spec(self)

    def subnets_with(self, role: str, az: str | None = None) -> list[SubnetSpec]:
        return [s for s in self.subnets if role in s.roles and (az is None or s.availability_zone == az)]
