"""aws-node's settings for the chosen design: what to set, what to remove, and how to apply them.

The proposed configuration is the spec's, changed by the decisions. Two kinds of variables are
left out of what is applied: those chosen when the cluster is created (``ENABLE_IPv4``,
``ENABLE_IPv6``: the IP family is set by ``aws eks create-cluster --kubernetes-network-config``,
never by editing a running aws-node), and those ipamd ignores in the chosen mode (a
``WARM_ENI_TARGET`` beside IP targets or prefixes, a ``WARM_PREFIX_TARGET`` beside IP targets or
without prefixes, ENIConfig settings without custom networking...). A cluster on the managed
add-on gets ``configurationValues`` holding only what the add-on's schema accepts; a self-managed
aws-node gets ``kubectl set env``.
"""

from __future__ import annotations

from ..catalog.addon import load_addon_schema
from ..cni import CniConfig
from ..engine import Evaluation

__all__ = ["proposed_cni", "aws_node_env", "ignored_settings", "CREATION_TIME", "addon_configuration",
           "set_env_commands", "update_addon_commands", "create_addon_commands", "probe_timeout", "BACKUP"]

#: Variables fixed when the cluster is created: the IP family.
CREATION_TIME = ("ENABLE_IPv4", "ENABLE_IPv6")
BUSY_PODS = 60

BACKUP = [{"argv": ["kubectl", "get", "daemonset", "aws-node", "-n", "kube-system", "-o", "yaml"],
           "stdout": "aws-k8s-cni-backup.yaml"}]


def proposed_cni(ev: Evaluation) -> CniConfig:
    """The VPC CNI configuration of the chosen design: the spec's, changed by the decisions."""
    changes: dict = {}
    for decision in ev.decisions:
        changes.update(decision.settings)
    proposed = ev.analysis.cni.with_env(**changes)
    ignored = ignored_settings(proposed)
    return proposed.with_env(**{name: None for name in ignored}) if ignored else proposed


def ignored_settings(cni: CniConfig) -> dict[str, str]:
    """Variables set in ``cni`` that ipamd does not read in its mode, and why (pkg/ipamd/ipamd.go)."""
    env = cni.env_dict
    out: dict[str, str] = {}

    def ignore(name: str, why: str) -> None:
        if name in env:
            out[name] = why

    if cni.ipv6:
        for name in ("WARM_ENI_TARGET", "WARM_IP_TARGET", "MINIMUM_IP_TARGET", "WARM_PREFIX_TARGET", "MAX_ENI"):
            ignore(name, "IPv6 nodes have no warm pool: each takes one /80 prefix at start")
    elif cni.ip_targets_defined:
        ignore("WARM_ENI_TARGET", "WARM_IP_TARGET/MINIMUM_IP_TARGET take precedence")
        ignore("WARM_PREFIX_TARGET", "WARM_IP_TARGET/MINIMUM_IP_TARGET take precedence")
    elif cni.prefix_delegation:
        ignore("WARM_ENI_TARGET", "prefix delegation sizes the pool with WARM_PREFIX_TARGET")
    else:
        ignore("WARM_PREFIX_TARGET", "it applies to prefix delegation only")
    if not cni.custom_networking_in_force:
        for name in ("ENI_CONFIG_LABEL_DEF", "ENI_CONFIG_ANNOTATION_DEF"):
            ignore(name, "it applies to custom networking only")
    if not cni.pod_eni:
        ignore("POD_SECURITY_GROUP_ENFORCING_MODE", "it applies with ENABLE_POD_ENI only")
    return out


def aws_node_env(ev: Evaluation) -> tuple[dict[str, str], list[str]]:
    """aws-node's environment to apply for the chosen design, and the variables to remove.

    Neither holds the variables fixed at cluster creation.
    """
    env = {k: v for k, v in proposed_cni(ev).env_dict.items() if k not in CREATION_TIME}
    removed = [name for name in ev.analysis.cni.env_dict if name not in env and name not in CREATION_TIME]
    return env, removed


def _strict_sgp(ev: Evaluation) -> bool:
    d = ev.decision("sgp-enforcing-mode")
    return d is not None and d.chosen == "strict"


def addon_configuration(ev: Evaluation, env: dict) -> tuple[dict, dict]:
    """The managed add-on's configurationValues, and the variables its schema does not take."""
    spec = ev.analysis.spec
    schema = load_addon_schema()
    accepted = {k: v for k, v in env.items() if schema.accepts(k)}
    config: dict = {"env": accepted}
    if _strict_sgp(ev):
        config["init"] = {"env": {"DISABLE_TCP_EARLY_DEMUX": "true"}}
    if spec.requirements.network_policies:
        config["enableNetworkPolicy"] = "true"
    timeout = probe_timeout(ev)
    if timeout:
        config["livenessProbeTimeoutSeconds"] = timeout
        config["readinessProbeTimeoutSeconds"] = timeout
    return config, {k: v for k, v in env.items() if k not in accepted}


def probe_timeout(ev: Evaluation) -> int | None:
    """aws-node's probe timeout for busy nodes (the aws-node-probe-timeout finding), or None to keep it."""
    spec = ev.analysis.spec
    if any(g.pods_per_node >= BUSY_PODS for g in spec.node_groups) or spec.vpc_cni.probe_timeout_seconds > 10:
        return max(30, spec.vpc_cni.probe_timeout_seconds)
    return None


def create_addon_commands(ev: Evaluation) -> list[list[str]]:
    """Adopt a self-managed aws-node as the EKS managed add-on, keeping the chosen settings."""
    spec = ev.analysis.spec
    version = ev.analysis.cni.version
    argv = ["aws", "eks", "create-addon", "--cluster-name", spec.name, "--addon-name", "vpc-cni",
            "--addon-version", f"v{version.major}.{version.minor}.{version.patch}-eksbuild.<n>" if version else
            "<add-on version>", "--configuration-values", "file://vpc-cni-configuration.json",
            "--resolve-conflicts", "OVERWRITE"]
    return [argv]


def set_env_commands(env: dict, removed: list[str]) -> list[list[str]]:
    if not env and not removed:
        return []
    argv = ["kubectl", "set", "env", "daemonset", "aws-node", "-n", "kube-system"]
    return [argv + [f"{k}={v}" for k, v in env.items()] + [f"{k}-" for k in removed]]


def update_addon_commands(ev: Evaluation) -> list[list[str]]:
    spec = ev.analysis.spec
    argv = ["aws", "eks", "update-addon", "--cluster-name", spec.name, "--addon-name", "vpc-cni",
            "--configuration-values", "file://vpc-cni-configuration.json", "--resolve-conflicts", "PRESERVE"]
    if spec.vpc_cni.iam == "pod-identity":
        argv += ["--pod-identity-associations", "serviceAccount=aws-node,roleArn=<CNI IAM role ARN>"]
    else:
        argv += ["--service-account-role-arn", "<CNI IAM role ARN>"]
    return [argv]
