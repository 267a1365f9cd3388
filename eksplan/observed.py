"""A cluster as it runs today: the observed state ``eksplan discover`` writes beside each spec.

Plain frozen values, read and written as JSON (``<cluster>.observed.json``). ``None`` means
*unknown* -- the capture or API that would tell was missing -- and :attr:`ObservedCluster.unknown`
says what was missing and why; nothing here is a default standing in for a fact.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError

from ._io import atomic_write_text
from .ec2capture import CaptureError

__all__ = ["SCHEMA", "Unknown", "ObservedNode", "ObservedSubnetState", "ObservedCluster", "read_observed",
           "write_observed"]

SCHEMA = "eksplan-observed/1"

#: A count read from the file: whole and not negative (``true`` is not 1).
Count = Annotated[int, Field(ge=0, strict=True)]
#: How a hand-edited or foreign file is read: types exact, no unknown key, names bounded.
_STRICT = ConfigDict(strict=True, extra="forbid", str_max_length=4096)


@dataclass(frozen=True)
class Unknown:
    """Something discovery could not learn: what, and why (the missing capture or API)."""

    __pydantic_config__ = _STRICT

    what: str
    why: str


@dataclass(frozen=True)
class ObservedNode:
    """One node: its instance, the group it belongs to, and what it holds and runs."""

    __pydantic_config__ = _STRICT

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
    max_pods: Count | None
    #: Running pods with a VPC address (not hostNetwork), pods on branch ENIs apart; None without ``kubectl get pods``.
    pods: Count | None
    security_group_pods: Count | None
    #: Interfaces attached to the instance (trunk included, branch ENIs not), their private IPs and /28 prefixes.
    enis: Count | None
    addresses: Count | None
    prefixes: Count | None
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

    __pydantic_config__ = _STRICT

    id: str
    cidr: str
    availability_zone: str
    available_ips: Count
    free_prefixes: Count | None
    largest_free_run: Count | None
    interface_addresses: Count | None
    assigned_prefixes: Count | None
    prefix_map: str | None = None


@dataclass(frozen=True)
class ObservedCluster:
    """Everything discovery saw of one cluster, with what it could not see."""

    __pydantic_config__ = _STRICT

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
    def from_dict(cls, data: object, label: str = "observed") -> "ObservedCluster":
        """The observed state in ``data`` (parsed JSON); errors name the file and the first bad place."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise CaptureError(f"{label}: not an observed state written by 'eksplan discover' "
                               f"(expected \"schema\": \"{SCHEMA}\")")
        try:
            # Validated as JSON so that arrays become tuples under strict types.
            return _adapter().validate_json(json.dumps(data))
        except ValidationError as exc:
            from .spec.issues import format_path

            error = exc.errors(include_url=False)[0]
            more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
            raise CaptureError(f"{label}: {format_path(error['loc']) or 'the document'}: {_problem(error)}{more}") \
                from None


def _problem(error: dict) -> str:
    from .echo import shown

    kind = error["type"]
    if kind in ("missing", "missing_argument"):
        return "required, but missing"
    if kind == "unexpected_keyword_argument":
        return "unknown key"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{shown(error['input'])} is not a whole number"
    return f"{shown(error['input'])}: {error['msg'][:1].lower()}{error['msg'][1:]}"


@lru_cache(maxsize=1)
def _adapter() -> TypeAdapter:
    return TypeAdapter(ObservedCluster)

def read_observed(path: str | Path) -> ObservedCluster:
    """An observed state written by ``eksplan discover``."""
    from .ec2capture import read_json

    return ObservedCluster.from_dict(read_json(path, "eksplan discover"), str(path))


def write_observed(observed: ObservedCluster, path: str | Path) -> Path:
    return atomic_write_text(path, json.dumps(observed.to_dict(), indent=2, sort_keys=False) + "\n")

