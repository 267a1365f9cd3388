"""The configuration to apply for the chosen design, built as data and rendered at the edge.

Every artifact is a plain data structure (dicts, lists, argument vectors) rendered with
``yaml.safe_dump``, ``json.dumps`` or ``shlex.join`` -- never by filling in a text template -- so
a value can never break the syntax around it, and tests can parse each artifact back.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

import yaml

from .cni import CniConfig
from .engine import Evaluation
from .nodeconfig import max_pods_plans
from .planner import subnet_tags

__all__ = ["Artifact", "generate", "aws_node_env", "proposed_cni", "render"]

NODE_SG = "<node security group id>"
CLUSTER_SG = "<cluster security group id>"


@dataclass(frozen=True)
class Artifact:
    """One piece of configuration: a name, what it is for, and its content."""

    name: str
    kind: str  # "yaml" (one or more documents), "json" or "shell"
    description: str
    content: object

    @property
    def text(self) -> str:
        return render(self.kind, self.content)


def render(kind: str, content) -> str:
    if kind == "yaml":
        documents = content if isinstance(content, list) else [content]
        return yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False)
    if kind == "json":
        return json.dumps(content, indent=2) + "\n"
    if kind == "toml":
        return _toml(content)
    if kind == "shell":
        lines = []
        for command in content:
            if isinstance(command, dict):
                lines.append(f"{shlex.join(command['argv'])} > {shlex.quote(command['stdout'])}")
            else:
                lines.append(shlex.join(command))
        return "".join(line + "\n" for line in lines)
    raise ValueError(f"unknown artifact kind {kind!r}")


def _toml(tables: dict, prefix: str = "") -> str:
    """TOML for nested tables of integers, booleans and strings (all Bottlerocket settings need)."""
    scalars = {k: v for k, v in tables.items() if not isinstance(v, dict)}
    lines = [f"[{prefix}]"] if prefix and scalars else []
    for key, value in scalars.items():
        text = "true" if value is True else "false" if value is False else json.dumps(value)
        lines.append(f"{key} = {text}")
    out = "".join(line + "\n" for line in lines)
    for key, value in tables.items():
        if isinstance(value, dict):
            out += _toml(value, f"{prefix}.{key}" if prefix else key)
    return out


def proposed_cni(ev: Evaluation) -> CniConfig:
    """The VPC CNI configuration of the chosen design: the spec's, changed by the decisions."""
    changes: dict = {}
    for decision in ev.decisions:
        changes.update(decision.settings)
    proposed = ev.analysis.cni.with_env(**changes)
    if proposed.warm_eni_target is not None and (proposed.ip_targets_defined or proposed.prefix_delegation):
        proposed = proposed.with_env(WARM_ENI_TARGET=None)  # ipamd ignores it beside IP targets and in prefix mode
    return proposed


def aws_node_env(ev: Evaluation) -> tuple[dict[str, str], list[str]]:
    """aws-node's environment for the chosen design, and the variables to remove."""
    env = proposed_cni(ev).env_dict
    removed = [name for name in ev.analysis.cni.env_dict if name not in env]
    return env, removed


def _busy(ev: Evaluation) -> bool:
    return any(g.pods_per_node >= 60 for g in ev.analysis.spec.node_groups)


def _strict_sgp(ev: Evaluation) -> bool:
    d = ev.decision("sgp-enforcing-mode")
    return d is not None and d.chosen == "strict"


def _addon(ev: Evaluation, env: dict) -> dict:
    spec = ev.analysis.spec
    config: dict = {"env": env}
    if _strict_sgp(ev):
        config["init"] = {"env": {"DISABLE_TCP_EARLY_DEMUX": "true"}}
    if spec.requirements.network_policies:
        config["enableNetworkPolicy"] = "true"
    if _busy(ev) or spec.vpc_cni.probe_timeout_seconds > 10:
        timeout = max(30, spec.vpc_cni.probe_timeout_seconds)
        config["livenessProbeTimeoutSeconds"] = timeout
        config["readinessProbeTimeoutSeconds"] = timeout
    return config


def _set_env(env: dict, removed: list[str]) -> list[list[str]]:
    argv = ["kubectl", "set", "env", "daemonset", "aws-node", "-n", "kube-system"]
    return [argv + [f"{k}={v}" for k, v in env.items()] + [f"{k}-" for k in removed]]


def _update_addon(ev: Evaluation) -> list[list[str]]:
    spec = ev.analysis.spec
    argv = ["aws", "eks", "update-addon", "--cluster-name", spec.name, "--addon-name", "vpc-cni",
            "--configuration-values", "file://vpc-cni-configuration.json", "--resolve-conflicts", "PRESERVE"]
    if spec.vpc_cni.iam == "pod-identity":
        argv += ["--pod-identity-associations", "serviceAccount=aws-node,roleArn=<CNI IAM role ARN>"]
    else:
        argv += ["--service-account-role-arn", "<CNI IAM role ARN>"]
    return [argv]


BACKUP = [{"argv": ["kubectl", "get", "daemonset", "aws-node", "-n", "kube-system", "-o", "yaml"],
           "stdout": "aws-k8s-cni-backup.yaml"}]


def _eniconfigs(ev: Evaluation) -> list[dict]:
    spec = ev.analysis.spec
    plan = ev.analysis.plan
    out = []
    for az in spec.availability_zones:
        existing = spec.subnets_with("pods", az)
        if existing:
            subnet = existing[0].id or f"<id of subnet {existing[0].cidr}>"
        else:
            planned = [p for p in (plan.subnets if plan else ()) if p.role == "pods" and p.availability_zone == az]
            subnet = f"<id of subnet {planned[0].name}>" if planned else f"<pod subnet id in {az}>"
        out.append({"apiVersion": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig",
                    "metadata": {"name": az}, "spec": {"subnet": subnet, "securityGroups": [NODE_SG]}})
    return out


def _max_pods(ev: Evaluation) -> list[Artifact]:
    """Per node group, the max pods its launcher sets and what to set, with the launcher's own object."""
    from .rollup import primary_excluded

    spec = ev.analysis.spec
    plans = max_pods_plans(spec, proposed_cni(ev), ev.catalog,
                           excluded_of=lambda group, cni: primary_excluded(spec, group, cni)[0])
    if not plans:
        return []
    out = [Artifact("max-pods", "yaml", "max pods per node group: what its launcher sets, what to set and how",
                    [p.to_dict() for p in plans])]
    by_kind: dict[tuple, list] = {}
    for plan in plans:
        for kind, content in plan.objects:
            by_kind.setdefault((plan.launcher, kind), []).append(content)
    names = {"nodeadm": "nodeadm NodeConfig", "managed": "nodeadm NodeConfig for the launch template",
             "karpenter": "Karpenter", "bottlerocket": "Bottlerocket user data"}
    for (launcher, kind), contents in by_kind.items():
        if kind == "toml":
            for content in contents:
                out.append(Artifact(f"max-pods-{launcher}", "toml", f"{names[launcher]}: max pods", content))
        else:
            out.append(Artifact(f"max-pods-{launcher}", "yaml", f"{names[launcher]}: max pods", contents))
    return out


def _multus(ev: Evaluation) -> list[dict] | None:
    multus = ev.analysis.spec.requirements.multus
    if multus is None:
        return None
    config = {"cniVersion": "0.3.1", "type": "macvlan", "master": multus.interface, "mode": "bridge",
              "ipam": {"type": "host-local", "subnet": str(multus.secondary_cidrs[0]) if multus.secondary_cidrs else "<secondary CIDR>"}}
    nad = {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
           "metadata": {"name": f"{multus.interface}-macvlan", "namespace": "default"},
           "spec": {"config": json.dumps(config)}}
    return [nad]


def _multus_sg_rules(ev: Evaluation) -> list[list[str]]:
    multus = ev.analysis.spec.requirements.multus
    return [["aws", "ec2", "authorize-security-group-ingress", "--group-id", NODE_SG, "--ip-permissions",
             json.dumps([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": str(c), "Description": "Multus secondary interface traffic"}]}],
                        separators=(",", ":"))]
            for c in multus.secondary_cidrs]


def _security_group_policy(ev: Evaluation) -> dict:
    return {"apiVersion": "vpcresources.k8s.aws/v1beta1", "kind": "SecurityGroupPolicy",
            "metadata": {"name": "pods-with-security-groups", "namespace": "default"},
            "spec": {"podSelector": {"matchLabels": {"security-groups": "enabled"}},
                     "securityGroups": {"groupIds": [CLUSTER_SG, "<security group allowed to reach the database>"]}}}


def _load_balancers() -> list[dict]:
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "example", "annotations": {
                   "alb.ingress.kubernetes.io/ip-address-type": "dualstack",
                   "alb.ingress.kubernetes.io/target-type": "ip",
                   "alb.ingress.kubernetes.io/scheme": "internet-facing"}},
               "spec": {"ingressClassName": "alb"}}
    service = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "example", "annotations": {
                   "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                   "service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack",
                   "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip"}},
               "spec": {"type": "LoadBalancer", "ipFamilyPolicy": "PreferDualStack"}}
    return [ingress, service]


def _subnet_tags(ev: Evaluation) -> list[list[str]]:
    spec = ev.analysis.spec
    commands = []
    for subnet in spec.subnets:
        wanted = {}
        for role in subnet.roles:
            wanted.update({k: v for k, v in subnet_tags(spec.name, role).items() if k != "Name"})
        missing = {k: v for k, v in wanted.items() if subnet.tags.get(k) != v}
        if missing:
            commands.append(["aws", "ec2", "create-tags", "--resources", subnet.id or f"<id of subnet {subnet.cidr}>",
                             "--tags"] + [f"Key={k},Value={v}" for k, v in missing.items()])
    if ev.analysis.plan is not None:
        for planned in ev.analysis.plan.subnets:
            commands.append(["aws", "ec2", "create-tags", "--resources", f"<id of subnet {planned.name}>", "--tags"]
                            + [f"Key={k},Value={v}" for k, v in planned.tags.items()])
    return commands


def generate(ev: Evaluation) -> tuple[Artifact, ...]:
    """Every artifact the chosen design needs, in the order a team would apply them."""
    spec = ev.analysis.spec
    env, removed = aws_node_env(ev)
    if spec.auto_mode and all(spec.launcher(g) == "auto-mode" for g in spec.node_groups):
        return tuple(_max_pods(ev))  # Auto Mode runs its own VPC CNI: nothing to apply to aws-node
    out = [
        Artifact("aws-node-backup", "shell", "back up the aws-node DaemonSet before changing it", BACKUP),
        Artifact("aws-node-set-env", "shell", "aws-node's settings for the chosen design (self-managed CNI)",
                 _set_env(env, removed)),
        Artifact("vpc-cni-configuration", "json", "the same settings as the EKS managed add-on's configurationValues",
                 _addon(ev, env)),
        Artifact("vpc-cni-update-addon", "shell", "apply them to the managed add-on, with a dedicated IAM role",
                 _update_addon(ev)),
    ]
    pod_networking = ev.decision("pod-networking")
    if pod_networking is not None and pod_networking.chosen.startswith("Custom networking"):
        out.append(Artifact("eniconfigs", "yaml", "one ENIConfig per AZ, named after the AZ", _eniconfigs(ev)))
    out.extend(_max_pods(ev))
    if env.get("ENABLE_POD_ENI") == "true":
        out.append(Artifact("security-group-policy", "yaml", "a SecurityGroupPolicy to adapt", _security_group_policy(ev)))
    multus = _multus(ev)
    if multus:
        out.append(Artifact("multus-network-attachment", "yaml", "NetworkAttachmentDefinition for the secondary network", multus))
        out.append(Artifact("multus-node-security-group", "shell", "node security group rules for Multus traffic",
                            _multus_sg_rules(ev)))
    if spec.ipv6:
        out.append(Artifact("load-balancer-annotations", "yaml",
                            "dual-stack load balancers through the AWS Load Balancer Controller", _load_balancers()))
    tags = _subnet_tags(ev)
    if tags:
        out.append(Artifact("subnet-tags", "shell", "tags EKS and the AWS Load Balancer Controller look for", tags))
    return tuple(out)
