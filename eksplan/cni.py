"""The VPC CNI as it runs: one effective configuration that every calculation reads.

A :class:`CniConfig` is built once -- from a cluster spec (:meth:`CniConfig.from_spec`), from a
live aws-node DaemonSet's environment (:meth:`CniConfig.from_env`) or from command-line flags
(its constructor) -- and then read by max pods, the ipamd simulator, the finding and decision
rules and the generated configuration, so that none of them rebuilds the settings on its own.

Unset variables keep their ``None``; the values ipamd runs with are the ``effective_*``
properties. Where ipamd's code default and the shipped manifest differ (``WARM_PREFIX_TARGET``:
0 in ipamd, 1 in the manifest, the Helm chart and the managed add-on), the manifest's value is in
force on a real cluster and is the one used.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Mapping

from .cniversion import CniVersion, parse_cni_version
from .echo import shown
from .errors import EksplanError

__all__ = ["CniConfig", "CniSettingError", "env_text"]


class CniSettingError(EksplanError):
    """aws-node settings that ipamd would reject or that contradict each other."""


#: Environment variable -> CniConfig field, for the variables that change figures.
_FIELDS = {
    "ENABLE_PREFIX_DELEGATION": "prefix_delegation",
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "custom_networking",
    "ENABLE_POD_ENI": "pod_eni",
    "POD_SECURITY_GROUP_ENFORCING_MODE": "enforcing_mode",
    "AWS_VPC_K8S_CNI_EXTERNALSNAT": "external_snat",
    "WARM_ENI_TARGET": "warm_eni_target",
    "WARM_IP_TARGET": "warm_ip_target",
    "MINIMUM_IP_TARGET": "minimum_ip_target",
    "WARM_PREFIX_TARGET": "warm_prefix_target",
    "MAX_ENI": "max_eni",
    "ENABLE_SUBNET_DISCOVERY": "subnet_discovery",
    "ENABLE_MULTI_NIC": "multi_nic",
}


def env_text(value) -> str:
    """A setting as aws-node's environment holds it: ``true``/``false``, digits, or the text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class CniConfig:
    """The VPC CNI settings in force on a cluster's nodes, typed, with where they came from.

    The typed fields hold the variables that change figures; ``other_env`` keeps every other
    aws-node variable that was given, as text. :attr:`env_dict` joins the two, so configuration is
    generated from the same value the figures were computed from.
    """

    version: CniVersion | None = None
    ipv6: bool = False
    prefix_delegation: bool | None = None
    custom_networking: bool | None = None
    pod_eni: bool | None = None
    enforcing_mode: str | None = None
    external_snat: bool | None = None
    warm_eni_target: int | None = None
    warm_ip_target: int | None = None
    minimum_ip_target: int | None = None
    warm_prefix_target: int | None = None
    max_eni: int | None = None
    subnet_discovery: bool | None = None
    multi_nic: bool | None = None
    auto_mode: bool = False
    other_env: tuple[tuple[str, str], ...] = ()
    source: str = "defaults"

    def __post_init__(self):
        if self.version is not None and not isinstance(self.version, CniVersion):
            object.__setattr__(self, "version", parse_cni_version(self.version))

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_env(cls, env: Mapping[str, object], version: str | CniVersion | None = None, *,
                 ipv6: bool | None = None, auto_mode: bool = False, source: str = "aws-node") -> "CniConfig":
        """The configuration an aws-node environment describes (names as in the DaemonSet).

        Values are checked as the spec checks them; a bad value raises :class:`CniSettingError`
        naming the variable. ``ipv6`` defaults to ``ENABLE_IPv6``.
        """
        from .spec.cni import AwsNodeSettings  # the one place that knows each variable's type

        known = {name: value for name, value in env.items() if name in AwsNodeSettings.model_fields}
        try:
            typed = AwsNodeSettings.model_validate(known)
        except ValueError as exc:
            errors = getattr(exc, "errors", lambda: [])()
            first = errors[0] if errors else {"loc": ("?",), "msg": str(exc)}
            name = ".".join(str(p) for p in first["loc"])
            raise CniSettingError(f"{name}: {first['msg']} (got {shown(env.get(name))})") from None
        values = {_FIELDS[name]: value for name, value in typed.given().items() if name in _FIELDS}
        if ipv6 is None:
            ipv6 = bool(typed.ENABLE_IPv6)
        others = tuple(sorted((name, env_text(value)) for name, value in env.items() if name not in _FIELDS))
        return cls(version=parse_cni_version(version) if version is not None else None, ipv6=ipv6,
                   auto_mode=auto_mode, other_env=others, source=source, **values)

    @classmethod
    def from_spec(cls, spec) -> "CniConfig":
        """The configuration a cluster spec plans (its ``vpc_cni`` block and IP family)."""
        cni = spec.vpc_cni
        return cls.from_env(cni.settings.given(), cni.version, ipv6=spec.ipv6, auto_mode=spec.auto_mode,
                            source="spec")

    def with_env(self, **changes) -> "CniConfig":
        """The same configuration with some variables changed (``None`` removes one)."""
        env = self.env_dict
        for name, value in changes.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = env_text(value)
        return CniConfig.from_env(env, self.version, ipv6=self.ipv6, auto_mode=self.auto_mode, source=self.source)

    # -- what ipamd runs with ----------------------------------------------------------------
    @property
    def effective_warm_eni_target(self) -> int:
        return 1 if self.warm_eni_target is None else self.warm_eni_target

    @property
    def effective_warm_prefix_target(self) -> int:
        """1 when unset: the manifest, Helm chart and managed add-on set it (ipamd's code says 0)."""
        return 1 if self.warm_prefix_target is None else self.warm_prefix_target

    @property
    def effective_enforcing_mode(self) -> str:
        return self.enforcing_mode or "strict"

    @property
    def effective_subnet_discovery(self) -> bool:
        """``ENABLE_SUBNET_DISCOVERY`` defaults to true (from VPC CNI 1.18.0, which added it)."""
        return self.subnet_discovery is not False

    @property
    def ip_targets_defined(self) -> bool:
        """ipamd's ``warmIPTargetsDefined``: ``WARM_IP_TARGET`` or ``MINIMUM_IP_TARGET`` >= 1."""
        return (self.warm_ip_target or 0) >= 1 or (self.minimum_ip_target or 0) >= 1

    @property
    def prefix_mode(self) -> bool:
        """Pods take addresses from prefixes: prefix delegation, IPv6 (one /80) or Auto Mode."""
        return bool(self.prefix_delegation or self.ipv6 or self.auto_mode)

    @property
    def custom_networking_in_force(self) -> bool:
        """Custom networking applies to IPv4 clusters only."""
        return bool(self.custom_networking) and not self.ipv6 and not self.auto_mode

    @property
    def ip_family(self) -> str:
        return "ipv6" if self.ipv6 else "ipv4"

    @property
    def env_dict(self) -> dict[str, str]:
        """Every variable given, by name, as aws-node's environment holds it."""
        env = dict(self.other_env)
        for name, attribute in _FIELDS.items():
            value = getattr(self, attribute)
            if value is not None:
                env[name] = env_text(value)
        return dict(sorted(env.items()))

    def get(self, name: str, default=None):
        """A variable as given, as text (``None`` when unset)."""
        return self.env_dict.get(name, default)

    def check(self) -> None:
        """Raise :class:`CniSettingError` for combinations ipamd would not run."""
        for name in ("warm_eni_target", "warm_ip_target", "minimum_ip_target", "warm_prefix_target"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise CniSettingError(f"{name.upper()}: {value} must be >= 0")
        if self.max_eni is not None and self.max_eni < 1:
            raise CniSettingError(f"MAX_ENI: {self.max_eni} must be >= 1 (ipamd ignores 0 and below)")
        if (self.prefix_delegation and not self.ip_targets_defined and self.warm_prefix_target == 0
                and not self.ipv6):
            raise CniSettingError(
                "WARM_PREFIX_TARGET: 0 is not supported with prefix delegation "
                "(set it to 1 or more, or set WARM_IP_TARGET/MINIMUM_IP_TARGET)"
            )
        if self.ipv6 and self.custom_networking:
            raise CniSettingError("custom networking is not supported in IPv6 clusters")

    def describe(self) -> str:
        """One line naming the mode and the warm settings in force."""
        if self.auto_mode:
            return "EKS Auto Mode (prefixes, falling back to secondary IPs)"
        mode = "IPv6" if self.ipv6 else ("prefix delegation" if self.prefix_delegation else "secondary IP")
        parts = [mode]
        if not self.ipv6:
            if self.ip_targets_defined:
                parts.append(f"WARM_IP_TARGET={self.warm_ip_target or 0}")
                parts.append(f"MINIMUM_IP_TARGET={self.minimum_ip_target or 0}")
            elif self.prefix_delegation:
                parts.append(f"WARM_PREFIX_TARGET={self.effective_warm_prefix_target}")
            else:
                parts.append(f"WARM_ENI_TARGET={self.effective_warm_eni_target}")
        if self.max_eni:
            parts.append(f"MAX_ENI={self.max_eni}")
        if self.custom_networking_in_force:
            parts.append("custom networking")
        if self.pod_eni:
            parts.append("security groups for pods")
        return ", ".join(parts)

    def max_pods_options(self) -> dict:
        """Keyword arguments of :func:`eksplan.max_pods` for this configuration."""
        return dict(cni_version=self.version, prefix_delegation=bool(self.prefix_delegation) and not self.ipv6,
                    custom_networking=self.custom_networking_in_force, max_eni=self.max_eni,
                    security_groups_for_pods=bool(self.pod_eni), ip_family=self.ip_family)

    def replace(self, **changes) -> "CniConfig":
        """A copy with typed fields changed (``other_env`` is left as it is)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise TypeError(f"unknown CniConfig fields: {sorted(unknown)}")
        return replace(self, **changes)
