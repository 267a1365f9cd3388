"""Bottlerocket's shipped max-pods table: what a self-managed Bottlerocket node gives the kubelet.

Bottlerocket's settings generator ``pluto`` looks the node's instance type up in the image's
``/usr/share/eks/eni-max-pods`` (bottlerocket-os/bottlerocket-core-kit, ``packages/os/eni-max-pods``)
when ``settings.kubernetes.max-pods`` is not set; a type missing from it gets the kubelet
template's default of 110 (``packages/kubernetes-1.*/kubelet-config``:
``maxPods: {{default 110 settings.kubernetes.max-pods}}``). The table is the secondary-IP formula
of the default network card, computed when the table was last regenerated.

eksplan bundles a dated snapshot of that table, generated from the file by
``eksplan instance-types refresh-bottlerocket`` and never edited by hand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .._io import atomic_write_text
from ..errors import CatalogError

__all__ = ["BottlerocketTable", "BUNDLED_BOTTLEROCKET_SNAPSHOT", "load_bottlerocket_table",
           "parse_eni_max_pods", "build_bottlerocket_snapshot", "write_bottlerocket_snapshot"]

BUNDLED_BOTTLEROCKET_SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "bottlerocket-eni-max-pods.json"
UPSTREAM = "bottlerocket-os/bottlerocket-core-kit"
UPSTREAM_PATH = "packages/os/eni-max-pods"
_LINE = re.compile(r"([a-z0-9][a-z0-9.-]*)\s+(\d+)")


@dataclass(frozen=True)
class BottlerocketTable:
    """Max pods per instance type as Bottlerocket ships them."""

    types: dict
    source: str
    command: str

    def get(self, name: str) -> int | None:
        return self.types.get(name)

    def provenance(self) -> str:
        return self.source


def parse_eni_max_pods(text: str) -> dict[str, int]:
    """``type value`` lines of an ``eni-max-pods`` file (comments and blank lines skipped)."""
    out: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise CatalogError(f"eni-max-pods: line {number}: {line[:60]!r} is not 'TYPE MAX_PODS'")
        out[match[1]] = int(match[2])
    if not out:
        raise CatalogError(f"eni-max-pods: no 'TYPE MAX_PODS' line found (expected {UPSTREAM}'s {UPSTREAM_PATH})")
    return out


def build_bottlerocket_snapshot(table: dict[str, int], *, commit: str, command: str) -> dict:
    return {"schema": 1, "source": f"{UPSTREAM} {UPSTREAM_PATH} @ {commit}", "command": command,
            "count": len(table), "instance_types": dict(sorted(table.items()))}


def write_bottlerocket_snapshot(document: dict, path: Path) -> Path:
    head = {k: v for k, v in document.items() if k != "instance_types"}
    rows = [f"    {json.dumps(name)}: {value}" for name, value in document["instance_types"].items()]
    text = json.dumps(head, indent=2)[:-2] + ',\n  "instance_types": {\n' + ",\n".join(rows) + "\n  }\n}\n"
    atomic_write_text(path, text)
    return path


@lru_cache(maxsize=4)
def load_bottlerocket_table(path: Path | None = None) -> BottlerocketTable:
    """The bundled snapshot of Bottlerocket's table (or another one), loaded once per process."""
    path = path or BUNDLED_BOTTLEROCKET_SNAPSHOT
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        types = {name: int(value) for name, value in document["instance_types"].items()}
        return BottlerocketTable(types, document["source"], document["command"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CatalogError(f"{path.name}: not a Bottlerocket max-pods snapshot ({exc})") from None
