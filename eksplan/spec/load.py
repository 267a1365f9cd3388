"""Reading cluster specs from YAML: files, fleets and directories, with every error located.

Each error names the file, the field path from the top of the file (``clusters[2].node_groups[0]
.instance_types[0]``) and the bad value. A bad cluster never hides the others: a fleet yields
its valid clusters and the errors of the rest.
"""

from __future__ import annotations

import difflib
import re
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Iterable, Sequence

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..catalog import Catalog, load_catalog
from ..echo import printable, shown
from ..errors import EksplanError
from ..inputs import LIMITS, InputError, load_yaml, read_text, referenced_file
from .checks import check_cluster
from .model import ClusterSpec

__all__ = ["SpecIssue", "SpecError", "LoadedCluster", "FleetLoad", "load_fleet", "load_cluster", "discover"]

SPEC_SUFFIXES = (".yaml", ".yml")
#: Errors reported for one cluster; past this, one line says how many more there are.
MAX_ISSUES_PER_CLUSTER = 50


@dataclass(frozen=True)
class SpecIssue:
    """One problem in one spec file, located by field path (and by the cluster's name, when it has one)."""

    file: str
    path: str
    message: str
    cluster: str | None = None

    def __str__(self) -> str:
        """One line: ``file: path (cluster 'name'): message``, every control character escaped."""
        where = self.path
        if self.cluster is not None:
            named = f"cluster {shown(self.cluster)}"
            where = f"{where} ({named})" if where else named
        return printable(f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}")


class SpecError(EksplanError):
    """A spec that cannot be used; carries every issue found."""

    def __init__(self, issues: Sequence[SpecIssue]):
        self.issues = tuple(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    def lines(self) -> list[str]:
        return [str(i) for i in self.issues]


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


# -- pydantic errors as eksplan messages ---------------------------------------------------------
_FLOAT_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,59}")


def _format_path(loc: Iterable) -> str:
    """``clusters[2].node_groups[0].name``; a key that is not a plain word shows quoted: ``tags['a b']``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{shown(part)}]"
    return out


def _unwrap(annotation):
    """The model class reachable through Optional / list / tuple / dict / Annotated, if any."""
    for _ in range(6):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        if not args:
            return None
        annotation = args[-1] if typing.get_origin(annotation) is dict else args[0]
    return None


def _model_at(root: type[BaseModel], loc: Sequence) -> type[BaseModel] | None:
    model = root
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {f.validation_alias if isinstance(f.validation_alias, str) else name: f
                  for name, f in model.model_fields.items()}
        if part not in fields:
            return None
        model = _unwrap(fields[part].annotation)
        if model is None:
            return None
    return model


def _keys(model: type[BaseModel]) -> list[str]:
    return [f.validation_alias if isinstance(f.validation_alias, str) else name for name, f in model.model_fields.items()]


def _message(error: dict, root: type[BaseModel]) -> str:
    kind, value, ctx, loc = error["type"], error.get("input"), error.get("ctx") or {}, error["loc"]
    if kind in ("value_error", "assertion_error"):
        inner = ctx.get("error")
        return str(inner) if inner is not None else error["msg"]
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        key = loc[-1]
        if model is not None:
            keys = _keys(model)
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6) if isinstance(key, str) else []
            if close:
                return f"unknown key {shown(key)} (did you mean {close[0]!r}?)"
            return f"unknown key {shown(key)} (expected one of: {', '.join(keys)})"
        return f"unknown key {shown(key)}"
    if kind == "missing":
        return "required, but missing"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown(value)} is not a whole number"
    if kind in ("float_parsing", "float_type"):
        if isinstance(value, str) and _FLOAT_TEXT.fullmatch(value.strip()):
            return (f"{shown(value)} is text, not a number (YAML 1.1 reads an exponent as a number only with "
                    "a dot and a sign: write 1.0e+3, not 1e3)")
        return f"{shown(value)} is not a number"
    if kind == "finite_number":
        return f"{shown(value)} is not a finite number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{shown(value)} is not true or false"
    if kind in ("string_type",):
        return f"{shown(value)} is not text"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {shown(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys to values, got {shown(value)}"
    if kind == "literal_error":
        return f"{shown(value)} is not one of {ctx.get('expected')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": (">=", "ge"), "greater_than": (">", "gt"),
                 "less_than_equal": ("<=", "le"), "less_than": ("<", "lt")}[kind]
        return f"{shown(value)} must be {bound[0]} {ctx.get(bound[1])}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} item(s)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    return f"{error['msg']} (got {shown(value)})"


def validation_issues(exc: ValidationError, label: str, prefix: tuple = (), root: type[BaseModel] = ClusterSpec,
                      cluster: str | None = None) -> list[SpecIssue]:
    """pydantic's errors for a document validated against ``root``, as located eksplan issues."""
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if p not in ("function-after[_exactly_one()]",))
        issues.append(SpecIssue(label, _format_path(prefix + loc), _message(error, root), cluster))
    return issues


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
    path = _format_path(prefix)
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
            issue = SpecIssue(label, _format_path(prefix + p), m, cluster)
            if (issue.path, issue.message) not in seen:
                issues.append(issue)
        return None, _capped(issues, label, path, cluster)
    problems = [SpecIssue(label, _format_path(prefix + p), m, cluster) for p, m in check_cluster(spec, None, catalog)]
    if problems:
        return None, _capped(problems, label, path, cluster)
    if spec.describe_subnets:
        spec, problems = _observe(spec, path_of_file, label, prefix, cluster)
        if problems:
            return None, problems
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

    where = _format_path(prefix + ("describe_subnets",))
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
            into.issues.append(SpecIssue(label, _format_path((extra,)), f"unknown key {shown(extra)} beside 'clusters' "
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
            result.issues.append(SpecIssue(loaded.file, _format_path(("name",)) if not loaded.path else f"{loaded.path}.name",
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
