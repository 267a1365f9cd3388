"""The VPC CNI part of a cluster spec: version, how it is run, and aws-node's settings.

Settings keep their aws-node environment names (``WARM_IP_TARGET``...) so that a spec reads
like the DaemonSet it describes; an unknown name is an error with the closest known one.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ..cniversion import CniVersion, parse_cni_version
from .types import EnvBool, EnvInt

__all__ = ["AwsNodeSettings", "VpcCniSpec"]

NonNegative = Field(default=None, ge=0)
LogLevel = Annotated[
    Literal["DEBUG", "INFO", "WARN", "ERROR", "FATAL"],
    BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v),
]


class AwsNodeSettings(BaseModel):
    """aws-node environment variables, by their own names; unset ones keep ipamd's defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # IP address management (ipamd)
    ENABLE_PREFIX_DELEGATION: EnvBool | None = None
    WARM_ENI_TARGET: EnvInt | None = NonNegative
    WARM_IP_TARGET: EnvInt | None = NonNegative
    MINIMUM_IP_TARGET: EnvInt | None = NonNegative
    WARM_PREFIX_TARGET: EnvInt | None = NonNegative
    MAX_ENI: EnvInt | None = Field(default=None, ge=1)
    IP_COOLDOWN_PERIOD: EnvInt | None = NonNegative
    DISABLE_NETWORK_RESOURCE_PROVISIONING: EnvBool | None = None
    AWS_MANAGE_ENIS_NON_SCHEDULABLE: EnvBool | None = None
    ENABLE_SUBNET_DISCOVERY: EnvBool | None = None
    ENABLE_MULTI_NIC: EnvBool | None = None
    ADDITIONAL_ENI_TAGS: str | None = None
    DISABLE_LEAKED_ENI_CLEANUP: EnvBool | None = None
    # Custom networking
    AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: EnvBool | None = None
    ENI_CONFIG_LABEL_DEF: str | None = None
    ENI_CONFIG_ANNOTATION_DEF: str | None = None
    # SNAT and routing
    AWS_VPC_K8S_CNI_EXTERNALSNAT: EnvBool | None = None
    AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: str | None = None
    AWS_VPC_K8S_CNI_RANDOMIZESNAT: Literal["none", "hashrandom", "prng"] | None = None
    AWS_VPC_K8S_CNI_CONNMARK: str | None = None
    AWS_VPC_CNI_NODE_PORT_SUPPORT: EnvBool | None = None
    AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER: EnvBool | None = None
    AWS_EXTERNAL_SERVICE_CIDRS: str | None = None
    AWS_VPC_K8S_CNI_VETHPREFIX: str | None = None
    AWS_VPC_ENI_MTU: EnvInt | None = Field(default=None, ge=576, le=9001)
    POD_MTU: EnvInt | None = Field(default=None, ge=576, le=9001)
    ENABLE_NFTABLES: EnvBool | None = None
    # Security groups for pods
    ENABLE_POD_ENI: EnvBool | None = None
    POD_SECURITY_GROUP_ENFORCING_MODE: Literal["strict", "standard"] | None = None
    DISABLE_TCP_EARLY_DEMUX: EnvBool | None = None
    # IP family
    ENABLE_IPv4: EnvBool | None = None
    ENABLE_IPv6: EnvBool | None = None
    ENABLE_V4_EGRESS: EnvBool | None = None
    ENABLE_V6_EGRESS: EnvBool | None = None
    DISABLE_POD_V6: EnvBool | None = None
    # Plugins, observability, misc
    ENABLE_BANDWIDTH_PLUGIN: EnvBool | None = None
    ANNOTATE_POD_IP: EnvBool | None = None
    CLUSTER_NAME: str | None = None
    CLUSTER_ENDPOINT: str | None = None
    AWS_VPC_K8S_CNI_LOGLEVEL: LogLevel | None = None
    AWS_VPC_K8S_CNI_LOG_FILE: str | None = None
    AWS_VPC_K8S_PLUGIN_LOG_LEVEL: LogLevel | None = None
    AWS_VPC_K8S_PLUGIN_LOG_FILE: str | None = None
    DISABLE_INTROSPECTION: EnvBool | None = None
    DISABLE_METRICS: EnvBool | None = None
    INTROSPECTION_BIND_ADDRESS: str | None = None
    NETWORK_POLICY_ENFORCING_MODE: Literal["standard", "strict", "none"] | None = None
    AWS_EC2_ENDPOINT: str | None = None
    ENABLE_IMDS_ONLY_MODE: EnvBool | None = None
    MANAGE_UNTAGGED_ENI: EnvBool | None = None
    HOST_CNI_BIN_PATH: str | None = None
    HOST_CNI_CONFDIR_PATH: str | None = None

    def given(self) -> dict:
        """The settings the spec sets explicitly, by name."""
        return self.model_dump(exclude_none=True)


class VpcCniSpec(BaseModel):
    """How the VPC CNI runs in the cluster."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    version: str
    managed_addon: bool = True
    iam: Literal["node-role", "irsa", "pod-identity"] = "node-role"
    probe_timeout_seconds: int = Field(default=10, ge=1)
    settings: AwsNodeSettings = AwsNodeSettings()

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        parse_cni_version(value)
        return value

    @property
    def parsed_version(self) -> CniVersion:
        return parse_cni_version(self.version)
