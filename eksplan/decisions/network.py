"""Decision: where pod addresses come from when the node subnets are not enough.

Each option is weighed by whether it fits (the node subnets' demand at max size recomputed for it,
see :mod:`eksplan.decisions.podspace`, and every node group's pods still running), by the CG-NAT
space already used elsewhere, and by overlaps with connected networks.
"""

from __future__ import annotations

from ..cniversion import SUBNET_DISCOVERY, SUBNET_DISCOVERY_EXCLUSION
from ..rules.base import Context, DecisionRule, Option, Outcome
from .common import ipv4_pressure, what_if
from .podspace import free_cgnat, node_subnet_fit

GUIDE = "Custom Networking"

NONE = Option("Pods in the node subnets",
              ("nothing extra to run: the default", "max pods unchanged"),
              ("pods and nodes share the node subnets' addresses",))
CUSTOM = Option("Custom networking (ENIConfig per AZ, pods in 100.64.0.0/10)",
                ("pod addresses in a separate, non-routable secondary CIDR; one address per node in the node subnet",
                 "pod traffic can carry its own security groups and CIDR for firewalls"),
                ("one ENIConfig per AZ to keep in step; ENI_CONFIG_LABEL_DEF",
                 "the primary ENI carries no pods: lower max pods (m5.large 29 -> 20)",
                 "pods reaching on-premises need NAT or routing for the CG-NAT range"))
DISCOVERY = Option("Secondary CIDR with Enhanced Subnet Discovery (kubernetes.io/role/cni=1)",
                   ("no ENIConfigs: ipamd finds tagged subnets of the node's AZ (VPC CNI >= 1.18)",
                    "max pods unchanged: the primary ENI still carries pods"),
                   ("each node's primary ENI keeps its pod addresses in the node subnet (unless that subnet is "
                    "tagged kubernetes.io/role/cni=0, VPC CNI >= 1.22.1)",
                    "pods may land in any tagged subnet of the AZ: less control over which CIDR they use"))
IPV6 = Option("IPv6 cluster", ("ends IPv4 exhaustion for pods",),
              ("a new cluster: the IP family cannot be changed; see the IP family decision",))
PRIVATE_NAT = Option("Private NAT gateway with a transit gateway",
                     ("solves overlapping CIDRs with connected networks",),
                     ("NAT gateway cost; another hop for pod traffic leaving the VPC",))
CONFIRM = ("kubectl get eniconfigs.crd.k8s.amazonaws.com",
           "kubectl get daemonset aws-node -n kube-system -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name"
           "==\"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG\")].value}'",
           "aws ec2 describe-subnets --filters Name=tag:kubernetes.io/role/cni,Values=1 --query "
           "'Subnets[].{id:SubnetId,az:AvailabilityZone,cidr:CidrBlock}'")
CUSTOM_SETTINGS = {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true", "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}


def _overlaps(ctx: Context) -> list[str]:
    r = ctx.spec.requirements
    return [f"{c} overlaps {o}" for c in ctx.spec.vpc.cidrs for o in list(r.on_prem_cidrs) + list(r.peered_cidrs)
            if c.overlaps(o)]


def _pods_run(ctx: Context, **env) -> str | None:
    """None when every group's pods still run with ``env``; else what does not."""
    figures = what_if(ctx, "custom networking" if env.get("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG") else "as is", **env)
    return None if figures.fits else figures.shortfall()


def decide(ctx: Context) -> Outcome:
    spec = ctx.spec
    version = ctx.settings.version
    pressure = ipv4_pressure(ctx)
    overlaps = _overlaps(ctx)
    cgnat = free_cgnat(ctx)
    current = CUSTOM.name if ctx.settings.custom_networking else NONE.name
    discovery_ok = version is None or version >= SUBNET_DISCOVERY
    as_is, custom, discovery = (node_subnet_fit(ctx, option) for option in ("as-is", "custom", "discovery"))
    custom_pods = None if spec.ipv6 else _pods_run(ctx, AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=True)
    drivers = (
        "IPv4 space in the node subnets: " + ("; ".join(pressure.reasons) if pressure.constrained else "enough"),
        f"node subnets as they are: {as_is.detail}",
        f"custom networking: {custom.detail}" + (f"; but {custom_pods}" if custom_pods else ""),
        f"subnet discovery: {discovery.detail}" if discovery_ok else
        f"subnet discovery: needs VPC CNI {SUBNET_DISCOVERY} (running {version})",
        f"overlapping CIDRs with connected networks: {', '.join(overlaps) or 'none'}",
        "CG-NAT space (100.64.0.0/10): " + (f"{len(cgnat)} /16 free of the ranges in use elsewhere" if cgnat else
                                            "none free: the ranges in use elsewhere cover it"),
        f"IP family: {'IPv6' if spec.ipv6 else 'IPv4'}",
    )
    settings: dict = {}
    context = (f"Where cluster {spec.name}'s pods take their addresses from: the node subnets, a separate CIDR "
               "(custom networking or subnet discovery), IPv6, or behind a private NAT gateway.")
    if spec.ipv6:
        chosen, because = NONE.name, "IPv6 pods take addresses from each node's /80; custom networking would add only overhead"
        consequences = (("remove custom networking: it is not supported in IPv6 clusters",)
                        if ctx.settings.custom_networking else ("nothing to configure",))
    elif overlaps:
        chosen = PRIVATE_NAT.name
        because = "the VPC overlaps connected networks (" + "; ".join(overlaps) + "), which custom networking alone cannot route"
        consequences = ("route traffic to the overlapping ranges through a private NAT gateway and a transit gateway",
                        "keep pods in non-overlapping subnets (custom networking or a secondary CIDR) behind it")
    elif ctx.settings.custom_networking and custom.fits and not custom_pods:
        chosen, because = CUSTOM.name, ("the spec runs pods in dedicated subnets through ENIConfigs, which keeps node and "
                                        f"pod ranges apart, and it fits ({custom.detail})")
        consequences = ("one ENIConfig per AZ, named after the AZ, with ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone",
                        "max pods lowered on every node (the primary ENI carries no pods)")
        settings = {} if ctx.settings.get("ENI_CONFIG_LABEL_DEF") else {"ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}
    elif not pressure.constrained and as_is.fits:
        chosen, because = current, ("the node subnets hold nodes and pods at max size with growth"
                                    + (" and custom networking is already in use" if current == CUSTOM.name else ""))
        consequences = ("nothing to configure",)
    elif not cgnat:
        chosen = IPV6.name
        because = ("IPv4 space is short and the CG-NAT range is already used elsewhere ("
                   + ", ".join(map(str, spec.requirements.cgnat_in_use)) + "): the guide suggests IPv6 (or another CNI)")
        consequences = ("plan an IPv6 cluster (a new cluster: the family cannot be changed)",
                        "until then, prefix delegation and tight warm pools stretch the node subnets")
    elif discovery_ok and discovery.fits:
        chosen, because = DISCOVERY.name, (f"node subnets run short ({'; '.join(pressure.reasons) or as_is.detail}) and "
                                           f"subnet discovery fits ({discovery.detail}) without ENIConfigs or a "
                                           "max-pods penalty")
        consequences = (f"add a secondary VPC CIDR from {cgnat[0]} and one subnet per AZ tagged kubernetes.io/role/cni=1",
                        "leave ENABLE_SUBNET_DISCOVERY at its default (true)")
    elif custom.fits and not custom_pods:
        why = (f"subnet discovery does not fit: {discovery.detail} (each node's primary ENI keeps its pod addresses "
               "there)" if discovery_ok else f"this VPC CNI ({version}) predates subnet discovery")
        chosen, because = CUSTOM.name, (f"node subnets run short and custom networking fits ({custom.detail}); {why}")
        consequences = (f"add a secondary VPC CIDR from {cgnat[0]}, pod subnets per AZ and one ENIConfig per AZ",
                        "max pods lowered on every node (the primary ENI carries no pods)",
                        "create new node groups after enabling it: existing nodes keep their addresses")
        settings = dict(CUSTOM_SETTINGS)
        if discovery_ok and version is not None and version >= SUBNET_DISCOVERY_EXCLUSION:
            consequences += ("alternatively, subnet discovery with the node subnets tagged kubernetes.io/role/cni=0 "
                             "works like custom networking without ENIConfigs",)
    else:
        chosen = IPV6.name
        reasons = [f"custom networking: {custom_pods or custom.detail}"]
        if discovery_ok:
            reasons.append(f"subnet discovery: {discovery.detail}")
        because = "no IPv4 option fits the node subnets at max size (" + "; ".join(reasons) + ")"
        consequences = ("plan an IPv6 cluster, or larger node subnets (a new VPC CIDR for nodes)",)
    return Outcome(context=context, drivers=drivers,
                   chosen=chosen, because=because, consequences=consequences, confirm=CONFIRM, current=current,
                   settings=settings)


RULE = DecisionRule("pod-networking", "Pod address space", GUIDE, (NONE, CUSTOM, DISCOVERY, IPV6, PRIVATE_NAT), decide)
