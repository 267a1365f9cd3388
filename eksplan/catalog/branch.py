"""Branch-ENI limits and trunking per instance type: security groups for pods' capacity.

Pods with security groups each take a *branch* ENI of the node's trunk ENI. How many branch
ENIs a type takes, and whether it can attach a trunk ENI at all, are not in EC2's API: the VPC
resource controller publishes them in its generated ``pkg/aws/vpc/limits.go``
(aws/amazon-vpc-resource-controller-k8s), as ``BranchInterface`` and ``IsTrunkingCompatible``.
The controller advertises ``BranchInterface`` as the node's ``vpc.amazonaws.com/pod-eni``
resource; Karpenter and (from 1.20.4) the VPC CNI read the same table.

eksplan bundles a dated snapshot of those two fields, generated from that file by
``eksplan instance-types refresh-branch-enis`` and never edited by hand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .._io import atomic_write_text
from ..errors import CatalogError
from .model import InstanceType

__all__ = [
    "BranchLimits", "BranchTable", "BUNDLED_BRANCH_SNAPSHOT", "load_branch_limits", "parse_limits_go",
    "build_branch_snapshot", "write_branch_snapshot", "trunk_capable",
]

BUNDLED_BRANCH_SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "branch-enis.json"
BRANCH_SCHEMA = 1
UPSTREAM = "aws/amazon-vpc-resource-controller-k8s"
UPSTREAM_PATH = "pkg/aws/vpc/limits.go"

_ENTRY = re.compile(r'^\t"(?P<name>[^"\s]+)": \{\n(?P<body>.*?)^\t\},?$', re.S | re.M)
_TRUNKING = re.compile(r"^\t\tIsTrunkingCompatible:\s+(true|false),?$", re.M)
_BRANCH = re.compile(r"^\t\tBranchInterface:\s+(\d+),?$", re.M)
_GENERATED = re.compile(r"This file was generated at (\S+)")


@dataclass(frozen=True)
class BranchLimits:
    """Whether a type can attach a trunk ENI, and the branch ENIs (pods with security groups) it takes."""

    trunking: bool
    branch_enis: int


@dataclass(frozen=True)
class BranchTable:
    """A dated snapshot of branch-ENI limits, looked up by instance type."""

    types: dict
    source: str
    generated: str
    command: str

    def get(self, name: str) -> BranchLimits | None:
        return self.types.get(name)

    def provenance(self) -> str:
        return f"{self.source}, generated {self.generated}"


def parse_limits_go(text: str) -> tuple[dict[str, BranchLimits], str | None]:
    """Every instance type's trunking flag and branch-ENI count in ``limits.go``, and its timestamp."""
    out: dict[str, BranchLimits] = {}
    for match in _ENTRY.finditer(text):
        body = match["body"]
        trunking, branch = _TRUNKING.search(body), _BRANCH.search(body)
        if trunking is None or branch is None:
            raise CatalogError(f"limits.go: entry {match['name']!r} has no IsTrunkingCompatible or BranchInterface")
        out[match["name"]] = BranchLimits(trunking[1] == "true", int(branch[1]))
    if not out:
        raise CatalogError("limits.go: no instance-type entries found (expected the VPC resource controller's "
                           f"{UPSTREAM_PATH})")
    generated = _GENERATED.search(text)
    return out, generated[1] if generated else None


def build_branch_snapshot(limits: dict[str, BranchLimits], *, commit: str, generated: str | None,
                          command: str) -> dict:
    """The snapshot document for ``limits`` (sorted by name, one line per type)."""
    return {
        "schema": BRANCH_SCHEMA,
        "source": f"{UPSTREAM} {UPSTREAM_PATH} @ {commit}",
        "generated": generated or "unknown",
        "command": command,
        "count": len(limits),
        "instance_types": {name: {"trunking": v.trunking, "branch_enis": v.branch_enis}
                           for name, v in sorted(limits.items())},
    }


def write_branch_snapshot(document: dict, path: Path) -> Path:
    head = {k: v for k, v in document.items() if k != "instance_types"}
    lines = [json.dumps(head, indent=2)[:-2] + ',\n  "instance_types": {']
    rows = [f"    {json.dumps(name)}: {json.dumps(record)}" for name, record in document["instance_types"].items()]
    text = lines[0] + "\n" + ",\n".join(rows) + "\n  }\n}\n"
    atomic_write_text(path, text)
    return path


@lru_cache(maxsize=4)
def load_branch_limits(path: Path | None = None) -> BranchTable:
    """The branch-ENI snapshot (the bundled one by default), loaded once per process."""
    path = path or BUNDLED_BRANCH_SNAPSHOT
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        types = {name: BranchLimits(bool(r["trunking"]), int(r["branch_enis"]))
                 for name, r in document["instance_types"].items()}
        return BranchTable(types, document["source"], document["generated"], document["command"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CatalogError(f"{path.name}: not a branch-ENI snapshot ({exc})") from None


def trunk_capable(it: InstanceType, table: BranchTable | None = None) -> tuple[bool, str]:
    """Whether ``it`` can attach a trunk ENI, and where that answer comes from.

    From the VPC resource controller's table when it lists the type; otherwise from the EKS user
    guide's rule (Nitro-based and not the ``t`` family), said so in the second value.
    """
    limits = (table or load_branch_limits()).get(it.name)
    if limits is not None:
        return limits.trunking, f"IsTrunkingCompatible={'true' if limits.trunking else 'false'} in {UPSTREAM_PATH}"
    guess = it.nitro_based and not it.family.startswith("t")
    return guess, (f"{it.name} is not in {UPSTREAM_PATH}; by the EKS user guide's rule (Nitro-based, not the t "
                   f"family) it {'can' if guess else 'cannot'} attach a trunk ENI")
