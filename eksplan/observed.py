"""A cluster as it runs today: the observed state ``eksplan discover`` writes beside each spec.

Plain frozen values, read and written as JSON (``<cluster>.observed.json``). ``None`` means
*unknown* -- the capture or API that would tell was missing -- and :attr:`ObservedCluster.unknown`
says what was missing and why; nothing here is a default standing in for a fact.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ._io import atomic_write_text
from .ec2capture import CaptureError

__all__ = ["SCHEMA", "Unknown", "ObservedNode", "ObservedSubnetState", "ObservedCluster", "read_observed",
           "write_observed"]

SCHEMA = "eksplan-observed/1"


@dataclass(frozen=True)
class Unknown:
    """Something discovery could not learn: what, and why (the missing capture or API)."""

    what: str
    why: str


@dataclass(frozen=True)
class ObservedNode:
    """One node: its instance, the group it belongs to, and what it holds and runs."""

    name: str
    instance_id: str | None
    instance_type: str
    availability_zone: str | None
    subnet_id: str | None
    node_group: str
    launcher: str
    #: How the launcher was inferred (the label or tag read).
    launcher_source: str
    #: The kubelet's max pods (``status.capacity.pods``); None without ``kubectl get nodes``.
    max_pods: int | None
    #: Running pods with a VPC address (not hostNetwork), pods on branch ENIs apart; None without ``kubectl get pods``.
    pods: int | None
    security_group_pods: int | None
    #: Interfaces attached to the instance (trunk included, branch ENIs not), their private IPs and /28 prefixes.
    enis: int | None
    addresses: int | None
    prefixes: int | None
    os_image: str | None = None

    @property
    def addresses_held(self) -> int | None:
        """Addresses the node takes from its subnets: private IPs and 16 per /28 prefix."""
        if self.addresses is None:
            return None
        return self.addresses + 16 * (self.prefixes or 0)


@dataclass(frozen=True)
class ObservedSubnetState:
    """One subnet now: AWS's free-address count and, with the interfaces captured, the exact free /28s."""

    id: str
    cidr: str
    availability_zone: str
    available_ips: int
    free_prefixes: int | None
    largest_free_run: int | None
    interface_addresses: int | None
    assigned_prefixes: int | None
    prefix_map: str | None = None


@dataclass(frozen=True)
class ObservedCluster:
    """Everything discovery saw of one cluster, with what it could not see."""

    cluster: str
    region: str
    source: str
    cni_version: str | None
    #: aws-node's environment as the DaemonSet (or the add-on's configuration) gives it; None when unknown.
    cni_env: dict | None
    cni_source: str
    managed_addon: bool | None
    nodes: tuple[ObservedNode, ...] = ()
    subnets: tuple[ObservedSubnetState, ...] = ()
    unknown: tuple[Unknown, ...] = ()
    schema: str = SCHEMA

    def node_group(self, name: str) -> tuple[ObservedNode, ...]:
        return tuple(n for n in self.nodes if n.node_group == name)

    def subnet(self, subnet_id: str) -> ObservedSubnetState | None:
        return next((s for s in self.subnets if s.id == subnet_id), None)

    def to_dict(self) -> dict:
        record = asdict(self)
        return {"schema": record.pop("schema"), **record}

    @classmethod
    def from_dict(cls, data: dict, label: str = "observed") -> "ObservedCluster":
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise CaptureError(f"{label}: not an observed state written by 'eksplan discover' "
                               f"(expected \"schema\": \"{SCHEMA}\")")
        try:
            values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
            values["nodes"] = tuple(_build(ObservedNode, n) for n in data.get("nodes") or ())
            values["subnets"] = tuple(_build(ObservedSubnetState, s) for s in data.get("subnets") or ())
            values["unknown"] = tuple(_build(Unknown, u) for u in data.get("unknown") or ())
            return cls(**values)
        except (TypeError, KeyError) as exc:
            raise CaptureError(f"{label}: unreadable observed state ({exc})") from None


def _build(kind, data: dict):
    names = {f.name for f in fields(kind)}
    unknown = set(data) - names
    if unknown:
        raise TypeError(f"unknown key {sorted(unknown)[0]!r} in {kind.__name__}")
    return kind(**data)


def read_observed(path: str | Path) -> ObservedCluster:
    """An observed state written by ``eksplan discover``."""
    from .ec2capture import read_json

    return ObservedCluster.from_dict(read_json(path, "eksplan discover"), str(path))


def write_observed(observed: ObservedCluster, path: str | Path) -> Path:
    return atomic_write_text(path, json.dumps(observed.to_dict(), indent=2, sort_keys=False) + "\n")

