"""Decisions: security groups for pods, Multus, endpoint access, and running the CNI."""

from __future__ import annotations

from ..multus import RACE_FIXED, parse_multus_version, pod_lookup_race
from ..rules.base import Context, DecisionRule, Option, Outcome, join_names, shell_quote
from .common import max_pods_per_node

BUSY_PODS = 60


# -- security groups for pods -------------------------------------------------------------------
STRICT = Option("strict", ("only the pod's own security groups apply: complete isolation",),
                ("all pod traffic, even to pods on the same node, goes through the VPC",
                 "breaks NodeLocal DNSCache, network policies and externalTrafficPolicy: Local"))
STANDARD = Option("standard", ("node and pod security groups both apply; node-local features keep working",),
                  ("pod traffic within the node is not forced through the VPC",))


def decide_sgp(ctx: Context) -> Decision | None:
    spec = ctx.spec
    r = spec.requirements
    if not (r.security_groups_for_pods or spec.cni.pod_eni):
        return None
    needs_standard = [name for flag, name in ((r.nodelocal_dnscache, "NodeLocal DNSCache"),
                                               (r.network_policies, "network policies"),
                                               (r.external_traffic_policy_local, "externalTrafficPolicy: Local")) if flag]
    chosen = "standard" if needs_standard else "strict"
    because = ("the cluster uses " + ", ".join(needs_standard) + ", which strict mode breaks") if needs_standard \
        else "nothing in the cluster needs node-local traffic, and strict isolates pods completely"
    settings = {"ENABLE_POD_ENI": "true", "POD_SECURITY_GROUP_ENFORCING_MODE": chosen,
                "AWS_VPC_K8S_CNI_EXTERNALSNAT": "true"}
    return Outcome(
        context=f"Pods of cluster {spec.name} need AWS security groups (branch ENIs); the mode decides which groups apply.",
        drivers=(f"NodeLocal DNSCache: {r.nodelocal_dnscache}", f"network policies: {r.network_policies}",
                 f"externalTrafficPolicy: Local: {r.external_traffic_policy_local}",
                 f"termination grace period: {r.termination_grace_period_seconds} s"), chosen=chosen, because=because,
        consequences=("pods with security groups still count toward max pods; the trunk ENI takes one ENI slot",
                      "run them on Nitro types outside the t family, in private subnets with a NAT gateway",
                      "set AWS_VPC_K8S_CNI_EXTERNALSNAT=true; keep terminationGracePeriodSeconds above 0",
                      "with several groups on a pod, tag one kubernetes.io/cluster/<name> for the load balancer controller")
        + (("set DISABLE_TCP_EARLY_DEMUX=true on the aws-vpc-cni-init container so kubelet probes reach pods",)
           if chosen == "strict" else ()),
        confirm=("kubectl get daemonset aws-node -n kube-system -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name==\"POD_SECURITY_GROUP_ENFORCING_MODE\")].value}'",
                 "kubectl get securitygrouppolicies.vpcresources.k8s.aws -A",
                 "kubectl get nodes -l vpc.amazonaws.com/has-trunk-attached=true"),
        current=spec.cni.effective_enforcing_mode if spec.cni.pod_eni else None, settings=settings,
    )


# -- Multus ---------------------------------------------------------------------------------------
THIN = Option("thin plugin", ("no daemon and no pod cache: not affected by the pod-lookup race",),
              ("fewer features than the thick plugin (no metrics, kubeconfig on every node)",))
THICK = Option(f"thick plugin {RACE_FIXED} or later", ("daemon with metrics and a pod informer; race fixed",),
               ("one more DaemonSet to run and upgrade",))


def decide_multus(ctx: Context) -> Decision | None:
    multus = ctx.spec.requirements.multus
    if multus is None:
        return None
    version = parse_multus_version(multus.version)
    affected = pod_lookup_race(version, multus.plugin)
    if multus.plugin == "thin":
        chosen, because = THIN.name, "the spec runs the thin plugin, which the race does not affect"
    elif affected:
        chosen, because = THICK.name, f"{version} thick is affected by the pod-lookup race; {RACE_FIXED} fixes it"
    else:
        chosen, because = THICK.name, f"{version} already includes the fix"
    return Outcome(
        context=f"Cluster {ctx.spec.name} gives pods secondary interfaces ({multus.interface}) with Multus.",
        drivers=(f"Multus {version} {multus.plugin} plugin", f"secondary networks: {', '.join(map(str, multus.secondary_cidrs)) or 'none'}",
                 "the thick plugin's pod-lookup race can block pod creation cluster-wide (v4.1.0 to before v4.2.0)"), chosen=chosen, because=because,
        consequences=("attach the secondary ENIs on the nodes (eth1) and allow their CIDRs in the node security group",
                      "test pod creation in a non-production cluster before enabling it everywhere"),
        confirm=("kubectl get daemonset -n kube-system -l app=multus -o jsonpath='{..image}'",
                 "kubectl get network-attachment-definitions -A"),
        current=f"{multus.plugin} plugin {version}",
    )


# -- endpoint access ---------------------------------------------------------------------------------
PUBLIC = Option("public", ("simplest; reachable from anywhere (restrict with CIDRs)",),
                ("nodes reach the API through NAT or public addresses", "the API is exposed to the internet"))
PUBLIC_PRIVATE = Option("public and private", ("nodes reach the API inside the VPC; clients on the internet still can",),
                        ("the public endpoint remains; restrict it to the clients' CIDRs",))
PRIVATE = Option("private", ("the API is reachable only from the VPC and connected networks",),
                 ("every client needs a path into the VPC (VPN, Direct Connect, peering, a runner in the VPC)",))
NAMES = {"public": PUBLIC.name, "public-private": PUBLIC_PRIVATE.name, "private": PRIVATE.name}
NAT_FREE_NODES = 10  # nodes above which nodes should reach the API without NAT


def _clients(spec) -> dict[str, list]:
    out: dict[str, list] = {"internet": [], "on-prem": [], "peered": [], "vpc": []}
    for client in spec.requirements.api_clients:
        out[client.network].append(client)
    return out


def _names(clients) -> str:
    return join_names([c.name for c in clients])


def _reach(clients) -> str:
    return "reaches" if len(clients) == 1 else "reach"


def decide_endpoint(ctx: Context) -> Outcome:
    spec = ctx.spec
    r = spec.requirements
    wish = r.endpoint_access
    nodes = sum(g.max_size for g in spec.node_groups)
    clients = _clients(spec)
    internet, inside = clients["internet"], clients["on-prem"] + clients["peered"] + clients["vpc"]
    declared = bool(r.api_clients)
    consequences: list[str] = []
    if wish == "private":
        chosen, because = PRIVATE.name, "the spec requires a private API endpoint"
        if internet:
            consequences.append(f"{_names(internet)} {_reach(internet)} the API from the internet, which a private "
                                "endpoint does not "
                                "serve: give them a path into the VPC (VPN, Direct Connect, a runner inside the VPC)")
    elif not declared:
        chosen = PUBLIC_PRIVATE.name if wish == "public" and nodes > NAT_FREE_NODES else NAMES[wish]
        because = ("no API clients are declared (requirements.api_clients), so eksplan cannot say who needs the "
                   "public endpoint; " + (f"up to {nodes} nodes should reach the API inside the VPC, not through NAT"
                                          if chosen != NAMES[wish] else f"the spec asks for {wish} access"))
    elif internet:
        chosen = PUBLIC_PRIVATE.name if (nodes > NAT_FREE_NODES or inside or wish == "public-private") else PUBLIC.name
        private = "nodes and " + _names(inside) if inside else "nodes"
        because = (f"{_names(internet)} {_reach(internet)} the API from the internet, so the public endpoint stays"
                   + (f"; {private} reach it privately" if chosen == PUBLIC_PRIVATE.name
                      else "; a small cluster with nodes reaching it through NAT"))
    else:
        chosen = PRIVATE.name
        because = (f"every declared API client reaches the VPC ({_names(inside)}), so no public endpoint is needed")
    cidrs = sorted({str(c) for client in internet for c in client.cidrs} | {str(c) for c in r.public_endpoint_cidrs})
    if chosen != PRIVATE.name:
        if cidrs:
            consequences.append(f"restrict the public endpoint to {', '.join(cidrs)}")
        else:
            consequences.append("restrict the public endpoint to known CIDRs (none are declared)")
    if chosen == PUBLIC.name:
        consequences.append("nodes need a NAT gateway or public addresses to reach the API")
    else:
        consequences.append("node-to-API traffic uses the cross-account ENIs in the cluster subnets")
        unreachable = [c for c in clients["on-prem"] if not r.on_prem_cidrs] + \
                      [c for c in clients["peered"] if not r.peered_cidrs]
        if unreachable:
            consequences.append(f"{_names(unreachable)} need a route into the VPC: declare their networks "
                                "(requirements.on_prem_cidrs / peered_cidrs) and resolve the endpoint through Route 53 "
                                "Resolver")
    name = shell_quote(spec.name)
    return Outcome(
        context=f"How nodes and people reach cluster {spec.name}'s Kubernetes API.",
        drivers=(f"nodes at max size: {nodes}",
                 "API clients on the internet: " + (_names(internet) or "none declared"),
                 "API clients in the VPC or connected networks: " + (_names(inside) or "none declared"),
                 f"public endpoint CIDRs: {', '.join(cidrs) or 'not restricted'}"), chosen=chosen, because=because, consequences=tuple(consequences),
        confirm=(f"aws eks describe-cluster --name {name} --query "
                 "'cluster.resourcesVpcConfig.[endpointPublicAccess,endpointPrivateAccess,publicAccessCidrs]'",),
        current=NAMES[wish],
    )


# -- operating the CNI ------------------------------------------------------------------------------------
AUTO = Option("EKS Auto Mode", ("AWS installs, configures and upgrades the CNI",),
              ("aws-node settings are not yours to tune",))
MANAGED = Option("EKS managed add-on", ("validated versions; drift correction every 15 minutes; simple upgrades",
                                        "WARM_* and MINIMUM_IP_TARGET stay yours"),
                 ("you still choose when to upgrade (the CNI runs on the data plane)",))
SELF = Option("self-managed", ("full control of the manifest",), ("no validation, no drift correction, manual upgrades",))


def decide_operations(ctx: Context) -> Decision:
    spec = ctx.spec
    cni = spec.vpc_cni
    current = AUTO.name if spec.auto_mode else MANAGED.name if cni.managed_addon else SELF.name
    chosen = AUTO.name if spec.auto_mode else MANAGED.name
    because = ("the spec runs EKS Auto Mode, where AWS runs the CNI entirely" if spec.auto_mode else
               "it keeps versions validated and settings reconciled while leaving the warm-pool settings to you")
    busy = max_pods_per_node(ctx) >= BUSY_PODS
    practice = [
        "give aws-node its own IAM role with AmazonEKS_CNI_Policy through IRSA or Pod Identity; remove it from the node role"
        + (" (IPv6: a custom policy)" if spec.ipv6 else ""),
        "back up the DaemonSet before each upgrade: kubectl get daemonset aws-node -n kube-system -o yaml > aws-k8s-cni-backup.yaml",
        f"upgrade one minor version at a time from {cni.parsed_version.major}.{cni.parsed_version.minor}; never delete the DaemonSet",
    ]
    if busy:
        practice.append("raise aws-node's liveness and readiness probe timeouts to 30 s on these busy nodes")
    if any(g.custom_ami for g in spec.node_groups):
        practice.append("on the custom AMIs set the iptables FORWARD policy to ACCEPT")
    settings = {}
    name = shell_quote(spec.name)
    return Outcome(
        context=f"Who installs, configures and upgrades cluster {spec.name}'s VPC CNI, and the practices around it.",
        drivers=(f"currently: {current}", f"IAM: {cni.iam}", f"VPC CNI {cni.version}",
                 f"busiest nodes: {max_pods_per_node(ctx)} pods", f"custom AMIs: {any(g.custom_ami for g in spec.node_groups)}"), chosen=chosen, because=because, consequences=tuple(practice),
        confirm=(f"aws eks describe-addon --cluster-name {name} --addon-name vpc-cni --query "
                 "'addon.[addonVersion,serviceAccountRoleArn,status]'",
                 "kubectl get daemonset aws-node -n kube-system -o jsonpath='{.spec.template.spec.containers[0].image}'"),
        current=current, settings=settings,
    )


RULES = (
    DecisionRule("sgp-enforcing-mode", "Security groups for pods: enforcing mode",
                 "Security Groups for Pods — Enforcing Modes", (STRICT, STANDARD), decide_sgp),
    DecisionRule("multus", "Multus: plugin and version", "Multus CNI — Enabling Multus", (THIN, THICK), decide_multus),
    DecisionRule("endpoint-access", "Control-plane endpoint access", "Subnet Planning — Control Plane Endpoint Access",
                 (PUBLIC, PUBLIC_PRIVATE, PRIVATE), decide_endpoint),
    DecisionRule("cni-operations", "Running the VPC CNI", "VPC CNI Operations — Use Managed Add-On",
                 (AUTO, MANAGED, SELF), decide_operations),
)
