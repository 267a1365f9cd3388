"""Reading cluster specs from YAML: files, fleets and directories, with every error located.

Each error names the file, the field path from the top of the file (``clusters[2].node_groups[0]
.instance_types[0]``) and the bad value. A bad cluster never hides the others: a fleet yields
its valid clusters and the errors of the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Sequence

from pydantic import TypeAdapter, ValidationError

from ..catalog import Catalog, load_catalog
from ..echo import shown
from ..inputs import LIMITS, InputError, load_yaml, read_text, referenced_file
from .checks import check_cluster
from .issues import SpecError, SpecIssue, format_path, validation_issues
from .model import ClusterSpec

__all__ = ["SpecIssue", "SpecError", "LoadedCluster", "FleetLoad", "load_fleet", "load_cluster", "discover"]

SPEC_SUFFIXES = (".yaml", ".yml")
#: Errors reported for one cluster; past this, one line says how many more there are.
MAX_ISSUES_PER_CLUSTER = 50


@dataclass(frozen=True)
class LoadedCluster:
    """A valid cluster spec and where it came from."""

    spec: ClusterSpec
    file: str
    path: str  # "" for a single-cluster file, "clusters[2]" in a fleet

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass
class FleetLoad:
    """The valid clusters of some files, and the issues of the others."""

    clusters: list[LoadedCluster] = field(default_factory=list)
    issues: list[SpecIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    def failed_clusters(self) -> list[tuple[str, str | None, list[SpecIssue]]]:
        """(file, cluster name or path, issues) for each cluster or file that failed."""
        groups: dict[tuple[str, str | None], list[SpecIssue]] = {}
        for issue in self.issues:
            groups.setdefault((issue.file, issue.cluster), []).append(issue)
        return [(f, c, i) for (f, c), i in groups.items()]


# -- YAML --------------------------------------------------------------------------------------
def _read_yaml(path: Path, label: str) -> object:
    """The document of one spec file, read under the input contract (see :mod:`eksplan.inputs`)."""
    try:
        document = load_yaml(read_text(path, label, LIMITS["yaml"].max_bytes), label)
    except InputError as exc:
        raise SpecError([SpecIssue(label, "", exc.message)]) from None
    if document is None:
        raise SpecError([SpecIssue(label, "", "the file is empty (expected a cluster, or 'clusters:' with a list)")])
    return document


def _cluster_issues(exc: ValidationError, label: str, prefix: tuple, cluster: str | None) -> list[SpecIssue]:
    return validation_issues(exc, label, prefix, ClusterSpec, cluster)


# -- entry points -------------------------------------------------------------------------------
def _valid_part(data: dict, catalog: Catalog) -> tuple[ClusterSpec, set[str]]:
    """A spec holding the top-level fields of ``data`` that are valid on their own, and their names."""
    values, valid = {}, set()
    for name, info in ClusterSpec.model_fields.items():
        if name not in data:
            if not info.is_required():
                valid.add(name)
            continue
        try:
            adapter = _field_adapter(name)
            values[name] = adapter.validate_python(data[name], context={"catalog": catalog})
            valid.add(name)
        except ValidationError:
            pass
    return ClusterSpec.model_construct(**values), valid


@lru_cache(maxsize=None)
def _field_adapter(name: str) -> TypeAdapter:
    info = ClusterSpec.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, info])


def _validate(data: object, label: str, prefix: tuple, catalog: Catalog,
              path_of_file: Path | None = None) -> tuple[LoadedCluster | None, list[SpecIssue]]:
    path = format_path(prefix)
    path_of_file = path_of_file if path_of_file is not None else Path(label)
    if not isinstance(data, dict):
        expected = "a cluster (a mapping with name, region, vpc...)"
        if not prefix:
            expected += ", or 'clusters:' with a list of them"
        return None, [SpecIssue(label, path, f"expected {expected}, got {shown(data)}")]
    name = data.get("name")
    cluster = name.strip() if isinstance(name, str) and 0 < len(name.strip()) <= 100 else None
    try:
        spec = ClusterSpec.model_validate(data, context={"catalog": catalog})
    except ValidationError as exc:
        issues = _cluster_issues(exc, label, prefix, cluster)
        partial, valid = _valid_part(data, catalog)
        seen = {(i.path, i.message) for i in issues}
        for p, m in check_cluster(partial, valid, catalog):
            issue = SpecIssue(label, format_path(prefix + p), m, cluster)
            if (issue.path, issue.message) not in seen:
                issues.append(issue)
        return None, _capped(issues, label, path, cluster)
    problems = [SpecIssue(label, format_path(prefix + p), m, cluster) for p, m in check_cluster(spec, None, catalog)]
    if problems:
        return None, _capped(problems, label, path, cluster)
    if spec.describe_subnets:
        spec, problems = _observe(spec, path_of_file, label, prefix, cluster)
        if problems:
            return None, problems
    if spec.observed:
        where = format_path(prefix + ("observed",))
        try:
            observed = referenced_file(path_of_file, spec.observed)
        except InputError as exc:
            return None, [SpecIssue(label, where, exc.message, cluster)]
        if not observed.is_file():
            return None, [SpecIssue(label, where, f"{shown(spec.observed)}: no such file (the observed state "
                                    "'eksplan discover' writes)", cluster)]
        spec = spec.model_copy(update={"observed": str(observed)})
    return LoadedCluster(spec, label, path), []


def _capped(issues: list[SpecIssue], label: str, path: str, cluster: str | None) -> list[SpecIssue]:
    """At most :data:`MAX_ISSUES_PER_CLUSTER` issues, and one more saying how many were left out."""
    if len(issues) <= MAX_ISSUES_PER_CLUSTER:
        return issues
    left = len(issues) - MAX_ISSUES_PER_CLUSTER
    return issues[:MAX_ISSUES_PER_CLUSTER] + [SpecIssue(
        label, path, f"{left:,} more error(s) in this cluster, not shown (the first {MAX_ISSUES_PER_CLUSTER} are)",
        cluster)]


def _observe(spec: ClusterSpec, path: Path, label: str, prefix: tuple, cluster: str | None):
    """Fill available addresses and tags from the describe-subnets capture the spec names.

    The capture is read from inside the spec's own folder (see :func:`eksplan.inputs.referenced_file`).
    """
    from ..subnetfile import apply_observed, read_describe_subnets

    where = format_path(prefix + ("describe_subnets",))
    shown_as = str(Path(label).parent / spec.describe_subnets)
    try:
        capture = referenced_file(path, spec.describe_subnets)
        observed = read_describe_subnets(capture, shown_as)
        return apply_observed(spec, observed, shown_as), []
    except InputError as exc:
        return spec, [SpecIssue(label, where, exc.message, cluster)]
    except SpecError as exc:
        return spec, [SpecIssue(label, where, f"{i.file}: {i.path + ': ' if i.path else ''}{i.message}", cluster)
                      for i in exc.issues]


def _load_file(path: Path, label: str, catalog: Catalog, into: FleetLoad) -> None:
    try:
        document = _read_yaml(path, label)
    except SpecError as exc:
        into.issues.extend(exc.issues)
        return
    if isinstance(document, dict) and "clusters" in document:
        for extra in [key for key in document if key != "clusters"][:MAX_ISSUES_PER_CLUSTER]:
            into.issues.append(SpecIssue(label, format_path((extra,)), f"unknown key {shown(extra)} beside 'clusters' "
                                                                        "(a fleet file holds only 'clusters')"))
        clusters = document["clusters"]
        if not isinstance(clusters, list) or not clusters:
            into.issues.append(SpecIssue(label, "clusters", f"expected a non-empty list of clusters, got {shown(clusters)}"))
            return
        for index, data in enumerate(clusters):
            loaded, issues = _validate(data, label, ("clusters", index), catalog, path)
            into.issues.extend(issues)
            if loaded:
                into.clusters.append(loaded)
        return
    loaded, issues = _validate(document, label, (), catalog, path)
    into.issues.extend(issues)
    if loaded:
        into.clusters.append(loaded)


def _folder(entry: str | Path) -> tuple[list[tuple[Path, str]], list[SpecIssue]]:
    """The spec files in one folder (sorted), and the problems of the folder itself.

    A file reached through a symbolic link that leads out of the folder is not read: a folder
    handed over by another team cannot make eksplan read a file elsewhere on this machine.
    """
    folder = Path(entry)
    try:
        children = sorted(folder.iterdir())
        inside = folder.resolve()
    except OSError as exc:
        return [], [SpecIssue(str(entry), "", f"cannot be read ({exc.strerror or type(exc).__name__})")]
    files, issues = [], []
    for child in children:
        if child.suffix not in SPEC_SUFFIXES or child.is_dir():
            continue
        if not child.resolve().is_relative_to(inside):
            issues.append(SpecIssue(str(child), "", "is a link that leads outside its folder; name the file it "
                                                    "leads to on the command line to read it"))
            continue
        files.append((child, str(child)))
    if not files and not issues:
        issues.append(SpecIssue(str(entry), "", "no *.yaml or *.yml file in this directory"))
    return files, issues


def _discover(inputs: Sequence[str | Path]) -> tuple[list[tuple[Path, str]], list[SpecIssue]]:
    files, issues = [], []
    for entry in inputs:
        if Path(entry).is_dir():
            found, problems = _folder(entry)
            files += found
            issues += problems
        else:
            files.append((Path(entry), str(entry)))
    return files, issues


def discover(inputs: Sequence[str | Path]) -> list[tuple[Path, str]]:
    """The spec files named or contained (``*.yaml``, ``*.yml``, sorted) in ``inputs``, with labels."""
    return _discover(inputs)[0]


def load_fleet(inputs: Sequence[str | Path], catalog: Catalog | None = None) -> FleetLoad:
    """Load every cluster of the given files and directories; never raises on a bad spec."""
    catalog = catalog or load_catalog()
    result = FleetLoad()
    files, result.issues = _discover(inputs)
    for path, label in files:
        _load_file(path, label, catalog, result)
    seen: dict[str, LoadedCluster] = {}
    unique = []
    for loaded in result.clusters:
        first = seen.get(loaded.name)
        if first is not None:
            where = f"{first.file}: {first.path}" if first.path else first.file
            result.issues.append(SpecIssue(loaded.file, format_path(("name",)) if not loaded.path else f"{loaded.path}.name",
                                           f"{shown(loaded.name)} is already the name of a cluster ({where})", loaded.name))
            continue
        seen[loaded.name] = loaded
        unique.append(loaded)
    result.clusters = unique
    return result


def load_cluster(path: str | Path, name: str | None = None, catalog: Catalog | None = None) -> ClusterSpec:
    """One cluster from a file (the named one in a fleet); raises :class:`SpecError` if invalid."""
    fleet = load_fleet([path], catalog)
    relevant = [i for i in fleet.issues if name is None or i.cluster in (name, None)]
    matches = [c for c in fleet.clusters if name is None or c.name == name]
    if relevant and not matches:
        raise SpecError(relevant)
    if name is None and len(fleet.clusters) + len(fleet.failed_clusters()) > 1:
        names = ", ".join(shown(c.name) for c in fleet.clusters)
        raise SpecError([SpecIssue(str(path), "", f"holds several clusters ({names}): name one")])
    if not matches:
        names = ", ".join(shown(c.name) for c in fleet.clusters) or "none"
        raise SpecError([SpecIssue(str(path), "", f"no cluster named {shown(name)} (clusters: {names})")])
    return matches[0].spec
