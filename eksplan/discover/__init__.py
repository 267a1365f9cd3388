"""Discover running EKS clusters: a spec per cluster (with where each value came from) and its observed state.

``fetch_region`` (live, :mod:`.aws`) or ``read_captures`` (a folder, :mod:`.captures`) gives the raw
documents; :func:`discover_region` turns them into :class:`Outcome` values, each a spec that
validates or the reasons it cannot be written; :func:`write_outcome` writes ``<cluster>.yaml`` and
``<cluster>.observed.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._io import atomic_write_text
from ..catalog import Catalog, load_catalog
from ..errors import EksplanError
from ..observed import write_observed
from .captures import RegionCaptures, read_captures, read_kubectl, write_captures
from .infer import Discovered, discover_cluster
from .render import render_spec

__all__ = ["Outcome", "discover_region", "write_outcome", "read_captures", "read_kubectl", "write_captures",
           "Discovered", "validate_discovered"]


@dataclass(frozen=True)
class Outcome:
    """One cluster: what was discovered, and why it is not written (empty when it is)."""

    name: str
    found: Discovered | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.found is not None and not self.problems


def validate_discovered(found: Discovered, catalog: Catalog) -> list[str]:
    """What ``eksplan validate`` would say about the discovered spec (empty when it is valid)."""
    from pydantic import ValidationError

    from ..spec.checks import check_cluster
    from ..spec.issues import format_path, validation_issues
    from ..spec.model import ClusterSpec

    try:
        spec = ClusterSpec.model_validate(found.spec, context={"catalog": catalog})
    except ValidationError as exc:
        return [f"{i.path}: {i.message}" for i in validation_issues(exc, "")]
    return [f"{format_path(path)}: {message}" for path, message in check_cluster(spec, None, catalog)]


def discover_region(captures: RegionCaptures, catalog: Catalog | None = None, *,
                    allow_unknown: bool = False) -> list[Outcome]:
    """Every cluster of ``captures``; strict by default: a value the spec needs but no capture gave stops it."""
    catalog = catalog or load_catalog()
    out = []
    for name in sorted(captures.clusters):
        try:
            found = discover_cluster(captures, name, catalog)
        except EksplanError as exc:
            out.append(Outcome(name, None, tuple(str(exc).splitlines())))
            continue
        problems = [f"spec: {p}" for p in validate_discovered(found, catalog)]
        if found.missing and not allow_unknown:
            problems += [f"unknown {u.what}: {u.why}" for u in found.missing]
            problems.append("capture what is missing (docs/discover.md), or pass --allow-unknown to write "
                            "placeholders marked UNKNOWN")
        out.append(Outcome(name, found, tuple(problems)))
    return out


def write_outcome(outcome: Outcome, folder: str | Path) -> tuple[Path, Path]:
    """Write ``<cluster>.yaml`` and ``<cluster>.observed.json`` into ``folder``."""
    found = outcome.found
    root = Path(folder)
    spec = atomic_write_text(root / f"{found.name}.yaml", render_spec(found))
    observed = write_observed(found.observed, root / found.spec["observed"])
    return spec, observed
