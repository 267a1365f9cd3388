"""Node groups for the spec: EKS managed node groups as described, Karpenter NodePools, Auto Mode and
self-managed nodes as observed, each value with where it came from."""

from __future__ import annotations

from dataclasses import replace

from ..catalog import Catalog
from ..cni import CniConfig
from ..launchers import launcher_max_pods
from ..observed import ObservedNode, Unknown
from .captures import ClusterCaptures

__all__ = ["node_groups"]

#: Launchers whose max pods a user sets explicitly (and so a spec's ``max_pods`` can say).
_OVERRIDABLE = ("karpenter", "nodeadm", "bottlerocket")


def _types(names, catalog: Catalog, where: str, unknown: list) -> list[str]:
    out = []
    for name in dict.fromkeys(names):
        if name in catalog:
            out.append(name)
        else:
            unknown.append(Unknown(f"{where}: instance type {name}", "not in eksplan's instance-type catalog: left out"))
    return out


def _pods(nodes, path: tuple, notes: dict, missing: list) -> tuple[int, int]:
    """(pods per node, pods with security groups per node) and the note saying where they came from."""
    if not nodes:
        notes[path] = "no node of this group runs now: 0 pods observed"
        return 0, 0
    if any(n.pods is None for n in nodes):
        missing.append(Unknown(f"node_groups[{path[1]}].pods_per_node", "no 'kubectl get pods' (and 'kubectl get nodes') capture"))
        notes[path] = "UNKNOWN (no 'kubectl get pods' capture): a placeholder, set the pods each node runs"
        return 0, 0
    counts = sorted((n.pods for n in nodes), reverse=True)
    shown = ", ".join(str(c) for c in counts[:8]) + (", ..." if len(counts) > 8 else "")
    notes[path] = (f"kubectl get pods: the most non-hostNetwork pods on one of its {len(nodes)} node(s) ({shown})")
    return counts[0], max(n.security_group_pods or 0 for n in nodes)


def _max_pods(group: dict, launcher: str, nodes, catalog: Catalog, path: tuple, notes: dict) -> None:
    """Set ``max_pods`` when the nodes run one value that the launcher's default does not give."""
    rule = "nodeadm" if launcher == "managed" and group.get("custom_ami") else launcher
    values = {n.max_pods for n in nodes}
    if rule not in _OVERRIDABLE or not nodes or None in values or len(values) != 1:
        return
    value = values.pop()
    defaults = {n.instance_type: launcher_max_pods(catalog.get(n.instance_type), rule, CniConfig(),
                                                   catalog=catalog).default for n in nodes}
    if all(d == value for d in defaults.values()):
        return
    group["max_pods"] = value
    shown = ", ".join(f"{t} {d}" for t, d in sorted(defaults.items()))
    notes[path] = (f"kubectl get nodes: every node's kubelet reports max pods {value}, not the launcher's default "
                   f"({shown}): set explicitly")


def _managed(document: dict, nodes, catalog: Catalog, index: int, notes: dict, unknown: list) -> dict | None:
    ng = document.get("nodegroup") if isinstance(document, dict) else None
    if not isinstance(ng, dict) or "nodegroupName" not in ng:
        unknown.append(Unknown("a describe-nodegroup capture", "not {\"nodegroup\": {...}} as the CLI prints: left out"))
        return None
    name = ng["nodegroupName"]
    p = ("node_groups", index)
    declared = ng.get("instanceTypes")
    source = "describe-nodegroup: instanceTypes" if declared else "its nodes' instance types (the launch template sets them)"
    types = _types(declared or sorted({n.instance_type for n in nodes}), catalog, f"node group {name}", unknown)
    if not types:
        unknown.append(Unknown(f"node group {name}", "no instance type known (launch template only, no node running)"))
        return None
    scaling = ng.get("scalingConfig") or {}
    group = {"name": name, "launcher": "managed", "instance_types": types,
             "min_size": int(scaling.get("minSize", 0)), "desired_size": int(scaling.get("desiredSize", 0)),
             "max_size": max(int(scaling.get("maxSize", 1)), 1)}
    notes[p + ("name",)] = "describe-nodegroup"
    template = ng.get("launchTemplate") or {}
    ami = ng.get("amiType") or "unknown"
    notes[p + ("launcher",)] = (f"an EKS managed node group (describe-nodegroup), amiType {ami}"
                                + (f", launch template {template.get('name') or template.get('id')}" if template else ""))
    notes[p + ("instance_types",)] = source
    notes[p + ("min_size",)] = "describe-nodegroup: scalingConfig"
    group["subnets"] = list(ng.get("subnets") or ())
    notes[p + ("subnets",)] = "describe-nodegroup: subnets"
    if ami == "CUSTOM":
        group["custom_ami"] = True
        notes[p + ("custom_ami",)] = "amiType CUSTOM: its launch template names an AMI, so EKS sets no max pods"
    if ami.startswith("WINDOWS"):
        group["os"] = "windows"
        notes[p + ("os",)] = f"amiType {ami}"
    return group


def _observed_group(name: str, launcher: str, nodes, catalog: Catalog, index: int, notes: dict, unknown: list):
    p = ("node_groups", index)
    types = _types(sorted({n.instance_type for n in nodes}), catalog, f"node group {name}", unknown)
    if not types:
        return None
    count = len(nodes)
    group = {"name": name, "launcher": launcher, "instance_types": types, "min_size": 0, "desired_size": count,
             "max_size": max(count, 1)}
    sources = sorted({n.launcher_source for n in nodes})
    notes[p + ("name",)] = f"{count} node(s) observed"
    notes[p + ("launcher",)] = "; ".join(sources[:2]) + ("; ..." if len(sources) > 2 else "")
    notes[p + ("instance_types",)] = "the instance types of its nodes now"
    bounds = ("Karpenter's NodePool limits are in vCPUs and memory, not read" if launcher in ("karpenter", "auto-mode")
              else "its Auto Scaling group's bounds are not read")
    notes[p + ("min_size",)] = f"the nodes running now ({count}); {bounds}: set min and max"
    subnets = sorted({n.subnet_id for n in nodes if n.subnet_id})
    if subnets:
        group["subnets"] = subnets
        notes[p + ("subnets",)] = "the subnets its nodes run in"
    return group


def node_groups(cluster: ClusterCaptures, nodes: tuple[ObservedNode, ...], vpc_cni: dict, auto_mode: bool, pods,
                catalog: Catalog, notes: dict, missing: list, unknown: list):
    """The spec's node groups and the nodes with their final group names."""
    managed_names = set()
    for document in cluster.nodegroups.values():
        ng = document.get("nodegroup") if isinstance(document, dict) else None
        if isinstance(ng, dict) and "nodegroupName" in ng:
            managed_names.add(ng["nodegroupName"])
    nodes = tuple(replace(n, node_group=f"{n.node_group}-{n.launcher}")
                  if n.launcher != "managed" and n.node_group in managed_names else n for n in nodes)
    groups = []
    for _, document in sorted(cluster.nodegroups.items()):
        name = ((document or {}).get("nodegroup") or {}).get("nodegroupName")
        members = [n for n in nodes if n.node_group == name and n.launcher == "managed"]
        group = _managed(document, members, catalog, len(groups), notes, unknown)
        if group is not None:
            groups.append((group, members))
    others: dict[tuple[str, str], list] = {}
    for n in nodes:
        if n.launcher == "managed" and n.node_group in managed_names:
            continue
        others.setdefault((n.node_group, n.launcher), []).append(n)
    for (name, launcher), members in sorted(others.items()):
        if launcher == "managed":
            unknown.append(Unknown(f"node group {name}", "its nodes are labelled with a managed node group that "
                                                          "describe-nodegroup did not return; taken as observed"))
        group = _observed_group(name, launcher, members, catalog, len(groups), notes, unknown)
        if group is not None:
            groups.append((group, members))
    out = []
    for index, (group, members) in enumerate(groups):
        p = ("node_groups", index)
        per_node, sgp = _pods(members, p + ("pods_per_node",), notes, missing)
        group["pods_per_node"] = per_node
        if sgp and str(vpc_cni.get("settings", {}).get("ENABLE_POD_ENI", "")).lower() == "true":
            group["security_group_pods_per_node"] = sgp
            notes[p + ("security_group_pods_per_node",)] = "kubectl get pods: the most pods with a branch ENI on one node"
        _max_pods(group, group["launcher"], members, catalog, p + ("max_pods",), notes)
        out.append(group)
    return out, nodes
