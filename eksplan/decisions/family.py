"""Decision: IPv4 or IPv6 for the cluster."""

from __future__ import annotations

from ..cniversion import IPV6
from ..rules.base import Context, DecisionRule, Option, Outcome, shell_quote
from .common import instance_types, ipv4_pressure

GUIDE = "IPv4 vs IPv6 — Decision Guide"

IPV4 = Option(
    "IPv4",
    ("the default: every AWS service, add-on and tool supports it",
     "secondary-IP or prefix mode can be changed later (with new node groups)"),
    ("pods take VPC IPv4 addresses: subnets must be planned, warm pools tuned, exhaustion watched",
     "connected networks must not overlap the VPC's ranges"),
)
IPV6_OPTION = Option(
    "IPv6",
    ("pods take addresses from each node's /80 prefix (2^48 addresses): no pod address exhaustion",
     "no warm-pool tuning: the prefix is assigned when the node starts",
     "custom networking becomes unnecessary"),
    ("irreversible: the IP family is fixed for the cluster's life",
     "Nitro-based Linux instances only; the VPC CNI runs in prefix mode only",
     "Fargate pods still take an IPv4 address each",
     "dual-stack load balancers need the AWS Load Balancer Controller (not the in-tree controller)",
     "DNS64 must be off on pod subnets; the CNI needs a custom IAM policy for IPv6"),
)


def decide(ctx: Context) -> Decision:
    spec = ctx.spec
    wish = spec.requirements.ip_family
    pressure = ipv4_pressure(ctx)
    types = instance_types(ctx)
    blockers = [f"{it.name} is not Nitro-based" for it in types if not it.nitro_based]
    blockers += [f"node group {g.name} runs Windows" for g in spec.node_groups if g.os == "windows"]
    version = ctx.settings.version
    drivers = [
        "IPv4 space: " + ("; ".join(pressure.reasons) if pressure.constrained else "enough for max size and growth"),
        f"instance types: {len(types) - len([b for b in blockers if 'Nitro' in b])} of {len(types)} Nitro-based",
        f"Fargate profiles: {len(spec.fargate_profiles)} (IPv4 still needed per pod)",
        "the choice cannot be changed for the cluster's life",
    ]
    if version is not None:
        drivers.append(f"VPC CNI {version} ({'supports' if version >= IPV6 else 'predates'} IPv6, from {IPV6})")
    if wish == "ipv6":
        chosen, because = "IPv6", "the spec requires an IPv6 cluster"
    elif wish == "ipv4":
        chosen, because = "IPv4", "the spec requires IPv4" + (
            " (though " + "; ".join(pressure.reasons) + ")" if pressure.constrained else
            " and its address space holds the cluster at max size with growth")
    elif pressure.constrained and not blockers:
        chosen, because = "IPv6", "IPv4 space is short (" + "; ".join(pressure.reasons) + ") and every node can run IPv6"
    elif blockers:
        chosen, because = "IPv4", "IPv6 is ruled out: " + "; ".join(blockers)
    else:
        chosen, because = "IPv4", "IPv4 space holds the cluster at max size with growth, and IPv4 keeps every option open"
    if chosen == "IPv6":
        how = ("a new cluster with ipFamily ipv6 (aws eks create-cluster --kubernetes-network-config ipFamily=ipv6, "
               "or eksctl's kubernetesNetworkConfig.ipFamily: IPv6)" if not spec.ipv6 else
               "the cluster is created with ipFamily ipv6")
        consequences = (
            f"{how} in a dual-stack VPC; the family cannot be changed later, and aws-node's ENABLE_IPv6 is never "
            "switched on a running cluster",
            "the CNI's IAM role needs the IPv6 policy (AmazonEKS_CNI_Policy covers IPv4 only): "
            "ec2:AssignIpv6Addresses and the Describe calls, and ec2:CreateTags on network interfaces",
            "pods get IPv6 addresses from each node's /80; IPv4 egress is SNATed through 169.254.172.0/22",
            "each node and each Fargate pod still takes an IPv4 address from the subnet",
            "use the AWS Load Balancer Controller with dual-stack annotations; turn DNS64 off on pod subnets",
        ) + tuple(f"fix first: {b}" for b in blockers)
        settings = {}
    else:
        consequences = (
            "pods take VPC IPv4 addresses: the IP mode and warm settings below decide how many",
            "watch subnet runway; add a secondary CIDR or prefix delegation before it runs out",
        )
        settings = {}
    name = shell_quote(spec.name)
    return Outcome(
        context=(f"Cluster {spec.name} must choose its IP family at creation. IPv6 ends pod address exhaustion but "
                 "is permanent and narrows the instance types and integrations."),
        drivers=tuple(drivers), chosen=chosen, because=because,
        consequences=consequences,
        confirm=(f"aws eks describe-cluster --name {name} --query cluster.kubernetesNetworkConfig.ipFamily --output text",
                 "kubectl get daemonset aws-node -n kube-system -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name==\"ENABLE_IPv6\")].value}'"),
        current="IPv6" if spec.ipv6 else "IPv4", settings=settings,
    )


RULE = DecisionRule("ip-family", "IP family: IPv4 or IPv6", GUIDE, (IPV4, IPV6_OPTION), decide)
