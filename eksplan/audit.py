"""Audit a live aws-node DaemonSet: the settings in force, their findings, and drift from the plan.

Reads the backup the guide recommends before every upgrade::

    kubectl get daemonset aws-node -n kube-system -o yaml > aws-k8s-cni-backup.yaml
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .catalog import Catalog, load_catalog
from .cniversion import CniVersion, parse_cni_version
from .echo import printable, shown
from .engine import evaluate, evaluate_settings
from .errors import EksplanError
from .cni import CniConfig
from .inputs import LIMITS, InputError, load_yaml_all, read_text
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


def _mapping(value: object, where: str, label: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AuditError(f"{label}: {where}: expected a mapping, got {shown(value)}")
    return value


def _list(value: object, where: str, label: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise AuditError(f"{label}: {where}: expected a list, got {shown(value)}")
    return value


def _find_daemonset(documents: list, label: str) -> tuple[dict, str]:
    """The aws-node DaemonSet, and its path in the file (``items[3]`` in a ``kind: List``)."""
    candidates = []
    for n, doc in enumerate(documents):
        prefix = f"document {n + 1}: " if len(documents) > 1 else ""
        if isinstance(doc, dict) and doc.get("kind") == "List":
            items = _list(doc.get("items"), f"{prefix}items", label)
            candidates += [(item, f"{prefix}items[{i}].") for i, item in enumerate(items)]
        else:
            candidates.append((doc, prefix))
    for doc, where in candidates:
        if isinstance(doc, dict) and doc.get("kind") == "DaemonSet" and \
                _mapping(doc.get("metadata"), f"{where}metadata", label).get("name") == "aws-node":
            return doc, where
    raise AuditError(f"{label}: no DaemonSet named aws-node (expected the output of "
                     "'kubectl get daemonset aws-node -n kube-system -o yaml')")


def _env(container: dict, where: str, label: str) -> tuple[dict, list[str], dict]:
    """Values by name, names set from elsewhere (``valueFrom``), and each name's place in the file."""
    env, unresolved, places = {}, [], {}
    for i, item in enumerate(_list(container.get("env"), f"{where}.env", label)):
        place = f"{where}.env[{i}]"
        item = _mapping(item, place, label)
        name = item.get("name")
        if name is None:
            raise AuditError(f"{label}: {place}.name: required, but missing")
        if not isinstance(name, str):
            raise AuditError(f"{label}: {place}.name: {shown(name)} is not text")
        if "valueFrom" in item and "value" not in item:
            unresolved.append(name)
            continue
        value = item.get("value", "")  # Kubernetes: a variable without a value is empty
        if not isinstance(value, str):
            raise AuditError(f"{label}: {place}.value ({printable(name)}): {shown(value)} is not text "
                             "(Kubernetes environment values are strings: quote it)")
        env[name], places[name] = value, place
    return env, unresolved, places


def _check_settings(env: dict, places: dict, label: str) -> None:
    """aws-node settings that ipamd would not parse (``WARM_IP_TARGET=abc``) are errors, as in a spec.

    An empty value is left alone: ipamd treats it as unset.
    """
    from .spec.cni import AwsNodeSettings
    from .spec.issues import validation_issues

    known = {name: value for name, value in env.items() if name in AwsNodeSettings.model_fields and value.strip()}
    try:
        AwsNodeSettings.model_validate(known)
    except ValidationError as exc:
        issue = validation_issues(exc, label, (), AwsNodeSettings)[0]
        name = issue.path.split(".")[0]
        raise AuditError(f"{label}: {places[name]}.value ({name}): {issue.message}") from None


def _version(image: str | None) -> CniVersion | None:
    if not image or "@" in image:
        return None
    tag = image.rsplit(":", 1)[-1] if re.search(r":[^/]+$", image) else ""
    try:
        return parse_cni_version(tag)
    except ValueError:
        return None


def _timeout(container: dict, probe: str, where: str, label: str) -> int | None:
    value = _mapping(container.get(probe), f"{where}.{probe}", label).get("timeoutSeconds")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise AuditError(f"{label}: {where}.{probe}.timeoutSeconds: {shown(value)} is not a whole number")
    return value


def read_daemonset(path: str | Path) -> ObservedAwsNode:
    """The aws-node container's settings, image version and probe timeouts from a DaemonSet YAML.

    The file is read under the input contract (:mod:`eksplan.inputs`); every part eksplan reads
    is checked for its shape, and an error names the place (``spec.template.spec.containers[0]
    .env[3].name: required, but missing``).
    """
    label = str(path)
    try:
        documents = load_yaml_all(read_text(path, label, LIMITS["yaml"].max_bytes), label)
    except InputError as exc:
        raise AuditError(str(exc)) from None
    return daemonset_settings(documents, label)


def daemonset_settings(documents: list, label: str) -> ObservedAwsNode:
    """The aws-node container's settings from parsed documents (YAML or ``kubectl ... -o json``)."""
    ds, at = _find_daemonset(documents, label)
    pod = _mapping(_mapping(_mapping(ds.get("spec"), f"{at}spec", label).get("template"), f"{at}spec.template", label)
                   .get("spec"), f"{at}spec.template.spec", label)
    where = f"{at}spec.template.spec"
    containers = {}
    for i, c in enumerate(_list(pod.get("containers"), f"{where}.containers", label)):
        containers.setdefault(_mapping(c, f"{where}.containers[{i}]", label).get("name"), (c, f"{where}.containers[{i}]"))
    if "aws-node" not in containers:
        raise AuditError(f"{label}: the DaemonSet has no container named aws-node")
    node, node_at = containers["aws-node"]
    image = node.get("image")
    if image is not None and not isinstance(image, str):
        raise AuditError(f"{label}: {node_at}.image: {shown(image)} is not text")
    env, unresolved, places = _env(node, node_at, label)
    _check_settings(env, places, label)
    init_env = {}
    for i, c in enumerate(_list(pod.get("initContainers"), f"{where}.initContainers", label)):
        if _mapping(c, f"{where}.initContainers[{i}]", label).get("name") == "aws-vpc-cni-init":
            init_env, _, init_places = _env(c, f"{where}.initContainers[{i}]", label)
            _check_settings(init_env, init_places, label)
            break
    return ObservedAwsNode(
        image=image, version=_version(image), env=env, init_env=init_env,
        liveness_timeout=_timeout(node, "livenessProbe", node_at, label),
        readiness_timeout=_timeout(node, "readinessProbe", node_at, label),
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
