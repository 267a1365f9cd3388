"""What ``kubectl ... -o json`` prints about a cluster's nodes, pods and ENIConfigs, as plain values.

Only what the plan needs is read: each node's instance, labels, OS image and the max pods its
kubelet reports (``status.capacity.pods``); the pods on each node that take a VPC address (not
``hostNetwork``, not finished), those with a branch ENI (``vpc.amazonaws.com/pod-eni``) counted
apart; and the subnet of each ENIConfig.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..ec2capture import CaptureError

__all__ = ["KubeNode", "PodCounts", "kube_nodes", "pod_counts", "eniconfig_subnets", "NODES", "PODS", "ENICONFIGS",
           "AWS_NODE"]

NODES = "kubectl get nodes -o json"
PODS = "kubectl get pods --all-namespaces -o json"
ENICONFIGS = "kubectl get eniconfigs -o json"
AWS_NODE = "kubectl get daemonset aws-node -n kube-system -o json"

_PROVIDER_ID = re.compile(r"^aws:///(?P<zone>[^/]*)/(?P<instance>i-[0-9a-f]+)$")
#: The annotation the VPC resource controller puts on a pod that has a branch ENI.
POD_ENI_ANNOTATION = "vpc.amazonaws.com/pod-eni"
FARGATE_PROFILE_LABEL = "eks.amazonaws.com/fargate-profile"


def _items(document: object, label: str, command: str, kind: str | None = None) -> list:
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise CaptureError(f"{label}: expected a list with 'items' as '{command}' prints")
    for i, item in enumerate(items):
        if not isinstance(item, dict) or (kind and item.get("kind") not in (None, kind)):
            raise CaptureError(f"{label}: items[{i}]: not a {kind or 'Kubernetes object'} "
                               f"(expected the output of '{command}')")
    return items


@dataclass(frozen=True)
class KubeNode:
    """One node as the Kubernetes API reports it."""

    name: str
    instance_id: str | None
    instance_type: str | None
    availability_zone: str | None
    max_pods: int | None
    os_image: str | None
    labels: dict = field(default_factory=dict)


def kube_nodes(document: object, label: str = "nodes") -> tuple[KubeNode, ...]:
    out = []
    for i, item in enumerate(_items(document, label, NODES, "Node")):
        meta, status = item.get("metadata") or {}, item.get("status") or {}
        labels = meta.get("labels") or {}
        match = _PROVIDER_ID.match((item.get("spec") or {}).get("providerID") or "")
        pods = (status.get("capacity") or {}).get("pods")
        try:
            max_pods = int(pods) if pods is not None else None
        except (TypeError, ValueError):
            raise CaptureError(f"{label}: items[{i}].status.capacity.pods: {pods!r} is not a whole number") from None
        if not meta.get("name"):
            raise CaptureError(f"{label}: items[{i}].metadata.name: missing")
        out.append(KubeNode(
            name=meta["name"],
            instance_id=match["instance"] if match else None,
            instance_type=labels.get("node.kubernetes.io/instance-type") or labels.get("beta.kubernetes.io/instance-type"),
            availability_zone=labels.get("topology.kubernetes.io/zone") or (match["zone"] if match else None),
            max_pods=max_pods,
            os_image=(status.get("nodeInfo") or {}).get("osImage"),
            labels=dict(labels),
        ))
    return tuple(out)


@dataclass(frozen=True)
class PodCounts:
    """Running pods that take a VPC address, per node name, and Fargate pods per profile."""

    per_node: dict
    security_group_per_node: dict
    fargate: dict


def pod_counts(document: object, label: str = "pods") -> PodCounts:
    per_node: dict[str, int] = {}
    sgp: dict[str, int] = {}
    fargate: dict[str, int] = {}
    for item in _items(document, label, PODS, "Pod"):
        spec, status, meta = item.get("spec") or {}, item.get("status") or {}, item.get("metadata") or {}
        if spec.get("hostNetwork") or status.get("phase") in ("Succeeded", "Failed"):
            continue
        profile = (meta.get("labels") or {}).get(FARGATE_PROFILE_LABEL)
        if profile:
            fargate[profile] = fargate.get(profile, 0) + 1
            continue
        node = spec.get("nodeName")
        if not node:
            continue  # not scheduled yet: holds no address
        if POD_ENI_ANNOTATION in (meta.get("annotations") or {}):
            sgp[node] = sgp.get(node, 0) + 1
        else:
            per_node[node] = per_node.get(node, 0) + 1
    return PodCounts(per_node, sgp, fargate)


def eniconfig_subnets(document: object, label: str = "eniconfigs") -> dict[str, str]:
    """ENIConfig name -> its subnet id (custom networking's pod subnets)."""
    out = {}
    for i, item in enumerate(_items(document, label, ENICONFIGS, "ENIConfig")):
        subnet = (item.get("spec") or {}).get("subnet")
        name = (item.get("metadata") or {}).get("name")
        if not subnet or not name:
            raise CaptureError(f"{label}: items[{i}]: an ENIConfig needs metadata.name and spec.subnet")
        out[name] = subnet
    return out
