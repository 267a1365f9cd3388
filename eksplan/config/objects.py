"""Kubernetes objects and AWS commands for the chosen design, built as data.

Placeholders that only the reader can fill (security group ids, role ARNs) are written as
``<what to put here>``; every other value comes from the spec or the plan.
"""

from __future__ import annotations

import json

from ..engine import Evaluation
from ..planner import subnet_tags

__all__ = ["eniconfigs", "security_group_policy", "load_balancers", "subnet_tag_commands",
           "prefix_reservation_commands", "ipv6_cluster_commands", "dns64_commands", "probe_patch", "CNI_IPV6_POLICY",
           "NODE_SG", "CLUSTER_SG"]

NODE_SG = "<node security group id>"
CLUSTER_SG = "<cluster security group id>"

#: The IAM policy the VPC CNI needs in IPv6 clusters (AmazonEKS_CNI_Policy covers IPv4 only), as the
#: EKS user guide gives it ("Create IAM policy for clusters that use the IPv6 family").
CNI_IPV6_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow",
         "Action": ["ec2:AssignIpv6Addresses", "ec2:DescribeInstances", "ec2:DescribeTags",
                    "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstanceTypes"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": ["ec2:CreateTags"], "Resource": ["arn:aws:ec2:*:*:network-interface/*"]},
    ],
}


def eniconfigs(ev: Evaluation) -> list[dict]:
    """One ENIConfig per AZ, named after it (ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone)."""
    spec = ev.analysis.spec
    plan = ev.analysis.plan
    out = []
    for az in spec.availability_zones:
        existing = spec.subnets_with("pods", az)
        if existing:
            subnet = existing[0].id or f"<id of subnet {existing[0].cidr}>"
        else:
            planned = [p for p in (plan.subnets if plan else ()) if p.role == "pods" and p.availability_zone == az]
            subnet = f"<id of subnet {planned[0].name}>" if planned else f"<id of a pod subnet in {az}>"
        out.append({"apiVersion": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig",
                    "metadata": {"name": az}, "spec": {"subnet": subnet, "securityGroups": [NODE_SG]}})
    return out


def security_group_policy(ev: Evaluation) -> dict:
    return {"apiVersion": "vpcresources.k8s.aws/v1beta1", "kind": "SecurityGroupPolicy",
            "metadata": {"name": "pods-with-security-groups", "namespace": "default"},
            "spec": {"podSelector": {"matchLabels": {"security-groups": "enabled"}},
                     "securityGroups": {"groupIds": [CLUSTER_SG, "<security group allowed to reach the database>"]}}}


def load_balancers() -> list[dict]:
    """A dual-stack ALB Ingress and NLB Service for the AWS Load Balancer Controller, complete enough to apply.

    Both are internet-facing, said explicitly: the controller's default scheme is internal.
    """
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "example", "annotations": {
                   "alb.ingress.kubernetes.io/ip-address-type": "dualstack",
                   "alb.ingress.kubernetes.io/target-type": "ip",
                   "alb.ingress.kubernetes.io/scheme": "internet-facing"}},
               "spec": {"ingressClassName": "alb", "rules": [{"http": {"paths": [
                   {"path": "/", "pathType": "Prefix",
                    "backend": {"service": {"name": "example", "port": {"number": 80}}}}]}}]}}
    service = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "example", "annotations": {
                   "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                   "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
                   "service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack",
                   "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip"}},
               "spec": {"type": "LoadBalancer", "ipFamilyPolicy": "PreferDualStack", "selector": {"app": "example"},
                        "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}}
    return [ingress, service]


def subnet_tag_commands(ev: Evaluation) -> list[list[str]]:
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


def prefix_reservation_commands(ev: Evaluation) -> list:
    """For each subnet at risk of /28 fragmentation: check the block is unused, then reserve it for prefixes."""
    out: list = []
    ids = {s.label: s.id for s in ev.analysis.spec.subnets}
    for risk in ev.analysis.prefix_risks:
        if not risk.at_risk or not risk.recommended_reservation:
            continue
        subnet = ids.get(risk.subnet) or f"<id of subnet {risk.cidr}>"
        block = risk.recommended_reservation
        out.append({"argv": ["aws", "ec2", "describe-network-interfaces", "--filters",
                             f"Name=subnet-id,Values={subnet}", "--query",
                             "NetworkInterfaces[].PrivateIpAddresses[].PrivateIpAddress", "--output", "text"],
                    "stdout": f"addresses-in-use-{subnet}.txt"})
        out.append(["aws", "ec2", "create-subnet-cidr-reservation", "--subnet-id", subnet, "--cidr", block,
                    "--reservation-type", "prefix", "--description",
                    f"EKS prefix delegation: reserve only if no address listed in addresses-in-use-{subnet}.txt is "
                    f"inside {block}"])
    return out


def ipv6_cluster_commands(ev: Evaluation) -> list[list[str]]:
    """How an IPv6 cluster is created: the IP family is chosen at creation, never changed on aws-node."""
    spec = ev.analysis.spec
    return [["aws", "eks", "create-cluster", "--name", spec.name, "--role-arn", "<cluster IAM role ARN>",
             "--resources-vpc-config", "subnetIds=<private subnet ids, comma-separated>",
             "--kubernetes-network-config", "ipFamily=ipv6"],
            ["aws", "iam", "create-policy", "--policy-name", "AmazonEKS_CNI_IPv6_Policy", "--policy-document",
             "file://cni-ipv6-iam-policy.json"]]


def multus_sg_rules(ev: Evaluation, node_sg: str = NODE_SG) -> list[list[str]]:
    multus = ev.analysis.spec.requirements.multus
    return [["aws", "ec2", "authorize-security-group-ingress", "--group-id", node_sg, "--ip-permissions",
             json.dumps([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": str(c),
                                                             "Description": "Multus secondary interface traffic"}]}],
                        separators=(",", ":"))]
            for c in multus.secondary_cidrs]


def dns64_commands(ev: Evaluation) -> list[list[str]]:
    """Turn DNS64 off where IPv6 pods run (the dns64-on-pod-subnets finding)."""
    spec = ev.analysis.spec
    if not spec.ipv6:
        return []
    return [["aws", "ec2", "modify-subnet-attribute", "--subnet-id", subnet.id or f"<id of subnet {subnet.cidr}>",
             "--no-enable-dns64"] for subnet in spec.subnets if subnet.dns64 and {"nodes", "pods"} & set(subnet.roles)]


def probe_patch(timeout: int) -> list[list[str]]:
    """aws-node's liveness and readiness probe timeouts on a self-managed DaemonSet (JSON patch)."""
    patch = [{"op": "replace", "path": f"/spec/template/spec/containers/0/{probe}/timeoutSeconds", "value": timeout}
             for probe in ("livenessProbe", "readinessProbe")]
    return [["kubectl", "patch", "daemonset", "aws-node", "-n", "kube-system", "--type", "json", "-p",
             json.dumps(patch, separators=(",", ":"))]]
