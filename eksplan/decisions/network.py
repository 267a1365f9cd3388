"""Decision: where pod addresses come from when the node subnets are not enough."""

from __future__ import annotations

from ..cniversion import SUBNET_DISCOVERY
from ..rules.base import Context, Decision, DecisionRule, Option
from .common import ipv4_pressure

GUIDE = "Custom Networking"

NONE = Option("Pods in the node subnets",
              ("nothing extra to run: the default", "max pods unchanged"),
              ("pods and nodes share the node subnets' addresses",))
CUSTOM = Option("Custom networking (ENIConfig per AZ, pods in 100.64.0.0/10)",
                ("pod addresses in a separate, non-routable secondary CIDR",
                 "pod traffic can carry its own security groups and CIDR for firewalls"),
                ("one ENIConfig per AZ to keep in step; ENI_CONFIG_LABEL_DEF",
                 "the primary ENI carries no pods: lower max pods (m5.large 29 -> 20)",
                 "pods reaching on-premises need NAT or routing for the CG-NAT range"))
DISCOVERY = Option("Secondary CIDR with Enhanced Subnet Discovery (kubernetes.io/role/cni=1)",
                   ("no ENIConfigs: ipamd finds tagged subnets of the node's AZ (VPC CNI >= 1.18)",
                    "max pods unchanged: the primary ENI still carries pods"),
                   ("pods may land in any tagged subnet of the AZ: less control over which CIDR they use",))
IPV6 = Option("IPv6 cluster", ("ends IPv4 exhaustion for pods",), ("irreversible; see the IP family decision",))
PRIVATE_NAT = Option("Private NAT gateway with a transit gateway",
                     ("solves overlapping CIDRs with connected networks",),
                     ("NAT gateway cost; another hop for pod traffic leaving the VPC",))


def _overlaps(ctx: Context) -> list[str]:
    r = ctx.spec.requirements
    return [f"{c} overlaps {o}" for c in ctx.spec.vpc.cidrs for o in list(r.on_prem_cidrs) + list(r.peered_cidrs)
            if c.overlaps(o)]


def decide(ctx: Context) -> Decision:
    spec = ctx.spec
    version = ctx.settings.version
    pressure = ipv4_pressure(ctx)
    overlaps = _overlaps(ctx)
    current = CUSTOM.name if spec.cni.custom_networking else NONE.name
    discovery_ok = version is None or version >= SUBNET_DISCOVERY
    drivers = (
        "IPv4 space in the node subnets: " + ("; ".join(pressure.reasons) if pressure.constrained else "enough"),
        f"overlapping CIDRs with connected networks: {', '.join(overlaps) or 'none'}",
        f"CG-NAT ranges already in use: {', '.join(map(str, spec.requirements.cgnat_in_use)) or 'none'}",
        f"VPC CNI {version or 'unknown'}: Enhanced Subnet Discovery from {SUBNET_DISCOVERY}",
        f"IP family: {'IPv6' if spec.ipv6 else 'IPv4'}",
    )
    settings: dict = {}
    if spec.ipv6:
        chosen, because = NONE.name, "IPv6 pods take addresses from each node's /80; custom networking would add only overhead"
        consequences = ("remove custom networking if it was enabled for IPv4 exhaustion",)
    elif overlaps:
        chosen = PRIVATE_NAT.name
        because = "the VPC overlaps connected networks (" + "; ".join(overlaps) + "), which custom networking alone cannot route"
        consequences = ("route traffic to the overlapping ranges through a private NAT gateway and a transit gateway",
                        "keep pods in non-overlapping subnets (custom networking or a secondary CIDR) behind it")
    elif spec.cni.custom_networking:
        chosen, because = CUSTOM.name, "the spec runs pods in dedicated subnets through ENIConfigs, which keeps node and pod ranges apart"
        consequences = ("one ENIConfig per AZ, named after the AZ, with ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone",
                        "max pods lowered on every node (the primary ENI carries no pods)",
                        "create new node groups after enabling it: existing nodes keep their addresses")
        settings = {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true", "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}
    elif pressure.constrained and discovery_ok:
        chosen = DISCOVERY.name
        because = ("node subnets run short (" + "; ".join(pressure.reasons) + ") and subnet discovery adds pod space "
                   "without ENIConfigs or a max-pods penalty")
        consequences = ("add a 100.64.0.0/10 secondary CIDR and subnets per AZ tagged kubernetes.io/role/cni=1",
                        "leave ENABLE_SUBNET_DISCOVERY at its default (true)")
        settings = {"ENABLE_SUBNET_DISCOVERY": "true"}
    elif pressure.constrained:
        chosen, because = CUSTOM.name, "node subnets run short and this CNI predates subnet discovery"
        consequences = ("add a 100.64.0.0/10 secondary CIDR, pod subnets per AZ and ENIConfigs",
                        "max pods lowered on every node (the primary ENI carries no pods)")
        settings = {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true", "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}
    else:
        chosen, because = NONE.name, "the node subnets hold nodes and pods at max size with growth"
        consequences = ("nothing to configure",)
    return Decision(
        id="pod-networking", title="Pod address space: node subnets, custom networking or alternatives",
        context=(f"Where cluster {spec.name}'s pods take their addresses from: the node subnets, a separate CIDR "
                 "(custom networking or subnet discovery), IPv6, or behind a private NAT gateway."),
        drivers=drivers, options=(NONE, CUSTOM, DISCOVERY, IPV6, PRIVATE_NAT), chosen=chosen, because=because,
        consequences=consequences,
        confirm=("kubectl get eniconfigs.crd.k8s.amazonaws.com",
                 "kubectl get daemonset aws-node -n kube-system -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name==\"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG\")].value}'",
                 "aws ec2 describe-subnets --filters Name=tag:kubernetes.io/role/cni,Values=1 --query 'Subnets[].{id:SubnetId,az:AvailabilityZone,cidr:CidrBlock}'"),
        guide=GUIDE, current=current, settings=settings,
    )


RULE = DecisionRule("pod-networking", "Pod address space", GUIDE, decide)
