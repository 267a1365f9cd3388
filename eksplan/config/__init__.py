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

from ..catalog.addon import load_addon_schema
from ..engine import Evaluation
from ..nodeconfig import max_pods_plans
from .multus import multus_plan
from .awsnode import (BACKUP, addon_configuration, aws_node_env, create_addon_commands, probe_timeout, proposed_cni,
                      set_env_commands, update_addon_commands)
from .objects import (CNI_IPV6_POLICY, dns64_commands, eniconfigs, ipv6_cluster_commands, load_balancers,
                      multus_sg_rules, prefix_reservation_commands, probe_patch, security_group_policy,
                      subnet_tag_commands)

__all__ = ["Artifact", "generate", "aws_node_env", "proposed_cni", "render"]



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


def _max_pods(ev: Evaluation) -> list[Artifact]:
    """Per node group, the max pods its launcher sets and what to set, with the launcher's own object."""
    from ..rollup import primary_excluded

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


def _multus(ev: Evaluation) -> list[Artifact]:
    plan = multus_plan(ev)
    if plan is None:
        return []
    interface = ev.analysis.spec.requirements.multus.interface
    out = []
    if plan["reservations"]:
        out.append(Artifact("multus-subnet-reservations", "shell", "hold each AZ's whereabouts range out of EC2's own "
                            "assignments (explicit CIDR reservations)", plan["reservations"]))
    out.append(Artifact("multus-eni-tags", "shell", f"tag every node's {interface} ENI so that the VPC CNI leaves it "
                        "alone (in the launch template or the function that attaches it)", plan["tags"]))
    if plan["nads"]:
        out.append(Artifact("multus-network-attachments", "yaml", f"one NetworkAttachmentDefinition per AZ: ipvlan on "
                            f"{interface}, whereabouts IPAM over the reserved range", plan["nads"]))
    out.append(Artifact("multus-pod-addresses", "shell", f"assign each Multus pod's address to its node's {interface} "
                        "(EC2 delivers only to addresses an ENI holds); aws-samples/eks-automated-ipmgmt-multus-pods "
                        "does it per pod from an initContainer, sidecar or DaemonSet", plan["assign"]))
    return out


def _aws_node(ev: Evaluation) -> list[Artifact]:
    """aws-node's settings: configurationValues for the managed add-on, kubectl set env for a self-managed one."""
    spec = ev.analysis.spec
    env, removed = aws_node_env(ev)
    out = [Artifact("aws-node-backup", "shell", "back up the aws-node DaemonSet before changing it", BACKUP)]
    if not spec.vpc_cni.managed_addon:
        commands = set_env_commands(env, removed)
        if commands:
            out.append(Artifact("aws-node-set-env", "shell", "aws-node's settings for the chosen design (self-managed "
                                "VPC CNI)", commands))
        timeout = probe_timeout(ev)
        if timeout:
            out.append(Artifact("aws-node-probes", "shell", f"aws-node's probe timeouts at {timeout} s for busy nodes",
                                probe_patch(timeout)))
        config, _ = addon_configuration(ev, env)
        out.append(Artifact("vpc-cni-configuration", "json", "the same settings as the managed add-on's "
                            "configurationValues, for adopting it", config))
        out.append(Artifact("vpc-cni-create-addon", "shell", "adopt the EKS managed add-on (validated versions, drift "
                            "correction), keeping these settings", create_addon_commands(ev)))
        return out
    config, outside = addon_configuration(ev, env)
    if config != {"env": {}} or spec.vpc_cni.iam == "node-role":
        out.append(Artifact("vpc-cni-configuration", "json", "the managed add-on's configurationValues for the chosen "
                            "design", config))
        out.append(Artifact("vpc-cni-update-addon", "shell", "apply them to the managed add-on, with a dedicated IAM "
                            "role", update_addon_commands(ev)))
    if outside:
        out.append(Artifact("aws-node-set-env", "shell",
                            f"variables the add-on's configuration schema ({load_addon_schema().source}) does not "
                            "take: check `aws eks describe-addon-configuration` for your add-on version first",
                            set_env_commands(outside, [])))
    return out


def generate(ev: Evaluation) -> tuple[Artifact, ...]:
    """Every artifact the chosen design needs, in the order a team would apply them."""
    spec = ev.analysis.spec
    family = ev.decision("ip-family")
    ipv6 = family is not None and family.chosen == "IPv6"
    out: list[Artifact] = []
    if ipv6:
        if not spec.ipv6:
            out.append(Artifact("cluster-ipv6", "shell", "an IPv6 cluster is a new cluster: its IP family is chosen at "
                                "creation", ipv6_cluster_commands(ev)))
        out.append(Artifact("cni-ipv6-iam-policy", "json", "the VPC CNI's IAM policy for IPv6 (AmazonEKS_CNI_Policy "
                            "covers IPv4 only)", CNI_IPV6_POLICY))
    if not (spec.auto_mode and all(spec.launcher(g) == "auto-mode" for g in spec.node_groups)):
        out.extend(_aws_node(ev))  # Auto Mode runs its own VPC CNI: nothing to apply to aws-node
    env, _ = aws_node_env(ev)
    pod_networking = ev.decision("pod-networking")
    if pod_networking is not None and pod_networking.chosen.startswith("Custom networking"):
        out.append(Artifact("eniconfigs", "yaml", "one ENIConfig per AZ, named after the AZ", eniconfigs(ev)))
    out.extend(_max_pods(ev))
    if env.get("ENABLE_POD_ENI") == "true":
        out.append(Artifact("security-group-policy", "yaml", "a SecurityGroupPolicy to adapt", security_group_policy(ev)))
    out.extend(_multus(ev))
    if spec.requirements.multus is not None and spec.requirements.multus.secondary_cidrs:
        out.append(Artifact("multus-node-security-group", "shell", "node security group rules for Multus traffic",
                            multus_sg_rules(ev)))
    if ipv6:
        out.append(Artifact("load-balancer-annotations", "yaml",
                            "dual-stack load balancers through the AWS Load Balancer Controller (internet-facing, "
                            "said explicitly: the controller's default is internal)", load_balancers()))
    reservations = prefix_reservation_commands(ev)
    if reservations:
        out.append(Artifact("prefix-cidr-reservations", "shell",
                            "reserve /28 space for prefixes in the subnets at risk; list the addresses in use first and "
                            "reserve only a block that holds none", reservations))
    dns64 = dns64_commands(ev)
    if dns64:
        out.append(Artifact("subnets-dns64-off", "shell", "turn DNS64 off where IPv6 pods run", dns64))
    tags = subnet_tag_commands(ev)
    if tags:
        out.append(Artifact("subnet-tags", "shell", "tags EKS and the AWS Load Balancer Controller look for", tags))
    return tuple(out)
