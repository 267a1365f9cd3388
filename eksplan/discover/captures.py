"""The raw documents discovery reads, from a live account or a folder of captures (one region each).

Live discovery (:mod:`eksplan.discover.aws`) and a captures folder produce the same
:class:`RegionCaptures`: the JSON each AWS CLI command prints (pages merged, no
``ResponseMetadata``), so that one pure function (:func:`eksplan.discover.infer.discover_cluster`)
turns either into a spec. The folder layout (``docs/discover.md`` gives the commands)::

    ec2/describe-vpcs.json  ec2/describe-subnets.json  ec2/describe-network-interfaces.json
    ec2/describe-instances.json  ec2/subnet-cidr-reservations/<subnet-id>.json
    eks/<cluster>/describe-cluster.json  eks/<cluster>/describe-addon-vpc-cni.json
    eks/<cluster>/nodegroups/<nodegroup>.json  eks/<cluster>/fargate-profiles/<profile>.json
    kubectl/<cluster>/nodes.json  kubectl/<cluster>/pods.json  kubectl/<cluster>/aws-node.json
    kubectl/<cluster>/eniconfigs.json

A file that is absent is *unknown*, never assumed empty, and discovery says which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .._io import atomic_write_text
from ..ec2capture import CaptureError, read_json

__all__ = ["ClusterCaptures", "RegionCaptures", "read_captures", "read_kubectl", "write_captures", "EC2_FILES",
           "KUBECTL_FILES"]

#: Document -> (file in ec2/, the command that prints it).
EC2_FILES = {
    "vpcs": ("describe-vpcs.json", "aws ec2 describe-vpcs --output json"),
    "subnets": ("describe-subnets.json", "aws ec2 describe-subnets --output json"),
    "network_interfaces": ("describe-network-interfaces.json", "aws ec2 describe-network-interfaces --output json"),
    "instances": ("describe-instances.json", "aws ec2 describe-instances --output json"),
}
#: Document -> (file in kubectl/<cluster>/, the command that prints it).
KUBECTL_FILES = {
    "nodes": ("nodes.json", "kubectl get nodes -o json"),
    "pods": ("pods.json", "kubectl get pods --all-namespaces -o json"),
    "aws-node": ("aws-node.json", "kubectl get daemonset aws-node -n kube-system -o json"),
    "eniconfigs": ("eniconfigs.json", "kubectl get eniconfigs -o json"),
}


@dataclass
class ClusterCaptures:
    """One cluster's EKS documents and, if captured, what kubectl printed."""

    name: str
    cluster: dict | None = None
    nodegroups: dict = field(default_factory=dict)
    fargate_profiles: dict = field(default_factory=dict)
    #: ``{"addon": {...}}``; ``{"addon": None}`` when EKS says the add-on is not installed; None when unknown.
    addon: dict | None = None
    kubectl: dict = field(default_factory=dict)
    #: What could not be read, and why (e.g. ``describe-addon``: "not implemented by this endpoint").
    unknown: dict = field(default_factory=dict)


@dataclass
class RegionCaptures:
    """Every document of one account and region, and the clusters in it."""

    region: str | None
    source: str
    ec2: dict = field(default_factory=dict)
    cidr_reservations: dict = field(default_factory=dict)
    clusters: dict = field(default_factory=dict)
    unknown: dict = field(default_factory=dict)


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []


def read_kubectl(folder: Path, cluster: ClusterCaptures) -> None:
    """Add what kubectl printed for ``cluster`` (files in ``folder``), noting each file missing."""
    for key, (name, command) in KUBECTL_FILES.items():
        path = folder / name
        if path.is_file():
            cluster.kubectl[key] = read_json(path, command)
        else:
            cluster.unknown[f"kubectl {key}"] = f"no capture ({folder.name}/{name}: {command})"


def read_captures(folder: str | Path, clusters: tuple[str, ...] = ()) -> RegionCaptures:
    """A captures folder (layout above); ``clusters`` limits it to those names (default: every one)."""
    root = Path(folder)
    if not root.is_dir():
        raise CaptureError(f"{folder}: not a folder of captures")
    captures = RegionCaptures(region=None, source=f"captures in {root.name}")
    for key, (name, command) in EC2_FILES.items():
        path = root / "ec2" / name
        if path.is_file():
            captures.ec2[key] = read_json(path, command)
        else:
            captures.unknown[name.removesuffix(".json")] = f"no capture (ec2/{name}: {command})"
    reservations = root / "ec2" / "subnet-cidr-reservations"
    if reservations.is_dir():
        for path in _json_files(reservations):
            captures.cidr_reservations[path.stem] = read_json(
                path, "aws ec2 get-subnet-cidr-reservations --subnet-id SUBNET --output json")
    else:
        captures.unknown["get-subnet-cidr-reservations"] = "no capture (ec2/subnet-cidr-reservations/<subnet-id>.json)"
    eks = root / "eks"
    names = sorted(p.name for p in eks.iterdir() if p.is_dir()) if eks.is_dir() else []
    missing = [c for c in clusters if c not in names]
    if missing:
        raise CaptureError(f"{root / 'eks'}: no cluster {missing[0]!r} (clusters: {', '.join(names) or 'none'})")
    if not names:
        raise CaptureError(f"{root}: no eks/<cluster>/describe-cluster.json (expected 'aws eks describe-cluster "
                           "--name NAME --output json' for each cluster)")
    for name in clusters or names:
        captures.clusters[name] = _read_cluster(root, name)
    return captures


def _read_cluster(root: Path, name: str) -> ClusterCaptures:
    folder = root / "eks" / name
    cluster = ClusterCaptures(name)
    cluster.cluster = read_json(folder / "describe-cluster.json", f"aws eks describe-cluster --name {name}")
    for path in _json_files(folder / "nodegroups"):
        cluster.nodegroups[path.stem] = read_json(path, f"aws eks describe-nodegroup --cluster-name {name} "
                                                        f"--nodegroup-name {path.stem}")
    for path in _json_files(folder / "fargate-profiles"):
        cluster.fargate_profiles[path.stem] = read_json(path, f"aws eks describe-fargate-profile --cluster-name {name} "
                                                              f"--fargate-profile-name {path.stem}")
    for listing, key, what in (("list-nodegroups.json", "nodegroups", cluster.nodegroups),
                               ("list-fargate-profiles.json", "fargateProfileNames", cluster.fargate_profiles)):
        path = folder / listing
        if path.is_file():
            listed = read_json(path, f"aws eks {listing.removesuffix('.json')} --cluster-name {name}")
            for item in (listed.get(key) if isinstance(listed, dict) else None) or ():
                if item not in what:
                    cluster.unknown[f"{key} {item}"] = f"listed in {listing} but not captured"
    addon = folder / "describe-addon-vpc-cni.json"
    if addon.is_file():
        cluster.addon = read_json(addon, f"aws eks describe-addon --cluster-name {name} --addon-name vpc-cni")
    else:
        cluster.unknown["describe-addon"] = "no capture (describe-addon-vpc-cni.json)"
    read_kubectl(root / "kubectl" / name, cluster)
    return cluster


def _dump(document) -> str:
    return json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"


def write_captures(captures: RegionCaptures, folder: str | Path) -> Path:
    """Write ``captures`` in the folder layout, so that ``--from-dir`` reads them back."""
    root = Path(folder)
    for key, (name, _command) in EC2_FILES.items():
        if key in captures.ec2:
            atomic_write_text(root / "ec2" / name, _dump(captures.ec2[key]))
    for subnet, document in captures.cidr_reservations.items():
        atomic_write_text(root / "ec2" / "subnet-cidr-reservations" / f"{subnet}.json", _dump(document))
    for name, cluster in captures.clusters.items():
        folder_ = root / "eks" / name
        atomic_write_text(folder_ / "describe-cluster.json", _dump(cluster.cluster))
        for ng, document in cluster.nodegroups.items():
            atomic_write_text(folder_ / "nodegroups" / f"{ng}.json", _dump(document))
        for fp, document in cluster.fargate_profiles.items():
            atomic_write_text(folder_ / "fargate-profiles" / f"{fp}.json", _dump(document))
        if cluster.addon is not None:
            atomic_write_text(folder_ / "describe-addon-vpc-cni.json", _dump(cluster.addon))
        for key, (file, _command) in KUBECTL_FILES.items():
            if key in cluster.kubectl:
                atomic_write_text(root / "kubectl" / name / file, _dump(cluster.kubectl[key]))
    return root
