"""Multus on EKS as AWS documents it: ipvlan on a second ENI per node, whereabouts IPAM, addresses on the ENI.

The pattern of the EKS user guide ("Multiple network interfaces for Pods") and
aws-samples/eks-install-guide-for-multus:

* each node attaches one more ENI (``eth1``) in its AZ's Multus subnet, tagged
  ``node.k8s.amazonaws.com/no_manage=true`` so that the VPC CNI leaves it alone;
* one NetworkAttachmentDefinition per AZ: ``ipvlan`` (mode ``l2``) on that ENI with the
  cluster-wide ``whereabouts`` IPAM, so that no two nodes hand out the same address (``host-local``
  would: it allocates per node);
* the whereabouts range is a block of the subnet held by an ``explicit`` subnet CIDR reservation,
  so that EC2 never gives those addresses to an ENI on its own;
* each pod's Multus address is assigned to its node's ``eth1`` as a secondary address
  (``ec2:AssignPrivateIpAddresses``), because EC2 delivers traffic only to addresses an ENI holds:
  the initContainer, sidecar or DaemonSet of aws-samples/eks-automated-ipmgmt-multus-pods and
  aws-samples/eks-nonintrusive-automated-ipmgmt-multus-pods does it per pod.
"""

from __future__ import annotations

import ipaddress
import json
import math

from ..engine import Evaluation
from ..planner import prefix_for

__all__ = ["multus_plan"]

NO_MANAGE_TAG = "node.k8s.amazonaws.com/no_manage"


def _subnets(ev: Evaluation) -> dict[str, tuple[str, str | None]]:
    """AZ -> (CIDR, id or placeholder) of the Multus subnet, existing or planned."""
    spec, plan = ev.analysis.spec, ev.analysis.plan
    out = {}
    for az in spec.availability_zones:
        existing = spec.subnets_with("multus", az)
        if existing:
            out[az] = (str(existing[0].cidr), existing[0].id or f"<id of subnet {existing[0].cidr}>")
            continue
        planned = [p for p in (plan.subnets if plan else ()) if p.role == "multus" and p.availability_zone == az]
        if planned:
            out[az] = (planned[0].cidr, f"<id of subnet {planned[0].name}>")
    return out


def _range(cidr: str, pods: int, headroom: float) -> str | None:
    """A block at the top of the subnet for ``pods`` addresses with headroom, clear of AWS's reserved ones."""
    network = ipaddress.IPv4Network(cidr)
    for factor in (headroom, 1.0):
        # +1: the subnet's last address is AWS's; a block at the top must not use it
        prefixlen = prefix_for(math.ceil(pods * factor) + 1)
        if prefixlen > network.prefixlen:
            size = 2 ** (32 - prefixlen)
            return str(ipaddress.IPv4Network((int(network.broadcast_address) - size + 1, prefixlen)))
    return None


def multus_plan(ev: Evaluation) -> dict | None:
    """The NetworkAttachmentDefinitions, reservations, tags and address-assignment step of the design."""
    spec = ev.analysis.spec
    multus = spec.requirements.multus
    if multus is None or not multus.pods_per_node:
        return None
    nodes = {az: 0 for az in spec.availability_zones}
    for footprint in ev.analysis.groups:
        if multus.attaches(footprint.name):
            for az, count in footprint.nodes["max"].items():
                nodes[az] += count
    nads, reservations, notes = [], [], []
    for az, (cidr, subnet_id) in _subnets(ev).items():
        if not nodes.get(az):
            continue
        pods = nodes[az] * multus.pods_per_node
        block = _range(cidr, pods, spec.planning.headroom)
        if block is None:
            notes.append(f"{az}: {pods} Multus pod addresses do not fit in a block of {cidr}; use a larger subnet")
            continue
        last = ipaddress.IPv4Network(cidr).broadcast_address  # AWS's, and inside the top block
        config = {"cniVersion": "0.3.1", "type": "ipvlan", "master": multus.interface, "mode": "l2",
                  "ipam": {"type": "whereabouts", "range": block, "exclude": [f"{last}/32"]}}
        nads.append({"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
                     "metadata": {"name": f"{multus.interface}-{az}", "namespace": "default"},
                     "spec": {"config": json.dumps(config, separators=(",", ":"))}})
        reservations.append(["aws", "ec2", "create-subnet-cidr-reservation", "--subnet-id", subnet_id, "--cidr", block,
                             "--reservation-type", "explicit", "--description",
                             f"Multus pod addresses in {az} (whereabouts range): EC2 assigns none of them itself"])
    tags = [["aws", "ec2", "create-tags", "--resources", f"<{multus.interface} ENI id of every node>", "--tags",
             f"Key={NO_MANAGE_TAG},Value=true"]]
    assign = [["aws", "ec2", "assign-private-ip-addresses", "--network-interface-id",
               f"<{multus.interface} ENI id of the node running the pod>", "--private-ip-addresses",
               "<Multus address of the pod>", "--allow-reassignment"]]
    return {"nads": nads, "reservations": reservations, "tags": tags, "assign": assign, "notes": notes}
