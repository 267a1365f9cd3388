"""One case where each finding rule fires and one where it stays silent.

Every case starts from BASE, a cluster no rule objects to, and changes as little as it can.
``fires_*`` and ``silent_*`` name the outcome; each returns (spec data, live aws-node settings or None).
"""

from __future__ import annotations

import copy

BASE = {
    "name": "base",
    "region": "us-east-1",
    "availability_zones": ["us-east-1a", "us-east-1b"],
    "vpc": {"cidrs": ["10.0.0.0/16"]},
    "subnets": [
        {"id": "s-cluster-a", "availability_zone": "us-east-1a", "cidr": "10.0.255.0/28", "role": "cluster"},
        {"id": "s-cluster-b", "availability_zone": "us-east-1b", "cidr": "10.0.255.16/28", "role": "cluster"},
        {"id": "s-public-a", "availability_zone": "us-east-1a", "cidr": "10.0.100.0/24", "role": "public",
         "tags": {"kubernetes.io/role/elb": "1"}},
        {"id": "s-public-b", "availability_zone": "us-east-1b", "cidr": "10.0.101.0/24", "role": "public",
         "tags": {"kubernetes.io/role/elb": "1"}},
        {"id": "s-nodes-a", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/20", "role": "nodes",
         "tags": {"kubernetes.io/role/internal-elb": "1"}},
        {"id": "s-nodes-b", "availability_zone": "us-east-1b", "cidr": "10.0.16.0/20", "role": "nodes",
         "tags": {"kubernetes.io/role/internal-elb": "1"}},
    ],
    "node_groups": [{"name": "ng", "instance_types": ["m5.xlarge"], "min_size": 2, "desired_size": 4,
                     "max_size": 8, "pods_per_node": 20}],
    "vpc_cni": {"version": "1.18.3", "iam": "irsa", "settings": {"WARM_IP_TARGET": 2, "MINIMUM_IP_TARGET": 10}},
    "requirements": {"endpoint_access": "public-private"},
}

POD_SUBNETS = [
    {"id": "s-pods-a", "availability_zone": "us-east-1a", "cidr": "100.64.0.0/18", "role": "pods"},
    {"id": "s-pods-b", "availability_zone": "us-east-1b", "cidr": "100.64.64.0/18", "role": "pods"},
]


def spec(**changes):
    """BASE with changes: 'a.b' keys set nested values, a callable value edits the old one."""
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        target = data
        *parents, leaf = dotted.split(".")
        for key in parents:
            target = target.setdefault(key, {})
        target[leaf] = value(target.get(leaf)) if callable(value) else value
    return data


def group(**changes):
    return [{**BASE["node_groups"][0], **changes}]


def settings(**values):
    return {**BASE["vpc_cni"]["settings"], **values}


def custom_networking(**extra):
    return spec(**{"vpc.cidrs": ["10.0.0.0/16", "100.64.0.0/16"], "subnets": BASE["subnets"] + POD_SUBNETS,
                   "vpc_cni.settings": settings(AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=True)}, **extra)


def ipv6(**extra):
    return spec(**{"requirements.ip_family": "ipv6", "vpc.ipv6_cidr": "2600:1f18:aaaa:bb00::/56",
                   "vpc_cni.settings": {"ENABLE_IPv6": True, "ENABLE_PREFIX_DELEGATION": True}}, **extra)


def sgp(**extra):
    changes = {"vpc_cni.settings": settings(ENABLE_POD_ENI=True, POD_SECURITY_GROUP_ENFORCING_MODE="standard",
                                             AWS_VPC_K8S_CNI_EXTERNALSNAT=True),
               "requirements.security_groups_for_pods": True,
               "node_groups": group(security_group_pods_per_node=4)}
    changes.update(extra)
    return spec(**changes)


def with_subnet(index, **values):
    subnets = copy.deepcopy(BASE["subnets"])
    subnets[index].update(values)
    return subnets


PD = {"ENABLE_PREFIX_DELEGATION": True}

CASES = {
    "prefix-fragmented-subnet": (
        lambda: (spec(**{"vpc_cni.settings": PD, "subnets": with_subnet(4, available_ips=300)}), None),
        lambda: (spec(**{"vpc_cni.settings": PD,
                         "subnets": with_subnet(4, available_ips=300, cidr_reservations=["10.0.8.0/21"])}), None)),
    "mixed-ip-modes": (
        lambda: (spec(**{"vpc_cni.settings": PD, "node_groups": group(instance_types=["m5.xlarge", "m4.xlarge"])}), None),
        lambda: (spec(**{"vpc_cni.settings": PD}), None)),
    "prefix-delegation-old-cni": (
        lambda: (spec(**{"vpc_cni.version": "1.8.0", "vpc_cni.settings": PD}), None),
        lambda: (spec(**{"vpc_cni.version": "1.9.0", "vpc_cni.settings": PD}), None)),
    "prefix-delegation-downgrade-trap": (
        lambda: (spec(**{"vpc_cni.version": "1.9.1", "vpc_cni.settings": PD}), None),
        lambda: (spec(**{"vpc_cni.version": "1.10.0", "vpc_cni.settings": PD}), None)),
    "max-pods-not-raised": (
        lambda: (spec(**{"vpc_cni.settings": PD, "node_groups": group(launcher="karpenter", pods_per_node=70)}), None),
        lambda: (spec(**{"vpc_cni.settings": PD, "node_groups": group(launcher="karpenter", pods_per_node=70,
                                                                       max_pods=110)}), None)),
    "switch-modes-by-rolling": (
        lambda: (spec(**{"vpc_cni.settings": PD}), {"ENABLE_PREFIX_DELEGATION": "false"}),
        lambda: (spec(**{"vpc_cni.settings": PD}), {"ENABLE_PREFIX_DELEGATION": "true"})),
    "warm-prefix-target-zero": (
        lambda: (spec(**{"vpc_cni.settings": settings(WARM_IP_TARGET=None, MINIMUM_IP_TARGET=None, WARM_PREFIX_TARGET=0)}), None),
        lambda: (spec(**{"vpc_cni.settings": settings(WARM_PREFIX_TARGET=1)}), None)),
    "dissimilar-instance-types": (
        lambda: (spec(node_groups=group(instance_types=["m5.xlarge", "m5.large"])), None),
        lambda: (spec(node_groups=group(instance_types=["m5.xlarge", "m5a.xlarge"])), None)),
    "pods-exceed-node-capacity": (
        lambda: (spec(node_groups=group(pods_per_node=60)), None),
        lambda: (spec(), None)),
    "max-pods-above-addresses": (
        lambda: (custom_networking(node_groups=group(launcher="karpenter")), None),
        lambda: (custom_networking(node_groups=group(launcher="karpenter", max_pods=44)), None)),
    "sgp-branch-enis-exceeded": (
        lambda: (sgp(node_groups=group(security_group_pods_per_node=19)), None),
        lambda: (sgp(node_groups=group(security_group_pods_per_node=18)), None)),
    "sgp-trunk-slot-wasted": (
        lambda: (sgp(node_groups=group(instance_types=["t3.large"], security_group_pods_per_node=0)), None),
        lambda: (sgp(**{"vpc_cni.version": "1.20.4", "node_groups": group(instance_types=["t3.large"],
                                                                            security_group_pods_per_node=0)}), None)),
    "auto-mode-unsupported": (
        lambda: (sgp(auto_mode=True), None),
        lambda: (spec(auto_mode=True, **{"vpc_cni.settings": {}}), None)),
    "warm-eni-target-ignored": (
        lambda: (spec(**{"vpc_cni.settings": settings(WARM_ENI_TARGET=1)}), None),
        lambda: (spec(), None)),
    "minimum-ip-target-without-warm": (
        lambda: (spec(**{"vpc_cni.settings": {"MINIMUM_IP_TARGET": 10}}), None),
        lambda: (spec(), None)),
    "warm-pool-waste": (
        lambda: (spec(**{"vpc_cni.settings": {}}), None),
        lambda: (spec(), None)),
    "custom-networking-ipv6-ready": (
        lambda: (custom_networking(**{"requirements.ip_family": "either"}), None),
        lambda: (custom_networking(), None)),
    "custom-networking-cgnat-in-use": (
        lambda: (custom_networking(**{"requirements.cgnat_in_use": ["100.64.0.0/16"]}), None),
        lambda: (custom_networking(**{"requirements.cgnat_in_use": ["100.65.0.0/16"]}), None)),
    "overlapping-cidrs": (
        lambda: (spec(**{"requirements.on_prem_cidrs": ["10.0.0.0/8"]}), None),
        lambda: (spec(**{"requirements.on_prem_cidrs": ["192.168.0.0/16"]}), None)),
    "ipv6-unsupported-nodes": (
        lambda: (ipv6(node_groups=group(instance_types=["m4.xlarge"])), None),
        lambda: (ipv6(), None)),
    "dns64-on-pod-subnets": (
        lambda: (ipv6(subnets=with_subnet(4, dns64=True)), None),
        lambda: (ipv6(), None)),
    "fargate-ipv4-room": (
        lambda: (ipv6(fargate_profiles=[{"name": "fg", "pods": 8000}]), None),
        lambda: (ipv6(fargate_profiles=[{"name": "fg", "pods": 10}]), None)),
    "cni-version-too-old": (
        lambda: (spec(**{"vpc_cni.version": "1.13.0", "requirements.network_policies": True}), None),
        lambda: (spec(**{"vpc_cni.version": "1.14.0", "requirements.network_policies": True}), None)),
    "sgp-windows": (
        lambda: (sgp(node_groups=group(security_group_pods_per_node=2, os="windows")), None),
        lambda: (sgp(), None)),
    "sgp-no-trunking": (
        lambda: (sgp(node_groups=group(security_group_pods_per_node=2, instance_types=["t3.xlarge"])), None),
        lambda: (sgp(), None)),
    "sgp-strict-mode-conflict": (
        lambda: (sgp(**{"vpc_cni.settings": settings(ENABLE_POD_ENI=True, AWS_VPC_K8S_CNI_EXTERNALSNAT=True),
                        "requirements.nodelocal_dnscache": True}), None),
        lambda: (sgp(**{"requirements.nodelocal_dnscache": True}), None)),
    "sgp-termination-grace-zero": (
        lambda: (sgp(**{"requirements.termination_grace_period_seconds": 0}), None),
        lambda: (sgp(), None)),
    "sgp-without-external-snat": (
        lambda: (sgp(**{"vpc_cni.settings": settings(ENABLE_POD_ENI=True, POD_SECURITY_GROUP_ENFORCING_MODE="standard")}), None),
        lambda: (sgp(), None)),
    "sgp-public-subnets": (
        lambda: (sgp(node_groups=group(security_group_pods_per_node=2, subnets=["s-public-a", "s-public-b", "s-nodes-a", "s-nodes-b"])), None),
        lambda: (sgp(node_groups=group(security_group_pods_per_node=2, subnets=["s-nodes-a", "s-nodes-b"])), None)),
    "multus-thick-pod-lookup-race": (
        lambda: (spec(**{"requirements.multus": {"version": "v4.1.4-thick", "plugin": "thick"}}), None),
        lambda: (spec(**{"requirements.multus": {"version": "v4.2.0-thick", "plugin": "thick"}}), None)),
    "cni-policy-on-node-role": (
        lambda: (spec(**{"vpc_cni.iam": "node-role"}), None),
        lambda: (spec(), None)),
    "custom-ami-iptables-forward": (
        lambda: (spec(node_groups=group(custom_ami=True)), None),
        lambda: (spec(), None)),
    "aws-node-probe-timeout": (
        lambda: (spec(node_groups=group(instance_types=["m5.4xlarge"], pods_per_node=80), **{"vpc_cni.settings": PD}), None),
        lambda: (spec(node_groups=group(instance_types=["m5.4xlarge"], pods_per_node=80),
                      **{"vpc_cni.settings": PD, "vpc_cni.probe_timeout_seconds": 30}), None)),
    "cni-self-managed": (
        lambda: (spec(**{"vpc_cni.managed_addon": False}), None),
        lambda: (spec(), None)),
    "cluster-subnets-shared": (
        lambda: (spec(subnets=with_subnet(4, role=["cluster", "nodes"])), None),
        lambda: (spec(), None)),
    "missing-subnet-tags": (
        lambda: (spec(subnets=with_subnet(2, tags={"Name": "public-a"})), None),
        lambda: (spec(), None)),
    "subnet-exhausted": (
        lambda: (spec(node_groups=group(max_size=400)), None),
        lambda: (spec(), None)),
    "subnet-runway-short": (
        lambda: (spec(**{"requirements.growth": {"nodes_per_month": 40}}), None),
        lambda: (spec(**{"requirements.growth": {"nodes_per_month": 1}}), None)),
    "subnet-plan-shortfall": (
        lambda: (spec(subnets=[], vpc={"cidrs": ["10.0.0.0/24"]}), None),
        lambda: (spec(subnets=[]), None)),
}
