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
    "prefix-delegation-without-effect": (
        lambda: (spec(**{"vpc_cni.settings": PD, "node_groups": group(instance_types=["t2.medium"], pods_per_node=10)}), None),
        lambda: (spec(**{"vpc_cni.settings": PD, "node_groups": group(instance_types=["t3.medium"], pods_per_node=10)}), None)),
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


#: The exact messages each rule gives on its fires_ case (kube-linter's rule tests check theirs).
MESSAGES = {
    'auto-mode-unsupported': (
        'node group ng runs on EKS Auto Mode, which does not support security groups for pods, yet schedules '
        "4 pods with security groups per node (a NodeClass's podSecurityGroupSelectorTerms gives all its "
        'pods one set instead)',
        'every node group runs on EKS Auto Mode, which runs its own VPC CNI: aws-node settings '
        'AWS_VPC_K8S_CNI_EXTERNALSNAT, ENABLE_POD_ENI, MINIMUM_IP_TARGET, POD_SECURITY_GROUP_ENFORCING_MODE, '
        'WARM_IP_TARGET have no effect there',
    ),
    'aws-node-probe-timeout': (
        "busy nodes in ng (80 pods) keep aws-node's probe timeout at 10 s; under load probes fail and pods "
        'stick in ContainerCreating',
    ),
    'cluster-subnets-shared': (
        "subnet s-nodes-a holds the control plane's cross-account ENIs and nodes or pods: an upgrade can "
        'find no address for new ENIs',
    ),
    'cni-policy-on-node-role': (
        "the VPC CNI uses the node IAM role: every pod on the node can use the CNI's EC2 permissions",
    ),
    'cni-self-managed': (
        'the VPC CNI is self-managed: no validated versions, no drift correction, upgrades by hand',
    ),
    'cni-version-too-old': (
        'network policies need VPC CNI 1.14.0 or later (its network policy agent); the cluster runs 1.13.0',
    ),
    'custom-ami-iptables-forward': (
        'node group ng uses a custom AMI: the iptables FORWARD policy must be ACCEPT (many distributions '
        'default to DROP, which breaks pod networking)',
    ),
    'custom-networking-cgnat-in-use': (
        'pod subnets s-pods-a (100.64.0.0/18) and s-pods-b (100.64.64.0/18) overlap 100.64.0.0/16, CG-NAT '
        'space already in use elsewhere: pod traffic to it is ambiguous',
    ),
    'custom-networking-ipv6-ready': (
        'custom networking is configured although the cluster could run IPv6 (requirements.ip_family: '
        'either), which ends IPv4 exhaustion without ENIConfigs',
    ),
    'dissimilar-instance-types': (
        'managed node group ng mixes instance types with different max pods (m5.xlarge 58, m5.large 29); EKS '
        'gives every node the lowest, 29 of m5.large, so m5.xlarge nodes leave 29 pod slots unused',
    ),
    'dns64-on-pod-subnets': (
        'DNS64 is on in subnet s-nodes-a, where IPv6 pods run: IPv4-only destinations resolve to NAT64 '
        'addresses and traffic pays for the NAT gateway',
    ),
    'fargate-ipv4-room': (
        'IPv4 room for Fargate at max size: s-nodes-a has 87 free beside 4,000 Fargate pods; s-nodes-b has '
        '87 free beside 4,000 Fargate pods: each Fargate pod needs an IPv4 address in IPv6 clusters too',
    ),
    'ipv6-unsupported-nodes': (
        'node group ng includes m4.xlarge (xen); IPv6 clusters need Nitro-based instances',
    ),
    'max-pods-above-addresses': (
        'node group ng (Karpenter) gives the kubelet max pods 58 on m5.xlarge, but ipamd can address 44 (42 '
        'pod addresses + 2 host-network pods): a node packed past 44 pods leaves the rest in '
        "ContainerCreating with no address; set spec.kubelet.maxPods: 44 in the NodePool's EC2NodeClass",
    ),
    'max-pods-not-raised': (
        'node group ng needs 72 pods per node on m5.xlarge (with the 2 host-network pods), but Karpenter '
        'gives the kubelet max pods 58 though ipamd can address 896 pods: 14 stay Pending; set '
        "spec.kubelet.maxPods: 110 in the NodePool's EC2NodeClass",
    ),
    'minimum-ip-target-without-warm': (
        "MINIMUM_IP_TARGET=10 without WARM_IP_TARGET: ipamd keeps no warm address, so once a node's minimum "
        'is used, new pods wait with no IP available',
    ),
    'missing-subnet-tags': (
        'public subnet s-public-a lacks the tag kubernetes.io/role/elb=1, which the AWS Load Balancer '
        'Controller uses to find it',
    ),
    'mixed-ip-modes': (
        "prefix delegation is on, and ng's m5.xlarge use prefixes, but node group ng's m4.xlarge: m4.xlarge "
        'runs on the xen hypervisor; prefix delegation needs a Nitro or bare-metal instance: those nodes '
        'keep secondary IPs',
    ),
    'multus-thick-pod-lookup-race': (
        'Multus v4.1.4 runs the thick plugin, whose pod lookup can miss the informer cache and fail pod '
        'creation cluster-wide; the fix first shipped in v4.2.0 (not v4.1.1, as the guide says)',
    ),
    'overlapping-cidrs': (
        'VPC CIDR 10.0.0.0/16 overlaps the on-premises range 10.0.0.0/8: traffic between them cannot be '
        'routed; custom networking alone does not fix this',
    ),
    'pods-exceed-node-capacity': (
        'node group ng expects 60 pods per node on m5.xlarge, but only 56 can run: max pods 58 leaves room '
        'for 56 pods besides the 2 host-network pods',
    ),
    'prefix-delegation-downgrade-trap': (
        'prefix delegation runs on VPC CNI 1.9.1; one minor version back (1.8) has no prefix support, and '
        'nodes that hold prefixes must then be replaced',
    ),
    'prefix-delegation-old-cni': (
        'ENABLE_PREFIX_DELEGATION is true but the VPC CNI is 1.8.0; prefix delegation needs 1.9.0 or later, '
        'so nodes keep secondary IPs',
    ),
    'prefix-delegation-without-effect': (
        "ENABLE_PREFIX_DELEGATION is true but no node of the cluster can use prefixes (node group ng's "
        't2.medium: t2.medium runs on the xen hypervisor; prefix delegation needs a Nitro or bare-metal '
        'instance): every node keeps secondary IPs',
    ),
    'prefix-fragmented-subnet': (
        'subnet s-nodes-a (10.0.0.0/20) needs 12 contiguous /28 blocks at max size, but only 0 are surely '
        'free (at best 18) and no prefix CIDR reservation covers them; reserve 10.0.14.0/23 once no address '
        'in it is in use',
    ),
    'sgp-branch-enis-exceeded': (
        'node group ng schedules 19 pods with security groups per node on m5.xlarge, which takes 18 branch '
        'ENIs (vpc.amazonaws.com/pod-eni): 1 of them stays Pending',
    ),
    'sgp-no-trunking': (
        'node group ng schedules 2 pods with security groups per node on t3.xlarge, which is not '
        "trunking-compatible in the VPC resource controller's table: it gets no trunk ENI and those pods "
        'stay Pending',
    ),
    'sgp-public-subnets': (
        'node group ng runs pods with security groups in public subnets s-public-a and s-public-b: they get '
        'no public address and no source NAT',
    ),
    'sgp-strict-mode-conflict': (
        'POD_SECURITY_GROUP_ENFORCING_MODE is strict but the cluster uses NodeLocal DNSCache, which needs '
        'standard mode',
    ),
    'sgp-termination-grace-zero': (
        'pods with security groups use terminationGracePeriodSeconds 0: the CNI does not clean up their '
        'network and branch ENIs are not reclaimed',
    ),
    'sgp-trunk-slot-wasted': (
        'ENABLE_POD_ENI is true and VPC CNI 1.18.3 keeps one ENI slot for a trunk ENI on every instance '
        "type: node group ng's t3.large can never attach one, so its pods lose 11 addresses per node (VPC "
        'CNI 1.20.4 keeps the slot only on trunking-compatible types)',
    ),
    'sgp-windows': (
        'node group ng runs Windows, where security groups for pods are not supported',
    ),
    'sgp-without-external-snat': (
        'pods with security groups get no source NAT, but AWS_VPC_K8S_CNI_EXTERNALSNAT is not true: their '
        'traffic leaves the VPC only through a NAT gateway from private subnets',
    ),
    'subnet-exhausted': (
        '2 subnets are short of addresses at max size: s-nodes-a (10.0.0.0/20) needs 4,805 of 4,096, 709 '
        'short; s-nodes-b (10.0.16.0/20) needs 4,805 of 4,096, 709 short',
    ),
    'subnet-plan-shortfall': (
        '5 planned subnets do not fit: us-east-1a cluster (16 addresses, a /28), us-east-1a public (256 '
        'addresses, a /24), us-east-1b cluster (16 addresses, a /28), us-east-1b nodes (149 addresses, a '
        '/24), us-east-1b public (256 addresses, a /24); 10.0.0.0/24 is taken by subnets already planned',
    ),
    'subnet-runway-short': (
        '2 subnets run out within 12 months at the planned growth: s-nodes-a in 8 (4,043 free; growth takes '
        '4,320 addresses by month 9); s-nodes-b in 8 (4,043 free; growth takes 4,320 addresses by month 9)',
    ),
    'switch-modes-by-rolling': (
        'the running aws-node uses secondary IP and the plan prefix delegation: existing nodes keep their '
        'addresses in secondary IP mode; rolling them in place mixes modes',
    ),
    'warm-eni-target-ignored': (
        'WARM_ENI_TARGET=1 is set together with WARM_IP_TARGET/MINIMUM_IP_TARGET, which take precedence: '
        'ipamd ignores it',
    ),
    'warm-pool-waste': (
        'at desired size the nodes hold 168 pod addresses, 88 of them (52%) unused in warm pools, above the '
        '40% eksplan tolerates',
    ),
    'warm-prefix-target-zero': (
        'WARM_PREFIX_TARGET is 0: it has no effect without prefix delegation and would be rejected once '
        'prefix delegation is enabled',
    ),
}
