"""Audit a live aws-node DaemonSet: the settings in force, their findings, and drift from the plan.

Reads the backup the guide recommends before every upgrade::

    kubectl get daemonset aws-node -n kube-system -o yaml > aws-k8s-cni-backup.yaml
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .catalog import Catalog, load_catalog
from .cniversion import CniVersion, parse_cni_version
from .engine import evaluate, evaluate_settings
from .errors import EksplanError
from .cni import CniConfig
from .rules import Finding, SEVERITIES
from .spec.model import ClusterSpec

__all__ = ["ObservedAwsNode", "AuditError", "read_daemonset", "daemonset_settings", "audit", "Audit", "Drift", "IPAMD_DEFAULTS"]

#: What ipamd does when a setting is unset (the manifest sets WARM_ENI_TARGET and WARM_PREFIX_TARGET to 1).
IPAMD_DEFAULTS = {
    "ENABLE_PREFIX_DELEGATION": "false", "WARM_ENI_TARGET": "1", "WARM_IP_TARGET": "unset",
    "MINIMUM_IP_TARGET": "unset", "WARM_PREFIX_TARGET": "0 (1 in the manifest)", "MAX_ENI": "unset",
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "false", "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false",
    "ENABLE_POD_ENI": "false", "POD_SECURITY_GROUP_ENFORCING_MODE": "strict", "ENABLE_IPv6": "false",
    "ENABLE_SUBNET_DISCOVERY": "true", "ENI_CONFIG_LABEL_DEF": "k8s.amazonaws.com/eniConfig",
}


#: The value in force when a setting is not given (the manifest's for WARM_ENI_TARGET and WARM_PREFIX_TARGET).
EFFECTIVE_DEFAULTS = {
    "ENABLE_PREFIX_DELEGATION": "false", "WARM_ENI_TARGET": "1", "WARM_PREFIX_TARGET": "1",
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "false", "AWS_VPC_K8S_CNI_EXTERNALSNAT": "false", "ENABLE_POD_ENI": "false",
    "POD_SECURITY_GROUP_ENFORCING_MODE": "strict", "ENABLE_IPv6": "false", "ENABLE_SUBNET_DISCOVERY": "true",
    "ENI_CONFIG_LABEL_DEF": "k8s.amazonaws.com/eniConfig",
}


class AuditError(EksplanError):
    """A DaemonSet file that cannot be read."""


@dataclass(frozen=True)
class ObservedAwsNode:
    image: str | None
    version: CniVersion | None
    env: dict
    init_env: dict
    liveness_timeout: int | None
    readiness_timeout: int | None
    unresolved: tuple[str, ...]

    def settings(self) -> CniConfig:
        """The VPC CNI configuration this DaemonSet runs."""
        return CniConfig.from_env(self.env, self.version, source="daemonset")


def _find_daemonset(documents: list, label: str) -> dict:
    candidates = []
    for doc in documents:
        if isinstance(doc, dict) and doc.get("kind") == "List":
            candidates.extend(doc.get("items") or [])
        else:
            candidates.append(doc)
    for doc in candidates:
        if isinstance(doc, dict) and doc.get("kind") == "DaemonSet" and (doc.get("metadata") or {}).get("name") == "aws-node":
            return doc
    raise AuditError(f"{label}: no DaemonSet named aws-node (expected the output of "
                     "'kubectl get daemonset aws-node -n kube-system -o yaml')")


def _env(container: dict) -> tuple[dict, list[str]]:
    env, unresolved = {}, []
    for item in container.get("env") or []:
        if "value" in item:
            env[item["name"]] = str(item["value"])
        else:
            unresolved.append(item.get("name", "?"))
    return env, unresolved


def _version(image: str | None) -> CniVersion | None:
    if not image or "@" in image:
        return None
    tag = image.rsplit(":", 1)[-1] if re.search(r":[^/]+$", image) else ""
    try:
        return parse_cni_version(tag)
    except ValueError:
        return None


def read_daemonset(path: str | Path) -> ObservedAwsNode:
    """The aws-node container's settings, image version and probe timeouts from a DaemonSet YAML."""
    label = str(path)
    try:
        documents = list(yaml.safe_load_all(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise AuditError(f"{label}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"{label}: cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise AuditError(f"{label}: {where}YAML syntax error: {getattr(exc, 'problem', exc)}") from None
    return daemonset_settings(documents, label)


def daemonset_settings(documents: list, label: str) -> ObservedAwsNode:
    """The aws-node container's settings from parsed documents (YAML or ``kubectl ... -o json``)."""
    ds = _find_daemonset(documents, label)
    pod = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
    containers = {c.get("name"): c for c in pod.get("containers") or []}
    node = containers.get("aws-node")
    if node is None:
        raise AuditError(f"{label}: the DaemonSet has no container named aws-node")
    env, unresolved = _env(node)
    init = {c.get("name"): c for c in pod.get("initContainers") or []}.get("aws-vpc-cni-init") or {}
    init_env, _ = _env(init)
    return ObservedAwsNode(
        image=node.get("image"), version=_version(node.get("image")), env=env, init_env=init_env,
        liveness_timeout=(node.get("livenessProbe") or {}).get("timeoutSeconds"),
        readiness_timeout=(node.get("readinessProbe") or {}).get("timeoutSeconds"),
        unresolved=tuple(unresolved),
    )


@dataclass(frozen=True)
class Drift:
    setting: str
    planned: str | None
    live: str | None

    @property
    def status(self) -> str:
        if self.planned == self.live:
            return "same"
        default = EFFECTIVE_DEFAULTS.get(self.setting)
        if self.planned is None and self.live == default:
            return "same (the default)"
        if self.live is None and self.planned == default:
            return "same (the default)"
        if self.live is None:
            return "missing on the cluster"
        if self.planned is None:
            return "not in the plan"
        return "different"


@dataclass(frozen=True)
class Audit:
    observed: ObservedAwsNode
    in_force: tuple[tuple[str, str, str], ...]  # (setting, value, "set" or "default")
    findings: tuple[Finding, ...]
    drift: tuple[Drift, ...]
    cluster: str | None


def audit(observed: ObservedAwsNode, spec: ClusterSpec | None = None, catalog: Catalog | None = None) -> Audit:
    """Settings in force, findings about them, and (with a spec) drift from the planned design."""
    catalog = catalog or load_catalog()
    live = observed.settings()
    in_force = tuple(
        (name, observed.env[name], "set") if name in observed.env else (name, default, "default")
        for name, default in IPAMD_DEFAULTS.items()
    ) + tuple((name, value, "set") for name, value in sorted(observed.env.items()) if name not in IPAMD_DEFAULTS)
    findings = list(evaluate_settings(live, catalog))
    drift: list[Drift] = []
    if spec is not None:
        from .config import aws_node_env

        ev = evaluate(spec, catalog, observed=live)
        seen = {(f.rule, f.subject, f.message) for f in findings}
        findings += [f for f in ev.findings if f.rule == "switch-modes-by-rolling" and (f.rule, f.subject, f.message) not in seen]
        planned, _ = aws_node_env(ev)
        names = sorted(set(planned) | (set(observed.env) & set(IPAMD_DEFAULTS)))
        drift = [Drift(name, planned.get(name), observed.env.get(name)) for name in names]
        numeric = lambda v: f"{v.major}.{v.minor}.{v.patch}" if v else None  # noqa: E731 - build suffixes differ
        drift.insert(0, Drift("VPC CNI version", numeric(parse_cni_version(spec.vpc_cni.version)), numeric(observed.version)))
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.subject))
    return Audit(observed, in_force, tuple(findings), tuple(drift), spec.name if spec else None)
