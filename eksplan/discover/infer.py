"""From one cluster's captured documents to a spec (with where each value came from) and its observed state.

Pure: reads a :class:`~eksplan.discover.captures.RegionCaptures` and returns a
:class:`Discovered`. A value the spec requires that no capture gives (the VPC CNI version and
settings without the add-on or the aws-node DaemonSet, pods per node without ``kubectl get pods``)
is listed in :attr:`Discovered.missing` and written as a placeholder marked UNKNOWN.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

from ..catalog import Catalog
from ..cniversion import SUBNET_DISCOVERY_EXCLUSION
from ..ec2capture import CaptureError, cidr_reservations, instances, network_interfaces, vpcs
from ..observed import ObservedCluster, ObservedSubnetState, Unknown
from ..prefixmap import prefix_map
from ..subnetfile import subnets_from_document
from .captures import ClusterCaptures, RegionCaptures
from .groups import node_groups
from .kube import eniconfig_subnets, kube_nodes, pod_counts
from .nodes import observe_nodes

__all__ = ["Discovered", "discover_cluster", "PLACEHOLDER_CNI_VERSION"]

#: Written, marked UNKNOWN, when no capture gives the VPC CNI version: the newest release whose
#: behaviour eksplan models (subnet discovery's exclusions), so figures are today's CNI's.
PLACEHOLDER_CNI_VERSION = f"v{SUBNET_DISCOVERY_EXCLUSION}"
_ARN_REGION = re.compile(r"^arn:[^:]+:eks:(?P<region>[a-z0-9-]+):")
CNI_ROLE_TAG = "kubernetes.io/role/cni"


@dataclass(frozen=True)
class Discovered:
    """One discovered cluster: spec data, a note per value saying where it came from, the observed state."""

    name: str
    spec: dict
    notes: dict
    observed: ObservedCluster
    missing: tuple[Unknown, ...]


def _doc(document, key: str, label: str) -> dict:
    inner = document.get(key) if isinstance(document, dict) else None
    if not isinstance(inner, dict):
        raise CaptureError(f"{label}: expected {{\"{key}\": {{...}}}} as 'aws eks describe-{key.lower()}' prints")
    return inner


def _optional(region: RegionCaptures, key: str, parse, label: str):
    document = region.ec2.get(key)
    return None if document is None else parse(document, label)


def _cni(cluster: ClusterCaptures, notes: dict, missing: list, unknown: list) -> tuple[dict, str | None, dict | None, str]:
    """The spec's vpc_cni block, the version and env seen, and where the settings came from."""
    from ..audit import daemonset_settings
    from ..spec.cni import AwsNodeSettings

    block: dict = {}
    addon = (cluster.addon or {}).get("addon") if cluster.addon is not None else None
    version, env, source = None, None, "unknown"
    if cluster.addon is not None and addon is None:
        block["managed_addon"] = False
        notes[("vpc_cni", "managed_addon")] = "describe-addon vpc-cni: not installed as an EKS add-on (self-managed aws-node)"
    elif addon is not None:
        block["managed_addon"] = True
        notes[("vpc_cni", "managed_addon")] = "describe-addon vpc-cni: an EKS managed add-on"
        version = addon.get("addonVersion")
        if addon.get("podIdentityAssociations"):
            block["iam"] = "pod-identity"
            notes[("vpc_cni", "iam")] = "describe-addon: podIdentityAssociations"
        elif addon.get("serviceAccountRoleArn"):
            block["iam"] = "irsa"
            notes[("vpc_cni", "iam")] = f"describe-addon: serviceAccountRoleArn {addon['serviceAccountRoleArn']}"
        else:
            block["iam"] = "node-role"
            notes[("vpc_cni", "iam")] = "describe-addon: no service account role, so the node role"
    else:
        unknown.append(Unknown("VPC CNI add-on", cluster.unknown.get("describe-addon", "describe-addon not captured")))
    daemonset = cluster.kubectl.get("aws-node")
    observed_ds = daemonset_settings([daemonset], f"kubectl/{cluster.name}/aws-node.json") if daemonset else None
    if observed_ds is not None:
        env, source = dict(observed_ds.env), "the aws-node DaemonSet's environment (kubectl)"
        if version is None and observed_ds.version is not None:
            version = f"v{observed_ds.version}"
            notes[("vpc_cni", "version")] = f"aws-node image tag ({observed_ds.image})"
    elif addon is not None:
        env, source = _addon_env(addon), "describe-addon: configurationValues (what was set through the add-on)"
    if version is not None and ("vpc_cni", "version") not in notes:
        notes[("vpc_cni", "version")] = "describe-addon vpc-cni: addonVersion"
    addon_why = cluster.unknown.get("describe-addon", "not installed as an add-on")
    if version is None:
        version = PLACEHOLDER_CNI_VERSION
        why = f"describe-addon: {addon_why}; no aws-node DaemonSet capture"
        missing.append(Unknown("vpc_cni.version", why))
        notes[("vpc_cni", "version")] = f"UNKNOWN ({why}): a placeholder, replace it"
    block = {"version": version, **block}
    if env is None:
        why = f"no aws-node DaemonSet capture, and describe-addon: {addon_why}"
        missing.append(Unknown("vpc_cni.settings", why))
        notes[("vpc_cni", "settings")] = f"UNKNOWN ({why}): ipamd's defaults assumed"
        block["settings"] = {}
        return block, None, None, "unknown"
    known = {k: str(v) for k, v in sorted(env.items()) if k in AwsNodeSettings.model_fields}
    dropped = sorted(set(env) - set(known))
    block["settings"] = known
    notes[("vpc_cni", "settings")] = source + (f"; not modelled: {', '.join(dropped)}" if dropped else "")
    return block, version, env, source


def _addon_env(addon: dict) -> dict:
    text = addon.get("configurationValues") or ""
    if not text.strip():
        return {}
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        values = yaml.safe_load(text)
    env = (values or {}).get("env") if isinstance(values, dict) else None
    return {k: str(v) for k, v in (env or {}).items()}


def _endpoint(vpc_config: dict, notes: dict) -> dict:
    public, private = vpc_config.get("endpointPublicAccess", True), vpc_config.get("endpointPrivateAccess", False)
    access = "public-private" if public and private else ("private" if private else "public")
    out = {"endpoint_access": access}
    notes[("requirements", "endpoint_access")] = (f"describe-cluster: endpointPublicAccess {str(public).lower()}, "
                                                  f"endpointPrivateAccess {str(private).lower()}")
    cidrs = [c for c in vpc_config.get("publicAccessCidrs") or () if c != "0.0.0.0/0"]
    if public and cidrs:
        out["public_endpoint_cidrs"] = cidrs
        notes[("requirements", "public_endpoint_cidrs")] = "describe-cluster: publicAccessCidrs"
    return out


def _roles(cluster_doc: dict, raw_subnets: dict, groups: list, fargate: dict, eniconfigs: dict, vpc_id: str) -> dict:
    """Subnet id -> {role: why}."""
    roles: dict[str, dict[str, str]] = {}

    def add(subnet: str, role: str, why: str):
        roles.setdefault(subnet, {}).setdefault(role, why)

    for subnet in (cluster_doc.get("resourcesVpcConfig") or {}).get("subnetIds") or ():
        add(subnet, "cluster", "describe-cluster: resourcesVpcConfig.subnetIds")
        raw = raw_subnets.get(subnet, {})
        if raw.get("MapPublicIpOnLaunch") or any(t.get("Key") == "kubernetes.io/role/elb" for t in raw.get("Tags") or ()):
            add(subnet, "public", "public (MapPublicIpOnLaunch or tag kubernetes.io/role/elb)")
    for group in groups:
        for subnet in group.get("subnets") or ():
            add(subnet, "nodes", f"node group {group['name']}")
    for name, subnets in fargate.items():
        for subnet in subnets:
            add(subnet, "nodes", f"Fargate profile {name}")
    for name, subnet in eniconfigs.items():
        add(subnet, "pods", f"ENIConfig {name}")
    node_zones = {raw_subnets[s].get("AvailabilityZone") for s, r in roles.items() if "nodes" in r and s in raw_subnets}
    for subnet, raw in raw_subnets.items():
        tags = {t.get("Key"): t.get("Value") for t in raw.get("Tags") or ()}
        if raw.get("VpcId") == vpc_id and tags.get(CNI_ROLE_TAG) == "1" and raw.get("AvailabilityZone") in node_zones:
            add(subnet, "pods", f"tag {CNI_ROLE_TAG}=1: subnet discovery gives pods addresses here")
    return roles


def discover_cluster(region: RegionCaptures, name: str, catalog: Catalog) -> Discovered:
    """The spec and observed state of cluster ``name`` from ``region``'s documents."""
    cluster = region.clusters[name]
    label = f"eks/{name}/describe-cluster.json"
    doc = _doc(cluster.cluster, "cluster", label)
    notes: dict = {("name",): "describe-cluster: name"}
    missing: list[Unknown] = []
    unknown: list[Unknown] = [Unknown(k, v) for k, v in {**region.unknown, **cluster.unknown}.items()]
    match = _ARN_REGION.match(doc.get("arn") or "")
    region_name = match["region"] if match else region.region
    notes[("region",)] = "describe-cluster: arn" if match else "the region discovery ran in"
    if "vpcs" not in region.ec2 or "subnets" not in region.ec2:
        raise CaptureError(f"cluster {name}: needs 'aws ec2 describe-vpcs' and 'aws ec2 describe-subnets' "
                           "(the VPC's CIDRs and the subnets cannot be known without them)")
    raw_subnets = {s.get("SubnetId"): s for s in _subnet_entries(region)}
    vpc_id = _vpc_id(doc, raw_subnets, name)
    vpc = vpcs(region.ec2["vpcs"], "ec2/describe-vpcs.json").get(vpc_id)
    if vpc is None:
        raise CaptureError(f"cluster {name}: its VPC {vpc_id!r} is not in ec2/describe-vpcs.json")
    observed_subnets = subnets_from_document(region.ec2["subnets"], "ec2/describe-subnets.json")
    enis = _optional(region, "network_interfaces", network_interfaces, "ec2/describe-network-interfaces.json")
    ec2_instances = _optional(region, "instances", instances, "ec2/describe-instances.json")
    kubectl = cluster.kubectl
    kube = kube_nodes(kubectl["nodes"], f"kubectl/{name}/nodes.json") if "nodes" in kubectl else None
    pods = pod_counts(kubectl["pods"], f"kubectl/{name}/pods.json") if "pods" in kubectl else None
    eniconfigs = eniconfig_subnets(kubectl["eniconfigs"], f"kubectl/{name}/eniconfigs.json") if "eniconfigs" in kubectl else {}

    vpc_cni, version, env, cni_source = _cni(cluster, notes, missing, unknown)
    ipv6 = (doc.get("kubernetesNetworkConfig") or {}).get("ipFamily") == "ipv6"
    auto_mode = bool((doc.get("computeConfig") or {}).get("enabled"))
    nodes, node_unknown = observe_nodes(name, kube, ec2_instances, enis, pods)
    unknown += node_unknown
    groups, nodes = node_groups(cluster, nodes, vpc_cni, auto_mode, pods, catalog, notes, missing, unknown)
    fargate = {}
    fargate_specs = []
    for profile_name, document in sorted(cluster.fargate_profiles.items()):
        profile = _doc(document, "fargateProfile", f"eks/{name}/fargate-profiles/{profile_name}.json")
        fargate[profile["fargateProfileName"]] = list(profile.get("subnets") or ())
        fargate_specs.append(profile)
    roles = _roles(doc, raw_subnets, groups, fargate, eniconfigs, vpc_id)
    reservations = _reservations(region, roles, unknown)
    subnets, subnet_states = _subnets(roles, observed_subnets, reservations, enis, vpc, notes, unknown)
    zones = sorted({s["availability_zone"] for s in subnets})
    spec: dict = {"name": name, "region": region_name, "availability_zones": zones}
    notes[("availability_zones",)] = "the zones of the cluster's subnets"
    if doc.get("version"):
        spec["kubernetes_version"] = str(doc["version"])
        notes[("kubernetes_version",)] = "describe-cluster: version"
    spec["auto_mode"] = auto_mode
    notes[("auto_mode",)] = "describe-cluster: computeConfig.enabled" if "computeConfig" in doc else \
        "describe-cluster has no computeConfig: not EKS Auto Mode"
    spec["vpc"] = {"cidrs": [str(c) for c in vpc.cidrs if any(c.overlaps(s.cidr) for s in observed_subnets.values())
                             or c == vpc.cidrs[0]]}
    notes[("vpc", "cidrs")] = f"describe-vpcs {vpc_id}: associated CIDR blocks, primary first"
    if ipv6 and vpc.ipv6_cidrs:
        spec["vpc"]["ipv6_cidr"] = str(vpc.ipv6_cidrs[0])
        notes[("vpc", "ipv6_cidr")] = f"describe-vpcs {vpc_id}: Ipv6CidrBlockAssociationSet"
    spec["subnets"] = subnets
    spec["node_groups"] = groups
    spec["fargate_profiles"] = _fargate_specs(fargate_specs, observed_subnets, pods, notes, missing)
    spec["vpc_cni"] = vpc_cni
    requirements = {"ip_family": "ipv6" if ipv6 else "ipv4",
                    **_endpoint(doc.get("resourcesVpcConfig") or {}, notes)}
    notes[("requirements", "ip_family")] = "describe-cluster: kubernetesNetworkConfig.ipFamily"
    if str((env or {}).get("ENABLE_POD_ENI", "")).lower() == "true":
        requirements["security_groups_for_pods"] = True
        notes[("requirements", "security_groups_for_pods")] = "aws-node: ENABLE_POD_ENI=true"
    spec["requirements"] = requirements
    spec["observed"] = f"{name}.observed.json"
    notes[("observed",)] = "what discovery saw, beside this file"
    if not spec["fargate_profiles"]:
        del spec["fargate_profiles"]
    observed = ObservedCluster(
        cluster=name, region=region_name or "", source=region.source, cni_version=version, cni_env=env,
        cni_source=cni_source, managed_addon=vpc_cni.get("managed_addon"), nodes=nodes, subnets=subnet_states,
        unknown=tuple(unknown + missing))
    return Discovered(name, spec, notes, observed, tuple(missing))


def _subnet_entries(region: RegionCaptures) -> list:
    entries = region.ec2["subnets"].get("Subnets") if isinstance(region.ec2["subnets"], dict) else None
    return [e for e in entries or () if isinstance(e, dict)]


def _vpc_id(doc: dict, raw_subnets: dict, name: str) -> str:
    """describe-cluster's vpcId, or (where an endpoint leaves it out) the VPC of the cluster's subnets."""
    config = doc.get("resourcesVpcConfig") or {}
    if config.get("vpcId"):
        return config["vpcId"]
    found = {raw_subnets[s].get("VpcId") for s in config.get("subnetIds") or () if s in raw_subnets}
    if len(found) != 1:
        raise CaptureError(f"cluster {name}: describe-cluster gives no resourcesVpcConfig.vpcId, and its subnets "
                           f"are not in one captured VPC ({', '.join(sorted(map(str, found))) or 'none captured'})")
    return found.pop()


def _reservations(region: RegionCaptures, roles: dict, unknown: list) -> dict | None:
    if "get-subnet-cidr-reservations" in region.unknown:
        return None
    out = {}
    for subnet in roles:
        document = region.cidr_reservations.get(subnet)
        if document is None:
            unknown.append(Unknown(f"CIDR reservations of {subnet}", "no get-subnet-cidr-reservations capture for it"))
            continue
        out[subnet] = cidr_reservations(document, f"ec2/subnet-cidr-reservations/{subnet}.json")
    return out


def _subnets(roles, observed_subnets, reservations, enis, vpc, notes, unknown):
    subnets, states = [], []
    ordered = sorted((s for s in roles if s in observed_subnets),
                     key=lambda s: (observed_subnets[s].availability_zone, observed_subnets[s].cidr))
    for s in roles:
        if s not in observed_subnets:
            unknown.append(Unknown(f"subnet {s}", "named by the cluster but not in describe-subnets: left out"))
    for i, subnet_id in enumerate(ordered):
        seen = observed_subnets[subnet_id]
        if not any(seen.cidr.subnet_of(c) for c in vpc.cidrs):
            unknown.append(Unknown(f"subnet {subnet_id}", f"{seen.cidr} is outside the VPC's CIDRs: left out"))
            continue
        why = roles[subnet_id]
        entry = {"id": subnet_id, "availability_zone": seen.availability_zone, "cidr": str(seen.cidr),
                 "role": sorted(why), "available_ips": seen.available_ips}
        if seen.tags:
            entry["tags"] = dict(sorted(seen.tags.items()))
        index = len(subnets)
        notes[("subnets", index, "id")] = "describe-subnets"
        notes[("subnets", index, "role")] = "; ".join(f"{role}: {text}" for role, text in sorted(why.items()))
        notes[("subnets", index, "available_ips")] = "describe-subnets: AvailableIpAddressCount"
        mine = None if reservations is None else reservations.get(subnet_id)
        if mine:
            prefix_type = [str(r.cidr) for r in mine if r.kind == "prefix"]
            if prefix_type:
                entry["cidr_reservations"] = prefix_type
                notes[("subnets", index, "cidr_reservations")] = "get-subnet-cidr-reservations: type prefix"
        subnets.append(entry)
        free = run = used = assigned = text = None
        if enis is not None and mine is not None:
            m = prefix_map(subnet_id, seen.cidr, enis, mine, availability_zone=seen.availability_zone,
                           aws_available=seen.available_ips)
            free, used, assigned, text = m.free_prefixes, m.interface_addresses, m.assigned_prefixes, m.states
            run = m.largest_run.blocks if m.largest_run else 0
        states.append(ObservedSubnetState(subnet_id, str(seen.cidr), seen.availability_zone, seen.available_ips,
                                          free, run, used, assigned, text))
    return subnets, tuple(states)


def _fargate_specs(profiles: list, observed_subnets: dict, pods, notes: dict, missing: list) -> list:
    out = []
    for i, profile in enumerate(profiles):
        name = profile["fargateProfileName"]
        zones = sorted({observed_subnets[s].availability_zone for s in profile.get("subnets") or ()
                        if s in observed_subnets})
        entry: dict = {"name": name}
        notes[("fargate_profiles", i, "name")] = "describe-fargate-profile"
        if pods is not None:
            entry["pods"] = pods.fargate.get(name, 0)
            notes[("fargate_profiles", i, "pods")] = "kubectl get pods: pods labelled eks.amazonaws.com/fargate-profile"
        else:
            entry["pods"] = 0
            missing.append(Unknown(f"fargate_profiles[{i}].pods", "no 'kubectl get pods' capture"))
            notes[("fargate_profiles", i, "pods")] = "UNKNOWN (no 'kubectl get pods' capture): a placeholder"
        if zones:
            entry["availability_zones"] = zones
            notes[("fargate_profiles", i, "availability_zones")] = "the zones of the profile's subnets"
        out.append(entry)
    return out

