"""A cluster's nodes, from ``kubectl get nodes`` or else EC2 instances, and what launched each.

The launcher decides the kubelet's max pods (:mod:`eksplan.launchers`), so each node says how
its launcher was inferred:

* label ``eks.amazonaws.com/compute-type: auto`` -> ``auto-mode`` (its NodePool is the group);
* label ``eks.amazonaws.com/nodegroup`` or instance tag ``eks:nodegroup-name`` -> ``managed``;
* label or instance tag ``karpenter.sh/nodepool`` -> ``karpenter``;
* anything else is self-managed: ``bottlerocket`` when the node's ``osImage`` says Bottlerocket,
  else ``nodeadm`` (grouped by its Auto Scaling group tag, if any).

Where the labels and tags come from:

* ``eks.amazonaws.com/compute-type: auto`` on every Auto Mode node: EKS user guide
  (awsdocs/amazon-eks-user-guide @ 4d52b4d05e34) ``latest/ug/automode/associate-workload.adoc`` L17;
* ``eks.amazonaws.com/nodegroup=<name>`` on managed nodes: the same guide,
  ``latest/ug/nodes/managed-node-update-behavior.adoc`` L47. The instance tag ``eks:nodegroup-name``
  is the one EKS puts on the group's Auto Scaling group for its instances (the only ``eks:`` tag
  keys, with ``eks:cluster-name``, that the AWSServiceRoleForAmazonEKSNodegroup policy lets it set);
* ``karpenter.sh/nodepool``: ``NodePoolLabelKey`` in kubernetes-sigs/karpenter @ 2266468104f3,
  ``pkg/apis/v1/labels.go`` L41, also set as an instance tag by aws/karpenter-provider-aws @
  1d927085dd81 (asserted in ``pkg/providers/instance/suite_test.go`` L570).
"""

from __future__ import annotations

from dataclasses import replace

from ..ec2capture import ObservedEni, ObservedInstance
from ..observed import ObservedNode, Unknown
from .kube import KubeNode, PodCounts

__all__ = ["observe_nodes", "cluster_instances", "classify"]

COMPUTE_TYPE = "eks.amazonaws.com/compute-type"
NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup"
NODEPOOL = "karpenter.sh/nodepool"
NODEGROUP_TAG = "eks:nodegroup-name"
ASG_TAG = "aws:autoscaling:groupName"


def cluster_instances(instances: dict[str, ObservedInstance], cluster: str) -> list[ObservedInstance]:
    """Running instances tagged as the cluster's (``kubernetes.io/cluster/<name>``, ``eks:cluster-name``...)."""
    out = []
    for instance in instances.values():
        tags = instance.tags
        if instance.state not in ("pending", "running"):
            continue
        if (f"kubernetes.io/cluster/{cluster}" in tags or tags.get("eks:cluster-name") == cluster
                or tags.get("eks:eks-cluster-name") == cluster):
            out.append(instance)
    return sorted(out, key=lambda i: i.id)


def classify(labels: dict, tags: dict, os_image: str | None) -> tuple[str, str, str]:
    """(launcher, group name, how it was inferred) for one node."""
    if labels.get(COMPUTE_TYPE) == "auto":
        pool = labels.get(NODEPOOL) or "auto-mode"
        return "auto-mode", pool, f"node label {COMPUTE_TYPE}=auto (NodePool {pool})"
    for source, values, key in (("node label", labels, NODEGROUP_LABEL), ("instance tag", tags, NODEGROUP_TAG)):
        if values.get(key):
            return "managed", values[key], f"{source} {key}={values[key]}"
    for source, values in (("node label", labels), ("instance tag", tags)):
        if values.get(NODEPOOL):
            return "karpenter", values[NODEPOOL], f"{source} {NODEPOOL}={values[NODEPOOL]}"
    group = tags.get(ASG_TAG) or "self-managed"
    where = f" (Auto Scaling group {tags[ASG_TAG]})" if tags.get(ASG_TAG) else ""
    if os_image and "bottlerocket" in os_image.lower():
        return "bottlerocket", group, f"self-managed{where}: no node group or NodePool label, osImage {os_image!r}"
    if os_image:
        return "nodeadm", group, f"self-managed{where}: no node group or NodePool label, osImage {os_image!r}"
    return "nodeadm", group, (f"self-managed{where}: no node group or NodePool tag; osImage unknown without "
                              "'kubectl get nodes', so taken as nodeadm (AL2023), not Bottlerocket")


def _interfaces(enis: tuple[ObservedEni, ...] | None, instance_id: str | None):
    if enis is None or instance_id is None:
        return None, None, None, None
    mine = sorted((e for e in enis if e.instance_id == instance_id and e.interface_type != "branch"),
                  key=lambda e: (e.device_index if e.device_index is not None else 99, e.id))
    subnet = mine[0].subnet_id if mine else None
    return len(mine), sum(len(e.addresses) for e in mine), sum(len(e.prefixes) for e in mine), subnet


def observe_nodes(cluster: str, kube: tuple[KubeNode, ...] | None, instances: dict[str, ObservedInstance] | None,
                  enis: tuple[ObservedEni, ...] | None, pods: PodCounts | None) -> tuple[tuple[ObservedNode, ...], list[Unknown]]:
    """Every node of the cluster with its launcher, interfaces and pods; and what could not be known."""
    unknown: list[Unknown] = []
    rows = []  # (name, instance id, type, zone, max pods, os image, labels, tags, subnet)
    if kube is not None:
        for node in kube:
            instance = (instances or {}).get(node.instance_id) if node.instance_id else None
            rows.append((node.name, node.instance_id, node.instance_type or (instance.instance_type if instance else None),
                         node.availability_zone, node.max_pods, node.os_image, node.labels,
                         instance.tags if instance else {}, instance.subnet_id if instance else None))
    elif instances is not None:
        unknown.append(Unknown("nodes' max pods and OS image", "no 'kubectl get nodes' capture: nodes are the "
                                                              "cluster's EC2 instances"))
        for instance in cluster_instances(instances, cluster):
            rows.append((instance.id, instance.id, instance.instance_type, instance.availability_zone, None, None, {},
                         instance.tags, instance.subnet_id))
    else:
        unknown.append(Unknown("nodes", "neither 'kubectl get nodes' nor 'aws ec2 describe-instances' was captured"))
        return (), unknown
    if enis is None:
        unknown.append(Unknown("addresses each node holds", "no 'aws ec2 describe-network-interfaces' capture"))
    if pods is None:
        unknown.append(Unknown("pods on each node", "no 'kubectl get pods --all-namespaces' capture"))
    out = []
    for name, instance_id, instance_type, zone, max_pods, os_image, labels, tags, subnet in rows:
        if instance_type is None:
            unknown.append(Unknown(f"node {name}", "no instance type (no label, instance not captured): left out"))
            continue
        launcher, group, source = classify(labels, tags, os_image)
        count, addresses, prefixes, eni_subnet = _interfaces(enis, instance_id)
        known_pods = pods is not None and kube is not None
        out.append(ObservedNode(
            name=name, instance_id=instance_id, instance_type=instance_type, availability_zone=zone,
            subnet_id=subnet or eni_subnet, node_group=group, launcher=launcher, launcher_source=source,
            max_pods=max_pods, pods=pods.per_node.get(name, 0) if known_pods else None,
            security_group_pods=pods.security_group_per_node.get(name, 0) if known_pods else None,
            enis=count, addresses=addresses, prefixes=prefixes, os_image=os_image,
        ))
    return _distinct_groups(tuple(out)), unknown


def _distinct_groups(nodes: tuple[ObservedNode, ...]) -> tuple[ObservedNode, ...]:
    """A NodePool or Auto Scaling group named like a managed node group gets its launcher as a suffix."""
    launchers: dict[str, set[str]] = {}
    for node in nodes:
        launchers.setdefault(node.node_group, set()).add(node.launcher)
    out = []
    for node in nodes:
        if len(launchers[node.node_group]) > 1 and node.launcher != "managed":
            node = replace(node, node_group=f"{node.node_group}-{node.launcher}")
        out.append(node)
    return tuple(out)
